"""The internal audit programme: audits, checklists, samples and findings (9.2; issue 15)."""
