"""Several people at once: sessions stay apart, and the server copes with eight of them."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Server
from tests.e2e.helpers import (
    ARTIFACTS, TIMEOUT, choose_upload_source, go, open_app, page_url, ranking, ranking_grid, screenshot,
    sidebar_text, upload, wait_charts, wait_idle,
)

pytestmark = pytest.mark.browser

LOAD_SESSIONS = 8
LOAD_BOUND = 300  # s: how long a wait may last before the test gives up (a safety net, not an oracle)


def values_csv(values: list[int]) -> bytes:
    return ("value\n" + "\n".join(str(v) for v in values) + "\n").encode()


def test_two_sessions_uploading_the_same_file_name_see_only_their_own_data(new_page, base_url: str):
    low = [v % 4 for v in range(200)]  # 0..3, 200 values
    high = [10 + (v * 7) % 11 for v in range(300)]  # 10..20, 300 values
    first, second = new_page(suffix="-low"), new_page(suffix="-high")
    for page in (first, second):
        open_app(page, base_url, "data")
        choose_upload_source(page)
    # both files go up before either page is waited on: the two sessions are read at the same time
    upload(first, "data.csv", values_csv(low))
    upload(second, "data.csv", values_csv(high))
    expected = {
        "low": (first, "N 200 · Support 4 · discrete", "low=0, high=3"),
        "high": (second, "N 300 · Support 11 · discrete", "low=10, high=20"),
    }
    for page, summary, _ in expected.values():
        expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text(summary, timeout=TIMEOUT)
        wait_idle(page)
    for page in (first, second):
        go(page, "Compare")
    for name, (page, summary, support) in expected.items():
        text = sidebar_text(page)
        assert "data.csv" in text and summary in text, (name, text)
        other = next(s for n, (_, s, _) in expected.items() if n != name)
        assert other not in text, (name, text)
        rows = {row["Model"]: row for row in ranking(page)}
        assert rows["uniform"]["Parameters"] == support, (name, rows["uniform"])
        wait_charts(page)


def _rss_mib(server: Server) -> float:
    return server.rss_kib() / 1024


def test_eight_sessions_at_once_all_get_their_charts(browser, server: Server, request, capsys):
    base = server.base_url
    before = _rss_mib(server)
    started = time.monotonic()
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(LOAD_SESSIONS)]
    try:
        pages = [context.new_page() for context in contexts]
        for context in contexts:
            context.set_default_timeout(LOAD_BOUND * 1000)
        # Every step is started in all eight sessions before any of them is waited on, so the server
        # serves them concurrently (one browser, driven from one thread, is reliable on two cores).
        for page in pages:
            page.goto(base, wait_until="commit")
        for page in pages:
            expect(page.get_by_text("Start from a sample")).to_be_visible(timeout=LOAD_BOUND * 1000)
            wait_idle(page, timeout=LOAD_BOUND * 1000)
        for page in pages:
            page.locator(".st-key-sample_worms").get_by_role("button").click()
        for page in pages:
            expect(page).to_have_url(page_url(base, "compare"), timeout=LOAD_BOUND * 1000)
            expect(ranking_grid(page)).to_be_attached(timeout=LOAD_BOUND * 1000)
            wait_idle(page, timeout=LOAD_BOUND * 1000)
            wait_charts(page, timeout=LOAD_BOUND * 1000)
            assert [row["Model"] for row in ranking(page)] == ["uniform", "binomial"]
            expect(page.get_by_test_id("stException")).to_have_count(0)
        elapsed = time.monotonic() - started
        screenshot(pages[-1], "test_eight_sessions_at_once_all_get_their_charts")
    finally:
        for context in contexts:
            context.close()
    assert server.healthy(), "the server must still answer /_stcore/health after the load"
    after = _rss_mib(server)
    line = (f"load: {LOAD_SESSIONS} sessions home -> worm teeth -> compare with charts in {elapsed:.1f} s; "
            f"streamlit RSS {before:.0f} MiB before, {after:.0f} MiB after (+{after - before:.0f} MiB)")
    (ARTIFACTS / "load.txt").write_text(line + "\n")
    with capsys.disabled():
        print("\n" + line)  # the time is reported, never asserted: waits above time out as a safety net
