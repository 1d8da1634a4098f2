"""Printer devices: any `escpos.printer.*` behind the small `ReceiptPrinter` protocol.

`open_device(info)` builds the python-escpos printer class named by the printer's
connection (Network, Usb, Serial, File, Win32Raw, Dummy), opens it explicitly and closes it
in `finally` (never escpos's lazy open or `__del__`). Every operation runs against one
deadline, the printer's `timeout_ms`: connect, status queries and sends each get only
the time that is left, so a print job never blocks longer than that. Status queries
(`DLE EOT n`) use their own short timeout, because python-escpos's `query_status` waits
for the whole socket timeout when a printer never answers.

Failures raise `PrinterError` with a message in plain Chinese for the cashier.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from escpos import printer as escpos_printer
from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.exceptions import DeviceNotFoundError

from app.errors import FeeDeskError
from app.services.desk.print_jobs import PrinterInfo

RT_STATUS_OFFLINE_CAUSE = b"\x10\x04\x02"
#: Output of `dummy` printers by target name (tests and `feedesk printer test` dry runs).
DUMMY_OUTPUTS: dict[str, bytearray] = {}
_ESCPOS_PROFILE = {58: "POS-5890", 80: "TM-T20II"}


class PrinterError(FeeDeskError):
    """A printer fault; `kind` is one of unreachable, offline, paper_out, no_answer, dropped,
    timeout, unsupported, io."""

    message = "打印失败"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message, kind=kind)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    online: bool | None  # None: the connection cannot read status
    paper: str  # ok | near_end | out | unknown
    message: str

    def to_json(self) -> dict:
        return {"online": self.online, "paper": self.paper, "message": self.message}


UNKNOWN_STATUS = PrinterStatus(None, "unknown", "此连接方式无法读取打印机状态")


class ReceiptPrinter(Protocol):
    """What the print queue needs from a printer."""

    def status(self) -> PrinterStatus: ...

    def print_receipt(self, chunks: list[bytes]) -> int:
        """Send the job's chunks in order; return how many went out before any error."""

    def kick_drawer(self, kick: bytes) -> None: ...


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self, what: str) -> float:
        left = self.left()
        if left <= 0:
            raise PrinterError("timeout", f"{what}超时（超过 {self.seconds:g} 秒），请检查打印机后重试")
        return left


class _AppendFile(escpos_printer.File):
    """A file or device path printer that appends (each job adds to the file, like paper)."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            self.device = open(self.devfile, "ab")  # noqa: SIM115 - closed in close()
        except OSError as e:
            self.device = None
            raise DeviceNotFoundError(f"Could not open the specified file {self.devfile}:\n{e}") from e


class EscposDevice:
    """A `ReceiptPrinter` over one opened python-escpos printer."""

    def __init__(self, info: PrinterInfo, printer, deadline: Deadline) -> None:
        self.info = info
        self.printer = printer
        self.deadline = deadline
        self.sent_chunks = 0

    # ---- low level -----------------------------------------------------------------------
    @property
    def can_read_status(self) -> bool:
        return self.info.connection in ("network", "usb", "serial")

    def _write(self, data: bytes) -> None:
        left = self.deadline.check("向打印机发送数据")
        conn = self.info.connection
        try:
            if conn == "network":
                self.printer.device.settimeout(left)
                self.printer.device.sendall(data)
            elif conn == "usb":
                self.printer.device.write(self.printer.out_ep, data, max(1, int(left * 1000)))
            elif conn == "serial":
                self.printer.device.write_timeout = left
                self.printer.device.write(data)
            else:
                self.printer._raw(data)
        except TimeoutError as exc:
            raise PrinterError(
                "timeout",
                f"向打印机发送数据超时（{self.deadline.seconds:g} 秒内没有发完），"
                "收据可能没有打完整，请检查打印机后重打",
            ) from exc
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as exc:
            raise PrinterError(
                "dropped", "打印过程中与打印机的连接中断，收据可能没有打完整，请检查打印机后重打"
            ) from exc
        except PrinterError:
            raise
        except Exception as exc:  # usb.core.USBError, serial.SerialException, OSError
            if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
                raise PrinterError("timeout", "向打印机发送数据超时，请检查打印机后重打") from exc
            raise PrinterError("io", f"向打印机发送数据失败：{exc}") from exc

    def _query(self, request: bytes, timeout: float) -> int | None:
        """One status byte, or None when the printer does not answer within `timeout`."""
        wait = min(timeout, self.deadline.check("查询打印机状态"))
        conn = self.info.connection
        dev = self.printer.device
        try:
            if conn == "network":
                dev.setblocking(False)
                with contextlib.suppress(BlockingIOError, InterruptedError):
                    while dev.recv(64):  # drop late answers to earlier queries
                        pass
                dev.settimeout(wait)
                dev.sendall(request)
                answer = dev.recv(1)
                if not answer:
                    raise PrinterError("dropped", "打印机断开了连接，收据可能没有打完整，请检查打印机后重打")
                return answer[0]
            if conn == "usb":
                dev.write(self.printer.out_ep, request, max(1, int(wait * 1000)))
                answer = bytes(dev.read(self.printer.in_ep, 16, max(1, int(wait * 1000))))
                return answer[-1] if answer else None
            if conn == "serial":
                dev.reset_input_buffer()
                dev.timeout = wait
                dev.write(request)
                answer = dev.read(1)
                return answer[0] if answer else None
        except TimeoutError:
            return None
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as exc:
            raise PrinterError("dropped", "与打印机的连接中断，收据可能没有打完整，请检查打印机后重打") from exc
        except PrinterError:
            raise
        except Exception as exc:
            if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
                return None
            raise PrinterError("io", f"读取打印机状态失败：{exc}") from exc
        return None

    # ---- the protocol --------------------------------------------------------------------
    def status(self, *, timeout: float | None = None) -> PrinterStatus:
        if not self.can_read_status:
            return UNKNOWN_STATUS
        t = timeout if timeout is not None else min(1.0, self.deadline.seconds)
        online = self._query(RT_STATUS_ONLINE, t)
        if online is None:
            return PrinterStatus(None, "unknown", f"打印机没有应答（{t:g} 秒内），请检查电源和连接")
        paper = self._query(RT_STATUS_PAPER, t)
        paper_state = "unknown"
        if paper is not None:
            paper_state = "out" if paper & 0x60 == 0x60 else "near_end" if paper & 0x0C == 0x0C else "ok"
        if online & 0x08:
            cause = self._query(RT_STATUS_OFFLINE_CAUSE, t)
            if paper_state == "out" or (cause is not None and cause & 0x20):
                return PrinterStatus(False, "out", "打印机缺纸，请装纸后重打")
            why = "（纸仓盖打开）" if cause is not None and cause & 0x04 else ""
            return PrinterStatus(False, paper_state, f"打印机离线{why}，请检查打印机后重试")
        if paper_state == "out":
            return PrinterStatus(True, "out", "打印机缺纸，请装纸后重打")
        if paper_state == "near_end":
            return PrinterStatus(True, "near_end", "打印纸即将用完，请准备换纸")
        return PrinterStatus(True, paper_state, "打印机正常")

    def ready(self) -> PrinterStatus:
        """Status before a job: raise when the printer cannot print."""
        st = self.status()
        if st.online is None and self.can_read_status:
            raise PrinterError("no_answer", st.message)
        if st.paper == "out":
            raise PrinterError("paper_out", st.message)
        if st.online is False:
            raise PrinterError("offline", st.message)
        return st

    def print_receipt(self, chunks: list[bytes]) -> int:
        self.sent_chunks = 0
        for chunk in chunks:
            self._write(chunk)
            self.sent_chunks += 1
        return self.sent_chunks

    def confirm(self) -> None:
        """After a job: the printer must still be there and not have run out of paper
        (a printer goes offline when its paper runs out, so one query tells)."""
        if not self.can_read_status:
            return
        online = self._query(RT_STATUS_ONLINE, min(1.0, self.deadline.seconds))
        if online is None:
            raise PrinterError("no_answer", "打印机收到数据后没有应答，收据可能没有打出，请检查打印机后重打")
        if not online & 0x08:
            return
        st = self.status()
        if st.online is None:
            raise PrinterError("no_answer", "打印机收到数据后没有应答，收据可能没有打出，请检查打印机后重打")
        if st.paper == "out":
            raise PrinterError("paper_out", "打印中缺纸，收据可能没有打完整，请装纸后重打")
        if st.online is False:
            raise PrinterError("offline", "打印中打印机离线，收据可能没有打完整，请检查后重打")

    def kick_drawer(self, kick: bytes) -> None:
        self._write(kick)


def build_printer(info: PrinterInfo, timeout: float):
    """The python-escpos printer object for a printer's settings (not opened)."""
    profile = _ESCPOS_PROFILE.get(info.width_mm, "default")
    conn, target = info.connection, info.target
    if conn == "network":
        host, _, port = target.rpartition(":")
        return escpos_printer.Network(host, int(port or 9100), timeout=timeout, profile=profile)
    if conn == "usb":
        vid, pid = (int(x, 16) for x in target.split(":"))
        return escpos_printer.Usb(vid, pid, timeout=int(timeout * 1000), profile=profile)
    if conn == "serial":
        dev, _, baud = target.rpartition(":")
        return escpos_printer.Serial(dev or target, baudrate=int(baud or 9600), timeout=timeout, profile=profile)
    if conn == "file":
        return _AppendFile(target, profile=profile)
    if conn == "windows":
        if not escpos_printer.Win32Raw.is_usable():
            raise PrinterError("unsupported", "此电脑不是 Windows 或未安装 pywin32，不能使用 Windows 打印机")
        return escpos_printer.Win32Raw(target, profile=profile)
    if conn == "dummy":
        return escpos_printer.Dummy(profile=profile)
    raise PrinterError("unsupported", f"不支持的连接方式“{conn}”")


@contextlib.contextmanager
def open_device(info: PrinterInfo, *, deadline: Deadline | None = None) -> Iterator[EscposDevice]:
    """Open the printer explicitly, yield it, close it in `finally`."""
    deadline = deadline or Deadline(info.timeout_ms / 1000)
    left = deadline.check("连接打印机")
    p = build_printer(info, left)
    try:
        try:
            if info.connection != "dummy":
                p.open()
        except DeviceNotFoundError as exc:
            cause = exc.__cause__ or exc.__context__
            text = str(exc)
            if isinstance(cause, (TimeoutError, socket.timeout)) or "timed out" in text:
                raise PrinterError("unreachable", f"连接打印机超时（{info.target}），请检查打印机电源和网线") from exc
            raise PrinterError("unreachable", f"连接不上打印机（{info.target}），请检查打印机电源和连接线") from exc
        except PrinterError:
            raise
        except Exception as exc:
            raise PrinterError("unreachable", f"打开打印机失败（{info.target}）：{exc}") from exc
        if info.connection == "network":
            # Keep little in the kernel: a send then waits for the printer itself, so a
            # printer that stops taking data times out instead of "succeeding" into a buffer.
            with contextlib.suppress(OSError):
                p.device.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
                # status queries are 3-byte packets: no Nagle delay waiting for an ACK
                p.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        yield EscposDevice(info, p, deadline)
    finally:
        if info.connection == "dummy":
            DUMMY_OUTPUTS.setdefault(info.target, bytearray()).extend(p.output)
        with contextlib.suppress(Exception):
            p.close()
