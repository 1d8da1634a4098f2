"""Regenerate feedesk_zh_CN.ts from the tr()/N_() strings of app/ui and compile the .qm.

Usage: .venv/bin/python resources/translations/update_ts.py [--check]
The Chinese texts live in ZH below (English source -> zh_CN). A string without a
translation fails the run (and tests/ui/test_translations.py), so nothing reaches the
cashier untranslated. `--check` only reports, writing nothing.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TS = HERE / "feedesk_zh_CN.ts"
QM = HERE / "feedesk_zh_CN.qm"
CONTEXT = "FeeDesk"


def source_strings() -> list[str]:
    found: dict[str, None] = {}
    for path in sorted((ROOT / "app" / "ui").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "N_") \
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found[node.args[0].value] = None
    return list(found)


def load_zh() -> dict[str, str]:
    from zh_CN import ZH  # noqa: PLC0415 - the table sits next to this script

    return ZH


def write_ts(strings: list[str], zh: dict[str, str]) -> None:
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
           '<TS version="2.1" language="zh_CN" sourcelanguage="en">', "<context>", f"    <name>{CONTEXT}</name>"]
    for s in strings:
        out += ["    <message>", f"        <source>{escape(s)}</source>",
                f"        <translation>{escape(zh[s])}</translation>", "    </message>"]
    out += ["</context>", "</TS>", ""]
    TS.write_text("\n".join(out), encoding="utf-8")


def lrelease() -> None:
    exe = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run([str(exe), "-silent", str(TS), "-qm", str(QM)], check=True)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    strings = source_strings()
    zh = load_zh()
    missing = [s for s in strings if not zh.get(s)]
    if missing:
        print("untranslated:", *missing, sep="\n  ")
        return 1
    if "--check" not in argv:
        write_ts(strings, zh)
        lrelease()
        print(f"{len(strings)} strings -> {TS.name}, {QM.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
