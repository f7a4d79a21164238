"""A real `streamlit run` server and headless Debian Chromium for the browser tests (issue 6).

The server runs as a subprocess on a free 127.0.0.1 port with its own data directory and the
planner as backend (no model needed); its output is printed when a test fails. Chromium is
Debian's /usr/bin/chromium driven by Playwright; no browser is ever downloaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from tests.fake_openai import FakeOpenAI, Reply

ROOT: Final = Path(__file__).resolve().parent.parent
ARTIFACTS: Final = ROOT / "test-artifacts"
CHROMIUM: Final = "/usr/bin/chromium"
START_TIMEOUT_S: Final = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """`streamlit run streamlit_app.py` in a subprocess; `url` once it answers its health check."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir.parent / f"streamlit-{self.port}.log"
        environment = {
            **os.environ,
            "DECIPHER_DATA_DIR": str(data_dir),
            "DECIPHER_BACKEND": "planner",
            **(env or {}),
        }
        for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            environment.pop(name, None)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "streamlit_app.py",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",  # the tree holds many files; watching them overflows inotify
            ],
            cwd=ROOT,
            env=environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"streamlit did not start in {START_TIMEOUT_S} s:\n{self.output()}")

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-20_000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(10)
        self._log.close()


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (Playwright's sync API) that is closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ (gitignored) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def show_evidence(name: str, pages: Iterable[object], server: AppServer) -> None:
    """After a failed test: a screenshot of each page and the server's log, printed."""
    for i, page in enumerate(pages):
        print(f"screenshot: {screenshot(page, name if i == 0 else f'{name}-{i}')}")
    print(f"--- streamlit log ---\n{server.output()}")


def ask(page: object, question: str) -> None:
    """Type a question in the chat input and send it with the keyboard only."""
    box = page.get_by_test_id("stChatInputTextArea")  # type: ignore[attr-defined]
    box.fill(question)
    box.press("Enter")


def wait_until_idle(page: object, settled_ms: int = 1000) -> None:
    """Wait until no script run is going, and none has started for `settled_ms`: Streamlit's
    own state on the app's root (`data-test-script-state`, what its e2e tests wait on), not the
    status widget, which shows a run only after a delay. A question sent while a run goes (the
    sample's load reruns the page) gets no Stop button: the chat input drops its submitted
    state when that earlier run ends (the Stop test failed so in stop 65's full suite, after
    waiting for the status widget to hide)."""
    page.wait_for_function(  # type: ignore[attr-defined]
        """(ms) => {
            const app = document.querySelector('[data-testid="stApp"]');
            const idle = app !== null && app.dataset.testScriptState === 'notRunning';
            if (!idle) { window.__idleSince = undefined; return false; }
            window.__idleSince = window.__idleSince ?? performance.now();
            return performance.now() - window.__idleSince >= ms;
        }""",
        arg=settled_ms,
        polling=100,
    )


def chat_messages(page: object) -> object:
    """The chat's messages, questions and answers in order."""
    return page.get_by_test_id("stChatMessage")  # type: ignore[attr-defined]


@contextmanager
def app_with_model(
    data_dir: Path, replies: list[Reply], env: dict[str, str] | None = None
) -> Iterator[tuple[AppServer, FakeOpenAI]]:
    """The app answering through the scripted OpenAI-compatible server, which gives `replies`."""
    with FakeOpenAI(replies) as model:
        server = AppServer(
            data_dir,
            env={
                "DECIPHER_BACKEND": "openai",
                "DECIPHER_LLM_BASE_URL": model.base_url,
                **(env or {}),
            },
        )
        try:
            yield server, model
        finally:
            server.stop()
