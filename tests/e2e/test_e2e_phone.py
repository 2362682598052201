"""A phone-sized window: the main content fits the width (no sideways scrolling)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.datafiles import frequency_table_csv
from tests.e2e.helpers import (
    TIMEOUT, choose_upload_source, cut_cells, no_horizontal_scroll, open_app, page_url, plot_text_problems, ranking_grid, screenshot,
    upload, wait_charts, wait_idle,
)
from tests.reference_data import REAL

BAD = REAL.parent / "bad"

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def overflowing(page: Page) -> list[str]:
    """Elements of the main area wider than the window (what makes a page scroll sideways)."""
    return page.evaluate(
        """() => {
            const limit = window.innerWidth + 1;
            const found = [];
            for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
                const box = el.getBoundingClientRect();
                if (box.width > 0 && box.right > limit && getComputedStyle(el).position !== 'fixed') {
                    found.push((el.getAttribute('data-testid') || el.tagName) + ' right=' + Math.round(box.right));
                }
            }
            return found.slice(0, 15);
        }""")


def assert_fits(page: Page) -> None:
    width, window = no_horizontal_scroll(page)
    assert width <= window + 1, f"the page scrolls sideways: scrollWidth {width} > {window}: {overflowing(page)}"
    main = page.get_by_test_id("stMain")
    inner, outer = main.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert inner <= outer + 1, f"the main area scrolls sideways: {inner} > {outer}: {overflowing(page)}"


def test_home_and_compare_fit_a_phone(new_page, base_url: str):
    page = new_page(**PHONE, suffix="-compare")  # the end state; Home is saved on the way
    open_app(page, base_url)
    expect(page.get_by_role("heading", name="KL Model Lab")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")  # collapsed: the content gets the width
    button = page.locator(".st-key-sample_worms").get_by_role("button")
    expect(button).to_be_visible()
    assert_fits(page)
    screenshot(page, "test_home_and_compare_fit_a_phone-home")

    button.click()
    expect(page).to_have_url(page_url(base_url, "compare"), timeout=TIMEOUT)
    expect(ranking_grid(page)).to_be_attached(timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_role("heading", level=3).filter(has_text="Uniform loses")).to_be_visible()
    wait_charts(page)
    assert_fits(page)
    screenshot(page, "test_home_and_compare_fit_a_phone-distributions")
    page.get_by_role("tab", name="Small multiples", exact=True).click()
    wait_charts(page.locator("[role=tabpanel]:visible"))
    assert_fits(page)


@pytest.mark.parametrize("name", ["faithful.csv", "table.csv"])
def test_the_data_page_figure_keeps_its_title_as_page_text_on_a_phone(new_page, base_url: str, name: str):
    """Old Faithful and the 200,000-row frequency table: the figure's title and summary wrap as page text, where
    plotly's one-line title was cut at the phone's edge ("eruptions: histogram, probability per")."""
    data = (REAL / name).read_bytes() if name == "faithful.csv" else frequency_table_csv()
    page = new_page(**PHONE, suffix=f"-{name}")
    open_app(page, base_url, "data")
    choose_upload_source(page)
    upload(page, name, data)
    expect(page.get_by_text(f"Uploaded file {name}")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    wait_charts(page)
    assert plot_text_problems(page) == []
    title = page.get_by_test_id("stMarkdownContainer").filter(has_text="histogram, probability per bin")
    expect(title).to_be_visible()
    assert title.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert_fits(page)
    screenshot(page, f"data-figure-{name}-390x844")


def test_the_data_summary_shows_a_dropped_reason_whole_on_a_phone(new_page, base_url: str):
    """An Excel formula without a saved value: "Dropped rows" names the cell, and the whole reason is read at 390 px."""
    page = new_page(**PHONE)
    open_app(page, base_url, "data")
    choose_upload_source(page)
    upload(page, "formula.xlsx", (BAD / "xlsx_formula_without_value.xlsx").read_bytes(),
           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    summary = page.get_by_test_id("stTable").filter(has_text="Dropped rows")
    expect(summary).to_contain_text("1 formula without a saved value (A4)", timeout=TIMEOUT)
    wait_idle(page)
    assert cut_cells(summary) == []
    assert_fits(page)
    screenshot(page, "data-formula-xlsx-summary-390x844")
