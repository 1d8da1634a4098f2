"""The one-folder program (packaging/feedesk.spec) works away from the source and the venv."""

from __future__ import annotations

import os

import pytest

from tests.install.conftest import assert_counter_day, clean_env, counter_day, run

pytestmark = pytest.mark.install


def test_the_bundle_holds_both_programs_and_what_they_read(bundle):
    assert os.access(bundle / "feedesk", os.X_OK) and os.access(bundle / "feedesk-gui", os.X_OK)
    internal = bundle / "_internal"
    for name in (
        "app/resources/fonts/wqy-microhei.ttc",
        "app/resources/translations/feedesk_zh_CN.qm",
        "app/db/migrations/env.py",
        "app/db/migrations/script.py.mako",
        "app/db/migrations/versions/0001_core_ledger.py",
        "escpos/capabilities.json",
    ):
        assert (internal / name).is_file(), name
    assert not (internal / "app" / "cli.py").exists()  # the program's code is compiled into the archive


def test_a_counter_day_with_the_bundle_from_another_folder(bundle, tmp_path):
    work = tmp_path / "office"
    work.mkdir()
    seen = counter_day([str(bundle / "feedesk")], [str(bundle / "feedesk-gui")], work)
    assert_counter_day(seen)


def test_every_command_group_and_screen_is_in_the_bundle(bundle, tmp_path):
    """Modules imported explicitly are found by the bundler: commands of every group are there."""
    env = clean_env(tmp_path / "home")
    usage = run([str(bundle / "feedesk"), "--help"], tmp_path, env).stdout
    for command in ("pay", "handin", "printer", "report", "restore", "logs"):  # cli, cli_cashdesk, ..., cli_ops
        assert command in usage, command
    out = run([str(bundle / "feedesk"), "logs"], tmp_path, env).stdout
    assert f"日志文件夹：{tmp_path / 'home' / '.local' / 'share' / 'FeeDesk' / 'logs'}" in out
