"""PDF receipts (text extractable, font embedded) and the text/PNG previews."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader

from app.printing import preview
from app.printing.layout import cells
from app.printing.pdf import receipt_pdf
from app.services.desk import receipts
from tests.printing.builders import cash_payment, estate


def stored_doc(lg):
    estate(lg)
    r = cash_payment(lg)
    with lg.session() as s:
        return receipts.receipt_doc(s, r.receipt_no)


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    out = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fd = font.get("/FontDescriptor")
            embedded = bool(fd and any(k in fd.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")))
            out[str(font["/BaseFont"])] = embedded
    return out


@pytest.mark.parametrize("paper", ["a5", "continuous"])
def test_pdf_receipt_has_the_chinese_lines_and_embeds_the_font(ledger, paper):
    doc = stored_doc(ledger)
    reader = PdfReader(io.BytesIO(receipt_pdf(doc, paper=paper)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for line in ("幸福里物业服务中心", "收款收据", "收据号：W0100000001", "户号：1-2-301", "缴费人：张三",
                 "物业费 2026-09", "大写：肆佰贰拾元陆角陆分", "请妥善保管收据，如有疑问请致电物业服务中心。",
                 f"验证码：{doc.verify_code}"):
        assert line in text, line
    assert re.search(r"合计\s+￥420\.66", text) and re.search(r"找零\s+79\.34", text)
    fonts = embedded_fonts(reader)
    cjk = [name for name in fonts if "WenQuanYiMicroHei" in name]
    assert cjk and all(fonts[name] for name in cjk)
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == (148 if paper == "a5" else 241)


def test_pdf_reprint_is_marked(ledger):
    doc = stored_doc(ledger)
    text = (
        PdfReader(io.BytesIO(receipt_pdf(doc, reprint_count=3, printed_at="2026-11-26 09:00"))).pages[0].extract_text()
    )
    assert "【重打】第3次 2026-11-26 09:00" in text


@pytest.mark.parametrize("width,columns", [(58, 32), (80, 48)])
def test_text_preview_is_the_printed_layout(ledger, width, columns):
    doc = stored_doc(ledger)
    text = preview.render_preview_text(doc, width)
    lines = text.splitlines()
    assert "收据号：W0100000001" in lines and "大写：肆佰贰拾元陆角陆分" in lines
    assert f"[二维码] {doc.qr_payload}" in text
    assert max(cells(line) for line in lines if "二维码" not in line) <= columns
    total = next(line for line in lines if line.startswith("合计"))
    assert cells(total) == columns and total.endswith("￥420.66")


@pytest.mark.parametrize("width,dots", [(58, 384), (80, 576)])
def test_png_preview_is_printer_wide_and_shows_ink(ledger, width, dots):
    doc = stored_doc(ledger)
    img = Image.open(io.BytesIO(preview.render_preview_png(doc, width)))
    assert img.format == "PNG"
    assert img.width == dots + 2 * 16 + 2  # margins and a thin border
    grey = img.convert("L")
    # the paper is white with black text: some ink, mostly paper
    hist = grey.histogram()
    dark = sum(hist[:64])
    assert 0.02 < dark / (img.width * img.height) < 0.4


def test_loopback_printer_shows_what_it_received_as_a_picture(ledger, tmp_path):
    """The pretend printer of the demo: each job it receives becomes a PNG of the paper."""
    import threading

    from app.printing import queue
    from app.printing.decode import decode
    from app.printing.loopback import LoopbackPrinter
    from app.printing.preview import paper_png
    from tests.printing.builders import add_printer

    estate(ledger, owner="王喆")
    papers = []
    done = threading.Event()

    def on_job(conn):  # a connection may carry only a status query: wait for the one with paper
        papers.extend(decode(bytes(conn.data)).receipts)
        if papers:
            done.set()

    with LoopbackPrinter(on_job=on_job) as lp:
        add_printer(ledger, lp.target, encoding="gb2312")
        r = cash_payment(ledger)
        queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=r)
        assert done.wait(10)
    [paper] = papers
    kinds = [item[0] for item in paper.items]
    assert kinds.count("qr") == 1 and kinds.count("image") == 1  # the rare name as a picture line
    img = Image.open(io.BytesIO(paper_png(paper, 48)))
    assert img.width == 576 + 32 + 2 and img.height > 30 * 30
