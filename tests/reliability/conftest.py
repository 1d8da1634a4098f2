"""Fixtures of the reliability suites and the figures table printed after the run."""

from __future__ import annotations

import pytest

from tests.reliability.figures import FIGURES, LABELS, stress
from tests.reliability.ledgers import populate


@pytest.fixture
def populated(ledger):
    """The test ledger with accounts, fee items, two billed months, an open shift and payments."""
    populate(ledger)
    return ledger


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FIGURES:
        return
    tr = terminalreporter
    tr.section("FeeDesk reliability figures" + (" (stress)" if stress() else ""))
    width = max(len(v) for v in LABELS.values())
    for key, label in LABELS.items():
        tr.write_line(f"{label:<{width}}  {FIGURES.get(key, 0):>8}")
    for key in sorted(set(FIGURES) - set(LABELS)):
        tr.write_line(f"{key:<{width}}  {FIGURES[key]:>8}")
