"""Incidents: one runbook, types with playbooks and regulatory clocks (A.5.24–A.5.28, 42001; issue 16)."""
