"""`feedesk`: commands.py (parser, log-in, top-level commands, main) and one module per command group."""
