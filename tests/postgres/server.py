"""A throwaway PostgreSQL server for tests, the stress run and the benchmark.

`PgServer().start()` runs Debian's own binaries (`initdb`, `pg_ctl`) on loopback, in a
temporary directory, with a free port, and `stop()` removes everything again. Nothing is
installed or left running. The cluster gets the site roles of `scripts/pg-setup.sql`
(`feedesk_owner`, `feedesk_app`), so tests use the same set-up as a real site.

As root (CI runs `.ci/run` as root) `initdb` refuses to run, so the server runs as an
unprivileged user (`postgres`, which the Debian package creates, else `nobody`) in a
temporary directory owned by it. As a normal user it simply runs as that user.

If the binaries cannot be found, `find_bindir()` raises: the PostgreSQL pass must fail
loudly, never be skipped.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
SETUP_SQL = ROOT / "scripts" / "pg-setup.sql"
OWNER = "feedesk_owner"
APP = "feedesk_app"
OWNER_PASSWORD = "owner-test-pw"
APP_PASSWORD = "app-test-pw"
SUPERUSER = "postgres"
MIN_VERSION = 15


class PostgresNotFound(RuntimeError):
    pass


def find_bindir() -> Path:
    """Directory of `initdb`/`pg_ctl` (env FEEDESK_PG_BINDIR, Debian's layout, or PATH)."""
    env = os.environ.get("FEEDESK_PG_BINDIR")
    candidates: list[Path] = [Path(env)] if env else []
    versions = []
    for d in glob.glob("/usr/lib/postgresql/*/bin"):
        m = re.search(r"/postgresql/(\d+)/bin$", d)
        if m and int(m.group(1)) >= MIN_VERSION:
            versions.append((int(m.group(1)), Path(d)))
    candidates += [d for _, d in sorted(versions, reverse=True)]
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for d in candidates:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    raise PostgresNotFound(
        f"PostgreSQL {MIN_VERSION}+ server binaries (initdb, pg_ctl) not found: install the Debian "
        "package postgresql-15 (bash scripts/system-deps.sh) or set FEEDESK_PG_BINDIR. "
        "The PostgreSQL test pass never skips.")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_statements(owner_password: str, app_password: str) -> list[str]:
    """The statements of scripts/pg-setup.sql with psql's :'vars' filled in."""
    text = SETUP_SQL.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("--", "\\")))
    lit = {"owner_password": owner_password, "app_password": app_password}
    for name, value in lit.items():
        text = text.replace(f":'{name}'", "'" + value.replace("'", "''") + "'")
    return [s.strip() for s in text.split(";") if s.strip()]


class PgServer:
    """One temporary cluster. `url(db, user)` gives a SQLAlchemy URL on loopback."""

    def __init__(self, *, durable: bool = False, max_connections: int = 200):
        self.bindir = find_bindir()
        self.durable = durable
        self.max_connections = max_connections
        self.port = 0
        self.tmp: Path | None = None
        self._run_as: pwd.struct_passwd | None = None
        self._started = False

    # -- process management -------------------------------------------------------------

    def _cmd(self, args: list[str], **kw) -> subprocess.CompletedProcess:
        extra = {}
        if self._run_as is not None:
            extra = dict(user=self._run_as.pw_uid, group=self._run_as.pw_gid, extra_groups=[])
        return subprocess.run(args, check=True, capture_output=True, text=True, cwd=self.tmp, **extra, **kw)

    def start(self) -> PgServer:
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self._run_as = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
            else:
                raise PostgresNotFound("running as root but no unprivileged user (postgres/nobody) for the server")
        # As root the server's user must reach the directory: not under a private TMPDIR.
        base = os.environ.get("FEEDESK_PG_TMP") or ("/tmp" if self._run_as is not None else None)
        self.tmp = Path(tempfile.mkdtemp(prefix="feedesk-pg-", dir=base))
        if self._run_as is not None:
            os.chown(self.tmp, self._run_as.pw_uid, self._run_as.pw_gid)
        data = self.tmp / "data"
        try:
            self._cmd([str(self.bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust",
                       "-E", "UTF8", "--no-locale", "--no-sync"])
        except subprocess.CalledProcessError as exc:
            raise PostgresNotFound(f"initdb failed: {exc.stderr or exc.stdout}") from exc
        opts = ["-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={self.tmp}",
                f"-c max_connections={self.max_connections}", "-c shared_buffers=128MB",
                "-c log_min_messages=warning", "-c deadlock_timeout=200ms",
                "-c wal_level=minimal", "-c max_wal_senders=0"]
        if not self.durable:
            # A test server: nothing here must survive a crash, so skip the disk flushes.
            opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        for _attempt in range(5):
            self.port = _free_port()
            try:
                self._cmd([str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.tmp / "server.log"),
                           "-w", "-t", "60", "-o", " ".join([f"-p {self.port}", *opts]), "start"])
                break
            except subprocess.CalledProcessError as exc:
                log = (
                    (self.tmp / "server.log").read_text(errors="replace") if (self.tmp / "server.log").exists() else ""
                )
                if "could not bind" in log or "already in use" in log:
                    time.sleep(0.2)
                    continue
                self.stop()
                raise PostgresNotFound(f"pg_ctl start failed: {exc.stderr}\n{log}") from exc
        else:
            self.stop()
            raise PostgresNotFound("pg_ctl start failed: no free port")
        self._started = True
        atexit.register(self.stop)
        self._create_roles()
        return self

    def stop(self) -> None:
        if self.tmp is None:
            return
        if self._started:
            try:
                self._cmd([str(self.bindir / "pg_ctl"), "-D", str(self.tmp / "data"), "-m", "immediate", "-w",
                           "stop"])
            except subprocess.CalledProcessError:
                pass
            self._started = False
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- databases ----------------------------------------------------------------------

    def url(self, dbname: str, user: str = OWNER) -> str:
        password = {OWNER: OWNER_PASSWORD, APP: APP_PASSWORD}.get(user, "")
        auth = f"{user}:{password}@" if password else f"{user}@"
        return f"postgresql://{auth}127.0.0.1:{self.port}/{dbname}"

    def admin(self) -> psycopg.Connection:
        """An autocommit superuser connection (CREATE/DROP DATABASE)."""
        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
                               autocommit=True)

    def _create_roles(self) -> None:
        with self.admin() as conn:
            for stmt in setup_statements(OWNER_PASSWORD, APP_PASSWORD):
                conn.execute(stmt)

    def create_database(self, name: str, *, template: str | None = None) -> None:
        with self.admin() as conn:
            tmpl = f" TEMPLATE {template}" if template else ""
            conn.execute(f"CREATE DATABASE {name} OWNER {OWNER}{tmpl}")
            conn.execute(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
            conn.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {name} TO {APP}")

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class LedgerPool:
    """Per-test ledger databases, fast: reuse a database by resetting it to the template's rows.

    CREATE DATABASE ... TEMPLATE copies the whole catalog (about half a second a test); a
    reset is a DELETE from every table plus COPY of the template's few rows, done as the
    superuser with `session_replication_role = replica` (so the append-only triggers, which
    the tests must never be able to bypass themselves, let the harness clean up). A database
    whose schema, triggers or grants a test changed is dropped instead of reused.
    """

    def __init__(self, server: PgServer, template: str):
        self.server = server
        self.template = template
        self.free: list[str] = []
        self._n = 0
        with self._connect(template) as conn:
            self.tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
            self.rows: dict[str, bytes] = {}
            for t in self.tables:
                with conn.cursor().copy(f'COPY "{t}" TO STDOUT (FORMAT BINARY)') as cp:
                    data = b"".join(bytes(chunk) for chunk in cp)
                if conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{t}")').fetchone()[0]:
                    self.rows[t] = data
            self.sequences = conn.execute(
                "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public'").fetchall()
            self.fingerprint = self._fingerprint(conn)

    def _connect(self, db: str) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.server.port, user=SUPERUSER, dbname=db)

    @staticmethod
    def _fingerprint(conn) -> str:
        """Tables, columns, grants and triggers of the public schema (pg_catalog: fast)."""
        return conn.execute(
            "SELECT md5(coalesce((SELECT string_agg(c.relname || ':' || c.relkind::text || ':'"
            " || coalesce(c.relacl::text, '') || ':' || a.attname || ':' || a.atttypid::text || ':'"
            " || coalesce(a.attacl::text, ''), ',' ORDER BY c.relname, a.attnum)"
            " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            " WHERE c.relnamespace = 'public'::regnamespace), '')"
            " || coalesce((SELECT string_agg(t.tgname || t.tgenabled::text, ',' ORDER BY t.tgname)"
            " FROM pg_trigger t WHERE NOT t.tgisinternal), ''))").fetchone()[0]

    def acquire(self) -> str:
        if self.free:
            return self.free.pop()
        self._n += 1
        name = f"{self.template}_{os.getpid()}_{self._n}"
        self.server.create_database(name, template=self.template)
        return name

    def release(self, name: str) -> None:
        """Reset the database for the next test, or drop it if a test changed its schema."""
        try:
            with self.server.admin() as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            with self._connect(name) as conn:
                if self._fingerprint(conn) != self.fingerprint:
                    raise RuntimeError("schema changed by the test")
                conn.execute("SET session_replication_role = replica")
                # DELETE, not TRUNCATE: a test's few rows go faster than new files for 48 tables.
                for t in self.tables:
                    conn.execute(f'DELETE FROM "{t}"')
                for t, data in self.rows.items():
                    with conn.cursor().copy(f'COPY "{t}" FROM STDIN (FORMAT BINARY)') as cp:
                        cp.write(data)
                for seq, value in self.sequences:
                    if value is None:
                        conn.execute("SELECT setval(%s::regclass, 1, false)", (seq,))
                    else:
                        conn.execute("SELECT setval(%s::regclass, %s::bigint, true)", (seq, value))
            self.free.append(name)
        except Exception:
            self.server.drop_database(name)

    def close(self) -> None:
        while self.free:
            self.server.drop_database(self.free.pop())
