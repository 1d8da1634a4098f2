"""Master data: accounts and people, account edits and site settings, owners, tickets."""
