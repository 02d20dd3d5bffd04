"""Import of an existing ISMS from CSV or XLSX: controls and a Statement of Applicability (docs/import.md)."""
