"""Models of keel.audits."""
