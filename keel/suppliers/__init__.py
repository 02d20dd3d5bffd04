"""Suppliers, due-diligence questionnaires and supplier assessments (A.5.19–A.5.23, 42001 A.10; issue 16)."""
