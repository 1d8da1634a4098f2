"""An installed program: its files found from any folder, a broken install said in Chinese, the
Windows code paths (platform faked), logs, the CLI's last line of defence, the saved ledger choice."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path, PureWindowsPath

import pytest

from app import config, logs
from app.cli import commands as cli
from app.db import ledger_lock
from app.errors import FeeDeskError, InvalidInput, LedgerInUse, MissingResource, NotFound

REPO = config.ROOT


# -- resources ---------------------------------------------------------------------------------
def test_font_and_translation_are_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert config.font_path().read_bytes()[:4] == b"ttcf"
    assert config.resource("translations", "feedesk_zh_CN.qm").stat().st_size > 1000


def test_a_missing_font_is_a_chinese_error_not_a_fallback(tmp_path, monkeypatch):
    monkeypatch.setattr(config._resources, "files", lambda _pkg: tmp_path)
    with pytest.raises(MissingResource) as err:
        config.font_path()
    assert err.value.message == "程序文件不完整，缺少“fonts/wqy-microhei.ttc”，请重新安装收费台程序"


def test_a_missing_translation_stops_the_window_with_a_chinese_message(qapp, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.ui import i18n
    from app.ui import main as ui_main

    real = config.resource
    monkeypatch.setattr(config, "resource", lambda *parts: real(*parts) if parts[0] == "fonts"
                        else (_ for _ in ()).throw(MissingResource("/".join(parts))))
    with pytest.raises(MissingResource):
        i18n.install(qapp, "zh_CN")
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text: shown.append(text))
    monkeypatch.setattr(ui_main, "MainWindow", lambda **kw: pytest.fail("the window must not start"))
    assert ui_main.main(["--db", str(tmp_path / "x.db")]) == 1
    assert shown == ["程序文件不完整，缺少“translations/feedesk_zh_CN.qm”，请重新安装收费台程序"]
    monkeypatch.undo()
    assert i18n.install(qapp, "zh_CN")


# -- explicit imports --------------------------------------------------------------------------
BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == {name!r}:
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
"""


@pytest.mark.parametrize("module, statement", [
    ("app.cli.reports", "import app.cli.commands"),
    ("app.ui.supervisor", "from PySide6.QtWidgets import QApplication; qt = QApplication([]); "
                          "from app.db.engine import make_factory; from app.ui.main import MainWindow; "
                          "MainWindow(make_factory({db!r}), station_code='W01')"),
])
def test_a_missing_module_of_the_program_fails_loudly(module, statement, ledger):
    """Commands and screens are imported explicitly: no module is dropped silently."""
    code = BLOCK.format(name=module) + statement.format(db=str(ledger.path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode != 0 and f"blocked {module}" in proc.stderr


def test_no_module_of_the_program_is_loaded_by_name():
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "app").rglob("*.py")
                 if "import_module(" in p.read_text(encoding="utf-8")]
    assert offenders == []


# -- Windows, faked ----------------------------------------------------------------------------
def test_windows_data_folder_is_under_localappdata(monkeypatch):
    from platformdirs import windows

    # What the Windows shell API answers for the known folders: the user's environment here.
    monkeypatch.setattr(windows, "_RESOLVE_WIN_FOLDER", windows.get_win_folder_from_env_vars)
    monkeypatch.setattr(config, "PLATFORM", "win32")
    monkeypatch.delenv("FEEDESK_HOME", raising=False)
    monkeypatch.setenv("LOCALAPPDATA", r"C:\Users\wang\AppData\Local")
    monkeypatch.setenv("APPDATA", r"C:\Users\wang\AppData\Roaming")
    win = PureWindowsPath  # os.path.join here writes "/", which Windows reads as "\\"
    assert win(config.data_dir_path()) == win(r"C:\Users\wang\AppData\Local\FeeDesk")
    assert win(config.log_dir()) == win(r"C:\Users\wang\AppData\Local\FeeDesk\logs")


class FakeMsvcrt:
    """msvcrt.locking over a table of locked files (one process here plays two)."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self):
        self.locked: dict[int, int] = {}  # inode -> fd
        self.calls: list[tuple[int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        assert nbytes == 1
        self.calls.append((fd, mode))
        inode = os.fstat(fd).st_ino
        if mode == self.LK_NBLCK:
            if inode in self.locked and self.locked[inode] != fd:
                raise OSError(36, "Resource deadlock avoided")
            self.locked[inode] = fd
        else:
            self.locked.pop(inode, None)


def test_windows_ledger_lock_uses_msvcrt(tmp_path, monkeypatch):
    fake = FakeMsvcrt()
    monkeypatch.setattr(ledger_lock, "fcntl", None)
    monkeypatch.setattr(ledger_lock, "msvcrt", fake, raising=False)
    ledger = tmp_path / "l.db"
    ledger.touch()
    lock = ledger_lock.acquire(ledger, station="W01")
    assert fake.calls[-1][1] == FakeMsvcrt.LK_NBLCK
    monkeypatch.setattr(ledger_lock, "_held", {})  # another process: its own table of locks
    with pytest.raises(LedgerInUse) as err:
        ledger_lock.acquire(ledger, station="W02")
    assert "W01" in err.value.message
    lock.release()
    assert fake.calls[-1][1] == FakeMsvcrt.LK_UNLCK
    ledger_lock.acquire(ledger, station="W02").release()


def _printer(connection: str, target: str):
    from app.services.desk.print_jobs import PrinterInfo

    return PrinterInfo(id=1, name="P", station="W01", connection=connection, target=target, width_mm=80,
                       mode="text", cut="partial", drawer_pin=2, encoding="gb18030", qr_mode="native",
                       timeout_ms=3000, is_default=True)


def test_windows_printer_queue_goes_through_win32raw(monkeypatch):
    from escpos import printer as escpos_printer

    from app.printing import device

    with pytest.raises(device.PrinterError) as err:  # Linux here: not usable
        device.build_printer(_printer("windows", "POS-80"), 3)
    assert "pywin32" in err.value.message

    class FakeWin32Raw:
        @staticmethod
        def is_usable() -> bool:
            return True

        def __init__(self, name, profile=None):
            self.name, self.profile = name, profile

    monkeypatch.setattr(escpos_printer, "Win32Raw", FakeWin32Raw)
    p = device.build_printer(_printer("windows", "POS-80 收银"), 3)
    assert isinstance(p, FakeWin32Raw) and p.name == "POS-80 收银"


def test_verify_to_a_cp936_file_does_not_die_on_the_check_mark(ledger, tmp_path):
    """A Chinese Windows console or redirected file (code page 936) has no '✓'."""
    out = tmp_path / "verify.txt"
    env = {**os.environ, "PYTHONIOENCODING": "cp936", "FEEDESK_USER": "admin", "FEEDESK_PASSWORD": "admin"}
    with out.open("wb") as f:
        proc = subprocess.run([sys.executable, "-m", "app.cli.commands", "--db", str(ledger.path), "verify"], stdout=f,
                              stderr=subprocess.PIPE, env=env, cwd=REPO)
    assert proc.returncode == 0, proc.stderr.decode("cp936", "replace")
    assert "账本核验通过" in out.read_bytes().decode("cp936")


# -- logs --------------------------------------------------------------------------------------
@pytest.fixture
def log_home(tmp_path, monkeypatch):
    monkeypatch.setenv("FEEDESK_HOME", str(tmp_path))
    root = logging.getLogger(logs.ROOT_LOGGER)
    before = list(root.handlers)
    yield tmp_path / "logs"
    for h in list(root.handlers):
        if h not in before:
            root.removeHandler(h)
            h.close()


def test_the_print_queue_logs_into_the_feedesk_file(log_home):
    from app.printing import queue

    path = logs.setup("gui")
    queue.log.error("printer P1 unreachable")
    logging.getLogger("feedesk.ui").debug("not at INFO")
    text = path.read_text(encoding="utf-8")
    assert "ERROR" in text and "feedesk.printing.queue: printer P1 unreachable" in text
    assert "not at INFO" not in text
    handler = next(h for h in logging.getLogger("feedesk").handlers if isinstance(h, RotatingFileHandler))
    assert (handler.maxBytes, handler.backupCount) == (logs.MAX_BYTES, logs.BACKUPS) and handler.maxBytes > 0


def test_the_log_file_rotates_within_its_bounds(log_home, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    monkeypatch.setattr(logs, "BACKUPS", 2)
    logs.setup("cli")
    for i in range(200):
        logging.getLogger("feedesk.cli").info("line %d %s", i, "x" * 50)
    files = sorted(p.name for p in log_home.iterdir())
    assert files == ["feedesk-cli.log", "feedesk-cli.log.1", "feedesk-cli.log.2"]
    assert all((log_home / f).stat().st_size <= 2100 for f in files)


def test_feedesk_logs_prints_the_folder(log_home, capsys):
    assert cli.main(["logs"]) == 0
    out = capsys.readouterr().out
    assert f"日志文件夹：{log_home}" in out and "feedesk-cli.log" in out


def test_an_unexpected_cli_error_is_one_chinese_line_and_the_log(log_home, ledger, capsys, monkeypatch):
    def broken(ctx):
        raise KeyError("boom")

    monkeypatch.setattr(cli, "cmd_verify", broken)
    assert cli.main(["--db", str(ledger.path), "verify"]) == 2
    err = capsys.readouterr().err
    assert (
        err.strip()
        == f"程序内部出错，命令未完成，详细信息已写入日志 {log_home / 'feedesk-cli.log'}。请把日志交给管理员。"
    )
    text = (log_home / "feedesk-cli.log").read_text(encoding="utf-8")
    assert "Traceback" in text and "KeyError: 'boom'" in text


# -- PostgreSQL as an extra --------------------------------------------------------------------
def test_without_psycopg_a_shared_ledger_asks_for_the_extra(monkeypatch):
    from app.db import engine as db

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(InvalidInput) as err:
        db.make_engine("postgresql://feedesk_app@localhost/feedesk")
    assert 'pip install "feedesk[postgresql]"' in err.value.message


# -- the saved ledger choice -------------------------------------------------------------------
def test_command_line_and_environment_win_over_the_saved_choice(tmp_path, monkeypatch):
    from app.ui.main import chosen_ledger, parse_args

    monkeypatch.setenv("FEEDESK_HOME", str(tmp_path))
    monkeypatch.delenv("FEEDESK_DB", raising=False)
    monkeypatch.delenv("FEEDESK_STATION", raising=False)
    assert chosen_ledger(parse_args([])) is None  # nothing configured: the first-run set-up asks
    config.save_choice(str(tmp_path / "saved.db"), "W05")
    assert oct(config.config_file().stat().st_mode & 0o777) == "0o600"
    assert chosen_ledger(parse_args([])) == str(tmp_path / "saved.db")
    assert config.default_station() == "W05" and config.default_db() == str(tmp_path / "saved.db")
    monkeypatch.setenv("FEEDESK_DB", "env.db")
    monkeypatch.setenv("FEEDESK_STATION", "W09")
    assert chosen_ledger(parse_args([])) == "env.db" and config.default_station() == "W09"
    assert chosen_ledger(parse_args(["--db", "arg.db"])) == "arg.db"


def test_an_existing_default_ledger_file_needs_no_first_run(tmp_path, monkeypatch):
    from app.ui.main import chosen_ledger, parse_args

    monkeypatch.setenv("FEEDESK_HOME", str(tmp_path))
    monkeypatch.delenv("FEEDESK_DB", raising=False)
    (tmp_path / "feedesk.db").touch()
    assert chosen_ledger(parse_args([])) == str(tmp_path / "feedesk.db")


# -- first-run services ------------------------------------------------------------------------
def test_create_ledger_checks_the_password_policy_and_writes_nothing_when_refused(tmp_path):
    from app.services.system import setup

    path = tmp_path / "new" / "feedesk.db"
    with pytest.raises(InvalidInput, match="管理员密码至少 8 位"):
        setup.create_ledger(str(path), site_name="幸福里", admin_password="1234567", station_code="W01")
    with pytest.raises(InvalidInput, match="窗口编码"):
        setup.create_ledger(str(path), site_name="幸福里", admin_password="12345678", station_code="窗口1")
    with pytest.raises(InvalidInput, match="单位名称"):
        setup.create_ledger(str(path), site_name="  ", admin_password="12345678", station_code="W01")
    assert not path.exists()
    result = setup.create_ledger(str(path), site_name="幸福里", admin_password="s3cret-pw", station_code="w02")
    assert (result.site, result.station, result.admin_created) == ("幸福里", "W02", True)
    assert setup.check_ledger(str(path), station_code="W02") == "幸福里"
    with pytest.raises(InvalidInput, match="文件已存在"):
        setup.create_ledger(str(path), site_name="幸福里", admin_password="12345678", station_code="W01")

    from app.db.engine import make_factory
    from app.services.system import auth

    factory = make_factory(str(path))
    try:
        with factory() as s:
            assert auth.login(s, username="admin", password="s3cret-pw", station_code="W02").user.role == "admin"
    finally:
        factory.kw["bind"].dispose()


def test_check_ledger_refuses_unknown_windows_and_files_that_are_not_ledgers(ledger, tmp_path):
    from app.services.system import setup

    with pytest.raises(NotFound, match=r"账本中没有窗口 W07（已有：W01、W02）"):
        setup.check_ledger(str(ledger.path), station_code="W07")
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(FeeDeskError, match="不是收费台账本"):
        setup.check_ledger(str(junk), station_code="W01")
    with pytest.raises(NotFound, match="账本文件不存在"):
        setup.check_ledger(str(tmp_path / "none.db"), station_code="W01")
    assert setup.check_ledger(str(ledger.path), station_code="w01") == "幸福里物业服务中心"


def test_the_bundle_spec_and_launcher_name_both_programs():
    spec = (REPO / "packaging" / "feedesk.spec").read_text(encoding="utf-8")
    assert 'name="feedesk"' in spec and 'name="feedesk-gui"' in spec and "console=False" in spec
    launcher = (REPO / "packaging" / "launcher.py").read_text(encoding="utf-8")
    assert "from app.cli.commands import main" in launcher and "from app.ui.main import main" in launcher
    assert Path(REPO / "constraints.txt").read_text().count("==") > 20
