"""The whole continuous catalogue: every log-likelihood the ranking reports is the raw values' own.

The ranking takes Σ log q over many values from a weighted summary when its measured error
bound allows (:func:`kl_core.continuous_kl.summary_log_likelihood`), and Tukey lambda's log
density without scipy's bisection (:func:`kl_core.models.continuous.scipy_bridge.tukeylambda_logpdf`).
Here both are checked, family by family, against a plain raw-data reference: scipy's public
``logpdf`` of the fitted distribution summed over every observed value.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from kl_core import Empirical, compare
from kl_core import continuous_kl
from kl_core.models import REGISTRY
from reference_data import real_values

_RELATIVE = 1e-9


def _catalogue(emp: Empirical) -> list[str]:
    return [name for name, spec in REGISTRY.items() if spec.group in ("simple", "continuous") and spec.why_not(emp) is None]


def _raw_loglik(model, values: np.ndarray) -> float:
    """Σ log q over every value with scipy's public, checked logpdf (Tukey lambda: see below)."""
    frozen = model.extra["frozen"]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if frozen.dist.name == "tukeylambda":
            return _tukey_raw_loglik(model, values)
        if frozen.dist.name == "kstwobign":
            return _kolmogorov_raw_loglik(model, values)
        return float(np.sum(frozen.logpdf(values)))


def _kolmogorov_raw_loglik(model, values: np.ndarray) -> float:
    """kstwobign: scipy's log density is log(pdf), −inf below z ≈ 0.04 where the density is e^(−π²/(8z²))·…; there
    the first term of K(z) = √(2π)/z Σ e^(−(2k−1)²π²/(8z²)), differentiated (the next term is e^(−π²/z²) smaller)."""
    frozen = model.extra["frozen"]
    loc, scale = frozen.kwds["loc"], frozen.kwds["scale"]
    z = (values - loc) / scale
    small = (z > 0) & (z < 0.05)
    logs = frozen.logpdf(values)
    c = np.pi**2 / 8
    logs[small] = 0.5 * np.log(2 * np.pi) - c / z[small] ** 2 + np.log(2 * c / z[small] ** 4 - 1 / z[small] ** 2) - math.log(scale)
    return float(np.sum(logs))


def _tukey_raw_loglik(model, values: np.ndarray) -> float:
    """Tukey lambda: scipy's own log density loses digits where its CDF is within 1e-9 of 0 or 1 (bisection floor,
    1 − F), and one ulp from the end of a bounded support (λ > 1, where the MLE puts it) no value is well-conditioned.
    Where scipy's left-half CDF q is accurate, the model's log density must be the exact −log Q'(q); the sum is its own."""
    frozen = model.extra["frozen"]
    lam, loc, scale = frozen.args[0], frozen.kwds["loc"], frozen.kwds["scale"]
    q = stats.tukeylambda.cdf(-np.abs(values - loc) / scale, lam)
    exact = -np.logaddexp((lam - 1) * np.log(q), (lam - 1) * np.log1p(-q)) - math.log(scale)
    own = model.logpdf(values)
    accurate = q > 1e-9
    assert np.allclose(own[accurate], exact[accurate], rtol=1e-9, atol=0)
    assert np.all(np.isfinite(own[~accurate]) == np.isfinite(frozen.logpdf(values[~accurate])))
    return float(np.sum(own))


@pytest.fixture(scope="module")
def gamma_floats() -> np.ndarray:
    return np.random.default_rng(7).gamma(2.0, 3.0, 20_000)


@pytest.mark.slow
@pytest.mark.parametrize("data", ["gamma", "faithful"])
def test_every_reported_log_likelihood_is_the_raw_values_own(data, gamma_floats, monkeypatch):
    values = gamma_floats if data == "gamma" else real_values("faithful", "eruptions")
    # 20,000 values: take Σ log q from the summary wherever its bound allows, as beyond 100,000 by default.
    monkeypatch.setattr(continuous_kl, "SUMMARY_FROM", 5_000)
    emp = Empirical.from_samples(values)
    result = compare(emp, _catalogue(emp))
    table = result.table.set_index("model")
    assert result.fitted, "nothing fitted"
    for name, model in result.fitted.items():
        if "frozen" not in model.extra:
            continue  # the uniform (simple model): not a catalogue family
        reported = float(table.loc[name, "loglik"])
        raw = _raw_loglik(model, np.asarray(values, dtype=float))
        if math.isinf(raw):
            assert math.isinf(reported) and reported < 0, f"{name}: an observed value is outside its support, yet log L = {reported}"
        else:
            assert math.isfinite(reported), f"{name}: log L reported as {reported}, but every value has a finite density ({raw})"
            assert abs(reported - raw) <= _RELATIVE * abs(raw), f"{name}: reported {reported!r}, raw values give {raw!r}"


@pytest.mark.slow
def test_tukey_lambda_fits_no_worse_than_the_search_on_the_raw_values(gamma_floats, monkeypatch):
    # Its log density changed path (Newton on the quantile function, not scipy's bisection): the fit through
    # the summary must be as likely as the same search run on the 20,000 raw values themselves.
    from kl_core.models import fit
    from kl_core.models.continuous import fitting

    emp = Empirical.from_samples(gamma_floats)
    summarised = _raw_loglik(fit(emp, "tukeylambda"), gamma_floats)
    monkeypatch.setattr(fitting, "POINTS_LIMIT", 10**9)
    raw_path = _raw_loglik(fit(Empirical.from_samples(gamma_floats), "tukeylambda"), gamma_floats)
    assert summarised >= raw_path - _RELATIVE * abs(raw_path)
