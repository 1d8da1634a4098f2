"""Tables of the cashdesk issue (see app/models/__init__.py)."""

from __future__ import annotations
