"""Receipt layout: a stored `ReceiptDoc` -> a small list of printed lines (pure, no I/O).

This module owns how a receipt looks on paper: which sections it has, their order, the
wrapping and the alignment of amounts. Widths are counted in printed cells: on a Chinese
ESC/POS printer an ASCII character is one cell (12 dots) and every other character (Chinese,
full-width punctuation, `￥`, `㎡`, `×`) is two. 58 mm paper has 32 cells, 80 mm has 48.
Every renderer (ESC/POS text, raster image, PNG and text preview, PDF) draws this model, so
they all show the same receipt. Callers must not recompute amounts here: every figure comes
from the document as it was stored by the payment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.labels import TENDER_NAMES
from app.money import format_yuan
from app.services.desk.closes import MOVEMENT_NAMES
from app.services.desk.receipts import DocLine, DocTender, ReceiptDoc

COLUMNS = {58: 32, 80: 48}
#: Lines must not start with these (simple 禁则 for Chinese punctuation).
_NO_LINE_START = set("，。、；：？！）】》」』”’,.;:?!)%")


def cells(text: str) -> int:
    """Printed width: ASCII is one cell, anything else two (how GBK printers print it)."""
    return sum(1 if ord(ch) < 0x80 else 2 for ch in text)


def columns_for(width_mm: int) -> int:
    if width_mm not in COLUMNS:
        raise ValueError(f"paper width must be 58 or 80 mm, not {width_mm}")
    return COLUMNS[width_mm]


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line. `text` is already padded/aligned; `big` lines are printed double
    width and height (each cell counts twice), `bold` lines emphasised."""

    text: str
    style: str = "normal"  # normal | bold | big

    @property
    def big(self) -> bool:
        return self.style == "big"

    @property
    def bold(self) -> bool:
        return self.style in ("bold", "big")


@dataclass(frozen=True, slots=True)
class QrBlock:
    """A QR code, centred, carrying `payload` (ASCII)."""

    payload: str


@dataclass(frozen=True, slots=True)
class ReceiptLayout:
    columns: int
    blocks: tuple[Line | QrBlock, ...]
    receipt_no: str = ""
    training: bool = False
    sections: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def width_mm(self) -> int:
        return 58 if self.columns == 32 else 80

    def text_lines(self) -> list[str]:
        """The receipt as plain text lines (QR as `[二维码] payload`)."""
        out = []
        for b in self.blocks:
            if isinstance(b, QrBlock):
                out.append(center(f"[二维码] {b.payload}", self.columns))
            else:
                out.append(b.text)
        return out


# ---- text helpers (cells, wrapping, alignment) -------------------------------------------

def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cells(text))


def center(text: str, width: int) -> str:
    gap = max(0, width - cells(text))
    return " " * (gap // 2) + text


def wrap(text: str, width: int) -> list[str]:
    """Break `text` into lines of at most `width` cells; ASCII words stay whole when they fit,
    and a line never starts with closing punctuation."""
    if width <= 0:
        raise ValueError("width must be positive")
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ord(ch) < 0x80 and not ch.isspace():
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(ch)
    if word:
        tokens.append(word)
    lines: list[str] = []
    cur = ""
    for tok in tokens:
        if cells(tok) > width:  # a very long ASCII run: break it by characters
            for ch in tok:
                if cells(cur) + cells(ch) > width:
                    lines.append(cur)
                    cur = ""
                cur += ch
            continue
        if cells(cur) + cells(tok) > width:
            if tok in _NO_LINE_START and cur:
                # pull the last character (a whole ASCII word) down with the punctuation
                cut = len(cur) - 1
                j = len(cur)
                while j > 0 and cur[j - 1].isascii() and not cur[j - 1].isspace():
                    j -= 1
                if 0 < j < len(cur) and cells(cur[j:] + tok) <= width:
                    cut = j
                lines.append(cur[:cut].rstrip())
                cur = cur[cut:] + tok
                continue
            lines.append(cur.rstrip())
            cur = "" if tok == " " else tok
            continue
        cur += tok
    if cur or not lines:
        lines.append(cur.rstrip())
    return lines


def two_col(left: str, right: str, width: int) -> list[str]:
    """`left` text and a right-aligned `right` (an amount) on one line, wrapping the left
    part under itself when it is too long; the amount stays on the first line."""
    room = width - cells(right) - 1
    parts = wrap(left, room) if cells(left) > room else [left]
    first = parts[0] + " " * (width - cells(parts[0]) - cells(right)) + right
    return [first] + parts[1:]


def kv(label: str, value: str, width: int) -> list[str]:
    """`label：value`, the value wrapped under itself (hanging indent)."""
    head = f"{label}："
    indent = cells(head)
    if indent + cells(value) <= width:
        return [head + value]
    if indent >= width // 2:
        return [head] + wrap(value, width)
    parts = wrap(value, width - indent)
    return [head + parts[0]] + [" " * indent + p for p in parts[1:]]


def money(fen: int, *, symbol: bool = False) -> str:
    return format_yuan(fen, symbol=symbol)


# ---- the receipt ------------------------------------------------------------------------

_TOTAL_LABEL = {"payment": "合计", "refund": "退款合计", "void": "作废金额", "waiver": "减免金额",
                "write_off": "核销金额", "deposit_refund": "退押金合计", "prepaid_refund": "预存退款合计"}
_TENDER_HEAD = {"payment": "付款方式", "refund": "退款方式", "void": "原付款方式", "waiver": "", "write_off": "",
                "deposit_refund": "退款方式", "prepaid_refund": "退款方式"}


class _Builder:
    def __init__(self, columns: int):
        self.w = columns
        self.blocks: list[Line | QrBlock] = []
        self.sections: dict[str, tuple[int, int]] = {}
        self._open: tuple[str, int] | None = None

    def section(self, name: str) -> None:
        self.end()
        self._open = (name, len(self.blocks))

    def end(self) -> None:
        if self._open:
            name, start = self._open
            self.sections[name] = (start, len(self.blocks))
            self._open = None

    def add(self, text: str, style: str = "normal") -> None:
        self.blocks.append(Line(text.rstrip(), style))

    def lines(self, texts: list[str], style: str = "normal") -> None:
        for t in texts:
            self.add(t, style)

    def centered(self, text: str, style: str = "normal") -> None:
        if style == "big":
            half = self.w // 2
            if cells(text) <= half:
                self.add(center(text, half), "big")
                return
            style = "bold"
        for part in wrap(text, self.w):
            self.add(center(part, self.w), style)

    def rule(self, ch: str = "-") -> None:
        self.add(ch * self.w)

    def amount(self, label: str, fen: int, style: str = "normal", *, symbol: bool = False) -> None:
        self.lines(two_col(label, money(fen, symbol=symbol), self.w), style)

    def amount_text(self, label: str, text: str, style: str = "normal") -> None:
        self.lines(two_col(label, text, self.w), style)

    def qr(self, payload: str) -> None:
        self.blocks.append(QrBlock(payload))


def _charge_line(b: _Builder, line: DocLine) -> None:
    label = line.fee + (f" {line.period}" if line.period else "")
    b.lines(two_col(label, money(line.amount), b.w))
    detail = line.basis
    if line.charge_amount and line.charge_amount != line.amount:
        detail = (detail + " " if detail else "") + f"应收{money(line.charge_amount)}"
    for part in detail.split("\n") if detail else []:  # a tariff change: one line per rate
        b.lines(["  " + p for p in wrap(part, b.w - 2)])


def _tender_line(b: _Builder, t: DocTender) -> None:
    b.amount(t.label, t.amount)
    if t.reference:
        b.lines(["  " + p for p in wrap(f"参考号：{t.reference}", b.w - 2)])


def layout_receipt(doc: ReceiptDoc, *, width_mm: int = 80, reprint_count: int = 0,
                   late_print: bool = False, printed_at: str = "") -> ReceiptLayout:
    """Lay out a stored receipt for `width_mm` paper.

    `reprint_count` > 0 marks the copy 重打 with its count; `late_print` marks the first
    print of a receipt that was never printed (补打); `printed_at` is when this copy is made.
    """
    b = _Builder(columns_for(width_mm))
    w = b.w
    kind = doc.kind if doc.kind in _TOTAL_LABEL else "payment"

    b.section("training")
    if doc.training:
        b.add(("练习" + " ") * ((w + 1) // 5))
        b.centered("练习收据", "big")
        b.centered("练习模式 不作收费凭证")
    b.section("header")
    b.centered(doc.site_name, "big")
    b.centered(doc.title, "big")
    if kind == "void":
        b.centered("*** 作 废 ***", "big")
    if reprint_count:
        b.centered(f"【重打】第{reprint_count}次" + (f" {printed_at}" if printed_at else ""), "bold")
    elif late_print:
        b.centered("【补打】" + (f" {printed_at}" if printed_at else ""), "bold")
    if doc.receipt_no:  # a correction's slip has no number of its own: it shows 原收据号
        b.lines(kv("收据号", doc.receipt_no, w))
    b.lines(kv("日期", doc.issued_at, w))
    station = f"窗口：{doc.station}"
    cashier = f"收费员：{doc.cashier}"
    if cells(station) + 2 + cells(cashier) <= w:
        b.add(station + "  " + cashier)
    else:
        b.lines(kv("窗口", doc.station, w) + kv("收费员", doc.cashier, w))
    if doc.original_receipt_no:
        b.lines(kv("原收据号", doc.original_receipt_no, w))
    if doc.reason:
        b.lines(kv("原因" if kind != "void" else "作废原因", doc.reason, w))
    b.rule()

    b.section("account")
    if doc.account_code:
        b.lines(kv("户号", doc.account_code, w))
    if doc.payer:
        b.lines(kv("缴费人", doc.payer, w))
    b.rule()

    b.section("lines")
    regular = [x for x in doc.lines if not x.late_fee]
    late = [x for x in doc.lines if x.late_fee]
    if regular:
        b.add(pad("收费项目/账期", w - cells("金额")) + "金额")
        for line in regular:
            _charge_line(b, line)
    b.section("late_fees")
    if late:
        b.add("滞纳金：")
        for line in late:
            _charge_line(b, line)
    b.section("waivers")
    if doc.waivers:
        b.add("减免：")
        for line in doc.waivers:
            _charge_line(b, line)
    b.rule()

    b.section("total")
    b.amount(_TOTAL_LABEL[kind], doc.total, "bold", symbol=True)
    b.section("upper")
    b.lines(kv("大写", doc.total_upper, w))
    b.rule()

    b.section("tenders")
    if doc.tenders:
        b.add(_TENDER_HEAD[kind] + "：")
        for t in doc.tenders:
            _tender_line(b, t)
        b.amount("实收" if kind == "payment" else "合计", doc.tendered)
    b.section("change")
    if kind == "payment" and (doc.change or any(t.method == "cash" for t in doc.tenders)):
        b.amount("找零", doc.change, "bold")
    if doc.prepaid_added:
        b.amount("转入预存", doc.prepaid_added)
    b.section("prepaid")
    b.amount("预存余额", doc.prepaid_balance)
    b.section("arrears")
    b.amount("尚欠金额", doc.arrears_after)
    b.rule()

    b.section("footer")
    if doc.footer:
        b.lines(wrap(doc.footer, w))
    if doc.hotline:
        b.lines(kv("服务热线", doc.hotline, w))
    b.section("qr")
    if doc.verify_code:
        b.qr(doc.qr_payload)
        b.centered(f"验证码：{doc.verify_code}")
    if doc.training:
        b.centered("练习收据 不作收费凭证", "bold")
    b.end()
    return ReceiptLayout(w, tuple(b.blocks), doc.receipt_no, doc.training, b.sections)


def sample_doc(site_name: str = "FeeDesk 打印测试") -> ReceiptDoc:
    """The test page: every character class a receipt can hold (ASCII, GB2312 Chinese,
    GBK-only 喆堃镕 (outside GB2312), full-width punctuation, ￥ ㎡ × →)."""
    return ReceiptDoc(
        kind="payment", title="打印测试页", receipt_no="TEST-0001", site_name=site_name, station="测试窗口",
        cashier="测试员", issued_at="2026-01-01 08:00:00", business_date="2026-01-01",
        account_code="1-2-301", payer="王喆 李堃 朱镕",
        lines=[DocLine("物业费", "2026-09", "89.50㎡×2.35×1月", 21033, 21033),
               DocLine("水费", "2026-10", "120.00→135.50 用量15.50×3.45", 5348, 5348),
               DocLine("物业费", "", "2026-09 逾期滞纳金", 105, 105, True)],
        total=26486, total_upper="贰佰陆拾肆元捌角陆分",
        tenders=[DocTender("cash", "现金", 20000), DocTender("wechat", "微信支付", 10000, "4200001234")],
        tendered=30000, change=3514, prepaid_added=0, prepaid_balance=0, arrears_after=0,
        footer="标点测试：“引号”（括号）、顿号，逗号。句号；ABC abc 0123456789 ￥1,234.56 ~!@#%&*",
        hotline="0571-88886666", verify_code="TEST0001")


# ---- the remittance slip (缴款单) of a shift close -----------------------------------------

_BALANCE_REFUNDS = {"deposit_refund": "退押金", "prepaid_refund": "预存退款"}


#: cash movements the counted cash already holds (in: 短款补交; out: 假币): not terms of the sum
_INSIDE_COUNT = {"paid_in", "counterfeit"}


def _signed(amount: str) -> str:
    """'12.00' -> '+12.00'; '-12.00' and '0.00' stay."""
    return amount if amount.startswith("-") or amount == "0.00" else "+" + amount


def _negated(amount: str) -> str:
    return amount[1:] if amount.startswith("-") else _signed("-" + amount if amount != "0.00" else amount)


def remittance_cash_terms(closed: dict) -> list[tuple[str, str]]:
    """The terms whose sum is 应缴现金 (`closes._summary`'s cash_takings), signed, in yuan:
    counted cash − float − 备用金补充 + 投库 + 送银行 (what left the drawer for the safe or the
    bank during the shift is takings too; those movements are stored negative)."""
    r = closed.get("remittance", {})
    moves = r.get("movements", {})
    terms = [("实点现金", closed.get("counted", {}).get("cash", "0.00")), ("备用金", _negated(r.get("float", "0.00")))]
    for kind in ("top_up", "drop", "bank_run"):
        if moves.get(kind, "0.00") != "0.00":
            terms.append((MOVEMENT_NAMES[kind], _signed(_negated(moves[kind]))))
    return terms


def layout_remittance(closed: dict, *, width_mm: int = 80, site_name: str = "", printed_at: str = "") -> ReceiptLayout:
    """The remittance slip of a closed shift, from the stored close (`ShiftClosed.to_json()`:
    amounts are yuan strings as stored; nothing is recomputed here)."""
    b = _Builder(columns_for(width_mm))
    w = b.w
    r = closed.get("remittance", {})
    b.section("header")
    if site_name:
        b.centered(site_name, "big")
    b.centered("缴款单", "big")
    b.lines(kv("班次", f"#{closed['shift_id']}  营业日 {closed['business_date']}", w))
    b.lines(kv("窗口", f"{closed['station']}  收费员 {closed['cashier']}", w))
    b.rule()
    b.section("fee_items")
    b.add(pad("收费项目", w - cells("金额")) + "金额")
    for f in r.get("fee_items", []):
        b.lines(two_col(f["name"], f["amount"], w))
    b.lines(two_col("预存", r.get("prepaid", "0.00"), w))
    refunds = r.get("refunds", [])
    # 退押金 / 预存退款 pay back money held, which no line above counts: deducted here.
    for x in refunds:
        if x.get("kind", "refund") != "refund":
            b.lines(two_col(_BALANCE_REFUNDS.get(x["kind"], "退款"), f"-{x['amount']}", w))
    # A payment's refund or void is already inside the fee lines (they are net of it): listed
    # under them for the count, never deducted a second time.
    inside = [("退费", x) for x in refunds if x.get("kind", "refund") == "refund"] \
        + [("作废", x) for x in r.get("voids", [])]
    if inside:
        b.add("收费项目及预存已扣除：")
        for label, x in inside:
            b.lines(two_col(f"{label} {x.get('receipt_no', '')}".strip(), f"-{x['amount']}", w))
    b.rule()
    b.section("receipts")
    rec = r.get("receipts", {})
    if rec.get("count"):
        b.lines(kv("收据", f"{rec['first']} 至 {rec['last']}，共 {rec['count']} 张", w))
    if rec.get("voided"):
        b.lines(kv("作废", "、".join(rec["voided"]), w))
    if rec.get("reprinted"):
        b.lines(kv("重打", "、".join(rec["reprinted"]), w))
    b.section("tenders")
    for tender in sorted(closed.get("expected", {}), key=lambda t: (t != "cash", t)):
        b.add(TENDER_NAMES.get(tender, tender) + "：")
        b.lines(two_col("  应有", closed["expected"].get(tender, "0.00"), w))
        b.lines(two_col("  实点", closed.get("counted", {}).get(tender, "0.00"), w))
        b.lines(two_col("  差额", closed.get("difference", {}).get(tender, "0.00"), w))
    if closed.get("overage", "0.00") != "0.00":
        b.amount_text("长款", closed["overage"])
    if closed.get("shortage", "0.00") != "0.00":
        b.amount_text("短款", closed["shortage"])
    if closed.get("reason"):
        b.lines(kv("差异原因", closed["reason"], w))
    b.rule()
    b.section("cash")
    for label, amount in remittance_cash_terms(closed):
        b.lines(two_col(label, amount, w))
    b.add(" " * (w - 12) + "-" * 12)
    b.lines(two_col("= 应缴现金", "￥" + r.get("cash_takings", "0.00"), w), "bold")
    inside = [(MOVEMENT_NAMES[k], v) for k, v in r.get("movements", {}).items() if k in _INSIDE_COUNT]
    if r.get("hand_ins", "0.00") != "0.00":
        inside.insert(0, ("交账", r["hand_ins"]))
    if inside:  # already in the counted cash: listed so the count can be traced, not added again
        b.add("实点现金已含：")
        for label, amount in inside:
            b.lines(two_col(f"  {label}", _signed(amount), w))
    b.rule()
    b.section("signatures")
    for who in r.get("signatures", ["收费员（缴款人）", "复核人", "主管（收款人）"]):
        b.add("")
        b.add(f"{who}：" + "_" * max(4, w - cells(who) - 2))
    if printed_at:
        b.add("")
        b.lines(kv("打印时间", printed_at, w))
    b.end()
    return ReceiptLayout(w, tuple(b.blocks), f"remittance-{closed['shift_id']}", False, b.sections)
