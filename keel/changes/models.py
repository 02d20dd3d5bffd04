"""Models of keel.changes."""
