"""Statement files as the providers and banks publish them: read and check, nothing stored.

Pure functions (no Session): `parse(data, channel=..., mapping=..., tz=...)` turns the bytes
of a file into a `ParsedStatement` or raises `StatementRefused` naming the line. Callers
(services.reconcile.import_statement) store a statement only after it parsed whole, so a
bad file is never half-imported.

Formats:
- wechat: 微信支付交易账单 (bill_type ALL), UTF-8 CSV: a header line, detail lines whose every
  field starts with a backtick, then the summary header (总交易单数,应结订单总金额,退款总金额,…)
  and the summary line. Columns are read by header name.
- alipay: 支付宝业务明细, GBK CSV: `#` comment lines above the table (account, dates) and below
  it (业务明细列表结束, 交易合计, 退款合计).
- bank / card: CSV (UTF-8 or GBK) or XLSX read through a column mapping (`MAPPING_FIELDS`);
  the generic layouts ship as `BUILTIN_MAPPINGS`.

Truncation: the WeChat summary and the Alipay totals must add up to the details; a bank
statement's balance column must run on line by line, and a 合计 line, when present, must add up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.errors import FeeDeskError
from app.money import MAX_FEN

CHANNELS = {"wechat": "微信支付", "alipay": "支付宝", "bank": "银行对公账户", "card": "银行卡/银联"}
#: the FeeDesk tender each channel reconciles ('bank' also takes the cash bank deposits, 解款)
CHANNEL_TENDER = {"wechat": "wechat", "alipay": "alipay", "card": "card", "bank": "transfer"}


class StatementRefused(FeeDeskError):
    message = "对账单文件不正确，未导入"


@dataclass(frozen=True, slots=True)
class ParsedLine:
    line_no: int
    kind: str  # payment | refund | revoked (providers, card); credit | debit (bank)
    occurred_at: dt.datetime  # UTC
    business_date: dt.date  # local calendar date
    amount: int  # fen, signed: > 0 in, < 0 out
    fee: int = 0
    reference: str = ""
    merchant_ref: str = ""
    refund_ref: str = ""
    counterparty: str = ""
    balance: int | None = None
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    channel: str
    lines: list[ParsedLine]
    first_date: dt.date
    last_date: dt.date
    total_in: int
    total_out: int
    total_fee: int
    opening_balance: int | None = None
    closing_balance: int | None = None
    summary: dict = field(default_factory=dict)


# ---- helpers -------------------------------------------------------------------------------

_AMOUNT = re.compile(r"^[+-]?\d+(\.\d{1,2})?$")


def fen(text: str, where: str) -> int:
    """'1,234.50', '-0.01', '¥12', '' (-> 0) -> fen; anything else refused, naming `where`."""
    t = (text or "").strip().replace(",", "").replace("¥", "").replace("￥", "").replace(" ", "")
    if t in ("", "-", "--"):
        return 0
    if not _AMOUNT.match(t):
        raise StatementRefused(f"{where}：金额“{text.strip()}”无法识别")
    sign = -1 if t[0] == "-" else 1
    whole, _, frac = t.lstrip("+-").partition(".")
    value = sign * (int(whole) * 100 + int((frac + "00")[:2]))
    if abs(value) > MAX_FEN:
        raise StatementRefused(f"{where}：金额“{text.strip()}”超出上限")
    return value


_DT_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y%m%d %H:%M:%S",
               "%Y%m%d%H%M%S", "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日")


def local_datetime(text: str, where: str, fmt: str = "") -> dt.datetime:
    t = (text or "").strip()
    if not fmt and len(t) in (10, 19) and t[4:5] == "-":  # the providers' own '2026-11-25 09:10:30'
        try:
            return dt.datetime.fromisoformat(t)
        except ValueError:
            pass
    for f in ([fmt] if fmt else []) + list(_DT_FORMATS):
        try:
            return dt.datetime.strptime(t, f)
        except ValueError:
            continue
    raise StatementRefused(f"{where}：日期时间“{t}”无法识别")


def _utc(local: dt.datetime, tz: str) -> dt.datetime:
    return local.replace(tzinfo=ZoneInfo(tz)).astimezone(dt.UTC).replace(tzinfo=None)


def _decode(data: bytes, encodings: tuple[str, ...], what: str) -> str:
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise StatementRefused(f"文件编码不是{what}，不是所选渠道的对账单")


def _finish(channel: str, lines: list[ParsedLine], summary: dict, opening=None, closing=None) -> ParsedStatement:
    if not lines:
        raise StatementRefused("对账单没有任何交易明细，未导入")
    dates = [ln.business_date for ln in lines]
    return ParsedStatement(channel, lines, min(dates), max(dates), sum(ln.amount for ln in lines if ln.amount > 0),
                           -sum(ln.amount for ln in lines if ln.amount < 0), sum(ln.fee for ln in lines),
                           opening, closing, summary)


# ---- WeChat Pay 交易账单 -------------------------------------------------------------------

WECHAT_REQUIRED = ("交易时间", "微信订单号", "商户订单号", "交易状态", "应结订单金额", "退款金额", "手续费")
WECHAT_SUMMARY = ("总交易单数", "应结订单总金额", "退款总金额", "手续费总金额")


def _ticked(row: list[str], n: int) -> list[str]:
    for cell in row:
        if not cell.startswith("`"):
            raise StatementRefused(
                f"第 {n} 行：微信账单的每个字段都应以 ` 开头，此行不是账单明细（文件被改动或不是微信账单）"
            )
    return [cell[1:].strip() for cell in row]


def parse_wechat(data: bytes, tz: str) -> ParsedStatement:
    text = _decode(data, ("utf-8-sig",), " UTF-8（微信支付交易账单）")
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    if not rows:
        raise StatementRefused("文件是空的")
    n0, head = rows[0]
    header = [h.strip().lstrip("\ufeff") for h in head]
    missing = [c for c in WECHAT_REQUIRED if c not in header]
    if missing:
        raise StatementRefused(f"第 {n0} 行：不是微信支付交易账单的表头（缺少列：{'、'.join(missing)}）")
    lines: list[ParsedLine] = []
    settled: list[int] = []
    refunded: list[int] = []
    summary_at = None
    offset = dt.timedelta(0)
    zone = ZoneInfo(tz)
    for idx, (n, row) in enumerate(rows[1:], 1):
        if row and row[0].strip().lstrip("`") == "总交易单数":
            summary_at = idx
            break
        cells = _ticked(row, n)
        if len(cells) != len(header):
            raise StatementRefused(f"第 {n} 行：有 {len(cells)} 个字段，表头有 {len(header)} 个（文件不完整或被改动）")
        raw = dict(zip(header, cells, strict=True))
        where = f"第 {n} 行"
        local = local_datetime(raw["交易时间"], where)
        offset = local.replace(tzinfo=zone).utcoffset()
        status = raw["交易状态"].upper()
        fee_ = fen(raw["手续费"], where)
        settle, refund = fen(raw["应结订单金额"], where), fen(raw["退款金额"], where)
        settled.append(settle)
        refunded.append(refund)
        if status == "SUCCESS":
            kind, amount = "payment", settle
        elif status == "REFUND":
            kind, amount = "refund", -abs(refund)
        elif status == "REVOKED":
            kind, amount = "revoked", 0
        else:
            raise StatementRefused(f"{where}：未知的交易状态“{raw['交易状态']}”")
        refund_ref = " ".join(
            x for x in (raw.get("微信退款单号", ""), raw.get("商户退款单号", "")) if x not in ("", "0")
        )
        lines.append(ParsedLine(n, kind, local - offset, local.date(), amount, fee_, raw["微信订单号"],
                                raw["商户订单号"], refund_ref, "", None, raw))
    if summary_at is None or summary_at + 1 >= len(rows):
        last = rows[-1][0]
        raise StatementRefused(
            f"文件不完整：到第 {last} 行为止没有汇总行（总交易单数、应结订单总金额…），可能下载中断，未导入"
        )
    ns, shead = rows[summary_at]
    sheader = [h.strip().lstrip("`") for h in shead]
    nv, sline = rows[summary_at + 1]
    values = [v.strip().lstrip("`") for v in sline]
    if len(values) != len(sheader) or any(c not in sheader for c in WECHAT_SUMMARY):
        raise StatementRefused(f"第 {nv} 行：汇总行与汇总表头（第 {ns} 行）不符")
    summary = dict(zip(sheader, values, strict=True))
    where = f"第 {nv} 行（汇总）"
    checks = [
        ("总交易单数", int(summary["总交易单数"]) if summary["总交易单数"].isdigit() else -1, len(lines), False),
        ("应结订单总金额", fen(summary["应结订单总金额"], where), sum(settled), True),
        ("退款总金额", fen(summary["退款总金额"], where), sum(refunded), True),
        ("手续费总金额", fen(summary["手续费总金额"], where), sum(ln.fee for ln in lines), True),
    ]
    for name, stated, actual, money in checks:
        if stated != actual:
            show = (lambda v: f"{v / 100:.2f}") if money else str
            raise StatementRefused(f"{where}：{name} {show(stated)} 与明细合计 {show(actual)} 不符，"
                                   "文件不完整或被改动，未导入")
    extra = [n for n, _ in rows[summary_at + 2:]]
    if extra:
        raise StatementRefused(f"第 {extra[0]} 行：汇总行之后还有内容，不是完整的微信账单")
    return _finish("wechat", lines, summary)


# ---- Alipay 业务明细 -------------------------------------------------------------------------

ALIPAY_REQUIRED = (
    "支付宝交易号",
    "商户订单号",
    "业务类型",
    "完成时间",
    "订单金额（元）",
    "商家实收（元）",
    "服务费（元）",
)
_ALIPAY_TOTAL = re.compile(r"(交易|退款)合计[：:]\s*(\d+)\s*笔.*?商家实收(?:退款)?共[：:]\s*(-?[\d,.]+)\s*元")


def parse_alipay(data: bytes, tz: str) -> ParsedStatement:
    text = _decode(data, ("gb18030",), " GBK（支付宝业务明细）")
    numbered = list(enumerate(text.splitlines(), 1))
    comments_above: list[str] = []
    header = None
    lines: list[ParsedLine] = []
    end_seen = False
    totals: dict[str, tuple[int, int, int]] = {}
    for n, line in numbered:
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            if header is None:
                comments_above.append(s.lstrip("#"))
            elif "业务明细列表结束" in s:
                end_seen = True
            elif end_seen:
                m = _ALIPAY_TOTAL.search(s)
                if m:
                    totals[m.group(1)] = (n, int(m.group(2)), fen(m.group(3), f"第 {n} 行"))
            continue
        if end_seen:
            raise StatementRefused(f"第 {n} 行：业务明细列表结束之后还有明细行，文件被改动")
        cells = [c.strip() for c in next(csv.reader([line]))]
        if header is None:
            header = cells
            missing = [c for c in ALIPAY_REQUIRED if c not in header]
            if missing:
                raise StatementRefused(f"第 {n} 行：不是支付宝业务明细的表头（缺少列：{'、'.join(missing)}）")
            continue
        if len(cells) < len(header):
            raise StatementRefused(f"第 {n} 行：有 {len(cells)} 个字段，表头有 {len(header)} 个（文件不完整或被改动）")
        raw = dict(zip(header, cells[:len(header)], strict=True))
        where = f"第 {n} 行"
        local = local_datetime(raw["完成时间"], where)
        business = raw["业务类型"]
        received = fen(raw["商家实收（元）"], where)
        service = abs(fen(raw["服务费（元）"], where))
        if business == "交易":
            kind, amount, fee_ = "payment", received, service
        elif business == "退款":
            kind, amount, fee_ = "refund", -abs(received), -service
        else:
            raise StatementRefused(f"{where}：未知的业务类型“{business}”")
        lines.append(
            ParsedLine(
                n,
                kind,
                _utc(local, tz),
                local.date(),
                amount,
                fee_,
                raw["支付宝交易号"],
                raw["商户订单号"],
                raw.get("退款批次号/请求号", ""),
                raw.get("对方账户", ""),
                None,
                raw,
            )
        )
    if header is None:
        raise StatementRefused("找不到支付宝业务明细的表头（支付宝交易号,商户订单号,业务类型…），不是支付宝业务明细")
    last = numbered[-1][0] if numbered else 0
    if not end_seen:
        raise StatementRefused(f"文件不完整：到第 {last} 行为止没有“业务明细列表结束”，可能下载中断，未导入")
    for business, kind in (("交易", "payment"), ("退款", "refund")):
        if business not in totals:
            raise StatementRefused(f"文件不完整：列表结束后缺少“{business}合计”行，未导入")
        n, count, stated = totals[business]
        mine = [ln for ln in lines if ln.kind == kind]
        actual = sum(ln.amount for ln in mine)
        if count != len(mine) or stated != actual:
            raise StatementRefused(f"第 {n} 行：{business}合计 {count} 笔 {stated / 100:.2f} 元，与明细 {len(mine)} 笔 "
                                   f"{actual / 100:.2f} 元不符，文件不完整或被改动，未导入")
    return _finish("alipay", lines, {"comments": comments_above,
                                     "totals": {k: {"count": v[1], "amount": v[2]} for k, v in totals.items()}})


# ---- bank / card statements through a column mapping -----------------------------------------

#: what a mapping may name: the field -> the column header of the bank's file
MAPPING_FIELDS = {
    "date": "交易日期（必填）", "time": "交易时间", "amount": "交易金额（带正负号）", "credit": "收入/贷方金额",
    "debit": "支出/借方金额", "fee": "手续费", "reference": "流水号/检索参考号", "memo": "摘要/附言/用途",
    "counterparty": "对方户名", "balance": "余额", "kind": "交易类型列（如 消费/退货）",
    "refund_values": "交易类型中表示退款的值（逗号分隔）", "date_format": "日期格式（如 %Y%m%d，可不填）",
}

BUILTIN_MAPPINGS: dict[str, dict] = {
    # 对公账户流水, the generic layout most banks can export
    "generic": {"channel": "bank", "columns": {
        "date": "交易日期", "time": "交易时间", "credit": "贷方发生额", "debit": "借方发生额",
        "counterparty": "对方户名", "reference": "流水号", "memo": "摘要", "balance": "余额"}},
    # POS 结算单 / 银联商户交易明细, generic layout
    "card-generic": {"channel": "card", "columns": {
        "date": "交易日期", "time": "交易时间", "amount": "交易金额", "fee": "手续费", "reference": "检索参考号",
        "kind": "交易类型", "refund_values": "退货,撤销,退款", "memo": "终端号"}},
}


def check_mapping(channel: str, columns: dict) -> dict:
    """A mapping as saved: known fields only, a date and an amount (or credit/debit) column."""
    unknown = [k for k in columns if k not in MAPPING_FIELDS]
    if unknown:
        raise StatementRefused(f"列映射中有未知字段：{'、'.join(unknown)}（可用：{'、'.join(MAPPING_FIELDS)}）")
    cols = {k: str(v).strip() for k, v in columns.items() if str(v).strip()}
    if "date" not in cols:
        raise StatementRefused("列映射必须指定交易日期列（date）")
    if "amount" not in cols and not ("credit" in cols or "debit" in cols):
        raise StatementRefused("列映射必须指定交易金额列（amount），或收入/支出列（credit/debit）")
    if channel not in ("bank", "card"):
        raise StatementRefused("列映射只用于银行流水（bank）和银行卡/POS 结算单（card）")
    return cols


def _table_rows(data: bytes, file_name: str) -> list[tuple[int, list[str]]]:
    if file_name.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the person's file, not a crash
            raise StatementRefused("无法读取该 XLSX 文件（文件损坏或不是 Excel 工作簿）") from None
        ws = wb.worksheets[0]
        out = []
        for n, row in enumerate(ws.iter_rows(values_only=True), 1):
            cells = []
            for v in row:
                if v is None:
                    cells.append("")
                elif isinstance(v, dt.datetime):
                    cells.append(v.strftime("%Y-%m-%d %H:%M:%S") if v.time() != dt.time() else v.strftime("%Y-%m-%d"))
                elif isinstance(v, dt.date):
                    cells.append(v.strftime("%Y-%m-%d"))
                elif isinstance(v, float):
                    cells.append(f"{Decimal(repr(v)).quantize(Decimal('0.01'))}" if v != int(v) else str(int(v)))
                else:
                    cells.append(str(v).strip())
            out.append((n, cells))
        wb.close()
        return out
    text = _decode(data, ("utf-8-sig", "gb18030"), " UTF-8 或 GBK 的 CSV")
    return [(n, [c.strip() for c in row]) for n, row in enumerate(csv.reader(io.StringIO(text)), 1)]


def parse_mapped(data: bytes, *, channel: str, mapping: dict, tz: str, file_name: str = "") -> ParsedStatement:
    cols = check_mapping(channel, mapping)
    rows = _table_rows(data, file_name)
    wanted = [cols[k] for k in ("date", "amount", "credit", "debit") if k in cols]
    header_at = next((i for i, (_, cells) in enumerate(rows) if all(w in cells for w in wanted)), None)
    if header_at is None:
        raise StatementRefused(f"找不到表头：文件中没有同时含有列“{'、'.join(wanted)}”的行（列映射与文件不符）")
    n_head, header = rows[header_at]
    missing = [cols[k] for k in ("time", "fee", "reference", "memo", "counterparty", "balance", "kind")
               if k in cols and cols[k] not in header]
    if missing:
        raise StatementRefused(f"第 {n_head} 行：表头缺少列映射中的列：{'、'.join(missing)}")
    idx = {name: header.index(name) for name in header if name}
    refund_values = {v.strip() for v in cols.get("refund_values", "").split(",") if v.strip()}
    lines: list[ParsedLine] = []
    total_row = None
    prev_balance = opening = None
    for n, cells in rows[header_at + 1:]:
        if not any(cells):
            continue
        def cell(key: str, cells: list[str] = cells) -> str:
            return cells[idx[cols[key]]] if key in cols and idx[cols[key]] < len(cells) else ""

        first = cell("date")
        if not first or any(word in " ".join(cells[:3]) for word in ("合计", "总计")):
            total_row = (n, cells)
            break
        where = f"第 {n} 行"
        stamp = first if not cell("time") else f"{first} {cell('time')}"
        local = local_datetime(stamp, where, cols.get("date_format", "") if not cell("time") else "")
        if "amount" in cols:
            amount = fen(cell("amount"), where)
        else:
            amount = fen(cell("credit"), where) - abs(fen(cell("debit"), where))
        fee_ = abs(fen(cell("fee"), where)) if "fee" in cols else 0
        if channel == "card":
            refund = cell("kind") in refund_values or amount < 0
            kind = "refund" if refund else "payment"
            amount = -abs(amount) if refund else amount
            fee_ = -fee_ if refund else fee_
        else:
            kind = "credit" if amount >= 0 else "debit"
        balance = fen(cell("balance"), where) if "balance" in cols and cell("balance") else None
        if balance is not None:
            if prev_balance is None:
                opening = balance - amount
            elif prev_balance + amount != balance:
                raise StatementRefused(f"{where}：余额 {balance / 100:.2f} 与上一行余额 {prev_balance / 100:.2f} "
                                       f"加本行发生额 {amount / 100:.2f} 不符（缺行或被改动），未导入")
            prev_balance = balance
        raw = {h: (cells[i] if i < len(cells) else "") for h, i in idx.items()}
        lines.append(ParsedLine(n, kind, _utc(local, tz), local.date(), amount, fee_, cell("reference"),
                                cell("memo"), "", cell("counterparty"), balance, raw))
    summary: dict = {"header_line": n_head}
    if total_row is not None:
        n, cells = total_row
        nums = []
        for c in cells:
            try:
                nums.append(fen(c, ""))
            except StatementRefused:
                continue
        credits = sum(ln.amount for ln in lines if ln.amount > 0)
        debits = -sum(ln.amount for ln in lines if ln.amount < 0)
        net = credits - debits
        known = {credits, debits, net, credits + debits}
        if channel == "card":
            known.add(sum(ln.fee for ln in lines))
        bad = [v for v in nums if v and v not in known and v != len(lines) * 100]
        if bad:
            raise StatementRefused(f"第 {n} 行：合计 {bad[0] / 100:.2f} 与明细（收入 {credits / 100:.2f}，"
                                   f"支出 {debits / 100:.2f}）不符，文件不完整或被改动，未导入")
        summary["total_line"] = n
    return _finish(channel, lines, summary, opening, prev_balance)


def parse(data: bytes, *, channel: str, tz: str, mapping: dict | None = None, file_name: str = "") -> ParsedStatement:
    if channel not in CHANNELS:
        raise StatementRefused(f"未知的对账渠道“{channel}”（可选：wechat、alipay、bank、card）")
    if not data:
        raise StatementRefused("文件是空的")
    if channel == "wechat":
        return parse_wechat(data, tz)
    if channel == "alipay":
        return parse_alipay(data, tz)
    if mapping is None:
        raise StatementRefused("银行流水和 POS 结算单需要列映射（--mapping）")
    return parse_mapped(data, channel=channel, mapping=mapping, tz=tz, file_name=file_name)
