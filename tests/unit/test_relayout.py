"""scripts/relayout.py on a small tree: moves, rewrites of files it has never seen, idempotence."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("relayout", REPO / "scripts" / "relayout.py")
relayout = importlib.util.module_from_spec(spec)
spec.loader.exec_module(relayout)

TREE = {
    "app/__init__.py": "",
    "app/cli.py": "from app import cli_ops, config\n\ndef main():\n    return cli_ops.run()\n",
    "app/cli_ops.py": "def run():\n    from app.cli import table  # noqa: F401\n",
    "app/cli_meters.py": "X = 1\n",  # a command group added by someone else
    "app/config.py": "",
    "app/models/__init__.py": "",
    "app/models/db.py": 'MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"\n',
    "app/migrations/__init__.py": "",
    "app/migrations/versions/0001_a.py": "from app.migrations import pg_roles\n",
    "app/services/__init__.py": "def run(): ...\n",
    "app/services/closes.py": "from app.services import Actor, audit, run\n",
    "app/services/printing.py": "",
    "app/services/gadgets.py": (  # new module, never seen: its imports are rewritten, it stays
        "from app.services import (  # noqa: E402\n    billing,\n    run,\n)\n"
        "from app.services.closes import close_shift as c\nimport app.models.db as db\n"),
    "app/printing/queue.py": "from app.services import printing as svc\n",
    "tests/test_x.py": ('import pytest\n\ndef test(monkeypatch):\n'
                        '    monkeypatch.setattr("app.services.closes.utcnow", None)\n'
                        '    assert "from app.cli import main" in open("launcher").read()\n'
                        '    run(["python", "-m", "app.cli"])\n'),
    "pyproject.toml": 'feedesk = "app.cli:main"\nextend-exclude = ["app/migrations/versions"]\n',
    "docs/x.md": "See `app/services/closes.py`, `services/printing.py` and `cli_ops.py` (issue 7).\n",
}


def make(tmp_path: Path) -> Path:
    for rel, text in TREE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    return tmp_path


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def test_moves_and_rewrites_by_module_mapping(tmp_path):
    root = make(tmp_path)
    assert relayout.main([str(root), "--no-format"]) == 0
    assert not (root / "app/cli.py").exists() and (root / "app/cli/commands.py").exists()
    assert (root / "app/cli/meters.py").exists() and (root / "app/db/migrations/versions/0001_a.py").exists()
    assert (root / "app/services/desk/print_jobs.py").exists()
    assert (root / "app/services/gadgets.py").exists()  # not placed: listed, left where it is
    assert read(root, "app/cli/commands.py").startswith(
        "from app.cli import admin as cli_ops\nfrom app import config\n")
    assert "from app.cli.commands import table  # noqa: F401" in read(root, "app/cli/admin.py")
    assert read(root, "app/services/gadgets.py") == (
        "from app.services.bills import billing  # noqa: E402\nfrom app.services import run  # noqa: E402\n"
        "from app.services.desk.closes import close_shift as c\nimport app.db.engine as db\n")
    assert read(root, "app/services/desk/closes.py") == (
        "from app.services import Actor, run\nfrom app.services.journal import audit\n")
    assert read(root, "app/printing/queue.py") == "from app.services.desk import print_jobs as svc\n"
    assert read(root, "app/db/migrations/versions/0001_a.py") == "from app.db.migrations import pg_roles\n"
    assert read(root, "app/db/engine.py") == 'MIGRATIONS = Path(__file__).resolve().parent / "migrations"\n'
    test = read(root, "tests/test_x.py")
    assert '"app.services.desk.closes.utcnow"' in test and '"from app.cli.commands import main"' in test
    assert '"-m", "app.cli.commands"' in test
    assert read(root, "pyproject.toml").startswith(
        'feedesk = "app.cli.commands:main"\nextend-exclude = ["app/db/migrations/versions"]\n')
    assert read(root, "docs/x.md") == ("See `app/services/desk/closes.py`, `services/desk/print_jobs.py` and "
                                       "`cli/admin.py` (issue 7).\n")


def test_a_second_run_changes_nothing(tmp_path):
    root = make(tmp_path)
    relayout.main([str(root), "--no-format"])
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    relayout.main([str(root), "--no-format"])
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before
