"""Changes: information-system, model-lifecycle and management-system changes with their gates (A.8.32, 6.3; issue 16)."""
