"""Tables of the dunning issue (see app/models/__init__.py)."""

from __future__ import annotations
