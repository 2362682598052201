"""The real app, served by ``streamlit run app.py``, driven by headless Chromium.

* ``server`` (session): starts Streamlit on a free port, waits for ``/_stcore/health``,
  yields the base URL, stops the process group at the end. Its stderr goes to
  ``test-artifacts/e2e/server-stderr.log``; a Python traceback written there while a
  browser test runs fails that test. :func:`running_app` starts another app the same way,
  with extra environment variables (``KL_DATA_DIR`` for the server-folder test); a test
  that uses it is checked for tracebacks in that app's log too.
* ``browser`` (session): one Chromium (Debian's /usr/bin/chromium; Playwright's own
  download is not used). Without Chromium every browser test is skipped, or fails when
  ``KL_REQUIRE_BROWSER=1``. ``KL_CHROMIUM`` names another Chromium binary.
* ``page``: a fresh browser context (its own Streamlit session) per test; its end state
  is saved as ``test-artifacts/e2e/<test>.png``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e.helpers import ARTIFACTS, CHROMIUM_ARGS, TIMEOUT, screenshot

ROOT = Path(__file__).resolve().parents[2]
HEALTH_DEADLINE = 300  # s: a safety net; a busy single core starts Streamlit slowly
INSTALL_HINT = "Chromium not installed: apt-get install chromium chromium-driver"
TRACEBACK = "Traceback (most recent call last)"


def chromium_path() -> str | None:
    """Debian's Chromium (``KL_CHROMIUM`` may name another binary)."""
    chosen = os.environ.get("KL_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if chromium_path() is None:
        return INSTALL_HINT
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed in this environment: pip install -r requirements-dev.txt"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is None:
        return
    why = _missing_browser()
    if why:
        if os.environ.get("KL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{why} (KL_REQUIRE_BROWSER=1, so this is a failure, not a skip)", pytrace=False)
        pytest.skip(why)


# ---------------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


class Server:
    """The running app: its URL, process and stderr log."""

    def __init__(self, base_url: str, process: subprocess.Popen, log: Path):
        self.base_url = base_url
        self.process = process
        self.log = log

    @property
    def pid(self) -> int:
        return self.process.pid

    def healthy(self) -> bool:
        return self.process.poll() is None and _healthy(self.base_url)

    def rss_kib(self) -> int:
        """Resident memory of the Streamlit process (VmRSS, KiB)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")


@pytest.fixture(scope="session")
def server() -> Server:
    if _missing_browser():  # no point starting the app when nothing can drive it
        pytest.skip(_missing_browser())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):  # this run's pictures only
        old.unlink()
    with running_app() as running:
        yield running


@contextlib.contextmanager
def running_app(env: dict[str, str] | None = None, name: str = "server") -> Iterator[Server]:
    """``streamlit run app.py`` on a free port with ``env`` added to the environment, healthy, stopped at the end;
    its output goes to ``test-artifacts/e2e/<name>-stderr.log`` and ``<name>-stdout.log``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = ARTIFACTS / f"{name}-stderr.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        # The source is being edited while tests run: no "file changed, rerun?" prompts mid-test.
        "--server.fileWatcherType", "none",
    ]
    with log.open("wb") as err, (ARTIFACTS / f"{name}-stdout.log").open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env={**os.environ, **(env or {})})
    running = Server(base_url, process, log)
    try:
        deadline = time.monotonic() + HEALTH_DEADLINE
        while not _healthy(base_url):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode} before it was healthy:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy on {base_url} after {HEALTH_DEADLINE} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)  # polling the health endpoint, not waiting on the app's content
        yield running
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Terminate the process group we started (streamlit and any children it spawned)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@pytest.fixture
def base_url(server: Server) -> str:
    return server.base_url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Fail a browser test when a server it used (``server`` or another app it started) logged a Python traceback."""
    servers = [value for value in getattr(item, "funcargs", {}).values() if isinstance(value, Server)]
    offsets = [server.log_size() for server in servers]
    outcome = yield
    if outcome.excinfo is not None:
        return
    for server, offset in zip(servers, offsets):
        written = server.log_since(offset)
        if TRACEBACK in written:
            start = written.index(TRACEBACK)
            outcome.force_exception(AssertionError(
                f"the server logged a traceback during this test (see {server.log}):\n{written[max(0, start - 300):start + 4000]}"))
            return


# ---------------------------------------------------------------------- the browser
@pytest.fixture(scope="session")
def browser(server: Server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def artifact_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")


@pytest.fixture
def new_page(browser, request: pytest.FixtureRequest):
    """Factory: a page in a fresh context (a session of its own); screenshot of each at the end."""
    made = []

    def make(width: int = 1400, height: int = 1000, suffix: str = ""):
        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        context.set_default_timeout(TIMEOUT)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors  # type: ignore[attr-defined]
        made.append((page, suffix))
        return page

    yield make
    for index, (page, suffix) in enumerate(made):
        name = artifact_name(request) + (suffix or ("" if index == 0 else f"-{index + 1}"))
        try:
            screenshot(page, name)
        except Exception as error:  # a screenshot must never hide the test's own result
            print(f"screenshot {name} failed: {error}")
        page.context.close()


@pytest.fixture
def page(new_page):
    return new_page()
