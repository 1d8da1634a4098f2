"""Collection of arrears: dunning runs, contact log, repayment plans."""
