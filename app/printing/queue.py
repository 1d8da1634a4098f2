"""The print queue: run persisted print jobs on printers, after the ledger has committed.

Flow of a payment's receipt: the payment commits (its own transaction); `print_after_payment`
queues a job on the station's default printer (one short transaction), sends it with no
transaction open, and records the outcome (another short transaction). A printer fault
never raises out of here into the payment: the job is kept as failed with a plain Chinese
error and can be retried (`retry`), also on another printer. `run_job` is what the desktop
program calls off the GUI thread (it uses only the session factory, never a shared Session).
A void or refund prints its slip the same way (`print_after_correction`).

Callers must not call these functions while holding a transaction of their own.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from app.errors import FeeDeskError
from app.printing.layout import ReceiptLayout, layout_receipt, layout_remittance, sample_doc
from app.services import Actor, run
from app.services.clock import local_time, utcnow
from app.services.desk import print_jobs as svc
from app.services.desk.receipts import ReceiptDoc

if TYPE_CHECKING:  # python-escpos is imported only when something is printed (its start-up is slow)
    from app.printing.device import PrinterStatus
    from app.printing.escpos_render import PrintProfile

log = logging.getLogger("feedesk.printing.queue")  # the feedesk tree: print failures reach the log file


@dataclass(frozen=True, slots=True)
class JobOutcome:
    job_id: int
    status: str  # done | failed | pending
    error: str
    receipt_no: str = ""
    kind: str = ""
    printer: str = ""
    reprint_count: int = 0
    warning: str = ""

    def to_json(self) -> dict:
        return {"job_id": self.job_id, "status": self.status, "error": self.error or None,
                "receipt_no": self.receipt_no, "kind": self.kind, "printer": self.printer,
                "reprint_count": self.reprint_count, "warning": self.warning or None}

    def short(self) -> dict:
        """The `print` object of `feedesk pay --json`."""
        return {"job_id": self.job_id, "status": self.status, "error": self.error or None}


def profile_of(info: svc.PrinterInfo) -> PrintProfile:
    from app.printing import escpos_render

    return escpos_render.PrintProfile(width_mm=info.width_mm, encoding=info.encoding, mode=info.mode, cut=info.cut,
                                      drawer_pin=info.drawer_pin, qr=info.qr_mode)


def _now_local() -> str:
    return local_time(utcnow()).strftime("%Y-%m-%d %H:%M")


def job_layout(work: svc.JobWork, *, printed_at: str | None = None) -> ReceiptLayout | None:
    """The layout a job prints (None for a drawer opening): the stored document with the
    reprint (重打) or late-print (补打) mark and the time of this copy."""
    if work.job.kind == "drawer":
        return None
    width = work.printer.width_mm
    if work.job.kind == "test":
        return layout_receipt(sample_doc(), width_mm=width)
    if work.job.kind == "remittance":
        return remittance_layout(work.document, width_mm=width,
                                 printed_at=printed_at if printed_at is not None else _now_local())
    doc = ReceiptDoc.from_json(work.document)
    marked = bool(work.job.reprint_count or work.late_print)
    return layout_receipt(doc, width_mm=width, reprint_count=work.job.reprint_count, late_print=work.late_print,
                          printed_at=(printed_at if printed_at is not None else _now_local()) if marked else "")


def remittance_layout(document: str, *, width_mm: int, printed_at: str = "") -> ReceiptLayout:
    """The remittance slip (缴款单) of a `svc.remittance_document`, as printed and as previewed."""
    closed = json.loads(document)
    return layout_remittance(closed, width_mm=width_mm, site_name=closed.get("site_name", ""), printed_at=printed_at)


def remittance_preview(factory: sessionmaker[Session], *, actor: Actor, shift_id: int) -> ReceiptLayout:
    """The remittance slip of a closed shift for the screen: the same document and layout the
    printer gets (`print_remittance`), on the width of the station's default printer (80 mm
    when there is none), without the print time only a printed copy carries."""
    with factory() as s:
        document = svc.remittance_document(s, actor=actor, shift_id=shift_id)
        printer = svc.printer_for(s, station_code=actor.station_code)
    return remittance_layout(document, width_mm=printer.width_mm if printer else 80)


def job_chunks(work: svc.JobWork, layout: ReceiptLayout | None) -> tuple[list[bytes], bool]:
    """The bytes of a job and whether they start with a drawer kick."""
    from app.printing import escpos_render

    profile = profile_of(work.printer)
    kick = work.job.open_drawer and not work.drawer_already_opened
    if layout is None:
        return (escpos_render.render_drawer_only(profile) if kick else []), kick
    return escpos_render.render_receipt(layout, profile, open_drawer=kick), kick


def send(work: svc.JobWork) -> tuple[bool, str, bool, str]:
    """Send one job to its printer. Returns (ok, error, drawer_opened, warning); never raises
    for printer faults."""
    from app.printing.device import Deadline, PrinterError, open_device

    if work.printer is None:
        return False, "打印任务没有指定打印机", False, ""
    warning = ""
    dev = None
    kick = False
    try:
        layout = job_layout(work)
        chunks, kick = job_chunks(work, layout)
        with open_device(work.printer, deadline=Deadline(work.printer.timeout_ms / 1000)) as dev:
            st = dev.ready()
            if st.paper == "near_end":
                warning = st.message
            sent = dev.print_receipt(chunks)
            dev.confirm()
        _after_file_job(work, layout)
        return True, "", kick, warning
    except PrinterError as exc:
        sent = dev.sent_chunks if dev is not None else 0
        # the kick is chunk 1 (after the reset): it went out if 2 chunks were sent
        return False, exc.message, kick and sent >= 2, warning
    except FeeDeskError as exc:
        return False, exc.message, False, warning
    except Exception as exc:  # a bug must not cost the cashier the receipt: keep it failed
        log.exception("print job %s failed", work.job.id)
        sent = dev.sent_chunks if dev is not None else 0
        return False, f"打印失败：{exc}", kick and sent >= 2, warning


def _after_file_job(work: svc.JobWork, layout: ReceiptLayout | None) -> None:
    """A `file` printer also keeps a PNG of the last receipt next to it (the demo window)."""
    if work.printer.connection != "file" or layout is None:
        return
    from app.printing.preview import layout_png

    with contextlib.suppress(OSError):
        Path(work.printer.target + ".last.png").write_bytes(layout_png(layout))


def run_job(factory: sessionmaker[Session], *, actor: Actor, job_id: int) -> JobOutcome:
    """Run one pending or failed job now (callable off the GUI thread)."""
    return _run_work(factory, actor, run(factory, svc.job_work, actor=actor, job_id=job_id))


def _run_work(factory: sessionmaker[Session], actor: Actor, work: svc.JobWork) -> JobOutcome:
    if work.job.status == "done":
        return _outcome(work.job)
    ok, error, opened, warning = send(work)
    info = run(factory, svc.finish_job, actor=actor, job_id=work.job.id, ok=ok, error=error, drawer_opened=opened,
               warning=warning)
    return _outcome(info, warning)


def _queue_and_load(session: Session, *, actor: Actor, **kw) -> svc.JobWork:
    """Queue a receipt job and read its work in the same short transaction."""
    job = svc.queue_receipt(session, actor=actor, **kw)
    return svc.job_work(session, actor=actor, job_id=job.id)


def _outcome(info: svc.JobInfo, warning: str = "") -> JobOutcome:
    return JobOutcome(info.id, info.status, info.last_error, info.receipt_no, info.kind, info.printer,
                      info.reprint_count, warning)


def print_after_payment(factory: sessionmaker[Session], *, actor: Actor, result) -> dict | None:
    """Print a committed payment's receipt on the station's default printer.

    Returns `{job_id, status, error}`, or None when the station has no default printer.
    Never raises: the payment is already saved whatever the printer does.
    """
    try:
        with factory() as s:
            printer = svc.printer_for(s, station_code=actor.station_code)
        if printer is None:
            return None
        work = run(factory, _queue_and_load, actor=actor, receipt_no=result.receipt_no, kind="receipt",
                   open_drawer=bool(getattr(result, "cash_tendered", 0)))
    except FeeDeskError as exc:
        return {"job_id": None, "status": "failed", "error": exc.message}
    except Exception as exc:  # noqa: BLE001 - a payment never fails because of printing
        log.exception("could not queue the receipt of %s", getattr(result, "receipt_no", "?"))
        return {"job_id": None, "status": "failed", "error": f"打印任务未能创建：{exc}"}
    try:
        return _run_work(factory, actor, work).short()
    except Exception as exc:  # noqa: BLE001
        log.exception("print job %s", work.job.id)
        return {"job_id": work.job.id, "status": "failed", "error": getattr(exc, "message", str(exc))}


def print_new_receipt(factory: sessionmaker[Session], *, actor: Actor, receipt_no: str,
                      open_drawer: bool | None = False, printer_name: str | None = None,
                      kind: str = "receipt") -> JobOutcome:
    """The first print of a document just issued by a correction, with no 重打/补打 mark:
    `kind="void_slip"` / `"refund_slip"` the slip (作废凭证, 退款凭证) of receipt `receipt_no`'s
    correction, `"receipt"` a new receipt (what remains after a partial refund).
    `open_drawer` when cash is paid out (None: a slip decides from its own tenders)."""
    work = run(factory, _queue_and_load, actor=actor, receipt_no=receipt_no, printer_name=printer_name,
               kind=kind, open_drawer=open_drawer, reason="现金退款" if open_drawer else "")
    return _run_work(factory, actor, work)


def print_slip(factory: sessionmaker[Session], *, actor: Actor, receipt_no: str,
               printer_name: str | None = None) -> JobOutcome:
    """The slip of receipt `receipt_no`'s void or refund printed later (from the unprinted
    list): 重打-marked when it came out before; the drawer stays shut (the cash went out when
    the correction was made)."""
    with factory() as s:
        kind = svc.slip_kind(s, receipt_no.strip())
    if not kind:
        raise FeeDeskError(f"收据 {receipt_no} 没有作废或退费，没有可打印的凭证")
    return print_new_receipt(factory, actor=actor, receipt_no=receipt_no.strip(), kind=kind, open_drawer=False,
                             printer_name=printer_name)


def print_after_correction(factory: sessionmaker[Session], *, actor: Actor, result) -> dict | None:
    """Print a committed correction's slip (a void's or refund's, and after a partial refund the
    new receipt for what remains; or a waiver's, write-off's, deposit or prepaid refund's from the
    account card) on the station's default printer, as `print_after_payment` does for a payment:
    the drawer opens when the slip pays cash out.

    Returns `{job_id, status, error}` of the slip (with `new_receipt`: the same for the new
    receipt), or None when the station has no default printer. Never raises: the correction is
    already saved; a slip that did not come out stays on the unprinted list and its job can be
    retried.
    """
    kind = getattr(result, "kind", "")
    slip = svc.SLIP_KINDS.get(kind)
    if slip is None and kind not in svc.ACCOUNT_SLIP_KINDS:
        return None
    try:
        with factory() as s:
            printer = svc.printer_for(s, station_code=actor.station_code)
        if printer is None:
            return None
    except Exception as exc:  # noqa: BLE001 - a correction never fails because of printing
        log.exception("no printer for the slip of %s", result.receipt_no)
        return {"job_id": None, "status": "failed", "error": getattr(exc, "message", str(exc))}
    if slip is None:
        return _print_account_slip(factory, actor, result)
    out = _print_safely(factory, actor, result.receipt_no, slip, None)
    if getattr(result, "new_receipt_no", ""):
        out["new_receipt"] = _print_safely(factory, actor, result.new_receipt_no, "receipt", False)
    return out


def _queue_account_slip_and_load(session: Session, *, actor: Actor, kind: str, result_id: int) -> svc.JobWork:
    job = svc.queue_account_slip(session, actor=actor, kind=kind, result_id=result_id)
    return svc.job_work(session, actor=actor, job_id=job.id)


def _print_account_slip(factory: sessionmaker[Session], actor: Actor, result) -> dict:
    """The slip of a waiver, write-off, deposit or prepaid refund (never raises, as `_print_safely`)."""
    try:
        work = run(factory, _queue_account_slip_and_load, actor=actor, kind=result.kind, result_id=result.id)
        return _run_work(factory, actor, work).short()
    except FeeDeskError as exc:
        return {"job_id": None, "status": "failed", "error": exc.message}
    except Exception as exc:  # noqa: BLE001
        log.exception("could not print the slip of %s #%s", result.kind, result.id)
        return {"job_id": None, "status": "failed", "error": f"打印任务未能创建：{exc}"}


def _print_safely(factory: sessionmaker[Session], actor: Actor, receipt_no: str, kind: str,
                  open_drawer: bool | None) -> dict:
    try:
        return print_new_receipt(factory, actor=actor, receipt_no=receipt_no, kind=kind,
                                 open_drawer=open_drawer).short()
    except FeeDeskError as exc:
        return {"job_id": None, "status": "failed", "error": exc.message}
    except Exception as exc:  # noqa: BLE001
        log.exception("could not print the %s of %s", kind, receipt_no)
        return {"job_id": None, "status": "failed", "error": f"打印任务未能创建：{exc}"}


def print_receipt(factory: sessionmaker[Session], *, actor: Actor, receipt_no: str,
                  printer_name: str | None = None, reason: str = "") -> JobOutcome:
    """重打 (or 补打 when the receipt was never printed), marked and recorded."""
    work = run(factory, _queue_and_load, actor=actor, receipt_no=receipt_no, printer_name=printer_name,
               kind="auto", reason=reason)
    return _run_work(factory, actor, work)


def retry(factory: sessionmaker[Session], *, actor: Actor, job_id: int, printer_name: str | None = None) -> JobOutcome:
    run(factory, svc.retry_job, actor=actor, job_id=job_id, printer_name=printer_name)
    return run_job(factory, actor=actor, job_id=job_id)


def print_test_page(factory: sessionmaker[Session], *, actor: Actor, printer_name: str | None = None) -> JobOutcome:
    job = run(factory, svc.queue_test_page, actor=actor, printer_name=printer_name)
    return run_job(factory, actor=actor, job_id=job.id)


def print_remittance(factory: sessionmaker[Session], *, actor: Actor, shift_id: int,
                     printer_name: str | None = None) -> JobOutcome:
    """The remittance slip (缴款单) of a closed shift, from its stored close."""
    job = run(factory, svc.queue_remittance, actor=actor, shift_id=shift_id, printer_name=printer_name)
    return run_job(factory, actor=actor, job_id=job.id)


def open_drawer(factory: sessionmaker[Session], *, actor: Actor, reason: str,
                printer_name: str | None = None) -> JobOutcome:
    """Explicit "open drawer" with a reason (audited before and when the kick goes out)."""
    job = run(factory, svc.request_drawer_open, actor=actor, reason=reason, printer_name=printer_name)
    return run_job(factory, actor=actor, job_id=job.id)


def printer_status(factory: sessionmaker[Session], *, actor: Actor, printer_name: str | None = None) -> PrinterStatus:
    """Online / paper near end / paper out, for the cashier's status bar (short timeouts)."""
    from app.printing.device import PrinterError, PrinterStatus, open_device

    info = run(factory, svc.find_printer, actor=actor, name=printer_name)
    try:
        with open_device(info) as dev:
            return dev.status()
    except PrinterError as exc:
        return PrinterStatus(False if exc.kind == "unreachable" else None, "unknown", exc.message)


