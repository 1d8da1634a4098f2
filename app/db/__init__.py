"""How the ledger is reached: engine and sessions, the single-writer lock, the ledger file, migrations."""
