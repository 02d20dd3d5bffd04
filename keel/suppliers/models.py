"""Models of keel.suppliers."""
