"""Pure parts: cell counting, wrapping and alignment (hypothesis), the incremental decoder,
the ESC/POS text path, and which python-escpos class each connection builds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.printing import escpos_render
from app.printing.decode import Parser, decode
from app.printing.device import build_printer
from app.printing.layout import cells, kv, layout_receipt, sample_doc, two_col, wrap
from app.services.desk.print_jobs import PrinterInfo

TEXT = st.text(alphabet=st.sampled_from(list("物业费水电停车ABCxyz0123456789 .，。（）：￥㎡-")), max_size=120)


def test_cells_count_chinese_as_two():
    assert cells("物业费") == 6 and cells("W01 收费") == 8 and cells("￥12.50") == 7 and cells("㎡×") == 4


@settings(max_examples=200, deadline=None)
@given(TEXT, st.integers(min_value=4, max_value=48))
def test_wrap_keeps_every_character_within_the_width(text, width):
    lines = wrap(text, width)
    assert all(cells(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@settings(max_examples=200, deadline=None)
@given(TEXT.filter(lambda t: t.strip()), st.integers(min_value=0, max_value=10**9), st.sampled_from([32, 48]))
def test_amounts_end_in_the_last_column(left, fen, width):
    amount = f"{fen // 100}.{fen % 100:02d}"
    lines = two_col(left, amount, width)
    assert cells(lines[0]) == width and lines[0].endswith(amount)
    assert all(cells(line) <= width for line in lines)


def test_wrapped_value_hangs_under_itself():
    lines = kv("大写", "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元零壹分", 32)
    assert lines[0].startswith("大写：") and lines[1].startswith("      ") and all(cells(x) <= 32 for x in lines)


def test_no_line_starts_with_closing_punctuation():
    lines = wrap("请妥善保管收据如有疑问请致电，物业服务中心。", 28)
    assert not any(line[:1] in "，。" for line in lines)


def test_yen_sign_is_printed_as_fullwidth_and_chinese_mode_wraps_each_line():
    profile = escpos_render.PrintProfile(width_mm=58, encoding="gbk")
    data = b"".join(escpos_render.render_receipt(layout_receipt(sample_doc(), width_mm=58), profile))
    assert "￥".encode("gbk") in data and "¥".encode("gb18030") not in data
    assert data.count(b"\x1c&") == data.count(b"\x1c.") > 30
    assert data.count(b"\x1dV") == 1


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=30))
def test_decoder_gives_the_same_events_however_the_stream_is_split(cuts):
    layout = layout_receipt(sample_doc(), width_mm=80)
    profile = escpos_render.PrintProfile(width_mm=80, encoding="gb18030", qr="image")
    data = b"".join(escpos_render.render_receipt(layout, profile, open_drawer=True)) + b"\x10\x04\x01"
    whole = Parser().feed(data)
    parser, events, pos = Parser(), [], 0
    for n in cuts:
        events += parser.feed(data[pos:pos + n])
        pos += n
    events += parser.feed(data[pos:])

    def merged(evs):  # text runs may be split differently: join them
        out = []
        for e in evs:
            if e.kind == "text" and out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + e.value)
            else:
                out.append((e.kind, e.value if e.kind != "image" else (e.value.width, e.value.height)))
        return out

    assert merged(events) == merged(whole)
    assert whole[-1].kind == "status" and whole[-1].value == 1


def test_decoder_reads_cuts_kicks_and_qr():
    d = decode(b"\x1b@\x1bp\x01\x19\xfa\x1c&" + "缴费人：张三".encode("gbk") + b"\x1c.\n"
               + b"\x1d(k\x03\x001A2" + b"\x1d(k\x07\x001P0ABCD" + b"\x1d(k\x03\x001Q0" + b"\x1dVA\x03")
    [paper] = d.receipts
    assert paper.lines == ["缴费人：张三"] and paper.qr == ["ABCD"] and paper.drawer_kicks == [5]
    assert paper.cut == "full"


def info(connection: str, target: str) -> PrinterInfo:
    return PrinterInfo(1, "p", "W01", connection, target, 80, "text", "partial", 2, "gb18030", "native", 1500, True)


def test_each_connection_builds_its_python_escpos_printer():
    from escpos import printer

    net = build_printer(info("network", "192.168.1.50:9100"), 1.5)
    assert isinstance(net, printer.Network) and (net.host, net.port, net.timeout) == ("192.168.1.50", 9100, 1.5)
    usb = build_printer(info("usb", "0416:5011"), 1.5)
    assert isinstance(usb, printer.Usb) and usb.usb_args == {"idVendor": 0x0416, "idProduct": 0x5011}
    assert usb.timeout == 1500
    ser = build_printer(info("serial", "/dev/ttyUSB0:19200"), 1.5)
    assert isinstance(ser, printer.Serial) and (ser.devfile, ser.baudrate, ser.timeout) == ("/dev/ttyUSB0", 19200, 1.5)
    assert isinstance(build_printer(info("file", "/dev/usb/lp0"), 1.5), printer.File)


class _FakeSerialPort:
    """A serial port whose printer answers status queries from a script (None = silence)."""

    def __init__(self, answers: dict[bytes, bytes | None]):
        self.answers, self.written, self.timeout, self.write_timeout = answers, b"", None, None
        self._pending = b""

    def reset_input_buffer(self):
        self._pending = b""

    def write(self, data: bytes):
        self.written += data
        self._pending += self.answers.get(data, b"") or b""
        return len(data)

    def read(self, n: int) -> bytes:
        out, self._pending = self._pending[:n], self._pending[n:]
        return out


def _serial_device(answers):
    from types import SimpleNamespace

    from app.printing.device import Deadline, EscposDevice

    printer = SimpleNamespace(device=_FakeSerialPort(answers))
    return EscposDevice(info("serial", "/dev/ttyS0:9600"), printer, Deadline(1.0)), printer.device


def test_serial_printer_status_near_end_and_paper_out():
    dev, port = _serial_device({b"\x10\x04\x01": b"\x12", b"\x10\x04\x04": b"\x1e"})
    st = dev.status()
    assert (st.online, st.paper) == (True, "near_end") and "即将用完" in st.message
    dev, port = _serial_device({b"\x10\x04\x01": b"\x1a", b"\x10\x04\x04": b"\x72", b"\x10\x04\x02": b"\x32"})
    st = dev.status()
    assert (st.online, st.paper) == (False, "out") and "缺纸" in st.message


def test_silent_serial_printer_is_no_answer():
    import pytest

    from app.printing.device import PrinterError

    dev, port = _serial_device({})
    with pytest.raises(PrinterError) as err:
        dev.ready()
    assert err.value.kind == "no_answer" and port.timeout <= 1.0
    dev.print_receipt([b"\x1b@", b"abc"])
    assert port.written.endswith(b"\x1b@abc")
