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

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound, PermissionDenied
from app.models import (
    Account,
    AuditEvent,
    Payment,
    Printer,
    PrintJob,
    PrintJobStatus,
    Receipt,
    ReceiptNumberEvent,
    ReceiptNumberEventKind,
    Shift,
    Site,
    Station,
    User,
)
from app.services import Actor, audit, auth
from app.services.clock import utcnow

CONNECTIONS = ("network", "usb", "serial", "file", "windows", "dummy")
CONNECTION_NAMES = {"network": "网络", "usb": "USB", "serial": "串口", "file": "文件/设备", "windows": "Windows 打印机",
                    "dummy": "虚拟"}
JOB_KINDS = {"receipt": "收据", "reprint": "重打", "late_print": "补打", "void_slip": "作废凭证", "test": "测试页",
             "drawer": "开钱箱", "remittance": "缴款单"}
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


def _printed(session: Session, receipt_id: int) -> bool:
    return bool(session.scalar(select(exists().where(PrintJob.receipt_id == receipt_id,
                                                     PrintJob.status == PrintJobStatus.DONE,
                                                     PrintJob.kind != "drawer"))))


def _printer_row(session: Session, actor: Actor, name: str | None) -> Printer:
    info = printer_for(session, station_code=actor.station_code, name=name)
    if info is None:
        raise NotFound(f"收费点 {actor.station_code} 没有设置默认打印机")
    return session.get(Printer, info.id)


def queue_receipt(session: Session, *, actor: Actor, receipt_no: str, printer_name: str | None = None,
                  kind: str = "auto", open_drawer: bool = False, reason: str = "") -> JobInfo:
    """Queue a print of a stored receipt.

    kind `receipt`: the print right after the payment (the drawer opens when it took cash);
    `reprint` (重打, numbered and recorded); `late_print` (补打, the first print of a receipt
    never printed); `auto`: 重打 when the receipt was printed before, else 补打.
    """
    user = _require_any(session, actor, auth.PAY, auth.SUPERVISE)
    rec = session.scalar(select(Receipt).where(Receipt.receipt_no == receipt_no))
    if rec is None:
        raise NotFound(f"找不到收据“{receipt_no}”")
    printer = _printer_row(session, actor, printer_name)
    printed = _printed(session, rec.id)
    if kind == "auto" or (printed and kind in ("receipt", "late_print")):
        # a receipt that came out once is never printed again without the 重打 mark
        kind = "reprint" if printed else "late_print"
    if kind == "reprint":
        open_drawer = False  # a copy never opens the drawer
    if kind not in ("receipt", "reprint", "late_print", "void_slip"):
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
    from app.services import closes

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
    if job.receipt_id and job.kind not in ("reprint",) and _printed(session, job.receipt_id):
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
    if job.receipt_id:
        document = session.scalar(select(Receipt.document).where(Receipt.id == job.receipt_id))
    elif job.kind == "remittance" and job.shift_id:
        document = _remittance_document(session, actor, job.shift_id)
    opened = bool(session.scalar(select(exists().where(
        AuditEvent.action == "drawer_open", AuditEvent.entity == "print_job", AuditEvent.entity_id == str(job.id)))))
    return JobWork(_job_info(session, job), _info(session, printer) if printer else None, document,
                   job.kind == "late_print", opened)


def _remittance_document(session: Session, actor: Actor, shift_id: int) -> str:
    """The stored close of a shift as JSON (yuan strings), with the site's name."""
    from app.services import closes

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
    also shown on the shift close (pass `shift_id`)."""
    auth.require(session, actor, auth.READ)
    printed = select(PrintJob.id).where(PrintJob.receipt_id == Receipt.id, PrintJob.status == PrintJobStatus.DONE,
                                        PrintJob.kind != "drawer")
    last_error = (select(PrintJob.last_error).where(PrintJob.receipt_id == Receipt.id)
                  .order_by(PrintJob.id.desc()).limit(1).correlate(Receipt).scalar_subquery())
    q = (select(Receipt.receipt_no, Receipt.kind, Account.code, Receipt.created_at, last_error)
         .join(Payment, Payment.id == Receipt.payment_id).outerjoin(Account, Account.id == Payment.account_id)
         .where(~exists(printed)).order_by(Receipt.id))
    if shift_id is not None:
        q = q.where(Payment.shift_id == shift_id)
    if station_code:
        q = q.join(Station, Station.id == Receipt.station_id).where(Station.code == station_code)
    return [UnprintedReceipt(no, kind.value, account or "", created_at, error or "")
            for no, kind, account, created_at, error in session.execute(q)]
