"""Management review and the certification cycle (9.3; issue 15)."""
