"""The use cases: the ONLY code that writes the ledger. No Qt, no reportlab here.

A use case is a plain function `fn(session, *, actor, ...) -> frozen dataclass`. It never
commits or rolls back; `run(factory, fn, **kw)` is the one transaction frame, used by the
UI, the CLI, the reports and the benchmarks alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling: the logged-in user at a station. Permissions are re-checked per call."""

    user_id: int
    station_code: str


def run(factory: sessionmaker[Session], use_case: Callable[..., T], /, **kw) -> T:
    """Run one use case in one transaction: commit on return, roll back on any error."""
    with factory.begin() as session:
        return use_case(session, **kw)
