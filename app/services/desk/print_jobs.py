"""Printers and print jobs: the service-layer writes of printing (no device I/O here).

A print is a persisted job (table `print_job`): the payment commits first, then a job is
queued, then `app.printing.queue` sends it to the printer outside any transaction and
reports the outcome with `finish_job`. A failed job keeps its error in plain Chinese and
can be retried, also on another printer. A reprint (重打) is a new job with its count and
a receipt-number event; the first print of a receipt that was never printed is a late
print (补打). Every drawer opening is an audit event; an explicit opening needs a reason.
Whether a receipt was printed is derived from its jobs (a `done` job), never stored twice.

Callers must not open printers from here or hold a transaction while printing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from sqlalchemy import exists, func, literal, or_, select, union_all, update
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound, PermissionDenied
from app.labels import TENDER_NAMES
from app.models import (
    Account,
    AdjustmentKind,
    Allocation,
    Approval,
    AuditEvent,
    BalanceRefund,
    Charge,
    ChargeAdjustment,
    ChargeKind,
    FeeItem,
    JournalEntry,
    Payment,
    PaymentCorrection,
    PaymentKind,
    Posting,
    Printer,
    PrintJob,
    PrintJobStatus,
    Receipt,
    ReceiptNumberEvent,
    ReceiptNumberEventKind,
    Shift,
    Site,
    Station,
    TenderLine,
    User,
)
from app.money import format_yuan
from app.services import Actor
from app.services.clock import local_time, utcnow
from app.services.desk import receipts
from app.services.journal import audit, ledger
from app.services.system import auth, settings

CONNECTIONS = ("network", "usb", "serial", "file", "windows", "dummy")
CONNECTION_NAMES = {"network": "网络", "usb": "USB", "serial": "串口", "file": "文件/设备", "windows": "Windows 打印机",
                    "dummy": "虚拟"}
JOB_KINDS = {"receipt": "收据", "reprint": "重打", "late_print": "补打", "void_slip": "作废凭证",
             "refund_slip": "退款凭证", "test": "测试页", "drawer": "开钱箱", "remittance": "缴款单",
             "waiver_slip": "减免凭证", "write_off_slip": "核销凭证", "deposit_slip": "退押金凭证",
             "prepaid_slip": "预存退款凭证"}
#: The job kind of a correction's slip: the job points at the original receipt, and the slip
#: is built from the correction's rows when it is printed (`correction_slip`).
SLIP_KINDS = {"void": "void_slip", "refund": "refund_slip"}
#: The job kind of the slip of a correction made from the account card (no receipt of its own:
#: the job names its charge_adjustment or balance_refund row in `correction_id`, `account_slip`).
ACCOUNT_SLIP_KINDS = {"waiver": "waiver_slip", "write_off": "write_off_slip", "deposit_refund": "deposit_slip",
                      "prepaid_refund": "prepaid_slip"}
#: Jobs that put a receipt's own document on paper (a slip or a drawer kick does not print it).
_RECEIPT_PRINTS = ("receipt", "reprint", "late_print")
STATUS_NAMES = {"pending": "待打印", "done": "已打印", "failed": "失败"}
ENCODINGS = ("gb18030", "gbk", "gb2312")


@dataclass(frozen=True, slots=True)
class PrinterInfo:
    id: int
    name: str
    station: str
    connection: str
    target: str
    width_mm: int
    mode: str
    cut: str
    drawer_pin: int
    encoding: str
    qr_mode: str
    timeout_ms: int
    is_default: bool

    def to_json(self) -> dict:
        return {"name": self.name, "station": self.station, "connection": self.connection, "target": self.target,
                "width_mm": self.width_mm, "mode": self.mode, "cut": self.cut, "drawer_pin": self.drawer_pin,
                "encoding": self.encoding, "qr_mode": self.qr_mode, "timeout_ms": self.timeout_ms,
                "default": self.is_default}


@dataclass(frozen=True, slots=True)
class JobInfo:
    id: int
    kind: str
    status: str
    receipt_no: str
    printer: str
    attempts: int
    last_error: str
    reprint_count: int
    open_drawer: bool
    reason: str
    created_at: dt.datetime
    updated_at: dt.datetime

    def to_json(self) -> dict:
        return {"job_id": self.id, "kind": self.kind, "status": self.status, "receipt_no": self.receipt_no,
                "printer": self.printer, "attempts": self.attempts, "error": self.last_error,
                "reprint_count": self.reprint_count, "open_drawer": self.open_drawer,
                "created_at": self.created_at.isoformat(timespec="seconds"),
                "updated_at": self.updated_at.isoformat(timespec="seconds")}


@dataclass(frozen=True, slots=True)
class JobWork:
    """Everything a print worker needs, read in one short transaction."""

    job: JobInfo
    printer: PrinterInfo | None
    document: str  # ReceiptDoc JSON ("" for test pages and drawer openings)
    late_print: bool
    drawer_already_opened: bool


@dataclass(frozen=True, slots=True)
class UnprintedReceipt:
    receipt_no: str
    kind: str
    account: str
    created_at: dt.datetime
    last_error: str


# ---- printers ----------------------------------------------------------------------------

def _require_any(session: Session, actor: Actor, *permissions: str) -> User:
    last: PermissionDenied | None = None
    for p in permissions:
        try:
            return auth.require(session, actor, p)
        except PermissionDenied as exc:
            last = exc
    raise last or PermissionDenied()


def _info(session: Session, p: Printer) -> PrinterInfo:
    station = session.get(Station, p.station_id) if p.station_id else None
    return PrinterInfo(p.id, p.name, station.code if station else "", p.connection, p.target, p.width_mm, p.mode,
                       p.cut, p.drawer_pin, p.encoding, p.qr_mode, p.timeout_ms, p.is_default)


def check_target(connection: str, target: str) -> str:
    """Validate a printer address: `HOST:PORT`, `VID:PID` (hex), `DEV[:BAUD]`, a path, a name."""
    target = (target or "").strip()
    if connection not in CONNECTIONS:
        raise InvalidInput(f"未知的连接方式“{connection}”（可选：{'、'.join(CONNECTIONS)}）")
    if not target:
        raise InvalidInput("请填写打印机地址")
    if connection == "network":
        host, sep, port = target.rpartition(":")
        if not sep:
            host, port = target, "9100"
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise InvalidInput(f"网络打印机地址格式不正确：“{target}”（例：192.168.1.50:9100）")
        return f"{host}:{int(port)}"
    if connection == "usb":
        if not re.fullmatch(r"(0x)?[0-9a-fA-F]{1,4}:(0x)?[0-9a-fA-F]{1,4}", target):
            raise InvalidInput(f"USB 打印机格式不正确：“{target}”（厂商ID:产品ID，十六进制，例：0416:5011）")
        vid, pid = (int(x, 16) for x in target.split(":"))
        return f"{vid:04x}:{pid:04x}"
    if connection == "serial":
        dev, sep, baud = target.rpartition(":") if re.search(r":\d+$", target) else (target, "", "")
        if sep and (not baud.isdigit() or int(baud) not in (2400, 4800, 9600, 19200, 38400, 57600, 115200)):
            raise InvalidInput(f"串口波特率不正确：“{baud}”（常用 9600、19200、38400、115200）")
        return f"{dev}:{baud or 9600}"
    return target


def add_printer(session: Session, *, actor: Actor, name: str, connection: str, target: str, width_mm: int = 80,
                mode: str = "text", cut: str = "partial", drawer_pin: int = 2, encoding: str = "gb18030",
                qr_mode: str = "native", timeout_ms: int = 3000, default: bool = False,
                station_code: str | None = None) -> PrinterInfo:
    """Add (or reconfigure, by name) a printer of a station; `default` makes it the one
    receipts print on after a payment at that station."""
    auth.require(session, actor, auth.ADMIN)
    name = (name or "").strip()
    if not name or len(name) > 40 or not name.isprintable():
        raise InvalidInput("打印机名称不能为空，且不超过 40 个字符")
    target = check_target(connection, target)
    if width_mm not in (58, 80):
        raise InvalidInput("纸宽只能是 58 或 80 毫米")
    if mode not in ("text", "image"):
        raise InvalidInput("打印模式只能是 text（中文字库）或 image（图像）")
    if cut not in ("full", "partial", "none"):
        raise InvalidInput("切纸方式只能是 full、partial 或 none")
    if drawer_pin not in (2, 5):
        raise InvalidInput("钱箱引脚只能是 2 或 5")
    if encoding not in ENCODINGS:
        raise InvalidInput(f"编码只能是 {'、'.join(ENCODINGS)}")
    if qr_mode not in ("native", "image"):
        raise InvalidInput("二维码方式只能是 native 或 image")
    if not 100 <= int(timeout_ms) <= 60000:
        raise InvalidInput("超时时间应在 100 到 60000 毫秒之间")
    station = session.scalar(select(Station).where(Station.code == (station_code or actor.station_code)))
    if station is None:
        raise NotFound(f"收费点“{station_code or actor.station_code}”不存在")
    p = session.scalar(select(Printer).where(Printer.name == name))
    created = p is None
    if p is None:
        p = Printer(name=name)
        session.add(p)
    p.station_id, p.connection, p.target, p.width_mm, p.mode = station.id, connection, target, width_mm, mode
    p.cut, p.drawer_pin, p.encoding, p.qr_mode, p.timeout_ms = cut, drawer_pin, encoding, qr_mode, int(timeout_ms)
    station_has_default = session.scalar(select(func.count()).select_from(Printer).where(
        Printer.station_id == station.id, Printer.is_default.is_(True), Printer.name != name))
    if default:
        session.execute(update(Printer).where(Printer.station_id == station.id, Printer.name != name)
                        .values(is_default=False))
    p.is_default = bool(default) or (created and not station_has_default) or (not created and p.is_default)
    session.flush()
    info = _info(session, p)
    audit.record(session, actor, "printer_add" if created else "printer_change", "printer", p.id, **info.to_json())
    return info


def list_printers(session: Session, *, actor: Actor) -> list[PrinterInfo]:
    auth.require(session, actor, auth.READ)
    return [_info(session, p) for p in session.scalars(select(Printer).order_by(Printer.station_id, Printer.name))]


def find_printer(session: Session, *, actor: Actor, name: str | None = None) -> PrinterInfo:
    """A printer by name, or the default printer of the actor's station."""
    auth.require(session, actor, auth.READ)
    info = printer_for(session, station_code=actor.station_code, name=name)
    if info is None:
        raise NotFound(f"收费点 {actor.station_code} 没有设置默认打印机，请先用“printer add … --default”添加")
    return info


def printer_for(session: Session, *, station_code: str, name: str | None = None) -> PrinterInfo | None:
    """Read: the named printer, or the station's default printer (None when there is none)."""
    if name:
        p = session.scalar(select(Printer).where(Printer.name == name))
        if p is None:
            raise NotFound(f"打印机“{name}”不存在")
        return _info(session, p)
    p = session.scalar(select(Printer).join(Station, Station.id == Printer.station_id)
                       .where(Station.code == station_code, Printer.is_default.is_(True)))
    return _info(session, p) if p else None


# ---- jobs --------------------------------------------------------------------------------

def _job_info(session: Session, j: PrintJob) -> JobInfo:
    receipt_no = session.scalar(select(Receipt.receipt_no).where(Receipt.id == j.receipt_id)) if j.receipt_id else ""
    printer = session.scalar(select(Printer.name).where(Printer.id == j.printer_id)) if j.printer_id else ""
    return _job_row(j, receipt_no, printer)


def _job_row(j: PrintJob, receipt_no: str | None, printer: str | None) -> JobInfo:
    return JobInfo(j.id, j.kind, j.status.value, receipt_no or "", printer or "", j.attempts, j.last_error,
                   j.reprint_count, j.open_drawer, j.reason, j.created_at, j.updated_at)


def _printed(session: Session, receipt_id: int, kinds: tuple[str, ...] = _RECEIPT_PRINTS) -> int:
    """How many finished jobs put this document on paper (the receipt itself, or with `kinds`
    a correction's slip)."""
    return session.scalar(select(func.count()).select_from(PrintJob).where(
        PrintJob.receipt_id == receipt_id, PrintJob.status == PrintJobStatus.DONE, PrintJob.kind.in_(kinds)))


def _printer_row(session: Session, actor: Actor, name: str | None) -> Printer:
    info = printer_for(session, station_code=actor.station_code, name=name)
    if info is None:
        raise NotFound(f"收费点 {actor.station_code} 没有设置默认打印机")
    return session.get(Printer, info.id)


def queue_receipt(session: Session, *, actor: Actor, receipt_no: str, printer_name: str | None = None,
                  kind: str = "auto", open_drawer: bool | None = False, reason: str = "") -> JobInfo:
    """Queue a print of a stored receipt.

    kind `receipt`: the print right after the payment (the drawer opens when it took cash);
    `reprint` (重打, numbered and recorded); `late_print` (补打, the first print of a receipt
    never printed); `auto`: 重打 when the receipt was printed before, else 补打.
    `void_slip` / `refund_slip`: the slip (作废凭证 / 退款凭证) of the receipt's void or refund,
    marked 重打 when it was printed before (`slip_kind` says which one a receipt has);
    `open_drawer=None` opens the drawer when the slip pays cash out.
    """
    user = _require_any(session, actor, auth.PAY, auth.SUPERVISE)
    rec = session.scalar(select(Receipt).where(Receipt.receipt_no == receipt_no))
    if rec is None:
        raise NotFound(f"找不到收据“{receipt_no}”")
    printer = _printer_row(session, actor, printer_name)
    if kind in SLIP_KINDS.values():
        return _queue_slip(session, actor, user, rec, printer, kind, open_drawer, reason)
    printed = _printed(session, rec.id)
    if kind == "auto" or (printed and kind in ("receipt", "late_print")):
        # a receipt that came out once is never printed again without the 重打 mark
        kind = "reprint" if printed else "late_print"
    if kind == "reprint":
        open_drawer = False  # a copy never opens the drawer
    if kind not in _RECEIPT_PRINTS:
        raise InvalidInput(f"未知的打印类型“{kind}”")
    count = 0
    if kind == "reprint":
        count = 1 + session.scalar(select(func.count()).select_from(PrintJob).where(
            PrintJob.receipt_id == rec.id, PrintJob.kind == "reprint"))
    now = utcnow()
    job = PrintJob(receipt_id=rec.id, printer_id=printer.id, kind=kind, status=PrintJobStatus.PENDING,
                   open_drawer=bool(open_drawer), attempts=0, last_error="", reprint_count=count, user_id=user.id,
                   created_at=now, updated_at=now, reason=reason or ("现金收款" if open_drawer else ""))
    session.add(job)
    session.flush()
    if kind in ("reprint", "late_print"):
        session.add(ReceiptNumberEvent(
            receipt_no=rec.receipt_no, range_id=rec.range_id, user_id=user.id, created_at=now, reason=reason,
            kind=ReceiptNumberEventKind.REPRINTED if kind == "reprint" else ReceiptNumberEventKind.LATE_PRINTED))
    audit.record(session, actor, "print_queued", "print_job", job.id, receipt_no=rec.receipt_no, kind=kind,
                 printer=printer.name, reprint_count=count, open_drawer=bool(open_drawer), reason=reason)
    return _job_info(session, job)


def _queue_slip(session: Session, actor: Actor, user: User, rec: Receipt, printer: Printer, kind: str,
                open_drawer: bool | None, reason: str) -> JobInfo:
    if slip_kind(session, rec.receipt_no) != kind:
        raise InvalidInput(f"收据 {rec.receipt_no} 没有{JOB_KINDS[kind]}（未作废或退费）")
    count = _printed(session, rec.id, (kind,))  # a slip that came out before is printed marked 重打
    if open_drawer is None:  # the drawer opens for the first print of a slip that pays cash out
        slip = correction_slip(session, actor=actor, receipt_no=rec.receipt_no)
        open_drawer = any(t.method == "cash" and t.amount > 0 for t in slip.tenders)
    open_drawer = bool(open_drawer) and not count
    now = utcnow()
    job = PrintJob(receipt_id=rec.id, printer_id=printer.id, kind=kind, status=PrintJobStatus.PENDING,
                   open_drawer=open_drawer, attempts=0, last_error="", reprint_count=count, user_id=user.id,
                   created_at=now, updated_at=now, reason=reason or ("现金退款" if open_drawer else ""))
    session.add(job)
    session.flush()
    audit.record(session, actor, "print_queued", "print_job", job.id, receipt_no=rec.receipt_no, kind=kind,
                 printer=printer.name, reprint_count=count, open_drawer=job.open_drawer, reason=reason)
    return _job_info(session, job)


def queue_test_page(session: Session, *, actor: Actor, printer_name: str | None = None) -> JobInfo:
    user = _require_any(session, actor, auth.PAY, auth.ADMIN)
    printer = _printer_row(session, actor, printer_name)
    now = utcnow()
    job = PrintJob(receipt_id=None, printer_id=printer.id, kind="test", status=PrintJobStatus.PENDING,
                   open_drawer=False, attempts=0, last_error="", reprint_count=0, user_id=user.id, created_at=now,
                   updated_at=now, reason="")
    session.add(job)
    session.flush()
    audit.record(session, actor, "print_queued", "print_job", job.id, kind="test", printer=printer.name)
    return _job_info(session, job)


def queue_remittance(session: Session, *, actor: Actor, shift_id: int, printer_name: str | None = None) -> JobInfo:
    """Queue the remittance slip (缴款单) of a closed shift (its cashier or a supervisor)."""
    from app.services.desk import closes

    user = auth.require(session, actor, auth.READ)
    closes.expected_figures(session, actor=actor, shift_id=shift_id)  # refuses open shifts and others' shifts
    printer = _printer_row(session, actor, printer_name)
    now = utcnow()
    job = PrintJob(receipt_id=None, printer_id=printer.id, kind="remittance", status=PrintJobStatus.PENDING,
                   open_drawer=False, attempts=0, last_error="", reprint_count=0, user_id=user.id, created_at=now,
                   updated_at=now, reason="", shift_id=shift_id)
    session.add(job)
    session.flush()
    audit.record(session, actor, "print_queued", "print_job", job.id, kind="remittance", shift_id=shift_id,
                 printer=printer.name)
    return _job_info(session, job)


def request_drawer_open(session: Session, *, actor: Actor, reason: str, printer_name: str | None = None) -> JobInfo:
    """An explicit "open drawer" (no sale): needs a reason; recorded before the kick is sent."""
    user = auth.require(session, actor, auth.SHIFT)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("开钱箱必须填写原因")
    printer = _printer_row(session, actor, printer_name)
    now = utcnow()
    job = PrintJob(receipt_id=None, printer_id=printer.id, kind="drawer", status=PrintJobStatus.PENDING,
                   open_drawer=True, attempts=0, last_error="", reprint_count=0, user_id=user.id, created_at=now,
                   updated_at=now, reason=reason)
    session.add(job)
    session.flush()
    audit.record(session, actor, "drawer_open_request", "print_job", job.id, printer=printer.name, reason=reason)
    return _job_info(session, job)


def retry_job(session: Session, *, actor: Actor, job_id: int, printer_name: str | None = None) -> JobInfo:
    """Make a failed job printable again, optionally on another printer."""
    _require_any(session, actor, auth.PAY, auth.SUPERVISE, auth.ADMIN)
    job = session.scalars(select(PrintJob).where(PrintJob.id == job_id).with_for_update()).first()
    if job is None:
        raise NotFound(f"打印任务 #{job_id} 不存在")
    if job.status == PrintJobStatus.DONE:
        raise InvalidInput(f"打印任务 #{job_id} 已打印完成；如需再打一张，请使用重打")
    again = (job.kind,) if job.kind in SLIP_KINDS.values() else _RECEIPT_PRINTS
    if job.receipt_id and job.kind != "reprint" and _printed(session, job.receipt_id, again) > job.reprint_count:
        raise InvalidInput(f"打印任务 #{job_id} 的收据已经打印过（补打或重打），不再重复打印；如需再打一张，请使用重打")
    if printer_name:
        job.printer_id = _printer_row(session, actor, printer_name).id
    job.status = PrintJobStatus.PENDING
    job.updated_at = utcnow()
    session.flush()
    info = _job_info(session, job)
    audit.record(session, actor, "print_retry", "print_job", job.id, printer=info.printer, attempts=job.attempts)
    return info


def job_work(session: Session, *, actor: Actor, job_id: int) -> JobWork:
    """Read: the job, its printer and its document, for the worker."""
    auth.require(session, actor, auth.READ)
    job = session.get(PrintJob, job_id)
    if job is None:
        raise NotFound(f"打印任务 #{job_id} 不存在")
    printer = session.get(Printer, job.printer_id) if job.printer_id else None
    document = ""
    if job.receipt_id and job.kind in SLIP_KINDS.values():
        receipt_no = session.scalar(select(Receipt.receipt_no).where(Receipt.id == job.receipt_id))
        document = correction_slip(session, actor=actor, receipt_no=receipt_no).to_json()
    elif job.receipt_id:
        document = session.scalar(select(Receipt.document).where(Receipt.id == job.receipt_id))
    elif job.kind == "remittance" and job.shift_id:
        document = remittance_document(session, actor=actor, shift_id=job.shift_id)
    elif job.kind in ACCOUNT_SLIP_KINDS.values() and job.correction_id:
        document = account_slip(session, actor=actor, job_kind=job.kind, correction_id=job.correction_id).to_json()
    opened = bool(session.scalar(select(exists().where(
        AuditEvent.action == "drawer_open", AuditEvent.entity == "print_job", AuditEvent.entity_id == str(job.id)))))
    return JobWork(_job_info(session, job), _info(session, printer) if printer else None, document,
                   job.kind == "late_print", opened)


def remittance_document(session: Session, *, actor: Actor, shift_id: int) -> str:
    """Read: the remittance slip's document, the stored close of a shift as JSON (yuan
    strings) with the site's name: what a remittance job prints and the shift screen previews."""
    from app.services.desk import closes

    closed = closes.expected_figures(session, actor=actor, shift_id=shift_id).to_json()
    site = session.scalar(select(Site.name).join(Station, Station.site_id == Site.id)
                          .join(Shift, Shift.station_id == Station.id).where(Shift.id == shift_id))
    return json.dumps({**closed, "site_name": site or ""}, ensure_ascii=False, default=str)


def finish_job(session: Session, *, actor: Actor, job_id: int, ok: bool, error: str = "",
               drawer_opened: bool = False, warning: str = "") -> JobInfo:
    """Record one attempt's outcome; a drawer kick that went out is its own audit event."""
    auth.require(session, actor, auth.READ)
    job = session.scalars(select(PrintJob).where(PrintJob.id == job_id).with_for_update()).first()
    if job is None:
        raise NotFound(f"打印任务 #{job_id} 不存在")
    job.attempts += 1
    job.status = PrintJobStatus.DONE if ok else PrintJobStatus.FAILED
    job.last_error = "" if ok else (error or "打印失败")
    job.updated_at = utcnow()
    session.flush()
    info = _job_info(session, job)
    audit.record(session, actor, "print_done" if ok else "print_failed", "print_job", job.id,
                 receipt_no=info.receipt_no, printer=info.printer, attempts=job.attempts, error=job.last_error,
                 warning=warning)
    if drawer_opened:
        audit.record(session, actor, "drawer_open", "print_job", job.id, printer=info.printer,
                     receipt_no=info.receipt_no, reason=job.reason or "现金收款")
    return info


def list_jobs(session: Session, *, actor: Actor, failed_only: bool = False, limit: int = 100) -> list[JobInfo]:
    auth.require(session, actor, auth.READ)
    q = (select(PrintJob, Receipt.receipt_no, Printer.name)
         .outerjoin(Receipt, Receipt.id == PrintJob.receipt_id).outerjoin(Printer, Printer.id == PrintJob.printer_id)
         .order_by(PrintJob.id.desc()).limit(limit))
    if failed_only:
        q = q.where(PrintJob.status == PrintJobStatus.FAILED)
    return [_job_row(j, receipt_no, printer) for j, receipt_no, printer in session.execute(q)]


def unprinted_receipts(session: Session, *, actor: Actor, shift_id: int | None = None,
                       station_code: str | None = None) -> list[UnprintedReceipt]:
    """Receipts never printed (no finished print job): the list for late printing (补打),
    also shown on the shift close (pass `shift_id`). Then the slips of voids and refunds
    (kind `void` / `refund`, under the original receipt's number) never printed: a slip
    whose printer failed is listed here until a retry or `feedesk receipt print NO --slip`.
    One query (UNION ALL of the two parts), however many rows."""
    auth.require(session, actor, auth.READ)
    receipts_part = _unprinted_receipts_query(shift_id, station_code)
    since = settings.get(session, "correction_slips_since")
    slips_part = _unprinted_slips_query(shift_id, station_code, dt.datetime.fromisoformat(since) if since else None)
    both = union_all(receipts_part, slips_part).subquery()
    rows = session.execute(select(both.c.receipt_no, both.c.kind, both.c.account, both.c.created_at,
                                  both.c.last_error).order_by(both.c.part, both.c.ord))
    return [UnprintedReceipt(no, kind.value, account or "", created_at, error or "")
            for no, kind, account, created_at, error in rows]


def _unprinted_receipts_query(shift_id: int | None, station_code: str | None):
    printed = select(PrintJob.id).where(PrintJob.receipt_id == Receipt.id, PrintJob.status == PrintJobStatus.DONE,
                                        PrintJob.kind.in_(_RECEIPT_PRINTS))
    last_error = (select(PrintJob.last_error).where(PrintJob.receipt_id == Receipt.id)
                  .order_by(PrintJob.id.desc()).limit(1).correlate(Receipt).scalar_subquery())
    q = (select(literal(0).label("part"), Receipt.id.label("ord"), Receipt.receipt_no.label("receipt_no"),
                Receipt.kind.label("kind"), Account.code.label("account"), Receipt.created_at.label("created_at"),
                last_error.label("last_error"))
         .join(Payment, Payment.id == Receipt.payment_id).outerjoin(Account, Account.id == Payment.account_id)
         .where(~exists(printed)))
    if shift_id is not None:
        q = q.where(Payment.shift_id == shift_id)
    if station_code:
        q = q.join(Station, Station.id == Receipt.station_id).where(Station.code == station_code)
    return q


def _unprinted_slips_query(shift_id: int | None, station_code: str | None, since: dt.datetime | None):
    """Voids and refunds whose slip has no finished job, listed under the original receipt
    (only corrections from `since` on: a ledger's corrections from before slips were printed
    never had one)."""
    done = select(PrintJob.id).where(PrintJob.receipt_id == Receipt.id, PrintJob.status == PrintJobStatus.DONE,
                                     or_(*[(PaymentCorrection.kind == k) & (PrintJob.kind == job_kind)
                                           for k, job_kind in SLIP_KINDS.items()]))
    last_error = (select(PrintJob.last_error).where(PrintJob.receipt_id == Receipt.id,
                                                    PrintJob.kind.in_(SLIP_KINDS.values()))
                  .order_by(PrintJob.id.desc()).limit(1).correlate(Receipt).scalar_subquery())
    fix = Payment.__table__.alias("correction")
    q = (select(literal(1), PaymentCorrection.id, Receipt.receipt_no, PaymentCorrection.kind, Account.code,
                PaymentCorrection.created_at, last_error)
         .join(PaymentCorrection, PaymentCorrection.payment_id == Receipt.payment_id)
         .join(fix, fix.c.id == PaymentCorrection.correction_payment_id)
         .join(Payment, Payment.id == Receipt.payment_id).outerjoin(Account, Account.id == Payment.account_id)
         .where(PaymentCorrection.kind.in_(SLIP_KINDS), ~exists(done)))
    if since is not None:
        q = q.where(PaymentCorrection.created_at >= since)
    if shift_id is not None:
        q = q.where(fix.c.shift_id == shift_id)
    if station_code:
        q = q.join(Station, Station.id == fix.c.station_id).where(Station.code == station_code)
    return q


# ---- correction slips (作废凭证 / 退款凭证) ----------------------------------------------------

def slip_kind(session: Session, receipt_no: str) -> str:
    """Read: the job kind of the slip of a receipt's correction (`void_slip`, `refund_slip`),
    or "" when the receipt was neither voided nor refunded."""
    kind = session.scalar(select(PaymentCorrection.kind).join(Payment, Payment.id == PaymentCorrection.payment_id)
                          .where(Payment.receipt_no == receipt_no, Payment.kind == PaymentKind.PAYMENT))
    return SLIP_KINDS.get(kind or "", "")


def _fee_label(fee: FeeItem, charge: Charge) -> str:
    return fee.name + ("滞纳金" if charge.kind == ChargeKind.LATE_FEE else "")


def _balances_after(session: Session, account_id: int | None, entry_ids: list[int]) -> tuple[int, int]:
    """(prepaid, arrears) of the payer right after the correction's journal entries."""
    if account_id is None or not entry_ids:
        return 0, 0
    rows = dict(session.execute(select(Posting.book, func.sum(Posting.amount)).where(
        Posting.book.in_([ledger.RECEIVABLE, ledger.PREPAID]), Posting.account_id == account_id,
        Posting.entry_id <= max(entry_ids)).group_by(Posting.book)).all())
    return -int(rows.get(ledger.PREPAID) or 0), int(rows.get(ledger.RECEIVABLE) or 0)


def correction_slip(session: Session, *, actor: Actor, receipt_no: str) -> receipts.ReceiptDoc:
    """Read: the slip of the void (作废凭证) or refund (退款凭证) of receipt `receipt_no`.

    Nothing of it is stored: it is built from the original receipt's stored document and the
    correction's own rows (its tenders, allocations, reason, approver, cashier, time), so
    every print of it shows the same figures. The slip has no number of its own; it shows the
    original receipt's number (原收据号) and, after a partial refund, the new receipt's.
    """
    auth.require(session, actor, auth.READ)
    row = session.execute(select(PaymentCorrection, Payment).join(Payment, Payment.id == PaymentCorrection.payment_id)
                          .where(Payment.receipt_no == receipt_no.strip(),
                                 Payment.kind == PaymentKind.PAYMENT)).first()
    if row is None:
        raise NotFound(f"收据“{receipt_no}”没有作废或退费，没有可打印的凭证")
    fix, orig = row
    corr = session.get(Payment, fix.correction_payment_id)
    base = receipts.receipt_doc(session, orig.receipt_no)
    cashier = session.get(User, corr.user_id)
    station = session.get(Station, corr.station_id)
    approver = session.scalar(select(User.username).join(Approval, Approval.approver_id == User.id)
                              .where(Approval.id == corr.approval_id)) if corr.approval_id else None
    tenders = session.scalars(select(TenderLine).where(TenderLine.payment_id == corr.id)
                              .order_by(TenderLine.id)).all()
    charge_rows = session.execute(
        select(Allocation.payment_id, Allocation.amount, Charge, FeeItem)
        .join(Charge, Charge.id == Allocation.charge_id).join(FeeItem, FeeItem.id == Charge.fee_item_id)
        .where(Allocation.payment_id.in_([corr.id, fix.remainder_payment_id or 0])).order_by(Allocation.id)).all()
    entry_ids = list(session.scalars(select(JournalEntry.id).where(
        JournalEntry.payment_id.in_([corr.id, fix.remainder_payment_id or 0]))))
    new_no = ""
    if fix.remainder_payment_id:
        new_no = session.scalar(select(Receipt.receipt_no).where(Receipt.payment_id == fix.remainder_payment_id))
    if fix.kind == "void":
        total = orig.tendered - orig.change
        lines = [receipts.DocLine(_fee_label(f, c), c.period or "", c.basis, c.amount, -int(a), c.kind ==
                                  ChargeKind.LATE_FEE) for pid, a, c, f in charge_rows if pid == corr.id]
        if orig.prepaid_added:
            lines.append(receipts.DocLine("预存", "", "原收款转入预存", 0, orig.prepaid_added))
        change_left = orig.change  # the change came out of the cash tendered: the net cash is returned
        slip_tenders = []
        for t in tenders:
            amount = -t.amount
            if t.method.value == "cash" and change_left:
                amount, change_left = amount - change_left, 0
            slip_tenders.append(receipts.DocTender(t.method.value, TENDER_NAMES.get(t.method.value, ""),
                                                   amount, t.reference))
        reason = corr.reason
    else:
        first = tenders[0]
        total = -first.amount
        method = first.method.value
        label = "退入预存" if method == "prepaid" else TENDER_NAMES.get(method, method)
        slip_tenders = [receipts.DocTender(method, label, total, first.reference)]
        kept: dict[int, int] = {}
        for pid, a, c, _f in charge_rows:
            if pid == fix.remainder_payment_id:
                kept[c.id] = kept.get(c.id, 0) + int(a)
        lines = []
        for pid, a, c, f in charge_rows:
            refunded = -int(a) - kept.pop(c.id, 0) if pid == corr.id else 0
            if refunded:
                lines.append(receipts.DocLine(_fee_label(f, c), c.period or "", c.basis, c.amount, refunded,
                                              c.kind == ChargeKind.LATE_FEE))
        reason = corr.reason + (f"；余款 {format_yuan(orig.allocated - total)} 元另开收据 {new_no}"
                                if new_no else "")
        entry_ids += list(session.scalars(select(ChargeAdjustment.journal_entry_id).where(
            ChargeAdjustment.created_at == fix.created_at, ChargeAdjustment.journal_entry_id.is_not(None),
            ChargeAdjustment.charge_id.in_([c.id for _p, _a, c, _f in charge_rows]))))
    if approver:
        reason += f"（审批：{approver}）"
    prepaid, arrears = _balances_after(session, orig.account_id, entry_ids)
    issued = local_time(corr.created_at, settings.get(session, "timezone")).strftime("%Y-%m-%d %H:%M:%S")
    return receipts.ReceiptDoc(
        kind=fix.kind, title=receipts.TITLES[fix.kind], receipt_no="", site_name=base.site_name,
        station=station.name, cashier=cashier.display_name, issued_at=issued,
        business_date=corr.business_date.isoformat(), account_code=base.account_code, payer=orig.payer_name,
        lines=lines, total=total, total_upper=receipts.upper(total), tenders=slip_tenders,
        tendered=sum(t.amount for t in slip_tenders), change=0, prepaid_added=0, prepaid_balance=prepaid,
        arrears_after=arrears, footer="", hotline=base.hotline, verify_code="", training=orig.training,
        original_receipt_no=orig.receipt_no, reason=reason)


# ---- slips of the account card's corrections (减免 / 核销 / 退押金 / 预存退款凭证) ------------------

def queue_account_slip(session: Session, *, actor: Actor, kind: str, result_id: int,
                       printer_name: str | None = None) -> JobInfo:
    """Queue the slip of a waiver or write-off (`result_id`: the charge, as `corrections.Corrected`
    names it) or of a deposit or prepaid refund (`result_id`: the balance_refund row). The drawer
    opens for a refund paid out in cash."""
    user = _require_any(session, actor, auth.PAY, auth.SUPERVISE)
    job_kind = ACCOUNT_SLIP_KINDS.get(kind)
    if job_kind is None:
        raise InvalidInput(f"未知的更正凭证：{kind}")
    open_drawer = False
    if kind in ("waiver", "write_off"):
        correction_id = session.scalar(select(ChargeAdjustment.id).where(
            ChargeAdjustment.charge_id == result_id, ChargeAdjustment.kind == AdjustmentKind(kind)))
    else:
        row = session.get(BalanceRefund, result_id)
        correction_id, open_drawer = (row.id, row.tender == "cash") if row else (None, False)
    if correction_id is None:
        raise NotFound(f"找不到要打印凭证的更正（{JOB_KINDS[job_kind]}）")
    printer = _printer_row(session, actor, printer_name)
    now = utcnow()
    job = PrintJob(receipt_id=None, printer_id=printer.id, kind=job_kind, status=PrintJobStatus.PENDING,
                   open_drawer=open_drawer, attempts=0, last_error="", reprint_count=0, user_id=user.id,
                   created_at=now, updated_at=now, reason="现金退款" if open_drawer else "",
                   correction_id=correction_id)
    session.add(job)
    session.flush()
    audit.record(session, actor, "print_queued", "print_job", job.id, kind=job_kind, printer=printer.name,
                 correction_id=correction_id, open_drawer=open_drawer)
    return _job_info(session, job)


def account_slip(session: Session, *, actor: Actor, job_kind: str, correction_id: int) -> receipts.ReceiptDoc:
    """Read: the slip of a waiver, write-off, deposit or prepaid refund, built from its rows
    (nothing stored): the charge or the balance, the amount, the reason, approver, cashier, time."""
    auth.require(session, actor, auth.READ)
    kind = {v: k for k, v in ACCOUNT_SLIP_KINDS.items()}[job_kind]
    if kind in ("waiver", "write_off"):
        adj = session.get(ChargeAdjustment, correction_id)
        charge = session.get(Charge, adj.charge_id)
        fee = session.get(FeeItem, charge.fee_item_id)
        account = session.get(Account, charge.account_id)
        lines = [receipts.DocLine(_fee_label(fee, charge), charge.period or "", charge.basis, charge.amount,
                                  adj.amount, charge.kind == ChargeKind.LATE_FEE)]
        who, at, approval_id, tenders = adj.user_id, adj.created_at, adj.approval_id, []
        day, entry_id, training = adj.business_date, adj.journal_entry_id, charge.training
        amount, reason = adj.amount, adj.reason
        station = auth.station_of(session, actor)  # an adjustment has no station: where its slip is printed
    else:
        ref = session.get(BalanceRefund, correction_id)
        account = session.get(Account, ref.account_id)
        fee = session.get(FeeItem, ref.fee_item_id) if ref.fee_item_id else None
        lines = [receipts.DocLine(fee.name if fee else "预存余额", "", "退还", 0, ref.amount)]
        tenders = [receipts.DocTender(ref.tender, TENDER_NAMES.get(ref.tender, ref.tender), ref.amount)]
        who, at, approval_id = ref.user_id, ref.created_at, ref.approval_id
        day, entry_id, training = ref.business_date, ref.journal_entry_id, ref.training
        amount, reason = ref.amount, ref.reason
        station = session.scalar(select(Station).join(Shift, Shift.station_id == Station.id)
                                 .where(Shift.id == ref.shift_id))
    approver = session.scalar(select(User.username).join(Approval, Approval.approver_id == User.id)
                              .where(Approval.id == approval_id)) if approval_id else None
    if approver:
        reason += f"（审批：{approver}）"
    user = session.get(User, who)
    site = session.get(Site, account.site_id)
    prepaid, arrears = _balances_after(session, account.id, [entry_id] if entry_id else [])
    issued = local_time(at, settings.get(session, "timezone")).strftime("%Y-%m-%d %H:%M:%S")
    return receipts.ReceiptDoc(
        kind=kind, title=receipts.TITLES[kind], receipt_no="", site_name=site.name,
        station=station.name if station else "", cashier=user.display_name, issued_at=issued,
        business_date=day.isoformat(), account_code=account.code, payer=account.owner_name, lines=lines,
        total=amount, total_upper=receipts.upper(amount), tenders=tenders, tendered=sum(t.amount for t in tenders),
        change=0, prepaid_added=0, prepaid_balance=prepaid, arrears_after=arrears, footer="", hotline=site.hotline,
        verify_code="", training=training, reason=reason)
