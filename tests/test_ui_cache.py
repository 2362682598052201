"""ui.cache: fits are made once per data and request; units, zero policy, views and tabs refit nothing."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import kl_core.ranking
import ui.cache
from kl_core import compare
from kl_core.samples import SAMPLES
from ui.cache import UNIT_COLUMNS, in_base

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.mark.parametrize("sample", ["worms", "waiting"])
def test_converted_units_equal_a_comparison_made_in_those_units(sample):
    emp = SAMPLES[sample].empirical()
    models = list(SAMPLES[sample].models)
    in_nats = compare(emp, models, base=math.e, bootstrap=20)
    in_bits = compare(emp, models, base=2, bootstrap=20)
    converted = in_base(in_nats, 2)
    assert converted.unit == "bits" and converted.base == 2
    for column in UNIT_COLUMNS:
        if column in in_bits.table:
            np.testing.assert_allclose(converted.table[column].astype(float), in_bits.table[column].astype(float), rtol=1e-9)
    for column in ("loglik", "aic", "bic", "g_stat", "p_value", "p_best"):  # nats or no unit: unchanged
        np.testing.assert_allclose(converted.table[column].astype(float), in_nats.table[column].astype(float), rtol=1e-12)
    assert in_base(in_nats, math.e) is in_nats


@pytest.fixture
def fits(monkeypatch):
    """Count every fit the app makes (through the cache, or inside compare)."""
    made = []

    def counting(original):
        def wrapped(emp, name, **options):
            made.append(name)
            return original(emp, name, **options)
        return wrapped

    monkeypatch.setattr(ui.cache, "fit", counting(ui.cache.fit))
    monkeypatch.setattr(kl_core.ranking, "fit", counting(kl_core.ranking.fit))
    return made


def test_settings_views_and_tabs_refit_nothing(fits):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.button(key="sample_overdispersed").click().run()  # opens Compare
    assert not at.exception and at.session_state["last_comparison"] is not None
    before = len(fits)
    at.sidebar.radio(key="w_units").set_value("nats").run()
    at.sidebar.radio(key="w_zero_policy").set_value("epsilon").run()
    at.sidebar.radio(key="w_zero_policy").set_value("strict").run()
    at.sidebar.radio(key="w_units").set_value("bits").run()
    at.toggle(key="w_present").set_value(True).run()
    at.toggle(key="w_present").set_value(False).run()
    for tab in ("Density", "Small multiples", "Where bits are lost", "CDFs", "Q-Q", "P-P", "Ranking", "Try a parameter",
                "Distributions"):
        at.session_state["w_compare_tab"] = tab
        at.run()
    at.number_input(key="w_plotted").set_value(1).run()  # a plot option: how many models the figures draw
    assert not at.exception
    assert len(fits) == before, fits[before:]
    assert at.session_state["last_comparison"].unit == "bits"


def test_the_counter_sees_fits_and_the_sweep_refits_only_when_asked(fits):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.button(key="sample_worms").click().run()
    at.session_state["model_requests"] = [("uniform", {}), ("binomial", {}), ("poisson", {}), ("geom", {})]
    at.session_state["w_compare_tab"] = "Try a parameter"
    at.run()
    assert not at.exception
    opened = len(fits)
    at.run()
    assert len(fits) == opened  # opening the tab and rerunning: no sweep
    at.button(key="w_sweep_draw").click().run()
    assert not at.exception
    assert len(fits) >= opened + 81  # the curve: one refit per point (and one for the slider's value)
    asked = len(fits)
    at.sidebar.radio(key="w_units").set_value("nats").run()
    assert len(fits) <= asked + 1  # the cached curve in new units; only the slider's point is refitted


def test_the_same_data_under_another_name_is_another_key():
    """A second dataset's file name labels its model, so a re-upload under a new name must not reuse the old label."""
    from dataclasses import replace

    teeth = SAMPLES["worms"].empirical()
    first = ui.cache.comparison_key(teeth, [("empirical", {"reference": replace(teeth, name="teeth_2024.csv")})])
    second = ui.cache.comparison_key(teeth, [("empirical", {"reference": replace(teeth, name="teeth_2025.csv")})])
    assert first != second
