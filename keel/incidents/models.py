"""Models of keel.incidents."""
