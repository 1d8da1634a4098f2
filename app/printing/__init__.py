"""Printing: receipt document -> layout -> ESC/POS bytes, raster, PNG/text preview, PDF;
devices behind a small protocol; the persisted print queue; a loopback printer and decoder.

Arrows point one way: printing -> services -> models. Nothing here writes the database
directly: print jobs, printers and drawer events are written by `app.services.desk.print_jobs`.
"""
