"""Real database servers for the connector tests and bench/db.py (issue 15): no mocks.

- `PostgresServer`: Debian's PostgreSQL (15 here). `initdb` into a fresh directory under /tmp
  (as the `postgres` OS user when we are root: the server refuses to run as root), started on
  127.0.0.1 on a free port with its unix socket in that directory, password (scram) logins only.
  Roles: `decipher_owner` owns the sample tables, `decipher_reader` may only SELECT them.
- `SparkConnectServer`: the Spark Connect server of the pyspark release that `make db-deps`
  installs in .venv/spark-server (its spark-connect jar), run by Debian's OpenJDK 17 on
  127.0.0.1 on a free port, offline, with an in-memory catalog and its warehouse in its own
  directory. It starts offline, so the tests use a real Spark Connect server, not a local-mode
  SparkSession.

Both are plain subprocesses; `output()` gives their log for a failing test, `stop()` ends them
and deletes their files.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
START_TIMEOUT_S: Final = 120
OWNER: Final = "decipher_owner"
READER: Final = "decipher_reader"
DATABASE: Final = "decipher"
# Characters that must be percent-encoded in a URL: the parser and redaction are tested on them.
PASSWORD_PUNCTUATION: Final = "p@ss:w/rd%"

# DuckDB type of a loaded sample column -> PostgreSQL column type.
PG_TYPES: Final = {
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp",
}

# Files PostgreSQL itself creates and deletes while it serves reads: WAL, statistics,
# transaction status, the relation-cache init file, sort spill files, the pid file.
PG_CHURN: Final = (
    "pg_wal/",
    "pg_stat/",
    "pg_stat_tmp/",
    "pg_xact/",
    "pg_subtrans/",
    "pg_multixact/",
    "pg_logical/",
    "pg_notify/",
    "pg_snapshots/",
    "base/pgsql_tmp/",
    "postmaster.pid",
    "postmaster.opts",
    "server.log",
    "pg_internal.init",
    ".s.PGSQL",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin_dir() -> Path | None:
    """Debian's /usr/lib/postgresql/<major>/bin (newest), or wherever `initdb` is on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major, reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _major(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def spark_server_home() -> Path | None:
    """The Spark release `make db-deps` installs in .venv/spark-server (jars + spark-submit)."""
    home = ROOT / ".venv" / "spark-server" / "pyspark"
    return home if (home / "bin" / "spark-submit").exists() else None


def java_bin() -> str | None:
    return shutil.which("java", path="/usr/lib/jvm/java-17-openjdk-amd64/bin") or shutil.which(
        "java"
    )


def _wait_port(port: int, process: subprocess.Popen, what: str, output) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{output()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on port {port} in {START_TIMEOUT_S} s:\n{output()}")


class PostgresServer:
    """A throw-away PostgreSQL cluster on 127.0.0.1; `url(role)` gives a connection URL."""

    def __init__(self, *, extra_settings: dict[str, str] | None = None) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise FileNotFoundError("PostgreSQL server binaries not found (make db-deps)")
        self.bin = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="decipher-pg-"))
        self.data = self.root / "data"
        self.log_path = self.root / "server.log"
        self.passwords = {
            "postgres": secrets.token_urlsafe(12),
            OWNER: secrets.token_urlsafe(12),
            READER: PASSWORD_PUNCTUATION + secrets.token_urlsafe(12),
        }
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        started = time.monotonic()
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.passwords["postgres"] + "\n")
        if self._as_postgres:
            shutil.chown(pwfile, "postgres", "postgres")
        pwfile.chmod(0o600)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        pwfile.unlink()
        self.initdb_s = time.monotonic() - started
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.root),
            "fsync": "off",  # a test cluster: durability is not what we test
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "autovacuum": "off",  # the data directory's file list must hold still between checks
            "logging_collector": "off",
            **(extra_settings or {}),
        }
        options = " ".join(f"-c {k}={v}" for k, v in settings.items())
        started = time.monotonic()
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log_path),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "start",
        )
        self.start_s = time.monotonic() - started
        self.admin_sql(
            f"CREATE ROLE {OWNER} LOGIN PASSWORD '{self.passwords[OWNER]}';"
            f"CREATE ROLE {READER} LOGIN PASSWORD '{self.passwords[READER]}';"
            f"CREATE DATABASE {DATABASE} OWNER {OWNER};"
            f"REVOKE ALL ON DATABASE {DATABASE} FROM PUBLIC;"
            f"GRANT CONNECT ON DATABASE {DATABASE} TO {READER};"
        )
        self.admin_sql(
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
            f"ALTER SCHEMA public OWNER TO {OWNER};"
            f"GRANT USAGE ON SCHEMA public TO {READER};"
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA public "
            f"GRANT SELECT ON TABLES TO {READER};",
            database=DATABASE,
        )

    def _run(self, *argv: str, stdin: str | None = None) -> str:
        command = ["runuser", "-u", "postgres", "--", *argv] if self._as_postgres else list(argv)
        proc = subprocess.run(
            command, input=stdin, capture_output=True, text=True, cwd=self.root, timeout=600
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} failed:\n{proc.stdout}{proc.stderr}")
        return proc.stdout

    def url(self, role: str = READER, database: str = DATABASE) -> str:
        from urllib.parse import quote

        return f"postgresql://{role}:{quote(self.passwords[role], safe='')}@127.0.0.1:{self.port}/{database}"

    def psql(
        self, sql: str, *, role: str = "postgres", database: str = DATABASE, timing: bool = False
    ) -> str:
        """Run SQL through psql over TCP as `role`; returns psql's unaligned output."""
        argv = [
            str(self.bin / "psql"),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            role,
            "-d",
            database,
        ]
        env = {**os.environ, "PGPASSWORD": self.passwords[role], "PGCONNECT_TIMEOUT": "10"}
        script = ("\\timing on\n" if timing else "") + sql
        proc = subprocess.run(
            argv, input=script, capture_output=True, text=True, env=env, timeout=600
        )
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed: {proc.stderr.strip()}")
        return proc.stdout

    def admin_sql(self, sql: str, *, database: str = "postgres") -> str:
        return self.psql(sql, role="postgres", database=database)

    def load_csv(self, name: str, columns: list[tuple[str, str]], csv_path: Path) -> None:
        """CREATE TABLE `name` owned by decipher_owner and COPY the CSV (with header) into it."""
        cols = ", ".join(f'"{c}" {PG_TYPES[t]}' for c, t in columns)
        self.psql(
            f'CREATE TABLE "{name}" ({cols});\n'
            f"\\copy \"{name}\" FROM '{csv_path}' WITH (FORMAT csv, HEADER true)\n"
            f'ANALYZE "{name}";',
            role=OWNER,
        )

    def data_files(self) -> set[str]:
        """The data directory's files, minus what the server churns on its own (see PG_CHURN).

        A CHECKPOINT first: a dropped table's files stay (truncated) until the next checkpoint,
        so scratch tables other tests dropped earlier would otherwise vanish between two
        listings whenever the server happened to checkpoint in between."""
        self.admin_sql("CHECKPOINT;")
        found = set()
        for path in self.data.rglob("*"):
            rel = path.relative_to(self.data).as_posix()
            if path.is_file() and not any(part in rel for part in PG_CHURN):
                found.add(rel)
        return found

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                print(f"pg_ctl stop: {exc}", file=sys.stderr)
        shutil.rmtree(self.root, ignore_errors=True)


class SparkConnectServer:
    """pyspark's Spark Connect server (JVM) on 127.0.0.1; `url` is `sc://127.0.0.1:<port>`."""

    def __init__(self, *, memory_mb: int = 1024) -> None:
        java = java_bin()
        spark_home = spark_server_home()
        if java is None or spark_home is None:
            raise FileNotFoundError("java or the Spark server jars are missing (make db-deps)")
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="decipher-spark-"))
        self.warehouse = self.root / "warehouse"
        self.log_path = self.root / "server.log"
        self.url = f"sc://127.0.0.1:{self.port}"
        self.owner: Any = None  # the loading session (tests read checksums through it)
        env = {
            **os.environ,
            "SPARK_HOME": str(spark_home),
            "JAVA_HOME": str(Path(java).resolve().parent.parent),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_LOCAL_DIRS": str(self.root / "local"),
            "SPARK_CONF_DIR": str(self.root),  # no site configuration is picked up
        }
        conf = {
            "spark.master": "local[2]",
            "spark.driver.memory": f"{memory_mb}m",
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(self.port),
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.ui.enabled": "false",
            "spark.sql.catalogImplementation": "in-memory",
            "spark.sql.warehouse.dir": str(self.warehouse),
            "spark.sql.shuffle.partitions": "4",  # 2 cores: the default 200 tasks cost seconds
            "spark.sql.session.timeZone": "UTC",
            "spark.log.level": "WARN",
        }
        argv = [str(spark_home / "bin" / "spark-submit")]
        for key, value in conf.items():
            argv += ["--conf", f"{key}={value}"]
        argv += [
            "--class",
            "org.apache.spark.sql.connect.service.SparkConnectServer",
            "--name",
            "decipher-test",
            "spark-internal",
        ]
        started = time.monotonic()
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            argv,
            cwd=self.root,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_port(self.port, self.process, "Spark Connect server", self.output)
        self.start_s = time.monotonic() - started

    def session(self) -> Any:
        """A Spark Connect client session (the owner's: tests load tables through it)."""
        from pyspark.sql import SparkSession
        from pyspark.sql.connect.client.retries import DefaultPolicy

        session = SparkSession.builder.remote(self.url).create()
        session.client.set_retry_policies([DefaultPolicy(max_retries=3, max_backoff=2000)])
        return session

    def warehouse_files(self) -> set[str]:
        return {
            p.relative_to(self.root).as_posix()
            for p in self.root.rglob("*")
            if p.is_file()
            and not p.relative_to(self.root).as_posix().startswith(("local/", "server.log"))
        }

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.root, ignore_errors=True)
