"""The real datasets and R's reference fits are complete and agree with themselves.

Each R number is re-derived here without R: log-likelihoods with scipy at R's parameters,
closed-form MLEs from the data, AIC/BIC from their definitions, the goodness-of-fit
statistics from their formulas. A broken export, a mislabelled parameter or a column
read with the wrong missing-value rule fails one of these.
"""

import math
import re
from typing import Callable

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from reference_data import (
    REAL, REFERENCE, SCIPY, gof_reference, mixture_reference, mle_reference, real_dataset, real_datasets, real_values,
    zero_inflated_reference,
)

CONTINUOUS = ("norm", "lnorm", "gamma", "weibull", "exp", "logis")
POSITIVE_ONLY = ("lnorm", "gamma", "weibull", "exp")

MLE = pd.read_csv(REFERENCE / "mle_fits.csv")
FITS = sorted(set(zip(MLE.dataset, MLE.variable, MLE.distr)))
CONTINUOUS_FITS = [fit for fit in FITS if fit[2] in CONTINUOUS]


def _loglik(distr: str, params: dict[str, float], x: np.ndarray) -> float:
    dist = SCIPY[distr](params)
    return float(np.sum(dist.logpdf(x) if distr in CONTINUOUS else dist.logpmf(x)))


# ---------------------------------------------------------------- the datasets
def test_every_real_csv_is_described_in_the_readme_with_its_row_count():
    readme = (REAL / "README.md").read_text()
    described = dict(re.findall(r"^\| `(\w+)\.csv` \| (\d+) \|", readme, flags=re.MULTILINE))
    assert set(described) == set(real_datasets())
    for name, rows in described.items():
        assert len(real_dataset(name)) == int(rows), name


def test_every_dataset_in_a_reference_file_has_its_csv_and_column():
    for name in ("mle_fits.csv", "gof_stats.csv", "mixtures.csv", "zero_inflated.csv"):
        table = pd.read_csv(REFERENCE / name)
        for dataset, variable in set(zip(table.dataset, table.variable)):
            assert variable in real_dataset(dataset).columns, (name, dataset, variable)


def test_missing_cells_are_nan_and_known_shapes_are_kept():
    air = real_dataset("airquality")
    assert air["Ozone"].isna().sum() == 37 and air["Solar.R"].isna().sum() == 7
    assert list(real_dataset("discoveries").columns) == ["year", "discoveries"]
    assert real_dataset("discoveries")["year"].tolist() == list(range(1860, 1960))
    assert real_dataset("precip").columns.tolist() == ["city", "precip"]
    with pytest.raises(KeyError, match="no real dataset"):
        real_dataset("nonexistent")


# ------------------------------------------------------------- mle_fits.csv
def test_mle_fits_are_finite_with_positive_standard_errors():
    numbers = MLE[["estimate", "sd", "loglik", "aic", "bic"]].to_numpy(dtype=float)
    assert np.isfinite(numbers).all()
    assert (MLE.sd > 0).all()


@pytest.mark.parametrize("dataset, variable, distr", FITS)
def test_mle_fit_parameters_n_aic_bic_are_consistent(dataset, variable, distr):
    ref = mle_reference(dataset, variable, distr)
    x = real_values(dataset, variable)
    k = len(ref["params"])
    assert ref["n"] == x.size
    assert ref["aic"] == pytest.approx(-2 * ref["loglik"] + 2 * k, rel=1e-12)
    assert ref["bic"] == pytest.approx(-2 * ref["loglik"] + k * math.log(x.size), rel=1e-12)


@pytest.mark.parametrize("dataset, variable, distr", FITS)
def test_scipy_at_r_parameters_gives_r_loglik(dataset, variable, distr):
    ref = mle_reference(dataset, variable, distr)
    assert _loglik(distr, ref["params"], real_values(dataset, variable)) == pytest.approx(ref["loglik"], rel=1e-11)


@pytest.mark.parametrize("dataset, variable, distr", FITS)
def test_r_estimate_is_a_maximum(dataset, variable, distr):
    # Moving any parameter by 1e-4 relative either way lowers the log-likelihood.
    ref = mle_reference(dataset, variable, distr)
    x = real_values(dataset, variable)
    for name, value in ref["params"].items():
        for factor in (1 - 1e-4, 1 + 1e-4):
            moved = {**ref["params"], name: value * factor}
            assert _loglik(distr, moved, x) < ref["loglik"], (name, factor)


CLOSED_FORM: dict[str, Callable[[np.ndarray], dict[str, float]]] = {
    "norm": lambda x: {"mean": x.mean(), "sd": x.std()},
    "lnorm": lambda x: {"meanlog": np.log(x).mean(), "sdlog": np.log(x).std()},
    "exp": lambda x: {"rate": 1 / x.mean()},
    "pois": lambda x: {"lambda": x.mean()},
    "geom": lambda x: {"prob": 1 / (1 + x.mean())},
    "nbinom": lambda x: {"mu": x.mean()},
}


@pytest.mark.parametrize("dataset, variable, distr", [fit for fit in FITS if fit[2] in CLOSED_FORM])
def test_closed_form_estimates(dataset, variable, distr):
    params = mle_reference(dataset, variable, distr)["params"]
    for name, value in CLOSED_FORM[distr](real_values(dataset, variable)).items():
        assert params[name] == pytest.approx(value, rel=1e-9), name


def test_parameter_names_are_r_names_and_families_match_the_support():
    names = {"norm": {"mean", "sd"}, "lnorm": {"meanlog", "sdlog"}, "gamma": {"shape", "rate"},
             "weibull": {"shape", "scale"}, "exp": {"rate"}, "logis": {"location", "scale"},
             "pois": {"lambda"}, "nbinom": {"size", "mu"}, "geom": {"prob"}}
    for dataset, variable, distr in FITS:
        assert set(mle_reference(dataset, variable, distr)["params"]) == names[distr]
    for dataset, variable in sorted({fit[:2] for fit in CONTINUOUS_FITS}):
        listed = set(MLE.distr[(MLE.dataset == dataset) & (MLE.variable == variable)]) & set(CONTINUOUS)
        positive = real_values(dataset, variable).min() > 0
        assert listed == (set(CONTINUOUS) if positive else set(CONTINUOUS) - set(POSITIVE_ONLY))


def test_the_issue_10_numbers():
    assert mle_reference("endosulfan", "ATV", "weibull")["params"]["scale"] == pytest.approx(69.91, abs=0.005)
    assert mle_reference("precip", "precip", "gamma")["params"]["shape"] == pytest.approx(4.72, abs=0.005)
    assert mle_reference("endosulfan", "ATV", "lnorm")["params"]["meanlog"] == pytest.approx(2.55, abs=0.005)
    assert mle_reference("rivers", "length", "pois")["loglik"] == pytest.approx(-20522.58, abs=0.005)
    assert mle_reference("islands", "area", "pois")["loglik"] == pytest.approx(-108742.50, abs=0.005)
    assert mle_reference("faithful", "eruptions", "norm")["loglik"] == pytest.approx(-421.4, abs=0.05)
    assert mixture_reference("faithful", "eruptions", 2)["loglik"] == pytest.approx(-276.4, abs=0.05)


# ------------------------------------------------------------ gof_stats.csv
@pytest.mark.parametrize("dataset, variable, distr", CONTINUOUS_FITS)
def test_gof_statistics_match_their_formulas(dataset, variable, distr):
    x = np.sort(real_values(dataset, variable))
    n = x.size
    dist = SCIPY[distr](mle_reference(dataset, variable, distr)["params"])
    ref = gof_reference(dataset, variable, distr)
    weight = 2 * np.arange(1, n + 1) - 1
    assert ref["ks"] == pytest.approx(stats.kstest(x, dist.cdf).statistic, rel=1e-9)
    assert ref["cvm"] == pytest.approx(stats.cramervonmises(x, dist.cdf).statistic, rel=1e-9)
    # ad_log: Anderson-Darling with log F and log(1 - F) taken in log space, finite everywhere.
    assert ref["ad_log"] == pytest.approx(-n - np.mean(weight * (dist.logcdf(x) + dist.logsf(x)[::-1])), rel=1e-9)
    # gofstat's ad takes log(1 - F): Inf exactly where F(max) rounds to 1, else equal to ad_log.
    if dist.cdf(x[-1]) == 1.0:
        assert ref["ad"] == math.inf
    else:
        assert ref["ad"] == pytest.approx(ref["ad_log"], rel=1e-6)


def test_gof_covers_every_continuous_fit():
    gof = pd.read_csv(REFERENCE / "gof_stats.csv")
    assert sorted(zip(gof.dataset, gof.variable, gof.distr)) == CONTINUOUS_FITS
    assert np.isfinite(gof[["ks", "cvm", "ad_log"]].to_numpy()).all()
    assert (gof.ad == math.inf).sum() == 5  # danishuni: norm, gamma, weibull, exp, logis (see README)


# ------------------------------------------------------------- mixtures.csv
MIXTURES = sorted(set(zip(*pd.read_csv(REFERENCE / "mixtures.csv")[["dataset", "variable", "k"]].to_numpy().T)))


@pytest.mark.parametrize("dataset, variable, k", MIXTURES)
def test_mixture_is_a_consistent_maximum(dataset, variable, k):
    ref = mixture_reference(dataset, variable, int(k))
    x = real_values(dataset, variable)
    weights, means, sds = (np.array(ref[key]) for key in ("weights", "means", "sds"))
    assert ref["n"] == x.size
    assert weights.sum() == pytest.approx(1, abs=1e-12) and (weights > 0).all() and (sds > 0).all()
    assert (np.diff(means) > 0).all()

    def loglik(w: np.ndarray, m: np.ndarray, s: np.ndarray) -> float:
        return float(np.sum(np.log(stats.norm.pdf(x[:, None], m, s) @ w)))

    assert loglik(weights, means, sds) == pytest.approx(ref["loglik"], rel=1e-11)
    # EM's fixed point: each weight is the mean responsibility of its component.
    dens = weights * stats.norm.pdf(x[:, None], means, sds)
    responsibility = dens / dens.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(responsibility.mean(axis=0), weights, rtol=1e-7)
    np.testing.assert_allclose((responsibility * x[:, None]).sum(0) / responsibility.sum(0), means, rtol=1e-7)
    # More components never fit worse than one normal.
    assert ref["loglik"] > mle_reference(dataset, variable, "norm")["loglik"]


# -------------------------------------------------------- zero_inflated.csv
def _zero_inflated_loglik(distr: str, params: dict[str, float], x: np.ndarray) -> float:
    base = SCIPY["pois"]({"lambda": params["lambda"]}) if distr == "zipois" else SCIPY["nbinom"](params)
    mass = (1 - params["pstr0"]) * base.pmf(x) + params["pstr0"] * (x == 0)
    return float(np.sum(np.log(mass)))


ZERO_INFLATED = sorted(set(zip(*pd.read_csv(REFERENCE / "zero_inflated.csv")[["dataset", "variable", "distr"]].to_numpy().T)))


@pytest.mark.parametrize("dataset, variable, distr", ZERO_INFLATED)
def test_zero_inflated_fits_are_consistent(dataset, variable, distr):
    ref = zero_inflated_reference(dataset, variable, distr)
    x = real_values(dataset, variable)
    k = len(ref["params"])
    assert ref["n"] == x.size and k == (2 if distr == "zipois" else 3)
    assert _zero_inflated_loglik(distr, ref["params"], x) == pytest.approx(ref["loglik"], rel=1e-11)
    assert ref["aic"] == pytest.approx(-2 * ref["loglik"] + 2 * k, rel=1e-12)
    if ref["note"].startswith("boundary"):
        # pstr0 = 0 is the negative binomial itself, and any pstr0 > 0 is worse at these size, mu.
        assert ref["params"]["pstr0"] == 0 and math.isnan(ref["sd"]["pstr0"])
        assert ref["loglik"] == pytest.approx(mle_reference(dataset, variable, "nbinom")["loglik"], rel=1e-12)
        assert _zero_inflated_loglik(distr, {**ref["params"], "pstr0": 1e-4}, x) < ref["loglik"]
    else:
        assert 0 < ref["params"]["pstr0"] < 1 and all(map(math.isfinite, ref["sd"].values()))
    if distr == "zipois":
        lam, pstr0 = ref["params"]["lambda"], ref["params"]["pstr0"]
        assert (1 - pstr0) * lam == pytest.approx(x.mean(), rel=1e-9)
        assert pstr0 + (1 - pstr0) * math.exp(-lam) == pytest.approx(np.mean(x == 0), rel=1e-9)
