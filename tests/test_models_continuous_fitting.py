"""The continuous fitting stages: many distinct values are searched on a coarse summary, then polished on the fine one."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from kl_core.empirical import Empirical
from kl_core.models import fit
from kl_core.models.continuous.fitting import POINTS_LIMIT


def test_dweibull_through_the_summary_is_as_good_as_scipys_fit_on_every_value():
    """dweibull's log density has a cusp at loc: the coarse summary's best end polished 5.5 nats short of the fine
    optimum, which the coarse search's other end (from the other pseudo-sample) reaches."""
    x = np.random.default_rng(2).gamma(2.0, 3.0, 100_000)
    assert np.unique(x).size > POINTS_LIMIT  # the summary path
    model = fit(Empirical.from_samples(x), "dweibull")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = stats.dweibull.fit(x)  # scipy's own start and optimiser on the raw values
    theirs = float(np.sum(stats.dweibull.logpdf(x, *reference)))
    ours = float(np.sum(stats.dweibull.logpdf(x, model.params["c"], loc=model.params["loc"], scale=model.params["scale"])))
    assert np.isfinite(theirs)
    assert ours >= theirs - 1e-6 * abs(theirs), (ours, theirs, model.params, reference)
