"""The private scipy calls of the continuous fits still behave as they did when checked."""

import warnings

import numpy as np
import pytest
import scipy
from scipy import optimize, stats

from kl_core.models.continuous import scipy_bridge


def test_every_private_scipy_call_still_agrees_with_its_public_twin():
    found = scipy_bridge.problems()
    assert not found, (
        f"scipy {scipy.__version__} changed private APIs used by kl_core/models/continuous/scipy_bridge.py "
        f"(checked against {scipy_bridge.SCIPY_CHECKED}): " + "; ".join(found)
    )


def test_the_t_log_density_is_scipys_to_the_last_bit():
    z = np.concatenate([np.linspace(-50.0, 50.0, 1001), [1e-300, -1e200, 3e7]])
    with np.errstate(over="ignore"):  # z = −1e200: z² overflows to ∞ in both, log density −∞
        for df in (0.3, 1.0, 4.647, 250.0, 1e6):
            assert np.array_equal(scipy_bridge.std_logpdf(stats.t, z, [df]), stats.t.logpdf(z, df)), df


def test_the_tukey_lambda_log_density_is_the_quantile_functions_exactly():
    # At z = Q(q) the density is 1 / Q'(q) exactly: Q'(q) = q^(λ−1) + (1−q)^(λ−1). Both tails, as far as z keeps q's digits.
    for lam in (-3.0, -1.0, -0.2, 0.0, 1e-7, 0.14, 0.5, 1.0, 1.5, 3.0):
        far = 1e-30 if lam <= 0 else 1e-12  # for λ > 0, z = Q(q) rounds to the support's end below that
        q = np.concatenate([np.geomspace(far, 0.5, 400), 1 - np.geomspace(1e-12, 0.5, 200)])
        z = stats.tukeylambda.ppf(q, lam)
        exact = -np.logaddexp((lam - 1) * np.log(q), (lam - 1) * np.log1p(-q))
        assert np.allclose(scipy_bridge.std_logpdf(stats.tukeylambda, z, [lam]), exact, rtol=1e-9, atol=1e-9), lam


def test_the_tukey_lambda_log_density_agrees_with_scipys_where_scipys_bisection_is_accurate():
    # scipy's own value loses digits where its CDF is within 1e-9 of 0 or 1 (bisection floor, 1 − F); elsewhere they agree.
    for lam in (-1.0, -0.2, 0.0, 0.14, 0.5, 2.0):
        z = stats.tukeylambda.ppf(np.linspace(1e-6, 1 - 1e-6, 2001), lam)
        got = scipy_bridge.std_logpdf(stats.tukeylambda, z, [lam])
        assert np.allclose(got, stats.tukeylambda.logpdf(z, lam), rtol=1e-9, atol=0), lam
    assert np.all(scipy_bridge.std_logpdf(stats.tukeylambda, np.array([-2.0, 2.0, 2.5]), [0.5]) == -np.inf)  # support's ends


def _inside(dist, shapes, count=4001):
    """Standard points across the support's interior and ends, into far tails where the support is unbounded."""
    low, high = dist.support(*shapes)
    body = dist.ppf(np.linspace(0.0, 1.0, count), *shapes)
    tails = [low + np.geomspace(1e-12, 1.0, 50), high - np.geomspace(1e-12, 1.0, 50)]
    far = [-np.geomspace(1.0, 1e6, 50), np.geomspace(1.0, 1e6, 50)]
    z = np.concatenate([body, *tails, *far, [low, high]])
    return z[np.isfinite(z) & (z >= low) & (z <= high)]


def _agree(dist, shapes, rtol=1e-12):
    z = _inside(dist, shapes)
    with np.errstate(all="ignore"):
        got, want = scipy_bridge.std_logpdf(dist, z, shapes), dist.logpdf(z, *shapes)
    both_finite = np.isfinite(want)
    assert np.array_equal(np.isfinite(got), both_finite) and np.array_equal(got[~both_finite], want[~both_finite], equal_nan=True), (dist.name, shapes)
    assert np.allclose(got[both_finite], want[both_finite], rtol=rtol, atol=0), (dist.name, shapes)


def test_the_trapezoid_and_triangular_log_densities_are_scipys_over_every_shape():
    grid = [0.0, 1e-9, 0.1, 0.25, 0.5, 0.9, 1 - 1e-9, 1.0]
    for c in grid:
        _agree(stats.triang, [c])
        for d in grid:
            if d >= c:
                _agree(stats.trapezoid, [c, d])


def test_the_trapezoid_quantiles_are_scipys():
    q = np.concatenate([np.linspace(0.0, 1.0, 1001), [1e-300, 1e-12, 1 - 1e-12]])
    grid = [0.0, 1e-9, 0.2, 0.5, 0.8, 1.0]
    for c in grid:
        for d in (d for d in grid if d >= c):
            got, want = scipy_bridge.std_ppf(stats.trapezoid, q, [c, d]), stats.trapezoid.ppf(q, c, d)
            assert np.allclose(got, want, rtol=1e-12, atol=0), (c, d)


KAPPA4_SHAPES = [(h, k) for h in (-2.0, -0.5, 0.0, 1e-8, 0.3, 1.0, 2.5) for k in (-1.5, -0.2, 0.0, 1e-8, 0.25, 1.0, 3.0)]


def test_the_kappa4_log_density_quantiles_and_support_are_scipys_for_every_sign_of_h_and_k():
    q = np.concatenate([np.geomspace(1e-12, 0.5, 200), 1 - np.geomspace(1e-12, 0.5, 200)])
    for h, k in KAPPA4_SHAPES:
        assert scipy_bridge.support(stats.kappa4, [h, k]) == tuple(map(float, stats.kappa4.support(h, k))), (h, k)
        _agree(stats.kappa4, [h, k])
        with np.errstate(all="ignore"):
            got, want = scipy_bridge.std_ppf(stats.kappa4, q, [h, k]), stats.kappa4.ppf(q, h, k)
        assert np.allclose(got, want, rtol=1e-12, atol=0, equal_nan=True), (h, k)


def _budgeted(func, x0, args=(), disp=0):
    return optimize.fmin(func, x0, args, disp=0, maxfun=300)  # an evaluation budget, as the search gives scipy's fit


def test_the_fitting_twins_evaluate_scipys_likelihood_and_fit_as_scipy_does():
    rng = np.random.default_rng(5)
    cases = {"trapezoid": [0.2, 0.7], "triang": [0.35], "kappa4": [0.4, 0.1], "tukeylambda": [-0.1]}
    for name, shapes in cases.items():
        dist = getattr(stats, name)
        twin = scipy_bridge.fitting_twin(dist)
        assert twin is not dist and twin.name == name and isinstance(twin, type(dist))
        sample = dist.rvs(*shapes, loc=1.0, scale=2.0, size=400, random_state=rng)
        z = _inside(dist, shapes)
        if name == "tukeylambda":  # where scipy's bisection keeps its digits (see the test above)
            z = dist.ppf(np.linspace(1e-6, 1 - 1e-6, 2001), *shapes)
        with np.errstate(all="ignore"):
            assert np.allclose(twin.logpdf(z, *shapes), dist.logpdf(z, *shapes), rtol=1e-9, atol=0, equal_nan=True), name
            # shapes that differ point by point take scipy's own path
            mixed = [np.linspace(0.9 * s, s, z.size) if s else np.zeros(z.size) for s in shapes]
            assert np.allclose(twin.logpdf(z, *mixed), dist.logpdf(z, *mixed), rtol=1e-9, atol=0, equal_nan=True), name
        start = dict(loc=0.9, scale=2.1)
        ours = twin.fit(sample, *shapes, **start, optimizer=_budgeted)
        theirs = dist.fit(sample, *shapes, **start, optimizer=_budgeted)
        if name == "tukeylambda":  # the same likelihood to ~1e-12: the same optimum to the optimiser's tolerance
            assert np.allclose(ours, theirs, rtol=1e-3), (name, ours, theirs)
        else:  # the same likelihood to the last bit: the same steps
            assert np.array_equal(ours, theirs), (name, ours, theirs)
        assert twin.nnlf(ours, sample) <= dist.nnlf(theirs, sample) + 1e-9 * abs(dist.nnlf(theirs, sample)), name
    assert scipy_bridge.fitting_twin(stats.norm) is stats.norm and scipy_bridge.fitting_twin(stats.ncf) is stats.ncf


def test_the_shape_check_is_scipys_for_every_catalogue_family():
    from kl_core.models.continuous.catalogue import CATALOGUE, family

    probes = [-2.0, -1e-300, 0.0, 1e-300, 0.3, 1.0, 7.5, np.inf, np.nan]
    for name in CATALOGUE:
        dist = family(name).dist
        count = len(family(name).shape_names)
        for shapes in ([p] * count for p in probes):
            if count:
                with np.errstate(all="ignore"):
                    want = bool(np.all(dist._argcheck(*shapes)))
                assert scipy_bridge.valid_shapes(dist, shapes) == want, (name, shapes)
        if count == 2:
            for shapes in ([0.5, -1.0], [-1.0, 0.5], [0.2, 0.7], [0.7, 0.2]):
                assert scipy_bridge.valid_shapes(dist, shapes) == bool(np.all(dist._argcheck(*shapes))), (name, shapes)


def test_the_log_density_with_scalar_shapes_is_scipys_for_every_catalogue_family():
    # std_logpdf hands scipy's _logpdf scalar shapes (as scipy's fit does); the public logpdf broadcasts them.
    from kl_core.models.continuous.catalogue import CATALOGUE, family

    checked = 0
    for name in CATALOGUE:
        fam = family(name)
        for u in (-1.0, 0.0, 0.3, 1.2):
            shapes = [fam.transforms[s].backward(u + 0.37 * i) for i, s in enumerate(fam.shape_names)]
            if not scipy_bridge.valid_shapes(fam.dist, shapes):
                continue
            low, high = scipy_bridge.support(fam.dist, shapes)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                z = fam.dist.ppf(np.linspace(0.001, 0.999, 501), *shapes)
                z = z[np.isfinite(z) & (z > low) & (z < high)]
                if z.size == 0:
                    continue
                got, want = scipy_bridge.std_logpdf(fam.dist, z, shapes), fam.dist.logpdf(z, *shapes)
            # kstwobign is our series (scipy's log(pdf) underflows); scipy's own kolmogp is off by 2e-8 near z = 0.83.
            rtol = 1e-7 if name == "kstwobign" else 1e-12
            assert np.allclose(got, want, rtol=rtol, atol=0, equal_nan=True), (name, shapes)
            checked += 1
    assert checked > 250


def test_the_kolmogorov_log_density_is_scipys_where_scipys_is_finite_and_finite_below():
    """scipy takes log(pdf): −inf below z ≈ 0.04 although the density is positive on (0, ∞)."""
    z = np.concatenate([np.linspace(0.05, 3.0, 300), [6.0]])
    ours, theirs = scipy_bridge.kstwobign_logpdf(z), stats.kstwobign.logpdf(z)
    assert np.allclose(ours, theirs, rtol=1e-7, atol=0)  # scipy's own kolmogp is off by 2e-8 near z = 0.83 (its switch of series)
    assert np.allclose(ours[z < 0.8], theirs[z < 0.8], rtol=1e-12, atol=1e-12)
    small = np.array([1e-3, 0.01, 0.03])
    with np.errstate(divide="ignore"):
        assert np.all(np.isneginf(stats.kstwobign.logpdf(small[:2])))
    # The series' first term, −π²/(8z²) + log(π²/(4z⁴)) + ½ log 2π, checked by hand at z = 0.01 (the rest is e^−(π²/z²)).
    first = -np.pi**2 / (8 * 1e-4) + np.log(np.pi**2 / (4 * 1e-8) - 1 / 1e-4) + 0.5 * np.log(2 * np.pi)
    assert scipy_bridge.kstwobign_logpdf(np.array([0.01]))[0] == pytest.approx(first, rel=1e-14)
    assert np.all(np.isfinite(scipy_bridge.kstwobign_logpdf(small)))
    assert np.all(np.isneginf(scipy_bridge.kstwobign_logpdf(np.array([0.0, -1.0]))))
    # Far right: 8z e^(−2z²) (1 − 4e^(−6z²) …), by hand at z = 40, where scipy's pdf underflows to 0.
    with np.errstate(divide="ignore"):
        assert np.isneginf(stats.kstwobign.logpdf(40.0))
    assert scipy_bridge.kstwobign_logpdf(np.array([40.0]))[0] == pytest.approx(np.log(320.0) - 3200.0, rel=1e-14)


def test_the_frechet_log_density_is_scipys_where_scipys_is_finite_and_finite_below():
    z = np.geomspace(0.02, 50.0, 200)
    for c in (0.5, 1.0, 3.0):
        theirs = stats.invweibull.logpdf(z, c)
        finite = np.isfinite(theirs)
        assert finite.sum() > 150
        assert np.allclose(scipy_bridge.invweibull_logpdf(z, c)[finite], theirs[finite], rtol=1e-12, atol=1e-12)
    small = np.array([1e-4, 4e-4])
    with np.errstate(divide="ignore"):
        assert np.all(np.isneginf(stats.invweibull.logpdf(small, 1.0)))  # scipy: log(pdf) underflows
    # log c − (1 + c) log z − z^(−c) by hand at c = 1, z = 1e-4: 0 + 2·9.2103… − 10,000
    assert scipy_bridge.invweibull_logpdf(np.array([1e-4]), 1.0)[0] == pytest.approx(2 * np.log(1e4) - 1e4, rel=1e-14)
    assert np.all(np.isneginf(scipy_bridge.invweibull_logpdf(np.array([0.0, -1.0]), 1.0)))


@pytest.mark.parametrize("name", ["foldnorm", "rice"])
def test_the_folded_normal_and_rice_log_densities_are_scipys_where_scipys_is_finite_and_finite_beyond(name):
    ours_of = {"foldnorm": scipy_bridge.foldnorm_logpdf, "rice": scipy_bridge.rice_logpdf}[name]
    dist = getattr(stats, name)
    z = np.linspace(0.01, 30.0, 400)
    for shape in (0.0, 0.3, 2.0, 12.0):
        assert np.allclose(ours_of(z, shape), dist.logpdf(z, shape), rtol=1e-12, atol=1e-12), (name, shape)
        # Standard std_logpdf dispatch takes ours.
        assert np.array_equal(scipy_bridge.std_logpdf(dist, z, [shape]), ours_of(z, shape))
    far = np.array([60.0, 300.0])
    with np.errstate(divide="ignore"):
        assert np.all(np.isneginf(dist.logpdf(far, 0.5)))  # scipy: log(pdf) underflows
    # By hand far out: log φ(z − c) dominates (foldnorm); rice: log z − (z − b)²/2 − ½ log(2π z b) (I₀e's asymptote).
    expected = {"foldnorm": -0.5 * (far - 0.5) ** 2 - 0.5 * np.log(2 * np.pi),
                "rice": np.log(far) - 0.5 * (far - 0.5) ** 2 - 0.5 * np.log(2 * np.pi * far * 0.5)}[name]
    assert np.allclose(ours_of(far, 0.5), expected, rtol=1e-5)
    assert np.all(np.isneginf(ours_of(np.array([-1.0]), 0.5)))


def test_the_truncpareto_log_density_is_scipys_to_the_last_bit_for_either_sign_of_b():
    for b in (-3.0, -0.4, 1e-9, 0.3, 2.0, 40.0):
        for c in (1.0 + 1e-7, 1.5, 30.0, 1e6):
            z = _inside(stats.truncpareto, [b, c])
            with np.errstate(all="ignore"):
                got, want = scipy_bridge.std_logpdf(stats.truncpareto, z, [b, c]), stats.truncpareto.logpdf(z, b, c)
            assert got.size and np.array_equal(got, want), (b, c)
    twin = scipy_bridge.fitting_twin(stats.truncpareto)
    sample = stats.truncpareto.rvs(1.5, 4.0, loc=0.5, scale=2.0, size=300, random_state=np.random.default_rng(9))
    start = dict(loc=0.4, scale=2.1)
    assert twin is not stats.truncpareto
    assert np.array_equal(twin.fit(sample, 1.4, 4.2, **start, optimizer=_budgeted),
                          stats.truncpareto.fit(sample, 1.4, 4.2, **start, optimizer=_budgeted))  # the same steps
