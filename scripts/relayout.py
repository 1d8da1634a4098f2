"""The layout of docs/architecture.md, made: move the files, rewrite every reference (issue #16).

    python scripts/relayout.py [--no-format] [ROOT]

Run from a worktree's root (or pass it). It is idempotent: a second run changes nothing.

1. Moves (`git mv`) each module of MOVES to its new home, creating the subject packages with
   a docstring-only `__init__.py`. A top-level `app/cli_X.py` that MOVES does not name (a command
   group someone added) goes to `app/cli/X.py` by the same rule.
2. Rewrites every reference, by module mapping rather than by a list of lines, so it works on
   files it has never seen:
   - `from app.services import Actor, closes` → `from app.services import Actor` +
     `from app.services.desk import closes` (a renamed module keeps its local name:
     `from app.services import printing` → `from app.services.desk import print_jobs as printing`);
   - every dotted name `app.x.y[.attr]` in any text (imports, `import ... as`, monkeypatch and
     mock.patch strings, `python -m`, entry points, hiddenimports, docs);
   - every path `app/x/y.py` and the short forms `services/x.py`, `models/db.py`, `cli_x.py`.
   A name is rewritten when its longest prefix that is an OLD module is at least as long as its
   longest prefix that exists NOW (after the moves); that keeps `app.cli.main` (new) apart from
   `app.cli.run_command` (an attribute of the old `app/cli.py`).
3. A few fixes no mapping can make (a path computed from `__file__`, the PyInstaller spec's path
   pieces), each applied only where the old text is found; "(issue N)" dropped from app/'s
   comments; `app/ui/qtcompat.py` removed (its ctypes reference patch is for PySide6 6.12, which
   pyproject excludes): `emit(self.sig, x)` becomes `self.sig.emit(x)` wherever it was imported.
4. `ruff check --fix --select I` (import order after the rewrites), then `ruff format` of the
   lines longer than the configured width (`--no-format` skips it), then `ruff check`.

Modules it does not place (a new `app/services/x.py`) are listed at the end: add them to MOVES.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

#: old module → new module. A package maps its whole subtree (`app.migrations.env` → ...).
MOVES: dict[str, str] = {
    # the command line: one package, one module per command group
    "app.cli": "app.cli.commands",
    "app.cli_cashdesk": "app.cli.cashdesk",
    "app.cli_ops": "app.cli.admin",
    "app.cli_printing": "app.cli.printing",
    "app.cli_reconcile": "app.cli.reconcile",
    "app.cli_reports": "app.cli.reports",
    # how the ledger is reached
    "app.models.db": "app.db.engine",
    "app.ledger_lock": "app.db.ledger_lock",
    "app.migrations": "app.db.migrations",
    "app.services.ledgerfile": "app.db.ledgerfile",
    # services by subject
    "app.services.ledger": "app.services.journal.ledger",
    "app.services.audit": "app.services.journal.audit",
    "app.services.sealing": "app.services.journal.sealing",
    "app.services.verify": "app.services.journal.verify",
    "app.services.concurrency": "app.services.journal.concurrency",
    "app.services.accounts": "app.services.master.accounts",
    "app.services.admin": "app.services.master.admin",
    "app.services.owners": "app.services.master.owners",
    "app.services.tickets": "app.services.master.tickets",
    "app.services.billing": "app.services.bills.billing",
    "app.services.fees": "app.services.bills.fees",
    "app.services.meters": "app.services.bills.meters",
    "app.services.arrears": "app.services.bills.arrears",
    "app.services.bill_notices": "app.services.bills.bill_notices",
    "app.services.cashdesk": "app.services.desk.cashdesk",
    "app.services.payments": "app.services.desk.payments",
    "app.services.payment_plan": "app.services.desk.payment_plan",
    "app.services.shifts": "app.services.desk.shifts",
    "app.services.closes": "app.services.desk.closes",
    "app.services.corrections": "app.services.desk.corrections",
    "app.services.settlement": "app.services.desk.settlement",
    "app.services.receipts": "app.services.desk.receipts",
    "app.services.receipt_stock": "app.services.desk.receipt_stock",
    "app.services.receipt_mark": "app.services.desk.receipt_mark",
    "app.services.stations": "app.services.desk.stations",
    "app.services.printing": "app.services.desk.print_jobs",
    "app.ui.reads": "app.services.desk.reads",
    "app.services.dunning": "app.services.collection.dunning",
    "app.services.reconcile": "app.services.bank.reconcile",
    "app.services.statements": "app.services.bank.statements",
    "app.services.auth": "app.services.system.auth",
    "app.services.settings": "app.services.system.settings",
    "app.services.setup": "app.services.system.setup",
    "app.services.backup": "app.services.system.backup",
    "app.services.dbmigrate": "app.services.system.dbmigrate",
    "app.services.demo": "app.services.system.demo",
}

#: the old modules of MOVES that are packages (folders)
OLD_PACKAGES = {"app.migrations"}

#: the docstring of each new package's __init__.py
PACKAGES: dict[str, str] = {
    "app.cli": "`feedesk`: commands.py (parser, log-in, top-level commands, main) and one module per "
               "command group.",
    "app.db": "How the ledger is reached: engine and sessions, the single-writer lock, the ledger file, "
              "migrations.",
    "app.services.journal": "The journal: postings (the one door), the audit chain, seals, verify, locks.",
    "app.services.master": "Master data: accounts and people, account edits and site settings, owners, "
                           "tickets.",
    "app.services.bills": "What is owed: bill runs, meter readings, tariffs, arrears, bill notices.",
    "app.services.desk": "The counter: payments, shifts, drawer closes, corrections, settlement, receipts, "
                         "print jobs.",
    "app.services.collection": "Collection of arrears: dunning runs, contact log, repayment plans.",
    "app.services.bank": "Statements from providers and banks, and reconciliation against the ledger.",
    "app.services.system": "Users and log-in, settings, setting up, backup and restore, moving to a "
                           "server, the demo.",
}

#: modules that stay where they are (anything else under app/services/ or app/ is reported)
SETTLED = {"app.services.clock", "app.services.validate", "app.services.reports", "app.services.report_views",
           "app.money",
           "app.errors", "app.labels", "app.config", "app.logs"}

#: text files whose references are rewritten (by suffix, or by name)
SUFFIXES = {".py", ".pyi", ".toml", ".cfg", ".ini", ".spec", ".md", ".txt", ".mako", ".sh", ".sql",
            ".yml", ".yaml"}
NAMES = {"Makefile", "run"}  # .ci/run
#: never rewritten: this script and its test hold the old names on purpose
SKIP = {"scripts/relayout.py", "tests/unit/test_relayout.py"}

#: (file after the moves, old text, new text): what a mapping cannot say
FIXES = [
    ("app/db/engine.py", 'Path(__file__).resolve().parent.parent / "migrations"',
     'Path(__file__).resolve().parent / "migrations"'),
    ("packaging/feedesk.spec", 'STAGE / "app" / "migrations"', 'STAGE / "app" / "db" / "migrations"'),
    # the width the code is, enforced (E501); the format step fixes the longer statements
    ("pyproject.toml", "line-length = 100\n", "line-length = 120\n"),
    ("pyproject.toml", 'ignore = ["E501", "B008"]', 'ignore = ["B008"]'),
]
RUFF_PER_FILE = """
[tool.ruff.lint.per-file-ignores]
# The translation table: one English string and its Chinese per line, as translators read it.
"resources/translations/zh_CN.py" = ["E501"]
"""

ISSUE_REF = re.compile(r"[ \t]*\(issues? #?\d+(?:\.\d+)?\)|(?<=# )issue #?\d+(?:\.\d+)?: ")
QTCOMPAT_IMPORT = re.compile(r"^[ \t]*from app\.ui\.qtcompat import [\w, ]+\n", re.MULTILINE)
QTCOMPAT_CALL = re.compile(r"(?<![\w.])emit\(\s*([\w.]+)\s*(?:,\s*|(?=\)))")
#: (file, old text, new text) once qtcompat is gone
QTCOMPAT_FIXES = [
    ("app/ui/__init__.py", "\nprotect_singletons()  # before any Qt call: PySide6 6.12 / CPython 3.11 reference "
                           "defect (see qtcompat)\n", ""),
    ("pyproject.toml", " and aborts a busy window (app/ui/qtcompat.py).", " and aborts a busy window."),
    ("docs/gui.md", " `app/ui/qtcompat.py` guards it (`protect_singletons()`\n  at import of `app.ui`; "
                    "`emit()` for every Python-side emit). CPython ≥ 3.12 is not affected.",
     " pyproject.toml excludes it\n  (`<6.12`). CPython ≥ 3.12 is not affected."),
]
#: tests of the removed helper: (file, top-level function)
QTCOMPAT_TESTS = [("tests/ui/test_robustness.py", "test_ui_code_emits_only_through_the_compat_helper")]

DOTTED = re.compile(r"(?<![\w.])app(?:\.\w+)+")
PATH = re.compile(r"(?<![\w./-])app/(?:\w+/)*\w+(?:\.py)?/?")
SHORT_PATH = re.compile(r"(?<![\w./-])(?:(?:services|models|ui|migrations)/(?:\w+/)*\w+(?:\.py)?/?"
                        r"|cli_\w+\.py\b)")
NAME_AS = r"\w+(?:[ \t]+as[ \t]+\w+)?"
FROM_IMPORT = re.compile(
    r"(?P<lead>^[ \t]*|)from[ \t]+(?P<mod>app(?:\.\w+)*)[ \t]+import[ \t]*"
    r"(?:\((?P<paren>[^)]*)\)|(?P<plain>" + NAME_AS + r"(?:[ \t]*,[ \t]*" + NAME_AS + r")*))",
    re.MULTILINE)
NAMES_RE = re.compile(FROM_IMPORT.pattern + "|" + DOTTED.pattern, re.MULTILINE)


class Layout:
    def __init__(self, root: Path):
        self.root = root
        self.moves = dict(MOVES)
        for path in sorted((root / "app").glob("cli_*.py")):  # command groups added since
            self.moves.setdefault(f"app.{path.stem}", f"app.cli.{path.stem[4:]}")
        self.now: set[str] = set()

    # -- what exists -----------------------------------------------------------------------
    def scan(self) -> None:
        """The modules and packages that exist on disk now."""
        self.now = set()
        for path in (self.root / "app").rglob("*.py"):
            rel = path.relative_to(self.root).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            self.now.add(".".join(parts))

    def new_name(self, dotted: str) -> str:
        """`dotted` with its old module prefix replaced; unchanged if it is new already."""
        parts = dotted.split(".")
        old = now = 0
        for n in range(1, len(parts) + 1):
            prefix = ".".join(parts[:n])
            if prefix in self.moves:
                old = n
            if prefix in self.now:
                now = n
        if old == 0 or now > old:
            return dotted
        return ".".join([self.moves[".".join(parts[:old])], *parts[old:]])

    # -- step 1: moves ---------------------------------------------------------------------
    def move_files(self) -> list[str]:
        done = []
        for package, doc in PACKAGES.items():
            init = self.root / package.replace(".", "/") / "__init__.py"
            if not init.exists():
                done.append(f"create {init.relative_to(self.root)}")
                init.parent.mkdir(parents=True, exist_ok=True)
                init.write_text(f'"""{doc}"""\n', encoding="utf-8")
        # app.cli first: app/cli.py must leave before app/cli/ is a package holding it
        for old, new in sorted(self.moves.items(), key=lambda kv: kv[0] != "app.cli"):
            src = self.root / old.replace(".", "/")
            src = src if old in OLD_PACKAGES else src.with_suffix(".py")
            if not src.exists():
                continue
            dst = self.root / new.replace(".", "/")
            dst = dst if old in OLD_PACKAGES else dst.with_suffix(".py")
            if dst.exists() and not (dst.is_dir() and not any(dst.iterdir())):
                sys.exit(f"relayout: both {src.relative_to(self.root)} and {dst.relative_to(self.root)} "
                         "exist; merge them by hand first")
            done.append(f"move {src.relative_to(self.root)} -> {dst.relative_to(self.root)}")
            dst.parent.mkdir(parents=True, exist_ok=True)
            if dst.is_dir():
                dst.rmdir()
            tracked = subprocess.run(["git", "ls-files", "--error-unmatch", str(src)], cwd=self.root,
                                     capture_output=True).returncode == 0
            if tracked:
                subprocess.run(["git", "mv", str(src), str(dst)], cwd=self.root, check=True)
            else:
                shutil.move(str(src), str(dst))
        return done

    # -- step 2: references ----------------------------------------------------------------
    def rewrite_from_import(self, m: re.Match) -> str:
        """`from MOD import a, b as c`: each name goes where its module went; the local names stay."""
        mod = m["mod"]
        body = m["paren"] if m["paren"] is not None else m["plain"]
        items = [i.strip() for i in re.sub(r"#[^\n]*", "", body).replace("\n", " ").split(",")]
        groups: dict[str, list[str]] = {}
        changed = False
        for item in filter(None, items):
            name, _, alias = (p.strip() for p in item.partition(" as "))
            package, _, leaf = self.new_name(f"{mod}.{name}").rpartition(".")
            local = alias or name
            changed |= (package, leaf) != (mod, name)
            groups.setdefault(package, []).append(leaf if leaf == local else f"{leaf} as {local}")
        if not changed:
            return m[0]
        statements = [f"from {package} import {', '.join(names)}" for package, names in groups.items()]
        lead = m["lead"] or ""
        if m.start() == 0 or m.string[m.start() - 1] == "\n":  # a statement on its own line
            # a trailing comment (noqa E402) holds for each of the statements it becomes
            comment = (re.match(r"[ \t]*#[^\n]*", m.string[m.end():])
                       or re.match(r"[ \t]*#[^\n]*", m["paren"] or ""))  # or after the opening parenthesis
            tail = comment[0] if comment else ""
            last = tail if m["paren"] is not None else ""  # else the comment is still there after it
            return lead + (tail + "\n" + lead).join(statements) + last
        return "; ".join(statements)

    def rewrite_path(self, text: str, short: bool) -> str:
        prefix = "" if not short else "app/"
        path = prefix + text
        trail = "/" if path.endswith("/") else ""
        path = path.rstrip("/")
        is_file = path.endswith(".py")
        stem = path[:-3] if is_file else path
        dotted = stem.replace("/", ".")
        if not all(p.isidentifier() or p[:1].isdigit() for p in dotted.split(".")):
            return text
        new = self.new_name(dotted)
        if new == dotted:
            return text
        # a directory reference may only follow a package's move
        if not is_file and not any(dotted == package or dotted.startswith(package + ".")
                                   for package in OLD_PACKAGES):
            return text
        out = new.replace(".", "/") + (".py" if is_file else "") + trail
        return out[len(prefix):]

    def rewrite_text(self, text: str) -> str:
        # one pass, so that the module of a `from ... import` is resolved with its names
        text = NAMES_RE.sub(lambda m: self.rewrite_from_import(m) if m["mod"] else self.new_name(m[0]), text)
        text = PATH.sub(lambda m: self.rewrite_path(m[0], short=False), text)
        text = SHORT_PATH.sub(lambda m: self.rewrite_path(m[0], short=True), text)
        return text

    def text_files(self) -> list[Path]:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                                cwd=self.root, capture_output=True, text=True, check=True).stdout
        files = []
        for rel in sorted(set(listed.split("\n"))):
            path = self.root / rel
            if not rel or rel in SKIP or not path.is_file():
                continue
            if path.suffix in SUFFIXES or path.name in NAMES:
                files.append(path)
        return files

    def rewrite_all(self) -> list[str]:
        changed = []
        for path in self.text_files():
            try:
                old = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            rel = str(path.relative_to(self.root))
            new = self.rewrite_text(old)
            for file, before, after in FIXES:
                if rel == file:
                    new = new.replace(before, after)
            if rel == "pyproject.toml" and "[tool.ruff.lint.per-file-ignores]" not in new:
                new = new.rstrip("\n") + "\n" + RUFF_PER_FILE
            if new != old:
                changed.append(f"rewrite {rel}")
                path.write_text(new, encoding="utf-8")
        return changed

    def drop_issue_numbers(self) -> list[str]:
        changed = []
        for path in sorted((self.root / "app").rglob("*.py")):
            old = path.read_text(encoding="utf-8")
            new = ISSUE_REF.sub("", old)
            if new != old:
                path.write_text(new, encoding="utf-8")
                changed.append(f"drop issue numbers {path.relative_to(self.root)}")
        return changed

    def drop_qtcompat(self) -> list[str]:
        compat = self.root / "app" / "ui" / "qtcompat.py"
        if not compat.exists():
            return []
        changed = [f"remove {compat.relative_to(self.root)}"]
        if subprocess.run(["git", "rm", "-q", str(compat)], cwd=self.root, capture_output=True).returncode:
            compat.unlink()
        for path in self.text_files():
            rel = str(path.relative_to(self.root))
            old = path.read_text(encoding="utf-8", errors="surrogateescape")
            new = old
            if path.suffix == ".py" and QTCOMPAT_IMPORT.search(old):
                new = QTCOMPAT_CALL.sub(lambda m: f"{m[1]}.emit(", QTCOMPAT_IMPORT.sub("", new))
                new = new.replace("from app.ui.qtcompat import protect_singletons\n", "")
            for file, before, after in QTCOMPAT_FIXES:
                if rel == file:
                    new = new.replace(before, after)
            for file, name in QTCOMPAT_TESTS:
                if rel == file:
                    new = re.sub(rf"\ndef {name}\(.*?(?=\n(?:\S)|\Z)", "", new, flags=re.S)
                    new = re.sub(r"\n{4,}", "\n\n\n", new)
            if new != old:
                path.write_text(new, encoding="utf-8", errors="surrogateescape")
                changed.append(f"drop qtcompat {rel}")
        return changed

    def unplaced(self) -> list[str]:
        left = []
        for path in sorted((self.root / "app" / "services").glob("*.py")):
            name = f"app.services.{path.stem}"
            if path.stem != "__init__" and name not in SETTLED:
                left.append(name)
        for path in sorted((self.root / "app").glob("*.py")):
            name = f"app.{path.stem}"
            if path.stem != "__init__" and name not in SETTLED:
                left.append(name)
        return left


def ruff(root: Path, *args: str) -> int:
    exe = shutil.which("ruff", path=str(root / ".venv" / "bin")) or shutil.which("ruff")
    if exe is None:
        print("relayout: ruff not found; run it yourself", file=sys.stderr)
        return 0
    return subprocess.run([exe, *args], cwd=root).returncode


def format_long_lines(root: Path) -> None:
    """`ruff format` only the statements with a line over the configured width (the rest of
    the file keeps its hand layout): one --range per over-long line, innermost first."""
    exe = shutil.which("ruff", path=str(root / ".venv" / "bin")) or shutil.which("ruff")
    if exe is None:
        return
    report = subprocess.run([exe, "check", "--select", "E501", "--output-format", "concise", "-q", "."],
                            cwd=root, capture_output=True, text=True).stdout
    lines: dict[str, list[int]] = {}
    for row in report.splitlines():
        match = re.match(r"(.+?):(\d+):\d+: E501", row)
        if match:
            lines.setdefault(match[1], []).append(int(match[2]))
    for file, numbers in lines.items():
        for number in sorted(numbers, reverse=True):  # bottom up: line numbers above stay right
            subprocess.run([exe, "format", "-q", "--range", f"{number}:1-{number + 1}:1", file],
                           cwd=root, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", default=".")
    parser.add_argument("--no-format", action="store_true", help="skip ruff (import order, long lines)")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    if not (root / "app").is_dir():
        parser.error(f"{root} has no app/ folder")
    layout = Layout(root)
    work = layout.move_files()
    layout.scan()
    work += layout.rewrite_all()
    work += layout.drop_issue_numbers()
    work += layout.drop_qtcompat()
    for line in work:
        print(line)
    left = layout.unplaced()
    if left:
        print("relayout: not placed (add them to MOVES in scripts/relayout.py): " + ", ".join(left))
    if args.no_format:
        return 0
    ruff(root, "check", "-q", "--fix", "--select", "I,F401", ".")
    format_long_lines(root)
    ruff(root, "check", "-q", "--fix", "--select", "I,F401", ".")
    return 1 if ruff(root, "check", "-q", ".") else 0


if __name__ == "__main__":
    sys.exit(main())
