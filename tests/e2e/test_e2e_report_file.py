"""The self-contained HTML report opens in headless Chromium with the network blocked, draws every figure and fits a phone."""

from __future__ import annotations

import pytest

from kl_core import compare
from kl_core.export.html import html_report, report_figures
from kl_core.samples import SAMPLES
from tests.e2e.conftest import ROOT
from tests.e2e.helpers import TIMEOUT, split_words

pytestmark = pytest.mark.browser


def test_html_report_renders_offline(new_page, tmp_path):
    comparison = compare(SAMPLES["worms"].empirical(), ["uniform", "binomial", "poisson"])
    page_file = tmp_path / "report.html"
    page_file.write_text(html_report(comparison, source="sample: worms"), encoding="utf-8")
    expected = len(report_figures(comparison))
    blocked: list[str] = []

    def route(request_route):
        if request_route.request.url.startswith("file:"):
            request_route.continue_()
        else:  # any other request would mean the file is not self-contained
            blocked.append(request_route.request.url)
            request_route.abort()

    page = new_page(width=1280, height=900)
    page.context.route("**/*", route)
    page.goto(page_file.as_uri())
    page.wait_for_function(
        "n => document.querySelectorAll('.plotly-graph-div').length === n && "
        "[...document.querySelectorAll('.plotly-graph-div')].every(d => d.querySelector('svg.main-svg'))",
        arg=expected, timeout=TIMEOUT,
    )
    rendered = page.locator(".plotly-graph-div svg.main-svg").evaluate_all(
        "svgs => new Set(svgs.map(s => s.closest('.plotly-graph-div').id)).size")
    assert rendered == expected
    assert page.js_errors == []
    assert blocked == []
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "test-artifacts" / "report.png"), full_page=True)


# Text drawn inside a figure (titles, notes, labels) that reaches past the figure's box: plotly
# draws each on one line and the svg cuts it at the edge (a phone's width cut every title).
CLIPPED_TEXT = """() => [...document.querySelectorAll('.plotly-graph-div')].flatMap(div => {
    const box = div.getBoundingClientRect();
    return [...div.querySelectorAll('svg text')]
      .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
      .filter(t => t.getBoundingClientRect().left < box.left - 1 || t.getBoundingClientRect().right > box.right + 1)
      .map(t => div.id + ': ' + t.textContent.slice(0, 60));
})"""

@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_html_report_tables_and_figures_fit_the_page(new_page, tmp_path, width, height):
    models = ["uniform", "binomial", "poisson", "nbinom", "geom", "betabinom", "logser",
              ("custom", {"values": list(range(11)), "weights": [1] * 11})]
    comparison = compare(SAMPLES["worms"].empirical(), models, bootstrap=20)
    page_file = tmp_path / "report.html"
    page_file.write_text(html_report(comparison), encoding="utf-8")
    page = new_page(width=width, height=height, suffix=f"-{width}")
    page.goto(page_file.as_uri())
    page.wait_for_selector("table.ranking")
    wide = page.evaluate("""() => [...document.querySelectorAll('main table')]
        .filter(t => t.getBoundingClientRect().right > document.querySelector('main').getBoundingClientRect().right + 1
                     || t.scrollWidth > t.clientWidth + 1)
        .map(t => t.className + ' ' + Math.round(t.getBoundingClientRect().right))""")
    assert wide == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert split_words(page, "main table.ranking td, main table.ranking th") == []  # on a phone each row is a card
    page.wait_for_function("() => [...document.querySelectorAll('.plotly-graph-div')].every(d => d.querySelector('svg.main-svg'))",
                           timeout=TIMEOUT)
    assert page.evaluate(CLIPPED_TEXT) == []
    titles = page.locator(".figure-title").all_inner_texts()
    assert "Models ranked by KL divergence" in titles  # the figures' titles are page text, which wraps
