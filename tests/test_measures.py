"""kl_core.measures: reference values from the seeds and scipy, and the laws of the measures."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial.distance import jensenshannon

from kl_core import DataError
from kl_core.measures import (
    apply_zero_policy_log, cross_entropy, entropy, js_divergence, js_divergence_log,
    kl_contributions, kl_contributions_log, kl_divergence, kl_divergence_log, reverse_kl_log,
)

# seeds/002: planet temperature level probabilities; entropy 2.323115964316818 bits.
TEMPERATURE_PROBS = np.array([0.30, 0.40, 0.05, 0.06, 0.07, 0.02, 0.05, 0.05])
# seeds/002: the Dirichlet draws printed in the article; kld(true, obtained) = 1.0307765380651435 bits,
# entropy(true) = 2.380762398444909, cross_entropy(true, obtained) = 3.4115389365100524.
OBTAINED = np.array([0.22374847, 0.01351315, 0.26085442, 0.04087474, 0.05121301, 0.04455142, 0.14301258, 0.22223221])
TRUE = np.array([0.29786589, 0.01631927, 0.00065958, 0.27396781, 0.11610311, 0.10891934, 0.01762108, 0.16854391])


def test_temperature_entropy_matches_seed():
    assert entropy(TEMPERATURE_PROBS) == pytest.approx(2.323115964316818, abs=1e-12)


def test_dirichlet_example_matches_seed():
    # The article's printed probabilities are rounded to 8 digits, so agreement is to ~1e-7.
    assert kl_divergence(TRUE, OBTAINED) == pytest.approx(1.0307765380651435, abs=1e-6)
    assert entropy(TRUE) == pytest.approx(2.380762398444909, abs=1e-6)
    assert cross_entropy(TRUE, OBTAINED) == pytest.approx(3.4115389365100524, abs=1e-6)


def test_kl_matches_scipy_entropy_in_nats_and_bits():
    p, q = TRUE, OBTAINED
    assert kl_divergence(p, q, base=math.e) == pytest.approx(stats.entropy(p, q))
    assert kl_divergence(p, q, base=2) == pytest.approx(stats.entropy(p, q, base=2))


def test_js_matches_scipy_distance_squared():
    assert js_divergence(TRUE, OBTAINED) == pytest.approx(jensenshannon(TRUE, OBTAINED, base=2) ** 2)


def test_zero_model_mass_gives_infinity_and_names_cells():
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([1.0, 0.0, 0.0])
    assert kl_divergence(p, q) == math.inf
    assert np.isinf(kl_contributions(p, q)).tolist() == [False, True, False]


def test_epsilon_policy_is_finite_and_is_the_stated_mixture():
    p, q = np.array([0.5, 0.5]), np.array([1.0, 0.0])
    eps = 1e-3
    mixed = (1 - eps) * q + eps / 2
    assert np.exp(apply_zero_policy_log(np.array([0.0, -np.inf]), "epsilon", eps)) == pytest.approx(mixed)
    assert kl_divergence(p, q, zero_policy="epsilon", epsilon=eps) == pytest.approx(stats.entropy(p, mixed, base=2))


def test_model_mass_below_one_is_not_renormalised():
    # q puts 0.5 of its mass elsewhere: KL = log2(1 / 0.5) = 1 bit, not 0.
    assert kl_divergence(np.array([1.0]), np.array([0.5])) == pytest.approx(1.0)


def test_js_counts_mass_elsewhere():
    # q = [0.5] on the single listed cell, 0.5 elsewhere: JS = 0.5*KL(p||m) + 0.5*(q log q/m ...) in closed form.
    p, q = np.array([1.0]), np.array([0.5])
    m = 0.75
    expected = 0.5 * math.log2(1 / m) + 0.5 * (0.5 * math.log2(0.5 / m)) + 0.5 * 0.5 * 1.0
    assert js_divergence(p, q) == pytest.approx(expected)


@pytest.mark.parametrize(
    "p, q, message",
    [
        ([0.5, 0.6], [0.5, 0.5], "p sums to 1.1"),
        ([0.5, 0.5], [0.6, 0.6], "q sums to 1.2, more than 1"),
        ([1.5, -0.5], [0.5, 0.5], "p contains negative"),
        ([0.5, 0.5], [0.5, float("nan")], "q contains NaN"),
        ([0.5, 0.5], [1.0], "same cells"),
        ([[0.5, 0.5]], [[0.5, 0.5]], "one-dimensional"),
    ],
)
def test_bad_arrays_raise_data_error_naming_the_argument(p, q, message):
    with pytest.raises(DataError, match=message):
        kl_divergence(np.array(p), np.array(q))


@pytest.mark.parametrize("base", [0, 1, -2, float("nan")])
def test_bad_base(base):
    with pytest.raises(DataError, match="base must be a positive number other than 1"):
        entropy(np.array([1.0]), base=base)


def test_bad_zero_policy():
    with pytest.raises(DataError, match="zero_policy must be one of"):
        kl_divergence(np.array([1.0]), np.array([1.0]), zero_policy="sloppy")


# ----------------------------------------------------------------- properties
def _distributions(size: int):
    return st.lists(st.floats(0, 1e6, allow_nan=False), min_size=size, max_size=size).filter(lambda w: sum(w) > 0).map(
        lambda w: np.array(w) / np.sum(w)
    )


pairs = st.integers(1, 12).flatmap(lambda k: st.tuples(_distributions(k), _distributions(k)))


@settings(max_examples=200, deadline=None)
@given(pairs)
def test_kl_is_non_negative_and_js_is_bounded(pair):
    p, q = pair
    assert kl_divergence(p, q) >= 0
    assert 0 <= js_divergence(p, q) <= 1 + 1e-12


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12).flatmap(_distributions))
def test_kl_of_a_distribution_with_itself_is_zero(p):
    assert kl_divergence(p, p) == pytest.approx(0, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(pairs, st.randoms(use_true_random=False))
def test_kl_is_invariant_to_reordering_cells(pair, random):
    p, q = pair
    order = list(range(p.size))
    random.shuffle(order)
    assert kl_divergence(p[order], q[order]) == pytest.approx(kl_divergence(p, q), rel=1e-9, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12).flatmap(_distributions))
def test_kl_from_uniform_is_log_k_minus_entropy(p):
    uniform = np.full(p.size, 1 / p.size)
    assert kl_divergence(p, uniform) == pytest.approx(math.log2(p.size) - entropy(p), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(pairs)
def test_bits_are_nats_over_ln2(pair):
    p, q = pair
    bits, nats = kl_divergence(p, q, base=2), kl_divergence(p, q, base=math.e)
    if math.isinf(nats):
        assert math.isinf(bits)
    else:
        assert bits == pytest.approx(nats / math.log(2), rel=1e-9, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(pairs)
def test_cross_entropy_is_entropy_plus_kl(pair):
    p, q = pair
    assert cross_entropy(p, q) == pytest.approx(entropy(p) + kl_divergence(p, q), rel=1e-9, abs=1e-12)


# ------------------------------------------------------------ log space (issue 10 item 3, issue 13 JS bug)
def test_js_with_a_smallest_float_cell_is_finite():
    # test_fuzz found JS = ∞ here: M = 5e-324 / 2 rounds to 0 and rel_entr(q, 0) is ∞.
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.5, 0.5 - 5e-324, 5e-324])
    assert 0 <= js_divergence(p, q) <= 1
    assert js_divergence(p, q) == pytest.approx(0.0, abs=1e-15)


def test_kl_from_log_masses_stays_finite_where_q_underflows():
    # A Poisson(1000) model of the values 0 and 2000: both masses are below the smallest float.
    log_q = stats.poisson.logpmf([0, 2000], 1000)
    p = np.array([0.5, 0.5])
    expected_nats = -math.log(2) - 0.5 * float(log_q.sum())  # Σ p log p - Σ p log q
    assert kl_divergence_log(p, log_q, base=math.e) == pytest.approx(expected_nats, rel=1e-12)
    assert kl_divergence(p, np.exp(log_q)) == math.inf  # what the probabilities alone can say
    assert js_divergence_log(p, log_q) == pytest.approx(1.0, abs=1e-12)


def test_log_and_plain_measures_agree_on_ordinary_numbers():
    log_q = np.log(OBTAINED)
    assert kl_divergence_log(TRUE, log_q) == pytest.approx(kl_divergence(TRUE, OBTAINED), rel=1e-12)
    # OBTAINED sums to 1 only to ~1e-8 (printed digits); scipy renormalises, we count the rest as elsewhere.
    assert js_divergence_log(TRUE, log_q) == pytest.approx(jensenshannon(TRUE, OBTAINED, base=2) ** 2, rel=1e-7)
    assert kl_contributions_log(TRUE, log_q).sum() == pytest.approx(kl_divergence(TRUE, OBTAINED), rel=1e-12)
    # D(Q‖P) with Q normalised: scipy's entropy(q, p).
    assert reverse_kl_log(TRUE, log_q) == pytest.approx(stats.entropy(OBTAINED, TRUE, base=2), rel=1e-7)


def test_log_q_summing_above_one_is_refused():
    with pytest.raises(DataError, match="log_q sums to 2"):
        kl_divergence_log(np.array([0.5, 0.5]), np.array([0.0, 0.0]))


def _tiny_log_masses(size: int):
    """Log masses that mix ordinary cells with ones far below the smallest float, and exact zeros."""
    cell = st.one_of(st.floats(-5, 0), st.floats(-1e5, -700), st.just(-math.inf), st.just(math.log(5e-324)))
    return st.lists(cell, min_size=size, max_size=size).filter(lambda c: max(c) > -math.inf).map(
        lambda c: np.array(c) - float(np.logaddexp.reduce(np.array(c))) - 1e-12  # a distribution (or a hair less)
    )


tiny_pairs = st.integers(1, 10).flatmap(lambda k: st.tuples(_distributions(k), _tiny_log_masses(k)))


@settings(max_examples=300, deadline=None)
@given(tiny_pairs)
def test_js_is_at_most_one_bit_for_any_masses_however_small(pair):
    p, log_q = pair
    js = js_divergence_log(p, log_q)
    assert 0 <= js <= 1
    assert 0 <= js_divergence(p, np.exp(log_q)) <= 1  # the same through the probabilities, subnormals included
    assert js_divergence_log(p, log_q, base=math.e) <= math.log(2)


@settings(max_examples=300, deadline=None)
@given(tiny_pairs)
def test_kl_from_logs_is_infinite_only_where_the_model_excludes_an_observed_cell(pair):
    p, log_q = pair
    excluded = bool(np.any((p > 0) & (log_q == -math.inf)))
    kl = kl_divergence_log(p, log_q)
    assert kl >= 0
    assert math.isinf(kl) == excluded
