"""Reports in the window (issue 13.2) on the demo ledger: every report opens by keyboard, its
on-screen figures and its Excel file equal `feedesk report`'s for the same ledger, PDF and
Excel files open, printing goes through Qt's print dialog, a long report can be cancelled,
and the account card's history shows a payment made in the test.

The demo ledger (360 accounts, six months of bills and payments) is built once per module
(about 20 s) and copied for each test.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QPushButton

from app.cli.commands import main as cli_main
from app.db.engine import make_factory, upgrade
from app.services import run
from app.services.collection import dunning
from app.services.desk import corrections, payments, shifts
from app.services.system import setup
from app.services.system.demo import build_demo
from app.ui import report_catalog as rc
from tests.conftest import Ledger
from tests.reports.docs import pdf_text
from tests.ui.conftest import log_in, press, screenshot, wait_idle


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    upgrade(str(path))
    factory = make_factory(str(path))
    run(factory, setup.bootstrap, station_code="W01", admin_password="admin", site_name="幸福里物业服务中心")
    build_demo(factory, station_code="W01")
    factory.kw["bind"].dispose()
    return path


@pytest.fixture
def demo(demo_file, tmp_path):
    path = tmp_path / "ledger.db"
    shutil.copy(demo_file, path)
    lg = Ledger(path)
    yield lg
    lg.close()


@pytest.fixture
def win(qtbot, demo):
    from app.ui.main import MainWindow

    w = MainWindow(demo.factory, station_code="W01", idle_minutes=0)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    yield w
    wait_idle(qtbot, w)
    w.close()


def cli(lg, monkeypatch, capsys, *argv, user="boss"):
    monkeypatch.setenv("FEEDESK_PASSWORD", user)
    code = cli_main(["--db", lg.url, "--user", user, "--station", "W01", *argv])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def open_reports(qtbot, w, user="boss"):
    log_in(qtbot, w, user, user)
    screen = w.screens["reports"]
    assert w.tabs.isTabVisible(w.tabs.indexOf(screen))
    w.tabs.setCurrentWidget(screen)
    screen.focus_first()
    wait_idle(qtbot, w)
    return screen


def run_by_keyboard(qtbot, w, screen, key: str) -> None:
    """Up/Down in the report list to the report, Enter runs it; waits for the preview."""
    lst = screen.report_list
    lst.setFocus()
    target = next(i for i, s in enumerate(rc.SPECS) if s.key == key)
    while lst.currentRow() != target:
        press(qtbot, lst, Qt.Key.Key_Down if lst.currentRow() < target else Qt.Key.Key_Up)
    press(qtbot, lst, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.job is None and screen.message.text() != "", timeout=20000)
    wait_idle(qtbot, w)
    assert screen.loaded is not None and screen.loaded.key == key, screen.message.text()


def sheet_rows(path: Path) -> list[list[str]]:
    """Every sheet's cells as text, without the line that carries the print time."""
    wb = load_workbook(str(path), read_only=True)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells = ["" if v is None else str(v) for v in row]
            if not any("打印时间" in c for c in cells):
                out.append([ws.title, *cells])
    wb.close()
    return out


def as_table_text(value) -> str:
    """An XLSX cell as the PDF and the preview print it (amounts 1,234.56; rates 58.33%)."""
    if isinstance(value, (float, int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return "" if value is None else str(value)


# the CLI arguments of each report, for the parameters the test sets on the screen
def cli_args(key: str, p: dict) -> list[str]:
    d = {k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in p.items()}
    table = {
        "shift": lambda: ["report", "shift", d[rc.SHIFT]],
        "day": lambda: ["report", "day", "--date", d[rc.DAY]],
        "month": lambda: ["report", "month", "--month", d[rc.MONTH]],
        "journal": lambda: ["report", "journal", "--from", d[rc.DATE_FROM], "--to", d[rc.DATE_TO]],
        "arrears": lambda: ["report", "arrears", "--as-of", d[rc.AS_OF]],
        "collection": lambda: [
            "report",
            "collection",
            "--from",
            d[rc.FROM_PERIOD],
            "--to",
            d[rc.TO_PERIOD],
            "--by",
            d[rc.BY],
        ],
        "income": lambda: ["report", "income", "--from", d[rc.DATE_FROM], "--to", d[rc.DATE_TO]],
        "statement": lambda: [
            "report",
            "statement",
            d[rc.ACCOUNT],
            "--from",
            d[rc.DATE_FROM],
            "--to",
            d[rc.DATE_TO],
        ],
        "tariffs": lambda: ["report", "tariffs", "--as-of", d[rc.AS_OF]],
        "plan": lambda: ["report", "plan", "--from", d[rc.FROM_PERIOD], "--to", d[rc.TO_PERIOD]],
        "tickets": lambda: ["report", "tickets", "--from", d[rc.FROM_PERIOD], "--to", d[rc.TO_PERIOD]],
        "reconciliation": lambda: ["report", "reconciliation", "--month", d[rc.MONTH]],
    }
    return table[key]() if key in table else []


def test_every_report_in_the_window_equals_the_cli(qtbot, win, demo, monkeypatch, capsys, tmp_path):
    screen = open_reports(qtbot, win)
    assert [screen.report_list.item(i).text() for i in range(3)] == [
        "缴款单（收费员日报）",
        "日结报表",
        "月结汇总",
    ]
    today = win.business_date
    yesterday = today - dt.timedelta(days=1)
    # a day with takings, a month with settled days, a shift of that day
    screen.inputs[rc.DAY].setDate(QDate(yesterday))
    screen.inputs[rc.DATE_FROM].setDate(QDate(yesterday.replace(day=1) - dt.timedelta(days=61)))
    screen.inputs[rc.ACCOUNT].setText("1-1-101")
    screen.inputs[rc.MONTH].setDate(QDate(yesterday.year, yesterday.month, 1))
    screen.inputs[rc.FROM_PERIOD].setDate(QDate(yesterday.year, yesterday.month, 1).addMonths(-5))
    from app.services.desk import closes

    last_shift = max(s.id for s in demo.run(closes.list_shifts, actor=demo.actor("boss")))
    screen.inputs[rc.SHIFT].setValue(last_shift)
    seen = {}
    for spec in [s for s in rc.SPECS if not s.write]:  # the dunning run records a run: its own test
        run_by_keyboard(qtbot, win, screen, spec.key)
        doc = screen.loaded.document
        # the preview shows the document's tables, totals row last, cells as the PDF prints them
        tables = [b for b in doc.blocks if isinstance(b, rc.Table)]
        assert len(screen.preview.tables) == len(tables)
        for view, table in zip(screen.preview.tables, tables, strict=True):
            model = view.model()
            assert model.rowCount() == len(table.rows) + (table.total is not None)
        win_xlsx = tmp_path / f"win_{spec.key}.xlsx"
        screen.save("xlsx", str(win_xlsx))
        qtbot.waitUntil(lambda p=win_xlsx: "已保存" in screen.message.text() and p.exists(), timeout=10000)
        args = cli_args(spec.key, screen.params())
        if not args:
            continue  # receipts usage: two CLI listings (`receipts list`, `receipts gaps`), checked below
        cli_xlsx = tmp_path / f"cli_{spec.key}.xlsx"
        cli(demo, monkeypatch, capsys, *args, "--xlsx", str(cli_xlsx))
        assert sheet_rows(win_xlsx) == sheet_rows(cli_xlsx), spec.key
        seen[spec.key] = screen.preview.tables
    assert set(seen) == {s.key for s in rc.SPECS} - {"receipts", "dunning"}

    # on-screen figures a supervisor reads, against the CLI's own summary text
    run_by_keyboard(qtbot, win, screen, "day")
    out = cli(demo, monkeypatch, capsys, "report", "day", "--date", yesterday.isoformat())
    total_text = out.split("收款合计 ")[1].split(" 元")[0]
    first = screen.preview.tables[0].model()
    assert first.text(first.rowCount() - 1, 0) == "合计" and first.text(first.rowCount() - 1, 1) == total_text
    assert screen.chart.isVisible() and screen.chart.data.stacked
    hours_total = sum(sum(v) for _, v in screen.chart.data.series)
    assert f"{hours_total // 100:,}.{hours_total % 100:02d}" == total_text  # the chart adds up to the table
    screenshot(win, "reports_day.png")

    screen.inputs[rc.BY].setCurrentIndex(screen.inputs[rc.BY].findData("month"))
    run_by_keyboard(qtbot, win, screen, "collection")
    out = cli(
        demo,
        monkeypatch,
        capsys,
        "report",
        "collection",
        "--from",
        screen.params()[rc.FROM_PERIOD],
        "--to",
        screen.params()[rc.TO_PERIOD],
        "--by",
        "month",
    )
    model = screen.preview.tables[0].model()
    cli_rows = [line.split() for line in out.splitlines() if line[:4].isdigit() or line.startswith("合计")]
    assert [[model.text(r, 0), model.text(r, 3)] for r in range(model.rowCount())] == [
        [row[0], row[3]] for row in cli_rows
    ]
    assert screen.chart.data.percent and screen.chart.data.categories == [r[0] for r in cli_rows[:-1]]
    screenshot(win, "reports_collection.png")

    run_by_keyboard(qtbot, win, screen, "arrears")
    out = cli(demo, monkeypatch, capsys, "report", "arrears", "--as-of", today.isoformat())
    assert out.split("合计 ")[1].split(" 元")[0] == screen.preview.tables[0].model().text(
        screen.preview.tables[0].model().rowCount() - 1, 2
    )
    assert [name for name in screen.chart.data.categories][:2] == ["30天内", "31-90天"]
    screenshot(win, "reports_ageing.png")


def test_receipts_usage_lists_the_ranges_and_gaps_of_the_cli(qtbot, win, demo, monkeypatch, capsys):
    screen = open_reports(qtbot, win)
    run_by_keyboard(qtbot, win, screen, "receipts")
    out = cli(demo, monkeypatch, capsys, "receipts", "list")
    gap_model = screen.preview.tables[1].model()
    assert gap_model.text(0, 0) == "无"  # the demo's numbers are continuous, as `receipts gaps` says
    assert "号段" in out


def test_save_pdf_and_excel_and_print_through_the_dialog(qtbot, win, demo, monkeypatch, tmp_path):
    screen = open_reports(qtbot, win)
    run_by_keyboard(qtbot, win, screen, "income")
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "收入汇总"), ""))
    qtbot.mouseClick(screen.pdf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (tmp_path / "收入汇总.pdf").exists() and "已保存" in screen.message.text(), timeout=10000
    )
    text = pdf_text(tmp_path / "收入汇总.pdf")
    total = screen.preview.tables[0].model()
    assert "收入汇总表" in text and total.text(total.rowCount() - 1, 3) in text
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "收入汇总.xlsx"), ""))
    qtbot.mouseClick(screen.xlsx_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (tmp_path / "收入汇总.xlsx").exists() and "xlsx" in screen.message.text(), timeout=10000
    )
    wb = load_workbook(str(tmp_path / "收入汇总.xlsx"))
    assert wb.worksheets[0]["A1"].value == "收入汇总表"

    # Print: Qt's print dialog (accepted here), the pages drawn on the printer; a PDF printer
    # stands in for the page printer so the test can read what was printed.
    out = tmp_path / "printed.pdf"

    def accept(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已送打印" in screen.message.text(), timeout=10000)
    printed = pdf_text(out).replace("\t", " ")  # Qt's PDF text layer separates words with tabs
    assert (
        "收入汇总表" in printed
        and total.text(total.rowCount() - 1, 3) in printed
        and "第 1 页 / 共 1 页" in printed
    )


def test_a_long_report_can_be_cancelled_and_the_window_stays_free(qtbot, win, demo):
    screen = open_reports(qtbot, win)
    screen.select("journal")
    screen.inputs[rc.DATE_FROM].setDate(QDate(2020, 1, 1))
    # hold the worker on the first row so the cancel happens while the report is being read
    import threading

    gate = threading.Event()
    original = rc.Job.tick

    def slow_tick(job):
        gate.wait(5)
        original(job)

    rc.Job.tick = slow_tick
    try:
        press(qtbot, screen.report_list, Qt.Key.Key_Return)
        assert (
            screen.job is not None and screen.cancel_button.isEnabled() and not screen.run_button.isEnabled()
        )
        press(qtbot, win.tabs, Qt.Key.Key_Escape)  # the window's Esc reaches the screen
        assert screen.job is None and "已取消" in screen.message.text() and screen.run_button.isEnabled()
        gate.set()
        wait_idle(qtbot, win)
    finally:
        rc.Job.tick = original
    assert screen.loaded is None  # the dropped report never replaces the screen's content
    run_by_keyboard(qtbot, win, screen, "journal")
    assert screen.preview.tables[0].model().rowCount() > 100


def test_a_cashier_has_no_reports_tab(qtbot, win, demo):
    log_in(qtbot, win, "demo", "demo")
    screen = win.screens["reports"]
    assert not win.tabs.isTabVisible(win.tabs.indexOf(screen))
    win.tabs.setCurrentWidget(screen)
    assert win.tabs.currentWidget() is win.workspace


def test_account_history_shows_a_payment_made_in_the_test(qtbot, win, demo, monkeypatch, tmp_path, capsys):
    demo.run(shifts.open_shift, actor=demo.actor("demo"), float_amount="0")
    log_in(qtbot, win, "demo", "demo")
    ws = win.workspace
    qtbot.keyClicks(ws.search_box, "1-1-102")
    press(qtbot, ws.search_box)
    qtbot.waitUntil(lambda: ws.card is not None and ws.card.code == "1-1-102", timeout=5000)
    wait_idle(qtbot, win)
    due = sum(c.outstanding for c in ws.card.charges)
    cashier = demo.actor("demo")
    wrong = demo.run(
        payments.pay, actor=cashier, account_code="1-1-102", tenders=[payments.parse_tender("cash=20")]
    )
    demo.run(
        corrections.void_payment,
        actor=cashier,
        receipt_no=wrong.receipt_no,
        reason="收错缴费户",
        approver="boss",
        approver_password="boss",
    )
    paid = demo.run(
        payments.pay,
        actor=cashier,
        account_code="1-1-102",
        tenders=[payments.parse_tender("wechat=88.50:WX0001")],
        change_to_prepaid=True,
    )
    demo.run(
        dunning.log_contact,
        actor=demo.actor("boss"),
        account_code="1-1-102",
        channel="phone",
        result="promised",
        promise_date=win.business_date + dt.timedelta(days=7),
        note="业主说月底来缴",
    )
    ws.activateWindow()
    qtbot.waitUntil(ws.isActiveWindow, timeout=2000)
    qtbot.keyClick(ws.search_box, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)  # History (Alt+H)
    qtbot.waitUntil(
        lambda: getattr(ws, "history_dialog", None) is not None and ws.history_dialog.isVisible(),
        timeout=3000,
    )
    dlg = ws.history_dialog
    qtbot.waitUntil(lambda: dlg.view is not None, timeout=10000)
    wait_idle(qtbot, win)
    rows = dlg.payments_model.rows
    mine = [e for e in rows if e.receipt_no == paid.receipt_no]
    assert len(mine) == 1 and mine[0].amount == 8850 and "微信支付 88.50" in mine[0].detail
    assert mine[0].kind == "收款" and mine[0].operator == "演示收费员"
    assert dlg.charges_model.rows and sum(c.outstanding for c in dlg.charges_model.rows) == due - min(
        due, 8850
    )
    assert "缴款及收据" in dlg.tabs.tabText(1)
    voided = [e for e in dlg.corrections_model.rows if e.kind == "作废"]
    assert len(voided) == 1 and voided[0].amount == -2000 and wrong.receipt_no in voided[0].reason
    assert [(c.channel, c.result, c.who) for c in dlg.contacts_model.rows] == [
        ("电话", "承诺缴费", "值班长老王")
    ]
    # the statement on screen is `feedesk report statement`'s, and it shows the payment
    stmt = dlg.statement.tables[0].model()
    texts = [stmt.text(r, 1) for r in range(stmt.rowCount())]
    assert f"收款（收据 {paid.receipt_no}）" in texts
    dlg.tabs.setCurrentIndex(1)
    dlg.resize(1300, 700)
    qtbot.waitUntil(lambda: dlg.history_payments.isVisible(), timeout=2000)
    screenshot(dlg, "account_history.png")
    dlg.tabs.setCurrentIndex(0)
    screenshot(dlg, "account_statement.png")
    d_from, d_to = dlg.view.date_from.isoformat(), dlg.view.date_to.isoformat()
    monkeypatch.setenv("FEEDESK_PASSWORD", "demo")
    assert (
        cli_main(
            [
                "--db",
                demo.url,
                "--user",
                "demo",
                "--station",
                "W01",
                "report",
                "statement",
                "1-1-102",
                "--from",
                d_from,
                "--to",
                d_to,
                "--xlsx",
                str(tmp_path / "cli.xlsx"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    dlg.save("xlsx", str(tmp_path / "win.xlsx"))
    qtbot.waitUntil(lambda: "已保存" in dlg.message.text(), timeout=10000)
    assert sheet_rows(tmp_path / "win.xlsx") == sheet_rows(tmp_path / "cli.xlsx")
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert not dlg.isVisible()
    # the history never stays on screen over the lock page
    qtbot.mouseClick(ws.findChild(QPushButton, "card_history_button"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ws.history_dialog is not dlg and ws.history_dialog.isVisible(), timeout=3000)
    wait_idle(qtbot, win)
    again = ws.history_dialog
    win.lock()
    assert not again.isVisible() and win.pages.currentWidget() is win.lock_page


def test_a_dunning_run_from_the_window_prints_the_cli_s_notices(
    qtbot, win, demo, monkeypatch, tmp_path, capsys
):
    from PySide6.QtWidgets import QMessageBox

    screen = open_reports(qtbot, win)
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.No
    )
    screen.select("dunning")
    press(qtbot, screen.report_list, Qt.Key.Key_Return)
    assert asked and screen.job is None and screen.loaded is None  # said no: nothing recorded
    # the same ledger as it is now, for `feedesk dunning run` to make the same run (same numbers)
    twin = tmp_path / "twin.db"
    with sqlite3.connect(demo.path) as src, sqlite3.connect(twin) as dst:
        src.backup(dst)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    screen.inputs[rc.BUILDING].setText("2")
    run_by_keyboard(qtbot, win, screen, "dunning")
    listing = screen.preview.tables[0].model()
    last = listing.rowCount() - 1
    assert listing.text(last, 0) == "合计" and last > 10
    assert all(listing.text(r, 1).startswith("2-") for r in range(last))
    screen.save("pdf", str(tmp_path / "win.pdf"))
    qtbot.waitUntil(lambda: "已保存" in screen.message.text(), timeout=20000)
    monkeypatch.setenv("FEEDESK_PASSWORD", "boss")
    assert (
        cli_main(
            [
                "--db",
                str(twin),
                "--user",
                "boss",
                "--station",
                "W01",
                "dunning",
                "run",
                "--building",
                "2",
                "--pdf",
                str(tmp_path / "cli.pdf"),
            ]
        )
        == 0
    )
    capsys.readouterr()

    def letters(path):
        return [line for line in pdf_text(path).splitlines() if "打印时间" not in line]

    text = letters(tmp_path / "win.pdf")
    assert text == letters(tmp_path / "cli.pdf") and text.count("催 缴 通 知 单") == last
    numbers = [listing.text(r, 0) for r in range(last)]
    assert all(f"通知单号：{n}" in text for n in numbers)
