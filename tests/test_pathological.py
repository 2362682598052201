"""Pathological data: every fit is time-boxed, so rankings finish, and every row says what happened.

Each dataset is ranked against ALL registered families that apply to its kind (every
discrete family, or the continuous shortlist for continuous data). Every row must have a KL
value (finite or +inf) or a note saying why not. Inputs beyond the caps must fail with a
DataError naming the cap, within a memory budget (they are refused before the work is done).
No assertion here reads a clock: the time boxes are the users' safety net, and a hang is
caught by pytest-timeout.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from kl_core import DataError, Empirical, rank
from kl_core.empirical import MAX_SUPPORT
from kl_core.models import REGISTRY
from kl_core.models.continuous import SHORTLIST
from tests.budget import allocation_budget

REFUSAL_BUDGET_BYTES = 256 * 2**20  # a refusal may look at the input, not build what it describes
DISCRETE_FAMILIES = [name for name, spec in REGISTRY.items() if "discrete" in spec.kinds and spec.group != "yours"]
CONTINUOUS_FAMILIES = ["uniform", *SHORTLIST]


def rank_within_bound(emp: Empirical, models: list[str]):
    with np.errstate(all="ignore"):
        table = rank(emp, models)
    assert sorted(table["model"]) == sorted(models)
    for row in table.itertuples():
        kl = float(row.kl)
        if math.isnan(kl):
            assert str(row.note).strip(), f"{row.model}: no KL and no note"
        elif emp.kind == "binned":  # kl is the estimate D̂ (−Ĥ − mean log q); the binned KL is ≥ 0 by law
            assert float(row.kl_binned) >= 0 and (math.isfinite(kl) or row.note), row
        else:
            assert kl >= 0, row
    return table


def notes(table) -> dict[str, str]:
    return dict(zip(table["model"], table["note"]))


def test_the_family_lists_are_complete() -> None:
    assert len(DISCRETE_FAMILIES) >= 20 and {"uniform", "binomial", "poisson", "nbinom", "norm_discretised"} <= set(DISCRETE_FAMILIES)
    assert all(name in REGISTRY for name in CONTINUOUS_FAMILIES)


def test_a_single_value() -> None:
    emp = Empirical.from_samples([7.0])
    assert (emp.kind, emp.k, emp.n) == ("discrete", 1, 1.0)
    table = rank_within_bound(emp, DISCRETE_FAMILIES)
    assert table.loc[table["model"] == "uniform", "kl"].item() == 0
    assert "needs at least two distinct values" in notes(table)["norm_discretised"]
    assert "≤ 1; found 7" in notes(table)["bernoulli"]


def test_two_values_a_billion_apart() -> None:
    emp = Empirical.from_samples([0, 1e9])
    table = rank_within_bound(emp, DISCRETE_FAMILIES)
    assert "too wide to be useful" in notes(table)["uniform"]
    binned = Empirical.from_samples([0, 1e9], kind="binned")
    rank_within_bound(binned, CONTINUOUS_FAMILIES)


def test_a_million_distinct_categories_fail_fast_naming_the_cap() -> None:
    labels = np.char.add("id", np.arange(10**6).astype(str)).astype(object)
    with allocation_budget(REFUSAL_BUDGET_BYTES, "refusing a million labels"), \
            pytest.raises(DataError, match=rf"1,000,000 distinct labels; the limit is {MAX_SUPPORT:,}"):
        Empirical.from_samples(labels)


def test_a_million_distinct_values_in_a_frequency_table_fail_fast() -> None:
    values, counts = np.arange(10**6), np.ones(10**6)
    with allocation_budget(REFUSAL_BUDGET_BYTES, "refusing a million values"), \
            pytest.raises(DataError, match=rf"1,000,000 distinct values; the limit is {MAX_SUPPORT:,}"):
        Empirical.from_counts(values, counts, kind="discrete")


def test_a_million_distinct_values_in_a_frequency_table_are_binned() -> None:
    emp = Empirical.from_counts(np.arange(10**6), np.ones(10**6))  # issue 11: more than 1,000 values are binned
    assert emp.kind == "binned" and emp.k <= 500 and emp.n == 10**6
    assert emp.counts.sum() == 10**6 and "choose kind discrete" in emp.warnings[0]


def test_all_mass_at_zero() -> None:
    emp = Empirical.from_counts([0], [1000])
    table = rank_within_bound(emp, DISCRETE_FAMILIES)
    assert table.loc[table["model"] == "poisson", "kl"].item() == 0
    assert "declare n" in notes(table)["binomial"]


def test_a_million_distinct_floats() -> None:
    values = np.random.default_rng(0).standard_normal(10**6)
    emp = Empirical.from_samples(values)
    assert emp.kind == "binned" and emp.k <= 500
    table = rank_within_bound(emp, CONTINUOUS_FAMILIES)
    assert table["model"].iloc[0] in {"norm", "t", "lognorm", "gamma"}
    with pytest.raises(DataError, match=rf"1,000,000 distinct values; the limit for discrete data is {MAX_SUPPORT:,}"):
        Empirical.from_samples(values, kind="discrete")


def test_huge_counts() -> None:
    emp = Empirical.from_counts(np.arange(11), np.full(11, 1e15))
    assert emp.n == pytest.approx(1.1e16)
    table = rank_within_bound(emp, DISCRETE_FAMILIES)
    assert table.loc[table["model"] == "uniform", "kl"].item() == pytest.approx(0, abs=1e-12)
    # The rounding of scipy's pmfs at extreme parameters is not "more than 1 in total".
    assert "not a distribution" not in " ".join(notes(table).values())


def test_a_value_of_1e308() -> None:
    emp = Empirical.from_samples([1e308, 1.0, 2.0])
    assert emp.kind == "binned"
    assert any("±2**53" in warning for warning in emp.warnings)
    rank_within_bound(emp, CONTINUOUS_FAMILIES)
    forced = Empirical.from_samples([1e308, 1.0, 2.0], kind="discrete")
    table = rank_within_bound(forced, DISCRETE_FAMILIES)
    assert "whole numbers within ±9,007,199,254,740,992" in notes(table)["poisson"]
    assert "whole numbers within" in notes(table)["binomial"]


def test_values_whose_range_overflows() -> None:
    with pytest.raises(DataError, match="too wide for floating point"):
        Empirical.from_samples([1e308, -1e308, 0.5])
    emp = Empirical.from_samples([1e308, -1e308, 0.0], kind="discrete")
    assert emp.var() == math.inf  # honestly beyond float64, never a RuntimeWarning or NaN
    rank_within_bound(emp, DISCRETE_FAMILIES)
