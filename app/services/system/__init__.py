"""Users and log-in, settings, setting up, backup and restore, moving to a server, the demo."""
