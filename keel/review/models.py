"""Models of keel.review."""
