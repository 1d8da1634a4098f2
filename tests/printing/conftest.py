"""Fixtures of the printing tests: a loopback network printer and a ledger with a payment
ready to be printed (built through the services, like tests/services/test_smoke_flow.py)."""

from __future__ import annotations

import pytest

from app.printing.loopback import LoopbackPrinter


@pytest.fixture
def loopback():
    printer = LoopbackPrinter().start()
    yield printer
    printer.stop()
