"""The figures of the reliability suites, printed as one table at the end of `make test`.

Tests add to `FIGURES` with `count(name, n)`; `conftest.pytest_terminal_summary` prints them.
"""

from __future__ import annotations

import os
from collections import Counter

FIGURES: Counter[str] = Counter()

# Order and labels of the table (figures never recorded are shown as 0).
LABELS = {
    "kill_points": "kill points survived (SIGKILL)",
    "commits_checked": "payments reported committed and found",
    "disk_full": "disk-full / read-only refusals, nothing partial",
    "bad_inputs": "bad inputs tried",
    "tamperings": "tamperings detected",
    "trigger_refusals": "UPDATE/DELETE refused by triggers",
    "restores": "restores verified",
    "restore_refusals": "bad backups refused, ledger untouched",
    "upgrades": "upgrade paths verified",
    "lock_refusals": "second writers refused",
    "soak_payments": "soak payments printed exactly once",
    "soak_print_failures_retried": "soak printer failures retried",
    "bad_ledgers": "bad ledger files/URLs named, nothing created",
}


def stress() -> bool:
    return os.environ.get("FEEDESK_STRESS") == "1"


def scaled(normal: int, stressed: int) -> int:
    """The size of a run: `normal` in make test, `stressed` with FEEDESK_STRESS=1."""
    return stressed if stress() else normal


def count(name: str, n: int = 1) -> None:
    FIGURES[name] += n
