"""kl_core's maximum-likelihood fits against R fitdistrplus, saved once as CSV.

The reference files and the R script that made them are in tests/data/reference/
(see its README: R 4.2.2, fitdistrplus 1.1.8; R is never needed to run these tests).
Discrete fits: fitdistrplus::fitdist(method="mle") on the raw samples. Binned fits:
fitdistrplus::fitdistcens on interval-censored data, whose likelihood is exactly the
binned multinomial likelihood Σ count·log(F(right) − F(left)) that kl_core maximises.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kl_core import Empirical, compare

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
