"""Driving the real app in Chromium: waits on the app's own state, never on sleeps.

Streamlit shows ``[data-testid="stStatusWidget"]`` (the running man) while a script run is
under way; :func:`wait_idle` waits for it to be gone and the main block to be there. A
click starts a rerun a moment later, so every action is followed by a wait on the content
it should produce (``expect(...)`` polls until it holds or times out).

``st.dataframe`` draws its cells on a canvas; Glide Data Grid keeps an accessible copy of
the visible cells in a hidden ``<table role="grid">``, which :func:`table_rows` reads.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Iterable

from playwright.sync_api import Locator, Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PAGES = ("Home", "Data", "Models", "Compare", "Learn", "Report")

TIMEOUT = 180_000  # ms: a safety net for a hang, not an oracle: first runs import scipy and plotly, and a busy single core is slow
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-dev-shm-usage",
]


# ------------------------------------------------------------------------ waiting
def wait_idle(page: Page, timeout: float = TIMEOUT) -> None:
    """Wait until no script run is under way and the main block is on the page."""
    expect(page.get_by_test_id("stMainBlockContainer")).to_be_visible(timeout=timeout)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)


def wait_charts(scope: Page | Locator, timeout: float = TIMEOUT, at_least: int = 1) -> int:
    """Wait until every visible plotly chart in ``scope`` has drawn its svg; the number of charts."""
    charts = scope.locator('[data-testid="stPlotlyChart"]:visible')
    expect(charts.first).to_be_visible(timeout=timeout)
    count = charts.count()
    assert count >= at_least, f"expected at least {at_least} chart(s), found {count}"
    for index in range(count):
        chart = charts.nth(index)
        expect(chart.locator(".js-plotly-plot")).to_have_count(1, timeout=timeout)
        expect(chart.locator(".js-plotly-plot svg.main-svg").first).to_be_attached(timeout=timeout)
    return count


def open_app(page: Page, base_url: str, path: str = "") -> None:
    """Open a page of the app by URL and wait for its first run to finish."""
    page.goto(f"{base_url}/{path}", wait_until="domcontentloaded")
    expect(nav_menu(page)).to_be_attached(timeout=TIMEOUT)  # hidden on a phone
    wait_idle(page)


def nav_menu(page: Page):
    """The app's page menu in the sidebar (ui.sidebar draws it as page links)."""
    return page.locator(".st-key-app_nav")


def go(page: Page, title: str) -> None:
    """Switch page with the sidebar navigation (same session, like a person clicking)."""
    nav = nav_menu(page)
    if not nav.is_visible():  # phone-sized window: the sidebar starts collapsed
        page.get_by_test_id("stExpandSidebarButton").click()
    nav.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1).first).to_contain_text(_page_heading(title), timeout=TIMEOUT)
    wait_idle(page)


def _page_heading(title: str) -> str:
    return "KL Model Lab" if title == "Home" else title


def open_worm_teeth(page: Page, base_url: str) -> None:
    """Home -> the worm-teeth sample button -> Compare with its ranking table."""
    open_app(page, base_url)
    page.locator(".st-key-sample_worms").get_by_role("button").click()
    expect(page).to_have_url(page_url(base_url, "compare"), timeout=TIMEOUT)
    expect(ranking_grid(page)).to_be_attached(timeout=TIMEOUT)
    wait_idle(page)


# ------------------------------------------------------------------------ reading
def page_url(base_url: str, path: str) -> re.Pattern:
    """A page's address, with or without query parameters."""
    return re.compile(rf"^{re.escape(base_url)}/{re.escape(path)}(\?.*)?$")


def ranking_frame(page: Page) -> Locator:
    """The Compare page's ranking table (the first dataframe with a Rank column)."""
    rank = page.locator("th[role=columnheader]", has_text=re.compile(r"^Rank$"))
    return page.get_by_test_id("stDataFrame").filter(has=rank).first


def ranking_grid(page: Page) -> Locator:
    """The accessible table of the Compare page's ranking (the canvas draws the same cells)."""
    return ranking_frame(page).locator("table[role=grid]")


def table_rows(grid: Locator) -> list[dict[str, str]]:
    """The rows of a Glide grid's accessible table as {header: text}."""
    headers = [h.strip() for h in grid.locator("[role=columnheader]").all_inner_texts()]
    rows = []
    for row in grid.locator("tbody [role=row]").all():
        cells = [c.strip() for c in row.locator("[role=gridcell]").all_text_contents()]
        rows.append(dict(zip(headers, cells)))
    return rows


def ranking(page: Page) -> list[dict[str, str]]:
    """The Compare page's ranking table, best first."""
    expect(ranking_grid(page).locator("[role=gridcell]").first).to_be_attached(timeout=TIMEOUT)
    return table_rows(ranking_grid(page))


def kl_column(rows: Iterable[dict[str, str]]) -> tuple[str, dict[str, float]]:
    """The KL column's header and each model's value."""
    rows = list(rows)
    header = next(h for h in rows[0] if h.startswith("KL ("))
    return header, {row["Model"]: _number(row[header]) for row in rows}


def _number(text: str) -> float:
    text = text.strip().replace("−", "-").replace(",", "")
    return math.inf if text == "∞" else float(text)


def sidebar_text(page: Page) -> str:
    return page.get_by_test_id("stSidebarUserContent").inner_text()


def no_horizontal_scroll(page: Page) -> tuple[int, int]:
    """(scrollWidth of the document, window width)."""
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def upload(page: Page, name: str, data: bytes, mime: str = "text/csv", key: str = "w_upload") -> None:
    """Give a file to a file uploader through its real file chooser input."""
    chooser = page.locator(f".st-key-{key} [data-testid='stFileUploader'] input[type=file]")
    chooser.set_input_files({"name": name, "mimeType": mime, "buffer": data})


def checkbox(page: Page, family: str) -> Locator:
    """A family's checkbox on the Models page."""
    return page.locator(f".st-key-w_pick_{family}").get_by_role("checkbox")


def tick(page: Page, family: str, on: bool = True) -> None:
    """Tick (or untick) a family on the Models page, as a person does: by clicking its label."""
    box = checkbox(page, family)
    expect(box).to_be_attached(timeout=TIMEOUT)
    if box.is_checked() != on:
        page.locator(f".st-key-w_pick_{family} label").first.click()
        wait_idle(page)
    (expect(box).to_be_checked if on else expect(box).not_to_be_checked)(timeout=TIMEOUT)


def choose_upload_source(page: Page) -> None:
    """On the Data page, open the "Upload a file" input."""
    page.locator(".st-key-w_source").get_by_text("Upload a file", exact=True).click()
    expect(page.get_by_test_id("stFileUploader")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)


# Text that collides inside visible plots: tick labels of one axis, the panel titles, any title text at all,
# and any text cut at the figure's edge.
PLOT_TEXT = """() => {
  const found = [];
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  for (const plot of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    if (!plot.offsetParent) continue;
    const edge = plot.getBoundingClientRect();
    for (const text of plot.querySelectorAll('svg text')) {  // plotly draws one line, cut at the figure's edge
      const box = text.getBoundingClientRect();
      if (text.textContent.trim() && box.width > 0 && (box.left < edge.left - 1 || box.right > edge.right + 1)) {
        found.push('text cut at the figure edge: ' + text.textContent.slice(0, 60));
      }
    }
    for (const title of plot.querySelectorAll('.gtitle, .gtitle-subtitle, [class*="title-subtitle"]')) {
      if ((title.textContent || '').trim()) found.push('a title inside the plot, under the toolbar: ' + title.textContent);
    }
    for (const layer of plot.querySelectorAll('.xaxislayer-above, .yaxislayer-above')) {
      const boxes = [...layer.querySelectorAll('text')].filter(t => t.textContent.trim())
        .map(t => [t.textContent, t.getBoundingClientRect()]);
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        if (overlap(boxes[i][1], boxes[j][1])) found.push(`ticks ${boxes[i][0]} and ${boxes[j][0]} run together`);
      }
    }
    const notes = [...plot.querySelectorAll('g.annotation')].filter(a => a.textContent.trim())
      .map(a => [a.textContent, a.getBoundingClientRect()]);
    for (let i = 0; i < notes.length; i++) for (let j = i + 1; j < notes.length; j++) {
      if (overlap(notes[i][1], notes[j][1])) found.push(`titles "${notes[i][0]}" and "${notes[j][0]}" overlap`);
    }
  }
  return found;
}"""


def plot_text_problems(page: Page) -> list[str]:
    """Text of the visible plotly figures that is cut at a figure's edge, sits under the toolbar as a title, or overlaps."""
    return page.evaluate(PLOT_TEXT)


# Cells of a table that are wider than their box or reach past the table's container (text cut or scrolled away).
CUT_CELLS = """table => {
  const edge = table.getBoundingClientRect();
  const cut = [];
  if (table.scrollWidth > table.clientWidth + 1) cut.push(`table scrollWidth ${table.scrollWidth} > ${table.clientWidth}`);
  for (const cell of table.querySelectorAll('td, th')) {
    const box = cell.getBoundingClientRect();
    if (cell.scrollWidth > cell.clientWidth + 1 || box.right > edge.right + 1) cut.push(cell.innerText.slice(0, 40));
  }
  return cut;
}"""


def cut_cells(table: Locator) -> list[str]:
    """The cells of an HTML table (``st.table``) whose text is cut or scrolled away; [] when every cell is read whole."""
    return table.evaluate(CUT_CELLS)


# Words and numbers split across two lines ("negativ|e binomia|l", "0.41|29", "1.3e-|14") in the cells a selector
# names; a space is where a line breaks, and so is a hyphen between letters ("beta-|binomial").
SPLIT_WORDS = """cells => {
  const split = [];
  for (const cell of document.querySelectorAll(cells)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (const match of text.matchAll(/[^\\s]+?(?=\\s|$|(?<=[A-Za-z]-)[A-Za-z])/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""


def split_words(page: Page, cells: str) -> list[str]:
    """The words and numbers that run onto a second line inside the elements ``cells`` (a CSS selector) picks."""
    return page.evaluate(SPLIT_WORDS, cells)


# ------------------------------------------------------------------------ screenshots
def screenshot(page: Page, name: str) -> Path:
    """A screenshot of the whole page (the app scrolls inside its main area, so the window is made as
    tall as the content for the picture, then put back)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size or {"width": 1280, "height": 900}
    try:
        height = page.evaluate(
            "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
            " return Math.max(m ? m.scrollHeight : 0, document.documentElement.scrollHeight); }")
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 8000))})
        page.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(size)
    return path
