"""kl_core.ranking: the worm-teeth reference values, the likelihood identities, ∞ and notes, bootstrap."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kl_core import DataError, Empirical, FittedModel, compare, fit, kl_contributions, rank
from kl_core.ranking import COLUMNS, kl_sweep, sweep_grid, verdict
from reference_data import real_values

# Reference values from the issue (seeds' worm teeth, 0..10 teeth, 100 worms):
# uniform over 0..10 loses 0.19719 bits; binomial(n=10, p=0.544) loses 0.61654 bits.
UNIFORM_BITS, BINOMIAL_BITS = 0.19719, 0.61654


def test_worm_teeth_reference_values(teeth):
    table = rank(teeth, ["binomial", "uniform"])
    assert table["model"].tolist() == ["uniform", "binomial"]
    assert table["kl"].tolist() == pytest.approx([UNIFORM_BITS, BINOMIAL_BITS], abs=5e-6)
    assert table.loc[1, "params"] == {"n": 10, "p": pytest.approx(0.544)}
    assert list(table.columns) == list(COLUMNS)


def test_kl_matches_scipy_for_each_model(teeth):
    table = rank(teeth, ["uniform", "binomial"], base=math.e)
    p = teeth.probs
    uniform_q = np.full(11, 1 / 11)
    binomial_q = stats.binom.pmf(np.arange(11), 10, 0.544)
    assert table.set_index("model").loc["uniform", "kl"] == pytest.approx(stats.entropy(p, uniform_q))
    assert table.set_index("model").loc["binomial", "kl"] == pytest.approx(stats.entropy(p, binomial_q))


def test_loglik_is_minus_n_entropy_plus_kl_and_equals_direct_sum(teeth):
    table = rank(teeth, ["uniform", "binomial"]).set_index("model")
    direct = float(np.dot(teeth.counts, stats.binom.logpmf(np.arange(11), 10, 0.544)))
    assert table.loc["binomial", "loglik"] == pytest.approx(direct)
    h_nats = teeth.entropy(math.e)
    kl_nats = table.loc["binomial", "kl"] * math.log(2)
    assert table.loc["binomial", "loglik"] == pytest.approx(-100 * (h_nats + kl_nats))


def test_aic_bic_g_and_p_value(teeth):
    row = rank(teeth, ["binomial"]).iloc[0]
    assert row["n_params"] == 1
    assert row["aic"] == pytest.approx(2 * 1 - 2 * row["loglik"])
    assert row["bic"] == pytest.approx(1 * math.log(100) - 2 * row["loglik"])
    assert row["g_stat"] == pytest.approx(2 * 100 * row["kl"] * math.log(2))
    assert row["dof"] == 11 - 1 - 1
    assert row["p_value"] == pytest.approx(stats.chi2.sf(row["g_stat"], 9))


def test_g_statistic_matches_scipy_power_divergence(teeth):
    # scipy's G-test (lambda_="log-likelihood") on observed vs expected counts.
    expected = 100 * stats.binom.pmf(np.arange(11), 10, 0.544)
    g, _ = stats.power_divergence(teeth.counts, expected / expected.sum() * 100, lambda_="log-likelihood")
    row = rank(teeth, ["binomial"]).iloc[0]
    # The binomial puts all its mass on 0..10, so expected sums to 100 and the two agree.
    assert row["g_stat"] == pytest.approx(g, rel=1e-9)


def test_infinite_kl_is_reported_with_the_values_named(teeth):
    table = rank(teeth, [("binomial", {"n": 10}), ("uniform", {"low": 0, "high": 9})])
    row = table.set_index("model").loc["uniform"]
    assert math.isinf(row["kl"])
    assert "gives 0 probability to 10" in row["note"]
    assert table["model"].iloc[-1] == "uniform"  # ∞ ranks after finite


def test_epsilon_policy_makes_it_finite_and_says_so(teeth):
    table = rank(teeth, [("uniform", {"low": 0, "high": 9})], zero_policy="epsilon", epsilon=1e-3)
    row = table.iloc[0]
    assert math.isfinite(row["kl"]) and "ε-floor" in row["note"]


def test_reverse_kl_is_infinite_when_the_model_has_mass_outside_the_data(teeth):
    row = rank(teeth, ["poisson"]).iloc[0]
    assert math.isinf(row["reverse_kl"]) and math.isfinite(row["kl"]) and 0 < row["js"] < 1
    assert row["dof"] == 12 - 1 - 1  # 11 values plus the 'elsewhere' cell


def test_failed_fits_are_rows_with_reasons_and_rank_last(teeth):
    table = rank(teeth, ["uniform", "nonexistent_family", ("binomial", {"n": 5})])
    assert table["model"].tolist() == ["uniform", "binomial", "nonexistent_family"]
    notes = table.set_index("model")["note"]
    assert "declare n ≥ 10" in notes["binomial"]  # an ∞ row (issue 10), ranked before the failure
    assert math.isinf(table["kl"].iloc[1])
    assert "no model called" in notes["nonexistent_family"]
    assert math.isnan(table["kl"].iloc[2])


def test_a_model_that_excludes_observed_values_is_an_infinite_row_naming_them():
    # Issue 10: not NaN "not applicable" but KL = ∞, ranked last, with the value named.
    emp = Empirical.from_counts(range(12), [1] * 12)
    table = rank(emp, [("binomial", {"n": 10}), "poisson"])
    assert table["model"].tolist() == ["poisson", "binomial"]
    row = table.iloc[1]
    assert math.isinf(row["kl"]) and row["loglik"] == -math.inf and row["p_value"] == 0.0
    assert "binomial(n=10, p=0.5) gives 0 probability to 11, which was observed" in row["note"]
    assert row["params"] == {"n": 10, "p": pytest.approx(0.5)}  # p fitted to the values 0..10 that it can hold
    assert 0 < row["js"] <= 1 and "not applicable" not in row["note"]


def test_support_exclusions_name_every_value_and_count_the_rest():
    emp = Empirical.from_counts([-3, -2, -1, -0.5, 0, 1, 2], [1, 1, 1, 1, 5, 3, 1])
    row = rank(emp, ["poisson"]).iloc[0]
    assert math.isinf(row["kl"])
    assert "gives 0 probability to -3, -2, -1 and 1 more, which were observed" in row["note"]
    assert row["params"]["mu"] == pytest.approx(5 / 9)  # the MLE on 0, 1, 2


def test_not_applicable_stays_for_a_family_that_cannot_read_the_data_kind():
    labels = Empirical.from_samples(["a", "b", "b"])
    row = rank(labels, ["poisson"]).iloc[0]
    assert math.isnan(row["kl"]) and row["note"].startswith("not applicable")


def test_ties_go_to_fewer_parameters():
    emp = Empirical.from_counts([0, 1], [1, 1])
    table = rank(emp, [("binomial", {"n": 1}), "uniform"])
    assert table["kl"].tolist() == pytest.approx([0, 0], abs=1e-12)
    assert table["model"].tolist() == ["uniform", "binomial"]


def test_units_scale_by_ln2(teeth):
    bits = rank(teeth, ["uniform", "binomial"], base=2)
    nats = rank(teeth, ["uniform", "binomial"], base=math.e)
    for column in ("kl", "reverse_kl", "js", "cross_entropy"):
        assert (bits[column] * math.log(2)).tolist() == pytest.approx(nats[column].tolist())
    assert bits["loglik"].tolist() == pytest.approx(nats["loglik"].tolist())  # always nats


def test_probability_input_has_no_n_dependent_statistics():
    planets = Empirical.from_probabilities([100, 105, 110, 145, 160, 162, 174, 180], [0.30, 0.40, 0.05, 0.06, 0.07, 0.02, 0.05, 0.05])
    row = rank(planets, [("uniform", {"over": "observed"})]).iloc[0]
    for column in ("loglik", "aic", "bic", "g_stat", "p_value"):
        assert math.isnan(row[column])
    assert "N unknown" in row["note"]
    # The seeds: uniform over the 8 levels would need 3 bits; the entropy is 2.3231, so KL = 0.6769 bits.
    assert row["kl"] == pytest.approx(3 - 2.323115964316818, abs=1e-9)


def test_fitted_models_and_duplicate_names(teeth):
    ready = fit(teeth, "binomial", n=12)
    result = compare(teeth, ["binomial", ready, ("binomial", {"n": 11})])
    assert sorted(result.table["model"]) == ["binomial", "binomial#2", "binomial#3"]
    assert set(result.fitted) == {"binomial", "binomial#2", "binomial#3"}


def test_bad_requests_say_why(teeth):
    with pytest.raises(DataError, match="at least one model"):
        rank(teeth, [])
    with pytest.raises(DataError, match="a name, a \\(name, options\\) pair or a FittedModel"):
        rank(teeth, [42])
    with pytest.raises(DataError, match="zero_policy"):
        rank(teeth, ["uniform"], zero_policy="loose")


def test_bootstrap_interval_contains_the_estimate_and_p_best_sums_to_one(teeth):
    table = rank(teeth, ["uniform", "binomial"], bootstrap=200, seed=3)
    assert (table["kl_low"] <= table["kl_high"]).all()
    assert table["p_best"].sum() == pytest.approx(1.0)
    assert table.set_index("model").loc["uniform", "p_best"] > 0.5
    again = rank(teeth, ["uniform", "binomial"], bootstrap=200, seed=3)
    pd.testing.assert_frame_equal(table, again)  # seeded: reproducible


def test_bootstrap_refits_named_models(teeth):
    # A refitted binomial's p moves with each resample, so its KL varies less than a fixed wrong p's.
    fixed = fit(teeth, "binomial", p=0.3)
    table = rank(teeth, ["binomial", fixed], bootstrap=100, seed=1).set_index("label")
    assert table["kl_low"].notna().all()


def test_verdict_reads_like_the_issue(teeth):
    table = rank(teeth, ["uniform", "binomial"])
    sentence = verdict(table)
    # The uniform's G-test on 11 values (dof 10): G = 2·100·KL in nats; scipy's chi2 gives p = 0.0023 < 5 %.
    p_value = stats.chi2.sf(2 * 100 * UNIFORM_BITS * math.log(2), 10)
    assert f"{p_value:.2g}" == "0.0023"
    assert sentence == (
        "Uniform loses 0.197 bits per observation, binomial 0.617: "
        "the uniform model keeps the most information, with fewer parameters. "
        "But even uniform is rejected by the G-test at 5 % (p = 0.0023): no model here describes the data well."
    )
    assert "infinite" in verdict(rank(teeth, [("uniform", {"low": 0, "high": 3})]))


def test_verdict_calls_models_within_the_noise_indistinguishable_and_names_the_simpler():
    # Poisson counts: nbinom (2 parameters) tends to the Poisson and gains a hair of likelihood.
    counts = np.bincount(np.random.default_rng(1).poisson(3.0, 2000))
    emp = Empirical.from_counts(np.arange(counts.size), counts)
    table = rank(emp, ["nbinom", "poisson"]).set_index("model")
    delta_aic = table.loc["poisson", "aic"] - table.loc["nbinom", "aic"]
    assert abs(delta_aic) < 2
    sentence = verdict(rank(emp, ["nbinom", "poisson"]))
    assert "indistinguishable" in sentence and "take the simpler Poisson (1 parameter)" in sentence
    assert "keeps the most information" not in sentence


def test_verdict_with_a_bootstrap_winner_below_80_percent_is_not_a_winner():
    table = pd.DataFrame({
        "model": ["geom", "poisson"], "label": ["geom", "poisson"], "n_params": [1, 1], "kl": [0.10, 0.30],
        "aic": [100.0, 140.0], "p_value": [0.5, 0.4], "p_best": [0.62, 0.38],
    })
    sentence = verdict(table)
    assert "indistinguishable" in sentence and "wins only 62% of bootstrap resamples" in sentence
    clear = verdict(table.assign(p_best=[0.9, 0.1]))
    assert "keeps the most information" in clear and "indistinguishable" not in clear


def test_verdict_says_when_even_the_best_model_is_rejected():
    table = pd.DataFrame({"model": ["a", "b"], "label": ["a", "b"], "n_params": [1, 2], "kl": [0.1, 0.5],
                          "aic": [10.0, 50.0], "p_value": [0.01, 1e-9]})
    assert "rejected by the G-test at 5 % (p = 0.01)" in verdict(table)
    assert "rejected" not in verdict(table.assign(p_value=[0.2, 1e-9]))


def test_akaike_weights_sum_to_one_over_finite_rows_and_follow_delta_aic(teeth):
    table = rank(teeth, ["uniform", "binomial", ("uniform", {"low": 0, "high": 9})]).set_index("label")
    weights = table["akaike_weight"]
    assert weights.sum() == pytest.approx(1.0)
    assert weights["uniform(low=0, high=9)"] == 0.0  # KL = ∞
    aic = table["aic"].dropna()
    finite = aic[np.isfinite(aic)]
    expected = np.exp(-(finite - finite.min()) / 2)
    assert weights[finite.index].tolist() == pytest.approx((expected / expected.sum()).tolist())
    assert list(rank(teeth, ["uniform"]).columns) == list(COLUMNS) and COLUMNS[-1] == "akaike_weight"


def test_rank_by_aic_or_bic_charges_for_parameters():
    # Poisson counts where nbinom gains 0.42 nats for its extra parameter: first by KL, second by AIC and BIC.
    counts = np.bincount(np.random.default_rng(1).poisson(3.0, 2000))
    emp = Empirical.from_counts(np.arange(counts.size), counts)
    by_kl = rank(emp, ["nbinom", "poisson"])
    by_aic = rank(emp, ["nbinom", "poisson"], rank_by="aic")
    by_bic = rank(emp, ["nbinom", "poisson"], rank_by="bic")
    assert by_kl["model"].tolist() == ["nbinom", "poisson"]  # a hair more likelihood
    assert by_aic["model"].tolist() == ["poisson", "nbinom"] == by_bic["model"].tolist()
    assert by_aic["aic"].is_monotonic_increasing and by_bic["bic"].is_monotonic_increasing
    with pytest.raises(DataError, match="rank_by must be one of kl, aic, bic"):
        rank(emp, ["poisson"], rank_by="loglik")
    planets = Empirical.from_probabilities([1, 2], [0.5, 0.5])
    with pytest.raises(DataError, match="ranking by AIC needs counts"):
        rank(planets, ["uniform"], rank_by="aic")


def test_counts_below_one_observation_are_proportions_not_evidence():
    # Issue 13 item 14: counts 1e-300 and 3e-300 once gave N = 4e-300 to the log-likelihood, AIC and G-test.
    emp = Empirical.from_counts([0, 1], [1e-300, 3e-300])
    row = rank(emp, ["bernoulli"]).iloc[0]
    assert row["kl"] == pytest.approx(0.0, abs=1e-12)
    for column in ("loglik", "aic", "bic", "g_stat", "p_value", "akaike_weight"):
        assert math.isnan(row[column])
    assert "less than one observation" in row["note"]


def test_contributions_sum_to_kl(teeth):
    model = fit(teeth, "binomial")
    terms = kl_contributions(teeth.probs, model.mass(teeth))
    assert terms.sum() == pytest.approx(BINOMIAL_BITS, abs=5e-6)


def test_sweep_minimum_is_at_the_mle(teeth):
    grid = np.linspace(0.3, 0.8, 101)
    sweep = kl_sweep(teeth, "binomial", "p", grid)
    assert sweep.loc[sweep["kl"].idxmin(), "value"] == pytest.approx(0.544, abs=0.005)


def test_table_model_mass_above_one_is_refused():
    emp = Empirical.from_counts([0, 1], [1, 1])
    broken = FittedModel("broken", {}, 0, pmf_function=lambda v: np.full(len(v), 0.9))
    row = rank(emp, [broken, "uniform"]).iloc[-1]
    assert math.isnan(row["kl"]) and "total mass 1.8 > 1" in row["note"] and "not a distribution" in row["note"]


# --------------------------------------------------------- log space (issue 10 item 3)
def test_far_values_are_improbable_not_impossible():
    # Poisson(mu=1000) gives 0 and 2000 masses e^-1000 and e^-391: below the smallest float, never 0.
    emp = Empirical.from_counts([0, 2000], [1, 1])
    row = rank(emp, ["poisson"]).iloc[0]
    scipy_loglik = float(stats.poisson.logpmf([0, 2000], 1000).sum())  # -1391.0
    assert row["loglik"] == pytest.approx(scipy_loglik, rel=1e-12)
    assert round(row["loglik"], 1) == -1391.0
    assert math.isfinite(row["kl"]) and "0 probability" not in row["note"]
    assert row["kl"] == pytest.approx((-scipy_loglik / 2 - math.log(2)) / math.log(2), rel=1e-12)
    assert row["aic"] == pytest.approx(2 - 2 * scipy_loglik)
    assert 0 <= row["js"] <= 1



@pytest.mark.parametrize(
    "dataset, column, r_loglik",
    # R 4.2: sum(dpois(x, mean(x), log = TRUE)) on datasets::rivers and datasets::islands (issue 10).
    [("rivers", "length", -20522.58), ("islands", "area", -108742.50)],
)
def test_poisson_loglik_on_r_datasets_matches_r(dataset, column, r_loglik):
    values = real_values(dataset, column)
    row = rank(Empirical.from_samples(values, kind="discrete"), ["poisson"]).iloc[0]
    assert row["loglik"] == pytest.approx(r_loglik, abs=0.005)
    assert row["loglik"] == pytest.approx(float(stats.poisson.logpmf(values, values.mean()).sum()), rel=1e-12)
    assert math.isfinite(row["kl"]) and row["note"] == ""


def test_sweep_grid_is_centred_on_the_fit_and_stays_in_range(teeth):
    p_grid = sweep_grid(teeth, "p", 0.544, 61)
    assert p_grid[30] == pytest.approx(0.544) and 0 < p_grid.min() and p_grid.max() < 1
    edge = sweep_grid(teeth, "p", 0.99, 11)
    assert edge.max() <= 0.995 and edge.min() == pytest.approx(0.69)
    assert sweep_grid(teeth, "mu", 6.0, 5).tolist() == pytest.approx([2.0, 4.5, 7.0, 9.5, 12.0])  # a third to twice
    loc = sweep_grid(teeth, "loc", 5.0, 3)
    assert loc[1] == pytest.approx(5.0) and loc[2] - loc[1] == pytest.approx(2 * math.sqrt(teeth.var()))


def test_ranked_by_reorders_a_finished_ranking_as_rank_would():
    from kl_core.ranking import ranked_by

    coin = Empirical.from_counts([0, 1], [51, 49])
    table = rank(coin, ["bernoulli", "uniform"])
    for order in ("kl", "aic", "bic"):
        assert ranked_by(table, order)["model"].tolist() == rank(coin, ["bernoulli", "uniform"], rank_by=order)["model"].tolist()
    assert ranked_by(table, "aic")["model"].tolist() == ["uniform", "bernoulli"]  # ΔAIC = 1.96 for the parameter
    with pytest.raises(DataError, match="rank_by must be one of"):
        ranked_by(table, "loglik")
