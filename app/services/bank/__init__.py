"""Statements from providers and banks, and reconciliation against the ledger."""
