"""The demo ledger that `make run` creates: a living estate that verifies and lets demo/boss log in."""

import datetime as dt

from app.cli.commands import main
from app.db.engine import make_factory
from app.services import run
from app.services.bills import arrears
from app.services.journal.verify import verify
from app.services.master import accounts
from app.services.system import auth


def test_demo_ledger_is_a_verified_living_estate(tmp_path, capsys):
    db = str(tmp_path / "demo.db")
    assert main(["--db", db, "init", "--demo"]) == 0
    assert "演示数据" in capsys.readouterr().out
    factory = make_factory(db)
    try:
        result = run(factory, verify)
        assert result.ok, result.first_failure
        assert result.counts["payments"] > 200 and result.counts["charges"] > 4000
        demo = auth.login_counting_failures(factory, username="demo", password="demo", station_code="W01")
        boss = auth.login_counting_failures(factory, username="boss", password="boss", station_code="W01")
        assert (demo.user.role, boss.user.role) == ("cashier", "supervisor")
        hits = run(factory, accounts.search_accounts, actor=demo.actor, query="1-1-20")
        assert len(hits) == 4
        owing = run(factory, arrears.arrears, actor=demo.actor, as_of=dt.date.today())
        assert 20 < len(owing.rows) < 360  # some paid, some in arrears
    finally:
        factory.kw["bind"].dispose()
