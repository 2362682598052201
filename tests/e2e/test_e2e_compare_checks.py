"""Compare's checks of the fits in a real browser: ± standard errors, rank by, the Density tab,
the binned KL at three bin counts, the goodness-of-fit columns and the draws download."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    TIMEOUT, cut_cells, open_app, open_worm_teeth, ranking, ranking_frame, ranking_grid, screenshot, table_rows, wait_charts,
    wait_idle,
)

pytestmark = pytest.mark.browser


def _caption(page: Page, start: str):
    return page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(rf"^{re.escape(start)}"))


def test_worm_teeth_show_a_standard_error_a_density_tab_and_a_bic_order_in_the_link(page: Page, base_url: str):
    open_worm_teeth(page, base_url)
    rows = {row["Model"]: row for row in ranking(page)}
    assert rows["binomial"]["Parameters"] == "n=10, p=0.544 ± 0.016"  # sqrt(p(1 − p)/(N·n)) = 0.01575
    assert "±" not in rows["uniform"]["Parameters"]

    tab = page.get_by_role("tab", name="Density", exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    panel = page.locator("[role=tabpanel]:visible")
    expect(panel.get_by_text("Worm teeth: probabilities of the data and the models")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    assert wait_charts(panel) == 1

    expect(_caption(page, "Ordered by KL divergence")).to_be_visible()
    page.locator(".st-key-w_rank_by").get_by_text("BIC", exact=True).click()
    expect(_caption(page, "Ordered by BIC")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"[?&]rank=bic(&|$)"), timeout=TIMEOUT)
    header = ranking_grid(page).locator("[role=columnheader]", has_text=re.compile(r"^ΔBIC"))
    expect(header).to_have_count(1, timeout=TIMEOUT)  # the gap in the criterion that orders the table
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert not page.js_errors, page.js_errors


def test_continuous_data_show_the_binned_kl_the_gof_columns_and_give_draws(page: Page, base_url: str):
    open_app(page, base_url, "compare?sample=waiting")
    expect(ranking_grid(page)).to_be_attached(timeout=TIMEOUT)
    wait_idle(page)

    page.get_by_text("How the binned KL depends on the bins", exact=True).click()
    binned = page.get_by_test_id("stDataFrame").filter(has=page.locator("th", has_text="(these bins)"))
    expect(binned).to_be_visible(timeout=TIMEOUT)
    rows = table_rows(binned.locator("table[role=grid]"))
    assert len(rows) >= 2 and all(len([h for h in row if h.endswith("bins") or "bins (" in h]) == 3 for row in rows)

    statistics = page.get_by_text(re.compile(r"^All statistics .*KS, Cramér–von Mises, Anderson–Darling\)$"))
    statistics.click()  # the grid draws only the columns in view, so the header row is not read here (AppTest checks it)
    expect(_caption(page, "KS, CvM and AD")).to_contain_text("conservative", timeout=TIMEOUT)

    page.get_by_text("Download draws from a fitted model", exact=True).click()
    number = page.locator(".st-key-w_draws_n input")
    expect(number).to_be_visible(timeout=TIMEOUT)
    number.fill("250")
    number.press("Enter")
    wait_idle(page)
    with page.expect_download(timeout=TIMEOUT) as info:
        page.locator(".st-key-w_draws_download").get_by_role("button").click()
    download = info.value
    assert download.failure() is None and download.suggested_filename.endswith("_250_seed0.csv")
    values = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert len(values) == 250 and all(float(row["value"]) == float(row["value"]) for row in values)

    number.fill("2000000")
    number.press("Enter")
    expect(page.get_by_text(re.compile(r"Choose at most 1,000,000 draws"))).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".st-key-w_draws_download").get_by_role("button")).to_be_disabled()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert not page.js_errors, page.js_errors


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_models_not_ranked_show_their_whole_reason(new_page, base_url: str, width: int, height: int):
    from kl_core import compare
    from kl_core.display import not_ranked
    from kl_core.samples import SAMPLES

    # Fixed parameters that leave observed teeth (up to 10) without probability: an infinite KL each, with its reason.
    requests = ["poisson", ("binomial", {"p": 0}), ("uniform", {"low": 0, "high": 4})]
    expected = dict(not_ranked(compare(SAMPLES["worms"].empirical(), requests).table))
    assert len(expected) == 2 and max(len(why) for why in expected.values()) > 100  # more than a grid column shows
    page = new_page(width=width, height=height, suffix=f"-{width}")
    page.goto(f"{base_url}/compare?sample=worms&models=poisson,binomial,uniform&opt=binomial.p:0,uniform.low:0,uniform.high:4",
              wait_until="domcontentloaded")
    table = page.locator(".st-key-not_ranked [data-testid='stTable']")
    expect(table).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    assert [header.strip() for header in table.locator("thead th").all_inner_texts()] == ["Model", "Why"]
    shown = [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in table.locator("tbody tr").all()]
    assert dict(shown) == expected  # every word of each reason, as typed
    assert cut_cells(table) == []
    screenshot(page, f"not-ranked-{width}x{height}")


# Whether every column of the ranking grid is in view: Glide scrolls the canvas inside its ``.dvn-scroller``.
GRID_SCROLLS_SIDEWAYS = "frame => { const s = frame.querySelector('.dvn-scroller'); return s.scrollWidth > s.clientWidth + 1; }"


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900), (1920, 1080)])
def test_every_note_on_a_ranked_model_is_read_whole_under_the_ranking(new_page, base_url: str, width: int, height: int):
    from kl_core import compare
    from kl_core.display import ranked_notes
    from kl_core.samples import SAMPLES
    from ui.text import listed

    # Probabilities without N: every model carries a note, longer than a grid column shows, two models the same one.
    expected = ranked_notes(compare(SAMPLES["planets"].empirical(), list(SAMPLES["planets"].models)).table)
    assert len(expected) == 2 and max(len(note) for _, note in expected) > 100
    page = new_page(width=width, height=height, suffix=f"-{width}")
    open_app(page, base_url, "compare?sample=planets")
    notes = page.locator(".st-key-ranking_notes")
    expect(notes).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    lines = [line.strip() for line in notes.inner_text().splitlines() if line.strip()]
    assert lines[1:] == [f"{listed(models)}: {note}" for models, note in expected]  # every word, as typed
    box = notes.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width  # wrapped inside the window
    assert notes.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    headers = list(ranking(page)[0])  # the columns in view (the grid's accessible table holds only those)
    if width >= 1280:  # every column in view, nothing to scroll sideways for, and no Note for the grid to cut
        assert not ranking_frame(page).evaluate(GRID_SCROLLS_SIDEWAYS)
        assert headers[-1] == "Free parameters" and "Note" not in headers, headers
    screenshot(page, f"ranking-notes-{width}x{height}")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert not page.js_errors, page.js_errors
