"""Files a run writes and tables it saves, against the real sandbox (issue 14).

Legitimate writes come back whole (CSV, a two-sheet workbook, Parquet, a zip, plotly HTML,
matplotlib figures); hostile ones are refused or dropped, and the harm itself is checked: nothing
outside the run's folder exists or changed afterwards, nothing kept is a link or reads like
/etc/passwd, and the next run starts in an empty folder.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from engine.outputs import FileLimits
from tests.sandbox_support import file_hash, load_tables

MB = 1024 * 1024


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from engine.config import load_settings
    from engine.sandbox import Sandbox

    base = tmp_path_factory.mktemp("files")
    settings = load_settings(
        env={},
        data_dir=str(base / "data"),
        sandbox_memory_mb=768,
        sandbox_timeout_s=3.0,
        max_file_mb=1,
        max_files_mb=3,
        max_files=5,
    )
    with Sandbox(load_tables(base / "tables"), settings, files_dir=base / "kept") as sandbox:
        yield sandbox


@pytest.fixture
def victims(tmp_path: Path) -> dict[Path, str]:
    """Files the code must not touch: another session's kept file and the app's own data."""
    other = tmp_path / "other-session" / "files" / "run-1"
    other.mkdir(parents=True)
    (other / "secret.csv").write_text("canary-other-session\n")
    return {p: file_hash(p) for p in [other / "secret.csv"]}


def kept(run: Any) -> dict[str, bytes]:
    return {f.name: Path(f.path).read_bytes() for f in run.files}


def run_ok(box: Any, code: str) -> Any:
    run = box.run(code)
    assert run.ok, run.error
    return run


# -- what users ask for ------------------------------------------------------------------------
def test_a_cleaned_csv_and_a_two_sheet_workbook_come_back(box: Any) -> None:
    run = run_ok(
        box,
        "clean = df.dropna().head(20)\n"
        "clean.to_csv('clean.csv', index=False)\n"
        "with pd.ExcelWriter('by_region.xlsx') as book:\n"
        "    for region, part in df.head(40).groupby('region'):\n"
        "        part.to_excel(book, sheet_name=region, index=False)\n"
        "result = len(clean)",
    )
    files = {f.name: f for f in run.files}
    assert set(files) == {"clean.csv", "by_region.xlsx"}
    assert files["clean.csv"].media_type == "text/csv"
    assert files["by_region.xlsx"].media_type.endswith("spreadsheetml.sheet")
    assert len(pd.read_csv(files["clean.csv"].path)) == 20
    sheets = pd.read_excel(files["by_region.xlsx"].path, sheet_name=None)
    expected = sorted(pd.read_csv(files["clean.csv"].path)["region"].unique())
    assert sorted(sheets) == sorted(set(sheets)) and len(sheets) >= 2
    assert sum(len(s) for s in sheets.values()) == 40
    assert expected  # the CSV holds real rows
    assert all(Path(f.path).parent == Path(run.files[0].path).parent for f in run.files)
    assert files["clean.csv"].bytes == os.path.getsize(files["clean.csv"].path)


def test_parquet_zip_html_text_and_subfolders(box: Any) -> None:
    run = run_ok(
        box,
        "import zipfile, os\n"
        "df.head(5).to_parquet('top.parquet')\n"
        "with zipfile.ZipFile('bundle.zip', 'w') as z:\n"
        "    z.writestr('a.txt', 'hello')\n"
        "px.bar(x=[1, 2], y=[3, 4]).write_html('chart.html', include_plotlyjs=False)\n"
        "os.makedirs('reports', exist_ok=True)\n"
        "open(os.path.join(OUTPUT_DIR, 'reports', 'notes.txt'), 'w').write('line 1\\nline 2\\n')\n"
        "result = sorted(os.listdir('.'))",
    )
    files = kept(run)
    assert set(files) == {"top.parquet", "bundle.zip", "chart.html", "reports_notes.txt"}
    assert len(pd.read_parquet(io.BytesIO(files["top.parquet"]))) == 5
    assert zipfile.ZipFile(io.BytesIO(files["bundle.zip"])).read("a.txt") == b"hello"
    assert b"plotly" in files["chart.html"].lower()
    assert files["reports_notes.txt"] == b"line 1\nline 2\n"


def test_files_move_within_the_folder(box: Any) -> None:
    """A temporary file renamed into place (what atomic writers do) is kept; tmp/ is not."""
    run = run_ok(
        box,
        "import os, tempfile\n"
        "with tempfile.NamedTemporaryFile('w', delete=False, suffix='.csv') as t:\n"
        "    t.write('a,b\\n1,2\\n')\n"
        "os.replace(t.name, 'final.csv')\n"
        "os.makedirs('sub', exist_ok=True)\nos.rename('final.csv', 'sub/final.csv')\n"
        "open(os.path.join(tempfile.gettempdir(), 'scratch.txt'), 'w').write('not kept')\n"
        "result = 1",
    )
    assert kept(run) == {"sub_final.csv": b"a,b\n1,2\n"}


def test_a_file_the_code_wrote_is_read_back_even_named_like_a_loaded_table(box: Any) -> None:
    run = run_ok(
        box, "df.head(3).to_csv('sales.csv', index=False)\nresult = len(pd.read_csv('sales.csv'))"
    )
    assert run.answer.value == 3  # not the loaded 5,000-row table
    assert "already loaded" not in run.stdout


def test_the_next_run_starts_in_an_empty_folder(box: Any) -> None:
    run_ok(box, "open('left.txt', 'w').write('x')\nresult = 1")
    run = run_ok(
        box, "import os\nresult = {'here': os.listdir('.'), 'up': sorted(os.listdir('..'))}"
    )
    assert run.answer.table.rows == (("here", []), ("up", ["out", "tmp"]))
    assert run.files == ()


def test_a_failed_run_keeps_no_file(box: Any) -> None:
    run = box.run("open('half.csv', 'w').write('a')\nraise ValueError('late')")
    assert not run.ok and run.files == ()


def test_matplotlib_figures_left_open_are_images_of_the_answer(box: Any) -> None:
    run = run_ok(
        box,
        "import matplotlib.pyplot as plt\n"
        "fig1, ax = plt.subplots()\nax.bar(['a', 'b'], [1, 2])\n"
        "plt.figure()\nplt.plot([1, 2, 3])\n"
        "plt.savefig('mine.png')",
    )
    assert run.answer.kind == "figure" and run.answer.figure is None
    assert run.answer.images == ("figure_1.png", "figure_2.png")
    files = kept(run)
    assert set(files) == {"mine.png", "figure_1.png", "figure_2.png"}
    assert all(data.startswith(b"\x89PNG\r\n\x1a\n") for data in files.values())


def test_pandas_plot_axes_in_result_becomes_a_figure(box: Any) -> None:
    run = run_ok(box, "result = df.groupby('region')['quantity'].sum().plot(kind='bar')")
    assert run.answer.kind == "figure" and run.answer.images == ("figure_1.png",)
    table = run_ok(box, "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nresult = df.head(2)")
    assert table.answer.kind == "table" and table.answer.images == ("figure_1.png",)


def test_save_table_brings_back_frames_and_series_as_arrow(box: Any) -> None:
    run = run_ok(
        box,
        "save_table('region_totals', df.groupby('region', as_index=False)['quantity'].sum())\n"
        "save_table('by_segment', df.groupby('segment')['quantity'].sum())\n"
        "result = 1",
    )
    saved = {t.name: t for t in run.saved_tables}
    assert set(saved) == {"region_totals", "by_segment"}
    assert saved["region_totals"].arrow.column_names == ["region", "quantity"]
    assert saved["by_segment"].arrow.column_names == ["segment", "quantity"]
    assert saved["region_totals"].replace is False
    again = run_ok(box, "save_table('sales', df.head(2), replace=True)\nresult = 1")
    assert again.saved_tables[0].replace is True and again.saved_tables[0].arrow.num_rows == 2


@pytest.mark.parametrize(
    "call",
    [
        "save_table('df', df)",
        "save_table('sql', df)",
        "save_table('DF', df, replace=True)",
        "save_table('sales', df)",  # an existing table, without replace=True
        "save_table('Penguins', df)",
        "save_table('x; DROP TABLE sales; --', df)",
        "save_table('t\"; DROP TABLE sales', df)",
        "save_table('select', df)",
        "save_table('OUTPUT_DIR', df)",
        "save_table('save_table', df)",
        "save_table('../x', df)",
        "save_table('t', 'not a frame')",
        "save_table(3, df)",
    ],
)
def test_save_table_refuses_names_that_shadow_or_inject(box: Any, call: str) -> None:
    run = box.run(f"{call}\nresult = 1")
    assert not run.ok and run.error.kind == "runtime", run
    assert run.saved_tables == ()
    assert "save_table" in run.error.detail or "table" in run.error.message


def test_matplotlib_and_sklearn_load_only_once_code_names_them(tmp_path: Path) -> None:
    """The zygote starts without them (its start-up stays as it was) and imports them before
    the fork of the first run that names them; its memory maps say which are loaded."""
    from tests.sandbox_support import make_sandbox

    def mapped(box: Any) -> str:
        return Path(f"/proc/{box.worker_pid}/maps").read_text()

    with make_sandbox(tmp_path) as fresh:
        assert fresh.run("result = len(df)").ok
        assert "/sklearn/" not in mapped(fresh) and "/matplotlib/" not in mapped(fresh)
        run = fresh.run(
            "from sklearn.cluster import KMeans\n"
            "result = int(KMeans(2, n_init=2, random_state=0).fit(df[['quantity']]).n_iter_ > 0)"
        )
        assert run.ok, run.error
        assert "/sklearn/" in mapped(fresh) and "/matplotlib/" not in mapped(fresh)


def test_saved_tables_count_toward_the_result_size_cap() -> None:
    """The frames save_table keeps cross as Arrow within max_result_mb, with the result."""
    import pandas

    from engine.sandbox.execute import run_code
    from engine.sandbox.folder import TableSaver

    saver = TableSaver(["sales"])
    namespace = {"pd": pandas, "save_table": saver, "__builtins__": __builtins__}
    code = "save_table('big', pd.DataFrame({'x': range(100_000)}))\nresult = 1"
    reply = run_code(
        code,
        1,
        namespace,
        max_output_bytes=1000,
        memory_mb=512,
        max_result_bytes=10_000,
        saver=saver,
    )
    assert reply.error is not None and reply.error.kind == "output"
    assert "saved tables" in reply.error.message and "max_result_mb" in reply.error.message
    saver = TableSaver(["sales"])  # a run of its own
    namespace["save_table"] = saver
    fits = run_code(code, 2, namespace, max_output_bytes=1000, memory_mb=512, saver=saver)
    assert fits.error is None and [name for name, _, _ in fits.tables] == ["big"]


# -- limits --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "code,setting",
    [
        # one huge file: RLIMIT_FSIZE stops it at 1 MB
        ("open('huge.bin', 'wb').write(b'x' * (3 * 1024 * 1024))", "max_file_mb"),
        # 100,000 small files: the tmpfs runs out of inodes after a few dozen
        ("for i in range(100_000):\n    open(f'f{i}.txt', 'w').write('x')", "max_files"),
        # a few files under the per-file cap that together break the total
        ("for i in range(4):\n    open(f'p{i}.bin', 'wb').write(b'x' * 900_000)", "max_files_mb"),
        # the code swallows the errors and leaves an answer: checked after the run
        (
            "for i in range(60):\n    try:\n        open(f'g{i}', 'w').write('x')\n"
            "    except OSError:\n        pass",
            "max_files",
        ),
    ],
    ids=["one-huge-file", "100k-small-files", "total-bytes", "swallowed-errors"],
)
def test_a_run_over_a_files_limit_is_an_output_error_naming_it(
    box: Any, code: str, setting: str
) -> None:
    run = box.run(f"{code}\nresult = 1")
    assert not run.ok and run.error.kind == "output", run.error
    assert f"setting {setting}" in run.error.message
    assert run.files == ()


def test_a_file_written_after_the_time_limit_is_never_kept(box: Any) -> None:
    run = box.run(
        "import time\nopen('early.csv', 'w').write('a')\ntime.sleep(10)\n"
        "open('late.csv', 'w').write('b')\nresult = 1"
    )
    assert not run.ok and run.error.kind == "timeout"
    assert run.files == ()
    after = run_ok(box, "import os\nresult = len(os.listdir('.'))")
    assert after.answer.value == 0


# -- hostile code ------------------------------------------------------------------------------
ESCAPES = [
    ("absolute-tmp", "open('/tmp/decipher-escape.txt', 'w').write('x')"),
    ("absolute-kept", "open('@KEPT@/planted.txt', 'w').write('x')"),
    ("dotdot", "open('../../escape.txt', 'w').write('x')"),
    ("proc-self-cwd", "open('/proc/self/cwd/../../escape.txt', 'w').write('x')"),
    ("symlink-passwd", "import os\nos.symlink('/etc/passwd', 'passwd.txt')"),
    ("symlink-other-session", "import os\nos.symlink('@VICTIM@', 'stolen.csv')"),
    ("hardlink-passwd", "import os\nos.link('/etc/passwd', 'passwd.txt')"),
    ("hardlink-other-session", "import os\nos.link('@VICTIM@', 'stolen.csv')"),
    ("fifo", "import os\nos.mkfifo('pipe')"),
    ("device", "import os, stat\nos.mknod('null', stat.S_IFCHR | 0o666, os.makedev(1, 3))"),
    ("replace-arrow", "open('t', 'w').write('x')\nimport os\nos.replace('t', '@ARROW@')"),
    ("overwrite-arrow", "open('@ARROW@', 'wb').write(b'x')"),
    ("write-other-session", "open('@VICTIM@', 'a').write('x')"),
    ("unlink-other-session", "import os\nos.unlink('@VICTIM@')"),
]


@pytest.mark.parametrize("code", [c for _, c in ESCAPES], ids=[n for n, _ in ESCAPES])
def test_writes_outside_the_folder_and_links_are_refused(
    box: Any, victims: dict[Path, str], code: str
) -> None:
    (victim,) = victims
    arrow = Path(box._tables[0].arrow_path)  # the table file the app reads
    arrow_hash = file_hash(arrow)
    kept_root = box._files_dir
    kept_root.mkdir(parents=True, exist_ok=True)
    code = (
        code.replace("@VICTIM@", str(victim))
        .replace("@ARROW@", str(arrow))
        .replace("@KEPT@", str(kept_root))
    )
    before = set(kept_root.rglob("*")) if kept_root.exists() else set()
    run = box.run(f"{code}\nresult = 1")
    assert not run.ok and run.error.kind == "blocked", (run.error, run.files)
    assert run.files == ()
    assert {p: file_hash(p) for p in victims} == victims
    assert file_hash(arrow) == arrow_hash
    assert not Path("/tmp/decipher-escape.txt").exists()
    assert not (Path(box._work_dir) / "escape.txt").exists()
    assert (set(kept_root.rglob("*")) if kept_root.exists() else set()) == before


def test_links_made_any_way_are_never_kept(box: Any) -> None:
    """Even where a link could be made (no Landlock), the child's walk drops it; here the
    refusal comes first, and a link error that the code swallows still leaves no file."""
    run = run_ok(
        box,
        "import os\nfor make in (lambda: os.symlink('/etc/passwd', 'a'), "
        "lambda: os.link('/etc/passwd', 'b'), lambda: os.mkfifo('c')):\n"
        "    try:\n        make()\n    except OSError:\n        pass\n"
        "open('real.txt', 'w').write('kept')\nresult = 1",
    )
    assert kept(run) == {"real.txt": b"kept"}
    assert all(not Path(f.path).is_symlink() for f in run.files)


def test_names_are_made_safe(box: Any) -> None:
    run = run_ok(
        box,
        "names = ['a\\nb\\x1b[31m.csv', '...hidden.csv', 'back\\\\slash.txt', 'col:on?.txt', "
        "'tab\\tname.txt']\n"
        "for n in names:\n    open(n, 'w').write(n)\nresult = 1",
    )
    folder = Path(run.files[0].path).parent
    for f in run.files:
        assert "/" not in f.name and "\\" not in f.name and not f.name.startswith(".")
        assert all(ch.isprintable() for ch in f.name), f.name
        assert Path(f.path).parent == folder and Path(f.path).name == f.name
    assert sorted(f.name for f in run.files) == sorted(
        ["a_b_[31m.csv", "hidden.csv", "back_slash.txt", "col_on_.txt", "tab_name.txt"]
    )


# -- the app's own checks, whatever the child sends ---------------------------------------------
def test_the_app_keeps_only_safe_names_inside_a_new_folder(tmp_path: Path) -> None:
    from engine.sandbox.keep import kept_files

    limits = FileLimits(MB, 3 * MB, 10)
    hostile = [
        ("../../escape.txt", b"1"),
        ("/etc/cron.d/x", b"2"),
        ("a/../../b", b"3"),
        ("..", b"4"),
        (".", b"5"),
        ("\x00nul", b"6"),
    ]
    files = kept_files(hostile, tmp_path / "run", limits)
    assert [p.name for p in (tmp_path / "run").iterdir()] and not (tmp_path / "escape.txt").exists()
    assert {Path(f.path).parent for f in files} == {tmp_path / "run"}
    assert sorted(Path(f.path).read_bytes() for f in files) == [b"1", b"2", b"3", b"4", b"5", b"6"]
    assert not Path("/etc/cron.d/x").exists()


def test_the_app_never_writes_through_a_link_or_past_the_limits(tmp_path: Path) -> None:
    from engine.errors import OutputError
    from engine.sandbox.keep import checked_tables, kept_files

    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "run").symlink_to(target)
    with pytest.raises(OutputError):
        kept_files([("x.txt", b"data")], tmp_path / "run", FileLimits(MB, MB, 5))
    assert list(target.iterdir()) == []
    with pytest.raises(OutputError, match="max_files"):
        kept_files([(f"{i}", b"") for i in range(6)], tmp_path / "n", FileLimits(MB, MB, 5))
    with pytest.raises(OutputError, match="max_file_mb"):
        kept_files([("big", b"x" * (MB + 1))], tmp_path / "b", FileLimits(MB, 9 * MB, 5))
    from engine.errors import RuntimeFailure

    with pytest.raises(RuntimeFailure, match="exists already"):
        checked_tables([("sales", False, b"")], ["sales"])
    with pytest.raises(RuntimeFailure, match="cannot be a table name"):
        checked_tables([("a b", False, b"")], [])


def test_without_a_mount_namespace_the_folder_is_a_fresh_one_on_disk(tmp_path: Path) -> None:
    """A host with no user namespaces: the child writes into `run/run-<pid>/out`, the walk keeps
    regular files only (here nothing stops a link, so the walk must drop it)."""
    import json

    from engine.sandbox.folder import RunFolder, disk_folder

    root = tmp_path / "run"
    root.mkdir()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no namespaces, no Landlock; report what it kept, then leave
        code = 1
        try:
            os.close(read_fd)
            folder = RunFolder(str(root), FileLimits(MB, 3 * MB, 5))
            base = folder.enter(mount_namespace=False)
            open("kept.csv", "w").write("a\n1\n")
            os.symlink("/etc/passwd", "passwd.txt")
            os.link("kept.csv", "twin.csv")  # two names for one file: neither is kept
            os.mkfifo("pipe")
            open("solo.txt", "w").write("x")
            notes: list[str] = []
            kept = folder.collect(notes)
            os.write(write_fd, json.dumps([base, [n for n, _ in kept], notes]).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd) as reply:
        base, names, notes = json.loads(reply.read())
    os.waitpid(pid, 0)
    assert base == disk_folder(str(root), pid)
    assert names == ["solo.txt"]
    assert len(notes) == 4 and any("symbolic link" in n for n in notes)
