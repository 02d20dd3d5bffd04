"""Keel's SQLite backend: Django's, plus ``PRAGMA optimize`` when a connection closes."""
