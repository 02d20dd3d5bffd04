"""The certification cycle: certification audits, the auditor's requests and the integration self-assessment (issue 15)."""
