"""Models of keel.work."""
