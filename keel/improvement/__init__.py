"""Nonconformities and corrective actions, one queue for both standards (10.2; issue 15)."""
