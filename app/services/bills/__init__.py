"""What is owed: bill runs, meter readings, tariffs, arrears, bill notices."""
