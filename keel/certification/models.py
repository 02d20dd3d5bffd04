"""Models of keel.certification."""
