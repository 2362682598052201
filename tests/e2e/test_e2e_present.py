"""The Compare page in the presentation view at a phone, a laptop and a big screen: nothing cut, nothing overlapping.

For each size the page opens from a link (``view=present``), each figure tab is drawn,
and the browser itself measures: no table, grid, chart or text block is wider than its
box (``scrollWidth`` against ``clientWidth``) or sticks out of its parent, no plot title
sits where the plotly toolbar goes, no text runs past its figure's edge, no two small-multiple
titles overlap, no two tick labels of an axis run together, and no word or number of the ranking table runs onto
a second line ("1.3e-|14"). Old Faithful, uploaded, is compared with its default models (nine, long p-values and
parameters) as well as the worm-teeth sample. Screenshots go to ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (TIMEOUT, choose_upload_source, go, open_app, plot_text_problems, screenshot, split_words, upload,
                               wait_charts, wait_idle)
from tests.reference_data import REAL

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "laptop": (1280, 900), "screen": (1920, 1080)}
TABS = ("Small multiples", "Where bits are lost", "CDFs", "Ranking")
TABLE_CELLS = ".st-key-present_view [data-testid='stTable'] td, .st-key-present_view [data-testid='stTable'] th"

# Every visible table, grid, chart and text block of the main area that is wider than its own box or its parent.
OVERFLOWING = """() => {
  const found = [];
  const selector = ['stTable', 'stDataFrame', 'stPlotlyChart', 'stMarkdownContainer', 'stCaptionContainer']
    .map(id => `[data-testid="stMain"] [data-testid="${id}"]`).join(', ');
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent) continue;  // in a hidden tab
    const box = el.getBoundingClientRect(), parent = el.parentElement.getBoundingClientRect();
    const name = el.getAttribute('data-testid') + ': ' + (el.innerText || '').slice(0, 40).replace(/\\s+/g, ' ');
    if (el.scrollWidth > el.clientWidth + 1) found.push(`${name} scrollWidth ${el.scrollWidth} > ${el.clientWidth}`);
    if (parent.width > 0 && box.right > parent.right + 1) found.push(`${name} right ${Math.round(box.right)} > parent ${Math.round(parent.right)}`);
  }
  return found;
}"""

def check(page: Page, where: str) -> None:
    overflowing = page.evaluate(OVERFLOWING)
    assert not overflowing, f"{where}: {overflowing}"
    collisions = plot_text_problems(page)
    assert not collisions, f"{where}: {collisions}"
    split = split_words(page, TABLE_CELLS)
    assert not split, f"{where}: split across two lines: {split}"
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 1, f"{where}: the page scrolls sideways {width}"


@pytest.mark.parametrize("size", list(SIZES))
def test_presentation_view_fits(new_page, base_url: str, size: str):
    width, height = SIZES[size]
    page = new_page(width=width, height=height, suffix=f"-{size}")
    page.goto(f"{base_url}/compare?sample=worms&view=present", wait_until="domcontentloaded")
    wait_idle(page)
    expect(page.get_by_role("heading", level=3).filter(has_text="Uniform loses")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stTable")).to_be_visible(timeout=TIMEOUT)
    wait_charts(page)
    expect(page.get_by_test_id("stTable")).to_contain_text("KL (bits/obs)")
    check(page, f"{size}, distributions")
    screenshot(page, f"present-{size}-{width}x{height}")
    for tab in TABS:
        page.get_by_role("tab", name=tab, exact=True).click()
        wait_idle(page)
        wait_charts(page.locator("[role=tabpanel]:visible"))
        check(page, f"{size}, {tab}")
    page.get_by_role("tab", name="Small multiples", exact=True).click()
    wait_idle(page)
    wait_charts(page.locator("[role=tabpanel]:visible"))
    screenshot(page, f"present-{size}-{width}x{height}-small-multiples")


@pytest.mark.parametrize("size", list(SIZES))
def test_presentation_view_of_old_faithful_fits(new_page, base_url: str, size: str):
    width, height = SIZES[size]
    page = new_page(width=1280, height=900, suffix=f"-{size}")  # upload and navigate at a laptop's width, then resize
    open_app(page, base_url, "data")
    choose_upload_source(page)
    upload(page, "faithful.csv", (REAL / "faithful.csv").read_bytes())
    expect(page.get_by_text("Uploaded file faithful.csv (272 rows)")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    wait_charts(page)
    go(page, "Compare")
    page.set_viewport_size({"width": width, "height": height})
    page.locator(".st-key-w_present label").first.click()
    expect(page.locator(".st-key-present_view [data-testid='stTable']")).to_contain_text("p-value", timeout=TIMEOUT)
    wait_idle(page)
    wait_charts(page)
    expect(page.locator(".st-key-present_view [data-testid='stTable'] tbody tr")).to_have_count(5)
    check(page, f"Old Faithful, {size}")
    screenshot(page, f"present-faithful-{size}-{width}x{height}")


def test_bootstrap_keeps_the_ranking_tab_open(new_page, base_url: str):
    page = new_page(width=1280, height=900)
    page.goto(f"{base_url}/compare?sample=worms", wait_until="domcontentloaded")
    wait_idle(page)
    wait_charts(page)
    page.get_by_role("tab", name="Ranking", exact=True).click()
    wait_idle(page)
    box = page.locator(".st-key-w_bootstrap input")
    box.fill("100")
    box.press("Enter")
    expect(page.get_by_text("KL 95% interval", exact=False).first).to_be_attached(timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_role("tab", name="Ranking", exact=True)).to_have_attribute("aria-selected", "true")
    expect(page.locator(".st-key-w_bootstrap input")).to_have_value("100")
