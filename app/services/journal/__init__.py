"""The journal: postings (the one door), the audit chain, seals, verify, locks."""
