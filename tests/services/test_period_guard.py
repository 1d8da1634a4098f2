"""The closed-period rule (DESIGN.md rule 5) holds whatever was imported: `ledger.post` checks it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from app.services.desk import settlement
from tests.services.cashdesk_helpers import at

REPO = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 11, 20)

CHILD = """
import datetime as dt, sys
from app.errors import PeriodClosed
from app.db.engine import make_factory
from app.services import Actor, run
from app.services.journal import ledger

def post(session):
    return ledger.post(session, actor=Actor({uid}, "W01"), kind="test", business_date=dt.date.fromisoformat({day!r}),
                       lines=[ledger.Line("safe", 100), ledger.Line("bank", -100)])

try:
    run(make_factory({url!r}), post)
    print("posted")
except PeriodClosed as exc:
    print("refused:", exc.message)
print("loaded:", " ".join(sorted(m for m in sys.modules if m.startswith("app.services."))))
"""


def test_a_lone_service_module_is_refused_in_a_settled_day(ledger):
    ledger.run(settlement.settle_day, actor=ledger.actor("boss"), day=DAY, at=at(DAY + dt.timedelta(days=1)))
    code = CHILD.format(uid=ledger.actor("boss").user_id, day=DAY.isoformat(), url=ledger.url)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=True)
    assert f"refused: 营业日 {DAY} 已日结，不能再记入该日（更正请记在当前营业日）" in proc.stdout
    loaded = proc.stdout.split("loaded:")[1].split()
    # The one service module imported (with what it needs), none of the cash desk's.
    assert "app.services.journal.ledger" in loaded
    assert "app.services.desk.cashdesk" not in loaded and "app.services.desk.settlement" not in loaded
