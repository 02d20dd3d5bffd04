"""Keel: one management system for ISO/IEC 27001:2022 and ISO/IEC 42001:2023."""

__version__ = "0.1.0"
