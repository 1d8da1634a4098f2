"""Report rendering: PDF (reportlab, bundled CJK font embedded), XLSX (openpyxl) and CSV.

Only renders DTOs from `app.services.reports` / `app.services.collection.dunning` through the
`Document` model of `document.py`; never runs SQL and never computes a figure itself.
"""
