"""kl_core's maximum-likelihood fits against R fitdistrplus, saved once as CSV.

The reference files and the R scripts that made them are in tests/data/reference/
(see its README: R 4.2.2, fitdistrplus 1.1.8; R is never needed to run these tests).

* Continuous fits on real public datasets (tests/data/real/, ``mle_fits.csv`` from
  ``make_reference_mle.R``): fitdistrplus::fitdist(x, distr, "mle") on the raw values,
  which is what kl_core fits for continuous data.
* Discrete fits: fitdistrplus::fitdist(method="mle") on the raw samples.
* Data known only as bins: fitdistrplus::fitdistcens on interval-censored data, whose
  likelihood Σ count·log(F(right) − F(left)) is what kl_core maximises when an Empirical
  has bins but no values (its sketch is None).
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kl_core import Empirical, compare
from reference_data import mle_reference, real_values

REFERENCE = Path(__file__).parent / "data" / "reference"


def _reference(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name)


def _estimate(fits: pd.DataFrame, dataset: str, distribution: str, parameter: str) -> tuple[float, float]:
    row = fits[(fits.dataset == dataset) & (fits.distribution == distribution) & (fits.parameter == parameter)].iloc[0]
    return float(row.estimate), float(row.loglik)


def _discrete(dataset: str) -> Empirical:
    data = _reference("discrete_data.csv")
    rows = data[data.dataset == dataset]
    return Empirical.from_counts(rows.value.to_numpy(), rows["count"].to_numpy(), name=dataset)


def _binned(dataset: str) -> Empirical:
    data = _reference("binned_data.csv")
    rows = data[data.dataset == dataset]
    edges = np.append(rows.left.to_numpy(), rows.right.to_numpy()[-1])
    counts = rows["count"].to_numpy(dtype=float)
    return Empirical((edges[:-1] + edges[1:]) / 2, counts, "binned", edges=edges, n=float(counts.sum()), name=dataset)


# (dataset, kl_core model, options, [(kl_core param, R distribution, R parameter)])
DISCRETE_CASES = [
    ("pois", "poisson", {}, [("mu", "pois", "lambda")]),
    ("nbinom", "poisson", {}, [("mu", "pois", "lambda")]),
    ("nbinom", "nbinom", {}, [("n", "nbinom", "n"), ("p", "nbinom", "p")]),
    ("nbinom", "geom", {}, [("p", "geom", "prob")]),
    ("geom", "geom", {}, [("p", "geom", "prob")]),
    ("geom", "nbinom", {}, [("n", "nbinom", "n"), ("p", "nbinom", "p")]),
]


@pytest.mark.parametrize("dataset, model, options, parameters", DISCRETE_CASES)
def test_discrete_fits_match_fitdistrplus(dataset, model, options, parameters):
    fits = _reference("discrete_fits.csv")
    result = compare(_discrete(dataset), [(model, options)], base=np.e)
    row = result.table.iloc[0]
    fitted = result.fitted[model]
    for ours, distribution, theirs in parameters:
        expected, loglik = _estimate(fits, dataset, distribution, theirs)
        assert fitted.params[ours] == pytest.approx(expected, rel=1e-5), (ours, fitted.params)
    # The log-likelihood of the observed counts, -N(H + KL), equals R's maximised log-likelihood.
    assert row["loglik"] == pytest.approx(loglik, rel=1e-9, abs=1e-6)


BINNED_CASES = [
    ("norm", "norm", {}, [("loc", "mean"), ("scale", "sd")]),
    ("gamma", "gamma", {"loc": 0.0}, [("a", "a"), ("scale", "scale")]),
    ("lognorm", "lognorm", {"loc": 0.0}, [("s", "s"), ("scale", "scale")]),
]


@pytest.mark.parametrize("dataset, model, options, parameters", BINNED_CASES)
def test_binned_fits_match_fitdistcens(dataset, model, options, parameters):
    fits = _reference("binned_fits.csv")
    result = compare(_binned(dataset), [(model, options)], base=np.e)
    row = result.table.iloc[0]
    fitted = result.fitted[model]
    distribution = {"norm": "norm", "gamma": "gamma", "lognorm": "lnorm"}[dataset]
    for ours, theirs in parameters:
        expected, loglik = _estimate(fits, dataset, distribution, theirs)
        assert fitted.params[ours] == pytest.approx(expected, rel=1e-4), (ours, fitted.params)
    assert row["loglik"] == pytest.approx(loglik, rel=1e-7)
    assert row["loglik"] >= loglik - 1e-6 * abs(loglik)  # ours is at least as good a maximum


# ----------------------------------------------------- raw-data MLE on real datasets
# R's distribution → (kl_core model, our parameters in R's parametrisation)
R_FAMILIES = {
    "norm": ("norm", lambda p: {"mean": p["loc"], "sd": p["scale"]}),
    "lnorm": ("lognorm", lambda p: {"meanlog": math.log(p["scale"]), "sdlog": p["s"]}),
    "gamma": ("gamma", lambda p: {"shape": p["a"], "rate": 1 / p["scale"]}),
    "weibull": ("weibull_min", lambda p: {"shape": p["c"], "scale": p["scale"]}),
    "exp": ("expon", lambda p: {"rate": 1 / p["scale"]}),
    "logis": ("logistic", lambda p: {"location": p["loc"], "scale": p["scale"]}),
}


def _continuous_cases() -> list[tuple[str, str, str]]:
    fits = _reference("mle_fits.csv")
    fits = fits[fits.distr.isin(list(R_FAMILIES))]
    return sorted({(r.dataset, r.variable, r.distr) for r in fits.itertuples()})


@pytest.mark.parametrize("dataset, variable, distr", _continuous_cases())
def test_raw_mle_matches_fitdistrplus_on_real_data(dataset, variable, distr):
    """Parameters within 1e-4 relative of R's, raw log-likelihood ≥ R's − 1e-6·|ll| (R's 2-parameter forms)."""
    reference = mle_reference(dataset, variable, distr)
    x = real_values(dataset, variable)
    assert x.size == reference["n"]
    model, to_r = R_FAMILIES[distr]
    result = compare(Empirical.from_samples(x, kind="binned", name=dataset), [model], base=math.e)
    row = result.table.iloc[0]
    assert model in result.fitted, row["note"]
    ours = to_r(result.fitted[model].params)
    for parameter, estimate in reference["params"].items():
        assert ours[parameter] == pytest.approx(estimate, rel=1e-4), (parameter, ours)
    loglik = reference["loglik"]
    assert row["loglik"] >= loglik - 1e-6 * abs(loglik)
    assert row["aic"] == pytest.approx(reference["aic"], rel=1e-6)  # same parameter count as R
