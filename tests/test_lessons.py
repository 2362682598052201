"""kl_core.lessons: the Learn page's numbers, checked against independent computations.

Sources of the reference values:
* Planet temperatures (levels 100..180, probabilities 0.30, 0.40, 0.05, 0.06, 0.07, 0.02,
  0.05, 0.05) and worm teeth (counts 2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7 for 0..10 teeth):
  the project's seeds (kl_core.samples), after Will Kurt, "Kullback-Leibler Divergence
  Explained", Count Bayesie (2017). Entropy 2.3231 bits; uniform KL 0.197 bits; binomial
  (n=10, p=0.544, the MLE mean/10) KL 0.617 bits.
* Coin: E_P[log P(X)/Q(X)] = D_KL(P||Q) and the law of large numbers (Cover & Thomas,
  Elements of Information Theory, 2nd ed., eq. 11.3 / §11.8); the standard error of the
  running mean is sd/sqrt(N).
"""

import math

import numpy as np
import pytest
from scipy import stats

from kl_core import lessons
from kl_core.samples import PLANET_PROBABILITIES, WORM_COUNTS
from reference_data import mixture_reference, real_values


# ------------------------------------------------------------------- entropy
def test_planet_entropy_and_code_lengths():
    lesson = lessons.entropy_lesson()
    assert lesson.entropy == pytest.approx(2.3231, abs=5e-5)
    assert lesson.entropy == pytest.approx(stats.entropy(PLANET_PROBABILITIES, base=2), rel=1e-12)
    assert lesson.fixed_bits == 3
    assert lesson.waste == pytest.approx(0.6769, abs=5e-5)  # "about 0.68 bits per message"
    assert lesson.ideal_total == pytest.approx(23.231, abs=5e-4) and lesson.fixed_total == 30  # 10 messages: ~23 vs 30
    # A Huffman code is a real prefix code: Kraft equality, and H <= L < H + 1.
    assert sum(2.0 ** -lesson.huffman) == pytest.approx(1.0)
    assert lesson.entropy <= lesson.huffman_average < lesson.entropy + 1


def test_fixed_length_bits():
    assert [lessons.fixed_length_bits(k) for k in (1, 2, 3, 4, 8, 9, 1024)] == [0, 1, 2, 2, 3, 4, 10]


def test_reshape_moves_entropy_between_zero_and_three_bits():
    flat = lessons.entropy_lesson(lessons.reshape(PLANET_PROBABILITIES, 0.0))
    same = lessons.entropy_lesson(lessons.reshape(PLANET_PROBABILITIES, 1.0))
    sharp = lessons.entropy_lesson(lessons.reshape(PLANET_PROBABILITIES, 50.0))
    assert flat.entropy == pytest.approx(3.0) and flat.waste == pytest.approx(0.0, abs=1e-12)
    assert same.entropy == pytest.approx(2.3231, abs=5e-5)
    assert sharp.entropy < 0.01
    entropies = [lessons.entropy_lesson(lessons.reshape(PLANET_PROBABILITIES, a)).entropy for a in np.linspace(0, 6, 25)]
    assert all(a >= b - 1e-12 for a, b in zip(entropies, entropies[1:]))  # sharper -> fewer bits
    assert np.isfinite(lessons.reshape([0.0, 1e-300, 1.0], 1e4)).all()
    assert lessons.reshape([0, 1, 1], 2).tolist() == [0.0, 0.5, 0.5]


def test_entropy_figure_has_one_bar_per_level():
    fig = lessons.entropy_figure(lessons.entropy_lesson())
    assert len(fig.data[0].x) == 8 and "2.323" in fig.layout.title.text


# ------------------------------------------------------------ cross-entropy
def test_coding_lesson_identity_and_uniform_waste():
    p = np.array(PLANET_PROBABILITIES)
    for choice in lessons.MODEL_CHOICES:
        q = lessons.model_distribution(choice, p, confidence=2.0)
        lesson = lessons.coding_lesson(p, q)
        assert lesson.cross_entropy == pytest.approx(lesson.entropy + lesson.kl)
        assert lesson.kl == pytest.approx(stats.entropy(p, q, base=2))
    uniform = lessons.coding_lesson(p, lessons.model_distribution("uniform", p))
    assert uniform.cross_entropy == pytest.approx(3.0) and uniform.kl == pytest.approx(3 - 2.3231, abs=5e-5)
    exact = lessons.coding_lesson(p, lessons.model_distribution("reshaped", p, confidence=1.0))
    assert exact.kl == pytest.approx(0.0, abs=1e-12)


def test_coding_lesson_infinite_when_model_rules_a_level_out():
    p = np.array([0.5, 0.5])
    lesson = lessons.coding_lesson(p, np.array([1.0, 0.0]))
    assert math.isinf(lesson.kl) and math.isinf(lesson.cross_entropy)
    lessons.coding_figure(lessons.coding_lesson(np.array(PLANET_PROBABILITIES), np.array([0.0] + [1 / 7] * 7)))


def test_coding_figure_stacks_entropy_and_kl():
    p = np.array(PLANET_PROBABILITIES)
    lesson = lessons.coding_lesson(p, lessons.model_distribution("uniform", p))
    fig = lessons.coding_figure(lesson)
    stacked = [trace for trace in fig.data if trace.xaxis == "x2"]
    assert sum(trace.y[0] for trace in stacked) == pytest.approx(lesson.cross_entropy)


# ---------------------------------------------------------------------- coins
def test_coin_kl_matches_the_formula():
    p, q = 0.7, 0.5
    expected = p * math.log2(p / q) + (1 - p) * math.log2((1 - p) / (1 - q))
    assert lessons.coin_kl(p, q) == pytest.approx(expected)
    assert lessons.coin_kl(0.3, 0.3) == 0.0


@pytest.mark.parametrize("p, q", [(0.7, 0.5), (0.5, 0.9), (0.2, 0.25)])
def test_coin_log_likelihood_ratio_converges_to_kl(p, q):
    n = 200_000
    lesson = lessons.coin_lesson(p, q, n=n, seed=12345)
    # Per-flip terms have sd = |log(p/q) - log((1-p)/(1-q))| * sqrt(p(1-p)); 5 standard errors.
    spread = abs(math.log2(p / q) - math.log2((1 - p) / (1 - q))) * math.sqrt(p * (1 - p))
    assert abs(lesson.final - lesson.kl) < 5 * spread / math.sqrt(n)
    assert abs(lesson.final - lesson.kl) < 0.01
    # Early on it wanders; the path is recorded at log-spaced N ending at n.
    assert lesson.path["N"].iloc[0] == 1 and lesson.path["N"].iloc[-1] == n
    assert lesson.path["N"].is_monotonic_increasing


def test_coin_path_equals_the_direct_log_ratio():
    p, q = 0.6, 0.4
    flips = lessons.coin_flips(p, 500, seed=7)
    heads = np.cumsum(flips)
    n = np.arange(1, 501)
    direct = (heads * math.log2(p / q) + (n - heads) * math.log2((1 - p) / (1 - q))) / n
    assert np.allclose(lessons.running_llr(flips, p, q), direct)
    assert np.allclose(lessons.running_llr(flips, p, q, base=math.e), direct * math.log(2))


def test_coin_seed_is_reproducible_and_figure_has_kl_line():
    first, second = lessons.coin_lesson(0.6, 0.5, 1000, seed=3), lessons.coin_lesson(0.6, 0.5, 1000, seed=3)
    assert np.array_equal(first.flips, second.flips)
    fig = lessons.coin_figure(first)
    assert fig.layout.xaxis.type == "log"
    assert list(fig.data[1].y) == [first.kl, first.kl]
    with pytest.raises(ValueError):
        lessons.coin_lesson(0.5, 0.0)


# ---------------------------------------------------------------- worm teeth
def test_worm_reference_values():
    lesson = lessons.worm_lesson()
    assert lesson.uniform_kl == pytest.approx(0.19719, abs=5e-6)
    assert lesson.binomial_kl == pytest.approx(0.61654, abs=5e-6)
    assert lesson.p_mle == pytest.approx(0.544)  # the mean 5.44 over n = 10
    assert lesson.sweep_min_p == pytest.approx(0.544)
    assert lesson.chosen_kl == pytest.approx(lesson.binomial_kl)


def test_worm_kl_curve_minimum_is_the_mle():
    fine = np.linspace(0.5, 0.6, 1001)
    kl = [lessons.worm_kl_at(p) for p in fine]
    assert fine[int(np.argmin(kl))] == pytest.approx(0.544, abs=1e-4)
    counts = np.array(WORM_COUNTS, dtype=float)
    direct = stats.entropy(counts / counts.sum(), stats.binom.pmf(np.arange(11), 10, 0.6), base=2)
    assert lessons.worm_kl_at(0.6) == pytest.approx(direct)


def test_worm_variances_explain_why_uniform_wins():
    lesson = lessons.worm_lesson()
    counts = np.array(WORM_COUNTS, dtype=float)
    teeth = np.arange(11)
    mean = np.dot(counts, teeth) / counts.sum()
    assert lesson.data_variance == pytest.approx(np.dot(counts, (teeth - mean) ** 2) / counts.sum())  # 6.3264
    assert lesson.binomial_variance == pytest.approx(10 * 0.544 * 0.456)
    assert lesson.max_binomial_variance == 2.5 < lesson.data_variance < lesson.uniform_variance == 10.0


def test_worm_figures():
    lesson = lessons.worm_lesson(p_chosen=0.4)
    fig = lessons.worm_figure(lesson)
    assert any(shape.y0 == pytest.approx(lesson.uniform_kl) for shape in fig.layout.shapes)
    assert fig.layout.yaxis.range[0] == 0
    assert lesson.chosen_kl == pytest.approx(lessons.worm_kl_at(0.4))
    models = lessons.worm_models_figure(lesson)
    assert len(models.data) == 3


# ------------------------------------------------------------ 5. Old Faithful
def test_faithful_data_is_r_faithful_eruptions():
    assert np.array_equal(np.asarray(lessons.FAITHFUL_ERUPTIONS), real_values("faithful", "eruptions"))


def test_faithful_lesson_matches_r():
    lesson = lessons.faithful_lesson()
    r_loglik = mixture_reference("faithful", "eruptions", 2)["loglik"]
    assert lesson.mixture_loglik == pytest.approx(r_loglik, rel=1e-9)
    x = np.asarray(lessons.FAITHFUL_ERUPTIONS)
    assert lesson.normal_loglik == pytest.approx(float(stats.norm.logpdf(x, x.mean(), x.std()).sum()), rel=1e-12)
    assert lesson.saved == pytest.approx((r_loglik - lesson.normal_loglik) / 272 / math.log(2), rel=1e-9)
    assert lesson.saved > 0.5 and lesson.aic_gain == pytest.approx(2 * (r_loglik - lesson.normal_loglik) - 6, rel=1e-9)
    assert lessons.faithful_lesson(base=math.e).saved == pytest.approx(lesson.saved * math.log(2))


def test_faithful_figure_draws_both_models_and_the_groups():
    fig = lessons.faithful_figure(lessons.faithful_lesson())
    names = [trace.name for trace in fig.data if (trace.meta or {}).get("role") == "model"]
    assert names == ["one normal", "two normal groups mixed"]
    assert len([t for t in fig.data if (t.meta or {}).get("role") == "component"]) == 2


def test_bits_of_evidence_are_n_flips_of_kl_in_bits_whatever_the_unit():
    p, q = 0.5, 0.6
    in_bits = stats.entropy([p, 1 - p], [q, 1 - q], base=2)
    assert lessons.evidence_bits(lessons.coin_kl(p, q), 2, flips=100) == pytest.approx(100 * in_bits)
    assert lessons.evidence_bits(lessons.coin_kl(p, q, base=math.e), math.e, flips=100) == pytest.approx(100 * in_bits)
