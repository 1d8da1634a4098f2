"""`feedesk` commands of printing: printers, test page, reprints, the print queue, the drawer.

    feedesk printer add NAME (--network HOST:PORT | --usb VID:PID | --serial DEV[:BAUD] |
                              --file PATH | --windows PRINTER) [--width 58|80] [--mode text|image]
                             [--cut full|partial|none] [--drawer-pin 2|5] [--default]
    feedesk printer list | printer test [NAME] | printer status [NAME]
    feedesk receipt print RECEIPT_NO [--printer NAME]      (重打, or 补打 if never printed)
    feedesk receipt print RECEIPT_NO --slip                (its void's / refund's slip)
    feedesk receipt preview RECEIPT_NO [--width 58|80] [--png PATH] [--pdf PATH] [--slip]
    feedesk print-jobs [--failed] [--unprinted] | print-jobs retry JOB_ID [--printer NAME]
    feedesk drawer open --reason TEXT [--printer NAME]
    feedesk shift remittance SHIFT_ID [--printer NAME]     (缴款单 of a closed shift)

Each command logs in, calls the services / the print queue and prints the result (JSON with
`--json`). A print that fails exits 1 after reporting the job, which stays retryable.
The printing modules (python-escpos, Pillow) are imported only by the commands that print,
so they cost nothing to the start of every other command.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.errors import InvalidInput
from app.services import run
from app.services.clock import local_time
from app.services.desk import print_jobs as svc
from app.services.desk import receipts


def _connection(a: argparse.Namespace) -> tuple[str, str]:
    for conn in ("network", "usb", "serial", "file", "windows"):
        value = getattr(a, conn)
        if value:
            return conn, value
    raise InvalidInput("请指定连接方式：--network、--usb、--serial、--file 或 --windows")


def cmd_printer_add(ctx) -> None:
    a = ctx.args
    conn, target = _connection(a)
    info = ctx.call(svc.add_printer, name=a.name, connection=conn, target=target, width_mm=a.width, mode=a.mode,
                    cut=a.cut, drawer_pin=a.drawer_pin, encoding=a.encoding, qr_mode=a.qr,
                    timeout_ms=a.timeout_ms, default=a.default, station_code=ctx.station)
    ctx.emit(info.to_json(), f"已设置打印机 {info.name}：{svc.CONNECTION_NAMES[info.connection]} {info.target}，"
             f"{info.width_mm}mm，{'中文字库' if info.mode == 'text' else '图像'}模式"
             + ("，本收费点默认打印机" if info.is_default else ""))


def cmd_printer_list(ctx) -> None:
    from app.cli.commands import table

    items = ctx.call(svc.list_printers)
    ctx.emit([i.to_json() for i in items], table(
        ["名称", "收费点", "连接", "地址", "纸宽", "模式", "切纸", "钱箱", "编码", "默认"],
        [[i.name, i.station, svc.CONNECTION_NAMES[i.connection], i.target, f"{i.width_mm}mm", i.mode, i.cut,
          i.drawer_pin, i.encoding, "是" if i.is_default else ""] for i in items]))


def _emit_outcome(ctx, outcome, done_text: str) -> None:
    from app.printing.device import PrinterError

    data = outcome.to_json()
    if outcome.status == "done":
        text = done_text + (f"\n注意：{outcome.warning}" if outcome.warning else "")
    else:
        text = (f"打印失败：{outcome.error}\n打印任务 #{outcome.job_id} 已保留，"
                f"可用“feedesk print-jobs retry {outcome.job_id}”重试")
    ctx.emit(data, text)
    if outcome.status != "done":
        raise PrinterError("failed", f"打印失败：{outcome.error}（任务 #{outcome.job_id} 可重试）")


def cmd_printer_test(ctx) -> None:
    from app.printing import queue

    out = queue.print_test_page(ctx.factory, actor=ctx.login(), printer_name=ctx.args.name)
    _emit_outcome(ctx, out, f"测试页已打印（打印机 {out.printer}，任务 #{out.job_id}）")


def cmd_printer_status(ctx) -> None:
    from app.printing import queue

    st = queue.printer_status(ctx.factory, actor=ctx.login(), printer_name=ctx.args.name)
    ctx.emit(st.to_json(), st.message)


def cmd_receipt_print(ctx) -> None:
    from app.printing import queue

    if ctx.args.slip:
        out = queue.print_slip(ctx.factory, actor=ctx.login(), receipt_no=ctx.args.receipt_no,
                               printer_name=ctx.args.printer)
        name = svc.JOB_KINDS.get(out.kind, out.kind)
        mark = f"（重打第{out.reprint_count}次）" if out.reprint_count else ""
        _emit_outcome(
            ctx, out, f"收据 {out.receipt_no} 的{name}已打印{mark}（打印机 {out.printer}，任务 #{out.job_id}）"
        )
        return
    out = queue.print_receipt(ctx.factory, actor=ctx.login(), receipt_no=ctx.args.receipt_no,
                              printer_name=ctx.args.printer, reason=ctx.args.reason or "")
    mark = f"重打（第{out.reprint_count}次）" if out.kind == "reprint" else "补打"
    _emit_outcome(ctx, out, f"收据 {out.receipt_no} 已{mark}（打印机 {out.printer}，任务 #{out.job_id}）")


def cmd_receipt_preview(ctx) -> None:
    from app.printing import preview

    a = ctx.args
    actor = ctx.login()
    with ctx.factory() as s:
        doc = (svc.correction_slip(s, actor=actor, receipt_no=a.receipt_no) if a.slip
               else receipts.receipt_doc(s, a.receipt_no))
    written = {}
    if a.png:
        Path(a.png).write_bytes(preview.render_preview_png(doc, a.width))
        written["png"] = a.png
    if a.pdf:
        from app.printing.pdf import receipt_pdf

        Path(a.pdf).write_bytes(receipt_pdf(doc, paper=a.paper))
        written["pdf"] = a.pdf
    text = preview.render_preview_text(doc, a.width)
    ctx.emit({"receipt_no": doc.receipt_no, "text": text, **written},
             text + "".join(f"\n已写入 {k.upper()}：{v}" for k, v in written.items()))


def cmd_print_jobs(ctx) -> None:
    from app.cli.commands import table

    actor = ctx.login()
    if ctx.args.unprinted:
        rows = run(ctx.factory, svc.unprinted_receipts, actor=actor, station_code=ctx.station)
        ctx.emit(
            [
                {
                    "receipt_no": r.receipt_no,
                    "kind": r.kind,
                    "account": r.account,
                    "created_at": r.created_at.isoformat(timespec="seconds"),
                    "error": r.last_error,
                }
                for r in rows
            ],
            table(
                ["收据号", "类型", "户号", "时间", "最近错误"],
                [
                    [r.receipt_no, r.kind, r.account, local_time(r.created_at).strftime("%m-%d %H:%M"), r.last_error]
                    for r in rows
                ],
            )
            + f"\n{ctx.station} 未打印收据 {len(rows)} 张（可用 receipt print 补打；作废、退款凭证加 --slip）",
        )
        return
    jobs = run(ctx.factory, svc.list_jobs, actor=actor, failed_only=ctx.args.failed)
    ctx.emit([j.to_json() for j in jobs], table(
        ["任务", "类型", "收据号", "打印机", "状态", "次数", "时间", "错误"],
        [[j.id, svc.JOB_KINDS.get(j.kind, j.kind) + (f"{j.reprint_count}" if j.reprint_count else ""), j.receipt_no,
          j.printer, svc.STATUS_NAMES[j.status], j.attempts, local_time(j.updated_at).strftime("%m-%d %H:%M"),
          j.last_error] for j in jobs]))


def cmd_print_jobs_retry(ctx) -> None:
    from app.printing import queue

    out = queue.retry(ctx.factory, actor=ctx.login(), job_id=ctx.args.job_id, printer_name=ctx.args.printer)
    _emit_outcome(ctx, out, f"打印任务 #{out.job_id} 已打印（打印机 {out.printer}）")


def cmd_shift_remittance(ctx) -> None:
    from app.printing import queue

    out = queue.print_remittance(ctx.factory, actor=ctx.login(), shift_id=ctx.args.shift_id,
                                 printer_name=ctx.args.printer)
    _emit_outcome(ctx, out, f"班次 #{ctx.args.shift_id} 的缴款单已打印（打印机 {out.printer}，任务 #{out.job_id}）")


def cmd_drawer_open(ctx) -> None:
    from app.printing import queue

    out = queue.open_drawer(ctx.factory, actor=ctx.login(), reason=ctx.args.reason, printer_name=ctx.args.printer)
    _emit_outcome(ctx, out, f"钱箱已打开（原因：{ctx.args.reason}，已记录）")


def _subcommands(sub, name: str, **kw):
    """The sub-command group `name`, created once even if another module also adds to it."""
    parser = sub.choices.get(name) or sub.add_parser(name, **kw)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest="sub", required=True)


def register(sub, cmd, parents) -> None:
    printer = _subcommands(sub, "printer", help="收据打印机")
    sp = cmd("add", cmd_printer_add, printer, help="添加或修改打印机")
    sp.add_argument("name")
    g = sp.add_mutually_exclusive_group(required=True)
    g.add_argument("--network", metavar="HOST:PORT")
    g.add_argument("--usb", metavar="VID:PID")
    g.add_argument("--serial", metavar="DEV[:BAUD]")
    g.add_argument("--file", metavar="PATH")
    g.add_argument("--windows", metavar="PRINTER")
    sp.add_argument("--width", type=int, choices=(58, 80), default=80)
    sp.add_argument("--mode", choices=("text", "image"), default="text")
    sp.add_argument("--cut", choices=("full", "partial", "none"), default="partial")
    sp.add_argument("--drawer-pin", type=int, choices=(2, 5), default=2)
    sp.add_argument("--encoding", choices=svc.ENCODINGS, default="gb18030")
    sp.add_argument("--qr", choices=("native", "image"), default="native")
    sp.add_argument("--timeout-ms", type=int, default=3000)
    sp.add_argument("--default", action="store_true")
    cmd("list", cmd_printer_list, printer, help="打印机列表")
    cmd("test", cmd_printer_test, printer, help="打印测试页").add_argument("name", nargs="?")
    cmd("status", cmd_printer_status, printer, help="打印机状态").add_argument("name", nargs="?")

    receipt = _subcommands(sub, "receipt", help="收据")
    sp = cmd("print", cmd_receipt_print, receipt, help="重打收据（从未打印过的为补打）")
    sp.add_argument("receipt_no")
    sp.add_argument("--printer")
    sp.add_argument("--reason")
    sp.add_argument("--slip", action="store_true", help="打印该收据的作废凭证或退款凭证")
    sp = cmd("preview", cmd_receipt_preview, receipt, help="收据预览（文本、PNG、PDF）")
    sp.add_argument("receipt_no")
    sp.add_argument("--width", type=int, choices=(58, 80), default=80)
    sp.add_argument("--png")
    sp.add_argument("--pdf")
    sp.add_argument("--paper", choices=("a5", "continuous"), default="a5")
    sp.add_argument("--slip", action="store_true", help="预览该收据的作废凭证或退款凭证")

    jobs = cmd("print-jobs", cmd_print_jobs, help="打印任务")
    jobs.add_argument("--failed", action="store_true")
    jobs.add_argument("--unprinted", action="store_true", help="列出从未打印的收据（补打）")
    jobs_sub = jobs.add_subparsers(dest="jobs_sub", required=False)
    sp = cmd("retry", cmd_print_jobs_retry, jobs_sub, help="重试失败的打印任务")
    sp.add_argument("job_id", type=int)
    sp.add_argument("--printer")

    shift = parents.get("shift") if parents else None
    if shift is not None and "remittance" not in shift.choices:
        sp = cmd("remittance", cmd_shift_remittance, shift, help="打印班次缴款单（轧帐后）")
        sp.add_argument("shift_id", type=int)
        sp.add_argument("--printer")

    drawer = _subcommands(sub, "drawer", help="钱箱")
    sp = cmd("open", cmd_drawer_open, drawer, help="打开钱箱（须填原因，记入审计）")
    sp.add_argument("--reason", required=True)
    sp.add_argument("--printer")
