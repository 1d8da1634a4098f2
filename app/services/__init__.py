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
    """Run one use case in one transaction: commit on return, roll back on any error.

    One exception to "nothing is written": a wrong password typed inside the use case (a
    supervisor's approval) is counted afterwards in a transaction of its own, so lock-out
    works for approvals as it does for log-in.
    """
    from app.errors import FeeDeskError

    try:
        with factory.begin() as session:
            return use_case(session, **kw)
    except FeeDeskError as exc:
        username = exc.details.get("failed_password_of")
        if username:
            from app.services.system import auth

            with factory.begin() as session:
                auth.count_failed_password(session, username=username)
        raise
