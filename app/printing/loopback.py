"""A loopback ESC/POS network printer on 127.0.0.1 for tests, benchmarks and the demo.

It listens on an ephemeral port like a printer on port 9100, records every byte it is
sent (per connection, with the time of the last byte), and answers real-time status
queries (`DLE EOT 1/2/4`) the way a printer does. It can be told to misbehave:

- `state = "offline"`      answers "offline, cover open";
- `state = "paper_out"`    answers "offline, paper end";
- `state = "paper_near_end"` answers "online, paper near end";
- `no_answer = True`       accepts and reads but never answers a status query;
- `never_read = True`      accepts and never reads a byte (a hung printer: small receive
                           buffer, so the sender waits for its whole timeout);
- `slow_bytes_per_s = n`   reads at most n bytes a second (a small receive buffer, so the
                           sender really waits);
- `drop_after = n`         closes the connection after n bytes of the next job (mid-job);
- `refuse()` / `accept()`  stops / resumes listening (a printer switched off).

Use it as a context manager; `stop()` joins its threads. Nothing here is used by a real
cashier window.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field

from app.printing.decode import Decoded, Parser, decode

# Status bytes (ESC/POS DLE EOT n): bits 1 and 4 are always set.
_FIXED = 0x12
_OFFLINE = 0x08
_COVER_OPEN = 0x04
_PAPER_END_STOP = 0x20
_NEAR_END = 0x0C
_PAPER_OUT = 0x60


@dataclass
class Connection:
    data: bytearray = field(default_factory=bytearray)
    opened_at: float = 0.0
    last_byte_at: float = 0.0
    closed_by_printer: bool = False


class LoopbackPrinter:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, on_job=None) -> None:
        self.host = host
        self.port = port
        #: called with each finished `Connection` (from the connection's thread)
        self.on_job = on_job
        self.state = "ok"
        self.no_answer = False
        self.never_read = False
        self.slow_bytes_per_s = 0
        self.drop_after: int | None = None
        self.connections: list[Connection] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._accept_thread: threading.Thread | None = None
        self._clients: list[socket.socket] = []

    # ---- life cycle ----------------------------------------------------------------------
    def start(self) -> LoopbackPrinter:
        self._listen()
        return self

    def _listen(self) -> None:
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.slow_bytes_per_s or self.never_read:
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        srv.bind((self.host, self.port))
        srv.listen(8)
        srv.settimeout(0.05)
        self.port = srv.getsockname()[1]
        self._listener = srv
        self._stop.clear()
        self._accept_thread = threading.Thread(target=self._accept_loop, name="loopback-accept", daemon=True)
        self._accept_thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._accept_thread:
            self._accept_thread.join(2)
        for t in self._threads:
            t.join(2)
        self._threads.clear()
        if self._listener:
            self._listener.close()
            self._listener = None

    def refuse(self) -> None:
        """Stop listening: connections are refused (printer switched off)."""
        self.stop()

    def accept(self) -> None:
        """Listen again on the same port."""
        if self._listener is None:
            self._listen()

    def __enter__(self) -> LoopbackPrinter:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"

    def set_slow(self, bytes_per_s: int) -> None:
        """Slow reading applies to connections accepted after a restart of the listener."""
        self.stop()
        self.slow_bytes_per_s = bytes_per_s
        self._listen()

    def reset_faults(self) -> None:
        self.state = "ok"
        self.no_answer = False
        self.drop_after = None
        if self.slow_bytes_per_s:
            self.set_slow(0)

    # ---- what was received ---------------------------------------------------------------
    @property
    def received(self) -> bytes:
        with self._lock:
            return b"".join(bytes(c.data) for c in self.connections)

    def decoded(self) -> Decoded:
        """Everything received, decoded as one stream."""
        return decode(self.received)

    def decoded_jobs(self) -> list[Decoded]:
        """Each connection decoded on its own (a job cut off mid-way cannot spill into the next)."""
        with self._lock:
            streams = [bytes(c.data) for c in self.connections]
        return [decode(data) for data in streams]

    def clear(self) -> None:
        with self._lock:
            self.connections.clear()

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        """Wait until `predicate(self)` holds (the sender may finish before we read)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate(self):
                return True
            time.sleep(0.005)
        return predicate(self)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until every connection has been closed and fully read."""
        return self.wait_for(lambda lp: not any(t.is_alive() for t in lp._threads), timeout)

    # ---- the printer ---------------------------------------------------------------------
    def _status_byte(self, n: int) -> bytes:
        if n == 1:
            value = _FIXED | (_OFFLINE if self.state in ("offline", "paper_out") else 0)
        elif n == 2:
            value = _FIXED | {"offline": _COVER_OPEN, "paper_out": _PAPER_END_STOP}.get(self.state, 0)
        elif n == 4:
            value = _FIXED | {"paper_out": _PAPER_OUT, "paper_near_end": _NEAR_END}.get(self.state, 0)
        else:
            value = _FIXED
        return bytes([value])

    def _accept_loop(self) -> None:
        srv = self._listener
        while not self._stop.is_set():
            try:
                client, _ = srv.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn = Connection(opened_at=time.perf_counter())
            with self._lock:
                self.connections.append(conn)
            t = threading.Thread(target=self._serve, args=(client, conn), name="loopback-conn", daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, client: socket.socket, conn: Connection) -> None:
        parser = Parser()
        drop_after = self.drop_after
        client.settimeout(0.05)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while self.never_read and not self._stop.is_set():
                time.sleep(0.05)
            while not self._stop.is_set():
                want = 65536
                if self.slow_bytes_per_s:
                    want = max(1, self.slow_bytes_per_s // 20)
                if drop_after is not None:
                    want = min(want, max(1, drop_after - len(conn.data)))
                try:
                    chunk = client.recv(want)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                now = time.perf_counter()
                with self._lock:
                    conn.data += chunk
                    conn.last_byte_at = now
                if drop_after is not None and len(conn.data) >= drop_after:
                    conn.closed_by_printer = True
                    self.drop_after = None
                    # RST, like a printer that resets mid-job
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                for event in parser.feed(chunk):
                    if event.kind == "status" and not self.no_answer:
                        try:
                            client.sendall(self._status_byte(event.value))
                        except OSError:
                            return
                if self.slow_bytes_per_s:
                    time.sleep(0.05)
        finally:
            client.close()
            if self.on_job is not None and conn.data:
                self.on_job(conn)


def main(argv: list[str] | None = None) -> None:
    """`python -m app.printing.loopback --port 9100 --out var/paper`: a pretend receipt printer
    for the demo and for trying printer settings without hardware. Each receipt it receives
    is saved as a PNG (what the paper would show) and its text is printed here."""
    import argparse
    from pathlib import Path

    from app.printing.preview import paper_png

    ap = argparse.ArgumentParser(prog="python -m app.printing.loopback", description="FeeDesk 虚拟收据打印机")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9100)
    ap.add_argument("--width", type=int, choices=(58, 80), default=80)
    ap.add_argument("--out", default="var/paper", help="PNG 保存目录")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    columns = 32 if args.width == 58 else 48
    counter = [len(list(out.glob("receipt-*.png")))]
    lock = threading.Lock()

    def save(conn: Connection) -> None:
        d = decode(bytes(conn.data))
        for paper in d.receipts + ([d.tail] if d.tail.items else []):
            with lock:
                counter[0] += 1
                path = out / f"receipt-{counter[0]:04d}.png"
            path.write_bytes(paper_png(paper, columns))
            kicks = f"，开钱箱（{paper.drawer_kicks[0]} 脚）" if paper.drawer_kicks else ""
            print(f"--- 收到收据 {path}{kicks}{'' if paper.cut else '（未切纸，不完整）'}\n{paper.text}\n", flush=True)

    printer = LoopbackPrinter(host=args.host, port=args.port, on_job=save).start()
    print(f"虚拟打印机在 {printer.target} 等待打印（Ctrl+C 退出），收据图片保存在 {out}/", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        printer.stop()


if __name__ == "__main__":
    main()
