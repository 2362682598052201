"""Soak: the real server under a 2 GiB address-space cap takes the whole bad-input corpus.

The server (``streamlit run app.py``) is started under ``prlimit --as=2GiB``; four
Chromium sessions at once each upload every file of tests/data/bad (the committed ones
and the generated "@" ones of its manifest), one after another, each waited on until
the Data page shows its result. Afterwards a fifth session uploads a normal file and
must get the right summary. The peak memory (the server's VmHWM, and the largest sum
of the server's and its reading workers' resident memory seen) is printed and written
to test-artifacts/e2e/soak.txt; nothing is asserted about time.

The work is bounded: each session uploads each distinct corpus file once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, _free_port, _healthy, _stop
from tests.e2e.helpers import ARTIFACTS, TIMEOUT, choose_upload_source, open_app, wait_idle
from tests.test_bad_inputs import CORPUS, GENERATORS, MANIFEST

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(3600)]

ADDRESS_SPACE = 2 * 2**30
SESSIONS = 4
HEALTH_POLLS = 600  # × 0.2 s: waiting for the server to answer its health check
SAMPLE_SECONDS = 0.2  # how often memory is sampled (a monitor, not an assertion)


def corpus_files() -> list[tuple[str, bytes]]:
    """Each distinct bad input once: (the name it is uploaded as, its bytes)."""
    seen: dict[str, bytes] = {}
    for entry in MANIFEST:
        if not entry.get("app", True) or entry["filename"] in seen:
            continue
        name = entry["name"]
        seen[entry["filename"]] = GENERATORS[name]() if name.startswith("@") else (CORPUS / name).read_bytes()
    return list(seen.items())


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += [int(child) for child in children]
        frontier += [int(child) for child in children]
    return found


class MemoryMonitor(threading.Thread):
    """Samples the resident memory of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_total_kib, self.peak_workers = pid, 0, 0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(SAMPLE_SECONDS):
            workers = _descendants(self.pid)
            total = _rss_kib(self.pid) + sum(_rss_kib(child) for child in workers)
            self.peak_total_kib = max(self.peak_total_kib, total)
            self.peak_workers = max(self.peak_workers, len(workers))

    def stop(self) -> None:
        self._stopped.set()
        self.join()


@pytest.fixture
def capped_server():
    """The app under prlimit --as=2GiB, on its own port; its pid is the Streamlit process."""
    if shutil.which("prlimit") is None:
        pytest.skip("prlimit (util-linux) is not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ,
           # Without these, pyarrow's allocator and glibc's per-thread arenas reserve gigabytes of address
           # space they never use, and the cap would measure reservations instead of memory.
           "MALLOC_ARENA_MAX": "2", "ARROW_DEFAULT_MEMORY_POOL": "system"}
    command = ["prlimit", f"--as={ADDRESS_SPACE}", "--", sys.executable, "-m", "streamlit", "run", "app.py",
               "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    log = ARTIFACTS / "soak-server-stderr.log"
    with log.open("wb") as err, (ARTIFACTS / "soak-server-stdout.log").open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env=env)
    try:
        for _ in range(HEALTH_POLLS):
            if _healthy(base_url):
                break
            assert process.poll() is None, log.read_text()[-3000:]
            time.sleep(SAMPLE_SECONDS)  # polling the health endpoint, not timing the app
        else:
            pytest.fail(f"the capped server never answered its health check:\n{log.read_text()[-3000:]}")
        yield base_url, process, log
    finally:
        _stop(process)


def _outcome(page, name: str):
    """The Data page's answer to an upload: its error naming the file, or the source line naming it."""
    return page.get_by_text(re.compile(rf"(Could not read|Source: Uploaded file) {re.escape(name)}")).first


def test_capped_server_takes_the_whole_bad_corpus_from_four_sessions(browser, capped_server, capsys):
    base_url, process, log = capped_server
    files = corpus_files()
    monitor = MemoryMonitor(process.pid)
    monitor.start()
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(SESSIONS)]
    outcomes: dict[str, int] = {"error": 0, "read": 0, "empty": 0}
    progress = (ARTIFACTS / "soak-progress.txt").open("w")
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.set_default_timeout(5 * TIMEOUT)
            open_app(page, base_url, "data")
            choose_upload_source(page)
        for index in range(len(files)):
            # Every session gets its next file before any is waited on: four reads at once.
            batch = [(page, files[(index + offset * 7) % len(files)]) for offset, page in enumerate(pages)]
            for page, (name, data) in batch:
                page.locator(".st-key-w_upload [data-testid='stFileUploader'] input[type=file]").set_input_files(
                    {"name": name, "mimeType": "application/octet-stream", "buffer": data})
            for page, (name, data) in batch:
                if data:  # the browser's uploader sends nothing for a 0-byte file: no answer to wait for
                    answer = _outcome(page, name)
                    expect(answer, f"no answer to {name}").to_be_visible(timeout=5 * TIMEOUT)
                    outcomes["error" if answer.inner_text().startswith("Could not read") else "read"] += 1
                else:
                    outcomes["empty"] += 1
                wait_idle(page, timeout=5 * TIMEOUT)
                expect(page.get_by_test_id("stException")).to_have_count(0)
            progress.write(f"{index + 1}/{len(files)}: {', '.join(name for _, (name, _) in batch)}\n")
            progress.flush()
        assert process.poll() is None and _healthy(base_url), "the capped server must survive the corpus"
        normal = browser.new_context().new_page()
        open_app(normal, base_url, "data")
        choose_upload_source(normal)
        normal.locator(".st-key-w_upload [data-testid='stFileUploader'] input[type=file]").set_input_files(
            {"name": "worms.csv", "mimeType": "text/csv", "buffer": b"teeth\n" + b"".join(b"%d\n" % (v % 11) for v in range(1000))})
        expect(normal.get_by_test_id("stSidebarUserContent")).to_contain_text("N 1,000 · Support 11 · discrete", timeout=5 * TIMEOUT)
        expect(normal.get_by_test_id("stException")).to_have_count(0)
        normal.context.close()
    finally:
        progress.close()
        monitor.stop()
        for context in contexts:
            context.close()
    hwm = next(int(line.split()[1]) for line in Path(f"/proc/{process.pid}/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
    line = (f"soak: {SESSIONS} sessions x {len(files)} bad files ({outcomes['error']} refused, {outcomes['read']} read) "
            f"under prlimit --as={ADDRESS_SPACE // 2**30} GiB, then a normal upload served; peak memory: server VmHWM "
            f"{hwm / 1024:.0f} MiB, server + reading workers {monitor.peak_total_kib / 1024:.0f} MiB (sampled every "
            f"{SAMPLE_SECONDS} s, up to {monitor.peak_workers} workers)")
    (ARTIFACTS / "soak.txt").write_text(line + "\n" + json.dumps(outcomes) + "\n")
    with capsys.disabled():
        print("\n" + line)
    server_log = log.read_text(errors="replace")
    assert "Traceback (most recent call last)" not in server_log, server_log[server_log.find("Traceback") - 300:][:4000]
