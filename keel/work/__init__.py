"""Reminders, each person's work and the notification job (issue 15)."""
