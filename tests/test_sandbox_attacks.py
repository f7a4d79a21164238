"""Security suite: hostile code against the real sandbox; each harm is checked, not assumed (issue #3).

Canaries: a readable file next to the data, OPENAI_API_KEY in this (the app's) environment, TCP and
UDP listeners and a unix socket on this machine, an output directory the app can write, the
dataset's Arrow file and CSV (hashed), and the process table. Each attack must end with the
expected error kind (or, where the OS quietly returns failure, an answer that proves nothing
happened), and afterwards no canary may have leaked or changed.
"""

from __future__ import annotations

import os
import pickle
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox_support import (
    SAMPLE_DATA,
    SECRET,
    descendants,
    file_hash,
    load_tables,
    secret_in_environ,
)

CANARY_TEXT = "canary-file-7c41e0"
B, R = "blocked", "runtime"
OK = "ok"  # the OS refused quietly (e.g. system() returns -1): the harm checks decide


@dataclass
class Canaries:
    dir: Path
    canary: Path
    out: Path
    unix_path: Path
    tcp: socket.socket
    udp: socket.socket
    unix: socket.socket
    connections: list[str]
    arrow: Path
    hashes: dict[Path, str]

    def fill(self, code: str) -> str:
        values = {
            "CANARY": self.canary,
            "OUT": self.out,
            "DIR": self.dir,
            "UNIX": self.unix_path,
            "TCP_PORT": self.tcp.getsockname()[1],
            "UDP_PORT": self.udp.getsockname()[1],
            "APP_PID": os.getpid(),
            "ARROW": self.arrow,
        }
        for name, value in values.items():
            code = code.replace(f"@{name}@", str(value))
        assert "@" not in code, code
        return code


def _listen(sock: socket.socket, connections: list[str], name: str) -> None:
    def loop() -> None:
        while True:
            try:
                if sock.type == socket.SOCK_DGRAM:
                    sock.recvfrom(65536)
                else:
                    conn, _ = sock.accept()
                    conn.close()
            except OSError:
                return  # closed at teardown
            connections.append(name)

    threading.Thread(target=loop, daemon=True).start()


@pytest.fixture(scope="module")
def canaries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Canaries]:
    base = tmp_path_factory.mktemp("attacks")
    canary = base / "canary.txt"
    canary.write_text(CANARY_TEXT)
    out = base / "out"
    out.mkdir()
    # A pickle that would create a file when loaded: proof that nothing unpickles it.
    (base / "evil.pkl").write_bytes(pickle.dumps(_Evil(str(out / "unpickled"))))
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"secret": [CANARY_TEXT]}), base / "secret.parquet")
    connections: list[str] = []
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix_path = base / "app.sock"
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(unix_path))
    unix.listen()
    for sock, name in ((tcp, "tcp"), (udp, "udp"), (unix, "unix")):
        _listen(sock, connections, name)
    tables = load_tables(base)
    hashed = [t.arrow_path for t in tables] + [SAMPLE_DATA / "sales.csv", canary]
    yield Canaries(
        base,
        canary,
        out,
        unix_path,
        tcp,
        udp,
        unix,
        connections,
        tables[0].arrow_path,
        {p: file_hash(p) for p in hashed},
    )
    for sock in (tcp, udp, unix):
        sock.close()


class _Evil:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


@pytest.fixture(scope="module")
def sandbox(canaries: Canaries) -> Iterator[Any]:
    from engine.config import load_settings
    from engine.sandbox import Sandbox

    settings = load_settings(
        env={},
        data_dir=str(canaries.dir / "data"),
        sandbox_memory_mb=768,
        sandbox_timeout_s=3.0,
        max_output_bytes=100_000,
        max_result_mb=8,
    )
    with secret_in_environ():  # the zygote starts while the app has the key
        box = Sandbox(load_tables(canaries.dir / "tables"), settings)
        box.layers  # noqa: B018 - wait for the zygote while the key is set
    with box:
        yield box


ATTACKS: list[tuple[str, str, set[str]]] = [
    # -- file read and write
    ("open-passwd", "result = open('/etc/passwd').read()", {B}),
    ("open-canary", "result = open('@CANARY@').read()", {B}),
    ("pathlib-read", "from pathlib import Path\nresult = Path('@CANARY@').read_text()", {B}),
    ("io-open", "import io\nresult = io.open('/etc/shadow').read()", {B}),
    ("os-open", "import os\nfd = os.open('@CANARY@', os.O_RDONLY)\nresult = os.read(fd, 99)", {B}),
    ("listdir-root", "import os\nresult = os.listdir('/root')", {B}),
    ("listdir-home", "import os\nresult = os.listdir('/home')", {B}),
    ("listdir-tmp", "import os\nresult = os.listdir('/tmp')", {B}),
    ("listdir-project", "import os\nresult = os.listdir('/work')", {B}),
    ("write-out", "open('@OUT@/written.txt', 'w').write('x')\nresult = 1", {B}),
    ("write-tmp", "open('/tmp/decipher-attack.txt', 'w').write('x')\nresult = 1", {B}),
    # the working directory is the run's own folder (issue 14); two levels up is the app's
    ("write-above-folder", "open('../../written.txt', 'w').write('x')\nresult = 1", {B}),
    ("truncate-canary", "open('@CANARY@', 'w').close()\nresult = 1", {B}),
    ("write-arrow", "f = open('@ARROW@', 'r+b')\nf.write(b'x')\nresult = 1", {B}),
    ("write-dataset-csv", f"open('{SAMPLE_DATA}/sales.csv', 'a').write('9,9')\nresult = 1", {B}),
    ("unlink-canary", "import os\nos.unlink('@CANARY@')\nresult = 1", {B}),
    ("rename-canary", "import os\nos.rename('@CANARY@', '@OUT@/moved')\nresult = 1", {B}),
    ("mkdir", "import os\nos.mkdir('@OUT@/newdir')\nresult = 1", {B}),
    ("shutil-copy", "import shutil\nshutil.copy('@CANARY@', '@OUT@/copy')\nresult = 1", {B}),
    ("tempfile", "import tempfile\nresult = tempfile.mkstemp()[1]", {OK}),  # its own tmp/
    ("symlink", "import os\nos.symlink('@CANARY@', '@OUT@/link')\nresult = 1", {B}),
    ("read-venv-config", "import sys\nresult = open(sys.prefix + '/pyvenv.cfg').read()", {B}),
    # -- environment and secrets
    ("environ-key", "import os\nresult = os.environ['OPENAI_API_KEY']", {R}),
    ("environ-dump", "import os\nresult = dict(os.environ)", {OK}),
    ("getenv", "import os\nresult = str(os.getenv('OPENAI_API_KEY'))", {OK}),
    (
        "posix-environ",
        "import posix\nresult = {k.decode(): v.decode() for k, v in posix.environ.items()}",
        {OK},
    ),  # noqa: E501
    # -- /proc
    ("proc-self-environ", "result = open('/proc/self/environ').read()", {B}),
    ("proc-app-environ", "result = open('/proc/@APP_PID@/environ', 'rb').read()", {B}),
    (
        "proc-parent-environ",
        "import os\nresult = open(f'/proc/{os.getppid()}/environ').read()",
        {B},
    ),  # noqa: E501
    ("proc-app-cmdline", "result = open('/proc/@APP_PID@/cmdline').read()", {B}),
    ("proc-app-mem", "result = open('/proc/@APP_PID@/mem', 'rb').read(10)", {B}),
    ("proc-listdir", "import os\nresult = os.listdir('/proc')", {B}),
    ("proc-1-root", "import os\nresult = os.listdir('/proc/1/root')", {B}),
    # -- subprocess and exec
    (
        "subprocess-run",
        "import subprocess\nresult = subprocess.run(['id'], capture_output=True).stdout",
        {B},
    ),  # noqa: E501
    (
        "subprocess-shell",
        "import subprocess\nresult = subprocess.check_output('cat @CANARY@', shell=True)",
        {B},
    ),  # noqa: E501
    ("os-system", "import os\nresult = os.system('touch @OUT@/system')", {OK}),
    ("os-popen", "import os\nresult = os.popen('cat @CANARY@').read()", {B, OK}),
    ("os-execv", "import os\nos.execv('/bin/sh', ['sh', '-c', 'touch @OUT@/execv'])", {B}),
    (
        "os-posix-spawn",
        "import os\nresult = os.posix_spawn('/bin/touch', ['touch', '@OUT@/spawn'], {})",
        {B},
    ),  # noqa: E501
    ("os-fork", "import os\nresult = os.fork()", {B}),
    ("pty-spawn", "import pty\nresult = pty.fork()", {B, R}),  # "out of pty devices"
    (
        "multiprocessing",
        "import multiprocessing as mp\np = mp.Process(target=print)\np.start()\nresult = 1",
        {B},
    ),  # noqa: E501
    # -- sockets
    (
        "tcp-connect",
        "import socket\ns = socket.create_connection(('127.0.0.1', @TCP_PORT@), 2)\nresult = 1",
        {B},
    ),  # noqa: E501
    ("tcp6", "import socket\ns = socket.socket(socket.AF_INET6)\nresult = 1", {B}),
    (
        "udp-send",
        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.sendto(b'x', ('127.0.0.1', @UDP_PORT@))\nresult = 1",
        {B},
    ),  # noqa: E501
    (
        "unix-connect",
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('@UNIX@')\nresult = 1",
        {B},
    ),  # noqa: E501
    ("socketpair", "import socket\nresult = str(socket.socketpair())", {B}),
    (
        "netlink",
        "import socket\ns = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)\nresult = 1",
        {B},
    ),  # noqa: E501
    (
        "urllib",
        "import urllib.request\nresult = urllib.request.urlopen('http://127.0.0.1:@TCP_PORT@/').read()",
        {B},
    ),  # noqa: E501
    (
        "http-client",
        "import http.client\nc = http.client.HTTPConnection('127.0.0.1', @TCP_PORT@)\nc.request('GET', '/')\nresult = 1",
        {B},
    ),  # noqa: E501
    ("pandas-url", "result = pd.read_csv('http://127.0.0.1:@TCP_PORT@/x.csv')", {B}),
    # -- import tricks and object-graph walks
    ("dunder-import", "result = __import__('os').popen('id').read()", {B, OK}),
    (
        "importlib",
        "import importlib\nresult = importlib.import_module('subprocess').run(['id'])",
        {B},
    ),  # noqa: E501
    ("builtins-open", "import builtins\nresult = builtins.open('@CANARY@').read()", {B}),
    (
        "subclasses-fileio",
        "def walk(c):\n    for s in type.__subclasses__(c):\n        yield s\n        yield from walk(s)\nio = next(c for c in walk(().__class__.__base__) if c.__name__ == 'FileIO')\nresult = io('@CANARY@').read()",
        {B},
    ),  # noqa: E501
    (
        "subclasses-popen",
        "p = [c for c in object.__subclasses__() if c.__name__ == 'Popen'] or __import__('subprocess').Popen.__mro__[:1]\nresult = p[0](['id']).wait()",
        {B},
    ),  # noqa: E501
    (
        "subclasses-wrap-close",
        "w = [c for c in object.__subclasses__() if c.__name__ == '_wrap_close'][0]\nresult = w.__init__.__globals__['system']('touch @OUT@/wrap')",
        {OK},
    ),  # noqa: E501
    (
        "frame-walk",
        "import sys\nf = sys._getframe()\nwhile f.f_back: f = f.f_back\nresult = f.f_globals['os'].listdir('/')",
        {B},
    ),  # noqa: E501
    (
        "traceback-walk",
        "try:\n    1/0\nexcept ZeroDivisionError as e:\n    g = e.__traceback__.tb_frame.f_globals\nresult = g['__builtins__']['open']('@CANARY@').read()",
        {B},
    ),  # noqa: E501
    (
        "generator-frame",
        "gen = (x for x in [1])\nresult = gen.gi_frame.f_builtins['open']('/etc/hostname').read()",
        {B},
    ),  # noqa: E501
    ("func-globals", "result = sql.__globals__['os'].listdir('/work')", {B}),
    (
        "closure-connection",
        "con = [c.cell_contents for c in sql.__closure__ if isinstance(c.cell_contents, dict)][0]\nsql('select 1')\nresult = con['con'].sql(\"select * from read_text('@CANARY@')\").df()",
        {B},
    ),  # noqa: E501
    ("sys-modules", "import sys\nresult = sys.modules['os'].popen('id').read()", {B, OK}),
    # -- pandas, numpy and plotly I/O
    ("pd-read-csv", "result = pd.read_csv('/etc/passwd', sep=':', header=None)", {B}),
    ("pd-read-canary", "result = pd.read_csv('@CANARY@')", {B}),
    ("pd-read-parquet", "result = pd.read_parquet('@DIR@/secret.parquet')", {B}),
    ("pd-read-feather", "result = pd.read_feather('@DIR@/secret.parquet')", {B}),
    ("pd-read-json", "result = pd.read_json('/etc/hostname')", {B}),
    ("pd-read-pickle", "result = pd.read_pickle('@DIR@/evil.pkl')", {B}),
    ("pd-read-fwf", "result = pd.read_fwf('/etc/hostname')", {B}),
    ("df-to-csv", "df.to_csv('@OUT@/leak.csv')\nresult = 1", {B}),
    ("df-to-parquet", "df.to_parquet('@OUT@/leak.parquet')\nresult = 1", {B}),
    ("df-to-pickle", "df.to_pickle('@OUT@/leak.pkl')\nresult = 1", {B}),
    ("df-to-json", "df.to_json('/tmp/leak.json')\nresult = 1", {B}),
    ("df-to-excel", "df.head().to_excel('@OUT@/leak.xlsx')\nresult = 1", {B, R}),
    ("np-load", "result = np.load('@ARROW@', allow_pickle=True)", {B}),
    ("np-loadtxt", "result = np.loadtxt('@CANARY@', dtype=str)", {B}),
    ("np-fromfile", "result = np.fromfile('/etc/hostname', dtype=np.uint8)", {B}),
    ("np-savetxt", "np.savetxt('@OUT@/leak.txt', np.arange(3))\nresult = 1", {B}),
    ("np-save", "np.save('@OUT@/leak.npy', np.arange(3))\nresult = 1", {B}),
    ("plotly-write-html", "px.bar(x=[1], y=[1]).write_html('@OUT@/leak.html')\nresult = 1", {B}),
    ("plotly-write-json", "px.bar(x=[1], y=[1]).write_json('/tmp/leak.json')\nresult = 1", {B}),
    ("plotly-show", "px.bar(x=[1], y=[1]).show(renderer='browser')\nresult = 1", {B, R}),
    # -- DuckDB SQL I/O
    ("sql-read-csv", "result = sql(\"SELECT * FROM read_csv('/etc/passwd')\")", {B}),
    ("sql-read-text", "result = sql(\"SELECT * FROM read_text('@CANARY@')\")", {B}),
    ("sql-read-blob", "result = sql(\"SELECT * FROM read_blob('/etc/hostname')\")", {B}),
    ("sql-read-parquet", "result = sql(\"SELECT * FROM read_parquet('@ARROW@')\")", {B}),
    ("sql-glob", "result = sql(\"SELECT * FROM glob('/etc/*')\")", {B}),
    ("sql-copy-to", "result = sql(\"COPY sales TO '@OUT@/copy.csv'\")", {B}),
    ("sql-attach", "result = sql(\"ATTACH '@OUT@/x.duckdb' AS x\")", {B}),
    ("sql-install", "result = sql('INSTALL httpfs')", {B}),
    ("sql-load", "result = sql('LOAD httpfs')", {B}),
    ("sql-set-access", "result = sql('SET enable_external_access = true')", {B}),
    (
        "sql-http",
        "result = sql(\"SELECT * FROM read_csv('http://127.0.0.1:@TCP_PORT@/x.csv')\")",
        {B},
    ),  # noqa: E501
    (
        "duckdb-own-connection",
        "import duckdb\nresult = duckdb.connect().sql(\"SELECT * FROM read_text('@CANARY@')\").df()",
        {B},
    ),  # noqa: E501
    ("duckdb-file-db", "import duckdb\nduckdb.connect('@OUT@/own.duckdb')\nresult = 1", {B}),
    # Threads started by the code or by DuckDB inherit every layer (Landlock and seccomp bind
    # the calling thread and its later threads only).
    (
        "thread-read",
        "import threading\nout = []\ndef read():\n    try:\n        out.append(open('@CANARY@').read())\n    except OSError as e:\n        out.append(repr(e))\nt = threading.Thread(target=read)\nt.start()\nt.join()\nresult = out[0]",
        {OK},
    ),  # noqa: E501
    (
        "duckdb-udf-thread",
        "sql('select 1')\ncon = [c.cell_contents for c in sql.__closure__ if isinstance(c.cell_contents, dict)][0]['con']\ncon.create_function('leak', lambda x: open('@CANARY@').read(), ['BIGINT'], 'VARCHAR')\nresult = con.sql('SELECT leak(range) FROM range(100000)').df()",
        {B},
    ),  # noqa: E501
    # -- ctypes
    (
        "ctypes-system",
        "import ctypes\nresult = ctypes.CDLL(None).system(b'touch @OUT@/ctypes')",
        {OK},
    ),
    ("ctypes-execve", "import ctypes\nresult = ctypes.CDLL(None).execv(b'/bin/sh', None)", {OK}),
    ("ctypes-socket", "import ctypes\nresult = ctypes.CDLL(None).socket(2, 1, 0)", {OK}),
    (
        "ctypes-ptrace",
        "import ctypes\nresult = ctypes.CDLL(None).ptrace(16, @APP_PID@, 0, 0)",
        {OK},
    ),
    ("ctypes-segfault", "import ctypes\nresult = ctypes.string_at(0)", {R}),
    # The zygote's memory-mapped Arrow table (reachable through sql's closure) is read-only.
    (
        "ctypes-write-mapped-table",
        "import ctypes\nt = [c.cell_contents for c in sql.__closure__ if isinstance(c.cell_contents, list)][0][0][1]\nbuf = t.column('quantity').chunk(0).buffers()[1]\nctypes.memmove(buf.address, b'\\xff' * 64, 64)\nresult = 1",
        {R},
    ),  # noqa: E501
    # -- signals
    ("kill-parent", "import os\nos.kill(os.getppid(), 9)\nresult = 1", {B}),
    ("kill-app", "import os, signal\nos.kill(@APP_PID@, signal.SIGTERM)\nresult = 1", {B}),
    ("kill-init", "import os\nos.kill(1, 0)\nresult = 1", {B}),
    ("kill-everyone", "import os\nos.kill(-1, 9)\nresult = 1", {B}),
    ("killpg", "import os\nos.killpg(os.getpgid(0), 9)\nresult = 1", {B}),
    ("kill-group-zero", "import os\nos.kill(0, 9)\nresult = 1", {B}),
    ("pidfd", "import os\nresult = os.pidfd_open(os.getppid())", {B}),
    # -- escaping the namespace and privileges
    ("unshare", "import ctypes\nresult = ctypes.CDLL(None).unshare(0x20000)", {OK}),
    ("chroot", "import os\nos.chroot('/')\nresult = 1", {B}),
    ("setuid", "import os\nos.setuid(0)\nresult = 1", {B}),
]

# What a quiet refusal returns: -1 or a non-zero exit status, never success.
QUIET_FAILURES = {
    "tempfile": lambda v: "/run/tmp/" in str(v),  # inside the run's folder, gone with it
    "thread-read": lambda v: "PermissionError" in v,
    "environ-dump": lambda v: "OPENAI_API_KEY" not in str(v),
    "getenv": lambda v: v == "None",
    "posix-environ": lambda v: "OPENAI_API_KEY" not in str(v),
    "os-system": lambda v: v != 0,
    "os-popen": lambda v: v == "",
    "dunder-import": lambda v: v == "",
    "sys-modules": lambda v: v == "",
    "subclasses-wrap-close": lambda v: v != 0,
    "ctypes-system": lambda v: v != 0,
    "ctypes-execve": lambda v: v == -1,
    "ctypes-socket": lambda v: v == -1,
    "ctypes-ptrace": lambda v: v == -1,
    "unshare": lambda v: v == -1,
}


def _answer_value(run: Any) -> Any:
    if run.answer is None:
        return None
    if run.answer.table is not None:
        return [list(r) for r in run.answer.table.rows]
    return run.answer.value


def test_at_least_sixty_attacks() -> None:
    assert len(ATTACKS) >= 60
    assert len({name for name, _, _ in ATTACKS}) == len(ATTACKS)


@pytest.mark.parametrize(
    "code,kinds", [(c, k) for _, c, k in ATTACKS], ids=[n for n, _, _ in ATTACKS]
)
def test_attack_is_refused_and_harmless(
    sandbox: Any, canaries: Canaries, request: pytest.FixtureRequest, code: str, kinds: set[str]
) -> None:
    name = request.node.callspec.id
    run = sandbox.run(canaries.fill(code))
    outcome = OK if run.ok else run.error.kind
    assert outcome in kinds, (run.error, run.answer)
    if run.ok:
        assert QUIET_FAILURES[name](_answer_value(run)), run.answer
    if run.error is not None and run.error.kind == B:
        assert "refused" in run.error.message  # says what happened and what to do instead
    # The concrete harms: nothing leaked, nothing written, nothing reached, nothing changed.
    everything = repr((run.answer and run.answer.to_json(), run.stdout, run.error))
    assert SECRET not in everything
    assert CANARY_TEXT not in everything
    assert "root:x:0:0" not in everything
    assert list(canaries.out.iterdir()) == []
    assert not Path("/tmp/decipher-attack.txt").exists()
    assert canaries.connections == []
    assert {p: file_hash(p) for p in canaries.hashes} == canaries.hashes
    assert descendants(sandbox.worker_pid) == set()  # the run's child is gone


def test_app_and_data_survive_every_attack(sandbox: Any) -> None:
    run = sandbox.run("result = (len(df), len(sales), int(df['quantity'].sum()))")
    assert run.ok, run.error
    assert run.answer.table.rows[0][0] == 5000


def test_zygote_environment_has_no_secret(sandbox: Any) -> None:
    with open(f"/proc/{sandbox.worker_pid}/environ", "rb") as f:
        environ = f.read()
    assert SECRET.encode() not in environ
    assert b"OPENAI_API_KEY" not in environ


def test_blocked_message_names_the_intent(sandbox: Any) -> None:
    run = sandbox.run("import socket\nsocket.create_connection(('127.0.0.1', 9))")
    assert run.error.kind == B
    assert run.error.message.startswith("This code tries to open a network connection.")
