"""Read functions for the supervisor desk charts: the picture and its table come from one DTO."""

import datetime as dt

from app.services import reports
from tests.helpers import fen


def test_rate_by_month_this_year_against_last_year(known_extras):
    c = known_extras.run(reports.chart_rate_by_month, actor=known_extras.actor("boss"), year=2026,
                         today=dt.date(2026, 11, 25))
    by = {p.month: p for p in c.points}
    assert len(c.points) == 12 and c.year == 2026
    # September: 400.00 of 600.00 paid within September; 1-1-102 paid only on 10-25
    assert by[9].this_year.text == "66.67%" and by[10].this_year.text == "58.33%"
    assert by[1].this_year.text == "—" and by[9].last_year.text == "—"


def test_tender_mix_and_ageing_buckets(known_extras):
    boss = known_extras.actor("boss")
    mix = known_extras.run(reports.chart_tender_mix, actor=boss, date_from=dt.date(2026, 10, 1),
                           date_to=dt.date(2026, 10, 31))
    assert mix.slices == [("现金", fen("550")), ("支付宝", fen("200")), ("微信支付", fen("100"))]
    assert mix.total == fen("850")
    age = known_extras.run(reports.chart_ageing, actor=boss, as_of=dt.date(2026, 11, 25))
    assert age.buckets[0] == ("30天内", fen("250")) and age.total == fen("250") and age.accounts == 2
