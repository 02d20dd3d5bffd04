"""Models of keel.improvement."""
