"""The server folder in the real app: started with KL_DATA_DIR, its Parquet and CSV files are listed on the Data
page, opened, read whole and ranked on Compare; the shared app, started without it, has no such source."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, running_app
from tests.e2e.helpers import TIMEOUT, go, open_app, ranking, tick, wait_charts, wait_idle

pytestmark = pytest.mark.browser

ROWS = 200_000  # Parquet rows: far more than the preview's 1,000, so the count proves the whole file was read
TEETH = 4_000  # CSV rows


@pytest.fixture(scope="module")
def folder_server(tmp_path_factory, server: Server) -> Server:
    """A second app with KL_DATA_DIR pointing at a folder of one Parquet and one CSV file (and a hidden file)."""
    root = tmp_path_factory.mktemp("kl_data_dir")
    rng = np.random.default_rng(5)
    pd.DataFrame({"minutes": rng.gamma(3.0, 20.0, ROWS), "calls": rng.poisson(4.0, ROWS),
                  "region": rng.choice(["north", "south", "east", "west"], ROWS)}).to_parquet(root / "calls.parquet", index=False)
    (root / "teeth.csv").write_text("teeth\n" + "\n".join(map(str, rng.binomial(10, 0.4, TEETH))) + "\n")
    (root / ".secret.csv").write_text("secret\n1\n")
    with running_app({"KL_DATA_DIR": str(root)}, name="folder-server") as running:
        yield running


def choose_folder_source(page: Page) -> None:
    page.locator(".st-key-w_source").get_by_text("Server folder", exact=True).click()
    expect(page.locator(".st-key-open_folder_file")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)


def pick_file(page: Page, name: str) -> None:
    page.locator(".st-key-w_folder_file").click()
    page.get_by_role("option", name=re.compile(rf"^{re.escape(name)} \(")).click()
    expect(page.locator(".st-key-w_folder_file").get_by_role("combobox")).to_have_value(
        re.compile(rf"^{re.escape(name)} \("), timeout=TIMEOUT)
    wait_idle(page)


def test_the_shared_app_has_no_server_folder(page: Page, base_url: str):
    open_app(page, base_url, "data")
    expect(page.locator(".st-key-w_source").get_by_text("Upload a file", exact=True)).to_be_visible()
    expect(page.locator(".st-key-w_source").get_by_text("Server folder", exact=True)).to_have_count(0)


def test_folder_files_are_listed_opened_whole_and_ranked(new_page, folder_server: Server):
    page = new_page(1280, 900)
    open_app(page, folder_server.base_url, "data")
    choose_folder_source(page)

    page.locator(".st-key-w_folder_file").click()
    listed = page.get_by_role("option").all_inner_texts()
    assert [re.sub(r" \(.*\)$", "", text) for text in listed] == ["calls.parquet", "teeth.csv"], listed
    assert all(re.search(r"\(\d+(\.\d)? (KB|MB)\)$", text) for text in listed), listed
    page.keyboard.press("Escape")
    wait_idle(page)

    pick_file(page, "calls.parquet")
    page.locator(".st-key-open_folder_file button").click()
    expect(page.get_by_text(f"The first 10 of {ROWS:,} rows.")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text(f"N {ROWS:,}")
    expect(page.get_by_text("Source: Server folder file calls.parquet")).to_be_visible()
    wait_charts(page)

    pick_file(page, "teeth.csv")
    page.locator(".st-key-open_folder_file button").click()
    expect(page.get_by_text("Source: Server folder file teeth.csv")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text(f"N {TEETH:,}")
    wait_charts(page)

    go(page, "Models")
    for family in ("uniform", "binomial", "poisson"):
        tick(page, family)
    go(page, "Compare")
    models = [row["Model"] for row in ranking(page)]
    assert models[0] == "binomial", models
    expect(page.get_by_test_id("stException")).to_have_count(0)
