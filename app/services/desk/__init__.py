"""The counter: payments, shifts, drawer closes, corrections, settlement, receipts, print jobs."""
