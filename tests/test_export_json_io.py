"""kl_core.export.json_io: strict JSON that reads back and reruns to the same ranking."""

import json
import math

import numpy as np
import pytest

from kl_core import DataError, Empirical, compare, fit
from kl_core.export.json_io import comparison_from_json, comparison_json, rerun_from_json
from kl_core.samples import SAMPLES
from tests.comparisons import EVIL, every_sample_fixture, worms_fixture  # noqa: F401 (the fixtures)


def test_json_is_strict_and_complete(worms):
    text = comparison_json(worms, source="sample: worms")
    document = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-strict JSON constant {name}"))
    assert document["format"] == "kl-model-lab/comparison"
    assert document["source"] == "sample: worms"
    data = document["data"]
    assert data["fingerprint"] == worms.emp.fingerprint()
    assert data["support"] == list(range(11)) and data["counts"] == SAMPLES["worms"].frame()["worms"].tolist()
    assert data["kind"] == "discrete" and data["n"] == 100 and data["edges"] is None
    assert document["settings"] == {"base": 2, "unit": "bits", "zero_policy": "strict", "epsilon": 1e-6, "rank_by": "kl",
                                    "bootstrap": None, "bootstrap_seed": None}
    assert [m["key"] for m in document["models"]] == worms.table["model"].tolist()
    uniform = next(m for m in document["models"] if m["key"] == "uniform")
    assert uniform["kl"] == pytest.approx(0.19719, abs=5e-6) and uniform["n_params"] == 0 and uniform["rank"] == 2
    for column in ("reverse_kl", "js", "cross_entropy", "loglik", "aic", "bic", "g_stat", "dof", "p_value"):
        assert column in uniform
    assert document["verdict"].startswith("Poisson loses")
    assert set(document["versions"]) >= {"kl_core", "numpy", "scipy", "pandas", "python"}


def test_json_non_finite_values_as_documented():
    emp = Empirical.from_counts([0, 1, 2], [5, 3, 2])
    comparison = compare(emp, ["uniform", ("custom", {"values": [0, 1], "weights": [1, 1]})])
    document = json.loads(comparison_json(comparison))
    custom = next(m for m in document["models"] if m["key"] == "custom")
    assert custom["kl"] == "inf" and custom["loglik"] == "-inf" and custom["rank"] is None
    parsed = comparison_from_json(comparison_json(comparison))
    custom = next(m for m in parsed["models"] if m["key"] == "custom")
    assert math.isinf(custom["kl"]) and custom["loglik"] == -math.inf

    probabilities = compare(SAMPLES["planets"].empirical(), ["uniform"])
    document = json.loads(comparison_json(probabilities))
    assert document["data"]["n"] is None and document["models"][0]["loglik"] is None  # NaN -> null


def _same_ranking(first, second):
    assert first.table["model"].tolist() == second.table["model"].tolist()
    for column in ("kl", "reverse_kl", "js", "cross_entropy", "loglik", "aic", "bic", "g_stat", "p_value"):
        a = first.table[column].to_numpy(dtype=float)
        b = second.table[column].to_numpy(dtype=float)
        assert np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(np.isinf(a), np.isinf(b)), column
        finite = np.isfinite(a)
        assert np.allclose(a[finite], b[finite], rtol=1e-12, atol=1e-12), column


@pytest.mark.parametrize("key", list(SAMPLES))
def test_json_round_trips_into_the_same_ranking(every_sample, key):
    comparison = every_sample[key]
    again = rerun_from_json(comparison_json(comparison))
    assert again.emp.fingerprint() == comparison.emp.fingerprint()
    assert (again.base, again.zero_policy, again.epsilon) == (comparison.base, comparison.zero_policy, comparison.epsilon)
    _same_ranking(comparison, again)


def test_json_round_trip_with_settings_and_awkward_options():
    emp = Empirical.from_samples(["H", "T", "H", "H", " =evil ", "T"])
    reference = Empirical.from_samples(["H", "T", "T", "T"])
    requests = [
        "uniform",
        ("custom", {"values": ["H", "T", "=evil"], "weights": [3, 2, 1], "label": EVIL}),
        ("empirical", {"reference": reference}),
    ]
    comparison = compare(emp, requests, base=math.e, zero_policy="epsilon", epsilon=1e-3)
    again = rerun_from_json(comparison_json(comparison))
    assert again.zero_policy == "epsilon" and again.epsilon == 1e-3 and again.base == math.e
    _same_ranking(comparison, again)


def test_json_round_trip_binned_and_bootstrap():
    comparison = compare(SAMPLES["waiting"].empirical(), ["gamma", "expon"], bootstrap=5)
    document = json.loads(comparison_json(comparison))
    assert document["settings"]["bootstrap"] == 5 and len(document["data"]["edges"]) == comparison.emp.k + 1
    again = rerun_from_json(comparison_json(comparison))
    _same_ranking(comparison, again)
    assert np.allclose(again.table["kl_low"], comparison.table["kl_low"], rtol=1e-9)


def test_json_rejects_tampered_or_foreign_text(worms):
    document = json.loads(comparison_json(worms))
    document["data"]["counts"][0] += 1
    with pytest.raises(DataError, match="fingerprint"):
        rerun_from_json(json.dumps(document))
    with pytest.raises(DataError, match="not a KL Model Lab"):
        comparison_from_json('{"hello": 1}')
    with pytest.raises(DataError, match="not valid JSON"):
        comparison_from_json("{")


def test_ready_made_models_are_marked_not_rerunnable(teeth):
    ready = fit(teeth, "binomial", n=10, p=0.5)
    comparison = compare(teeth, ["uniform", ready])
    document = json.loads(comparison_json(comparison))
    assert {m["key"]: m["rerunnable"] for m in document["models"]} == {"uniform": True, "binomial": False}
    assert rerun_from_json(comparison_json(comparison)).table["model"].tolist() == ["uniform"]


def test_rank_by_is_recorded_and_restored_by_a_rerun():
    teeth = SAMPLES["worms"].empirical()
    by_aic = compare(teeth, ["betabinom", "nbinom", "poisson"], rank_by="aic")
    text = comparison_json(by_aic)
    assert comparison_from_json(text)["settings"]["rank_by"] == "aic"
    again = rerun_from_json(text)
    assert again.rank_by == "aic"
    assert again.table["model"].tolist() == by_aic.table["model"].tolist() == ["betabinom", "poisson", "nbinom"]
    assert rerun_from_json(comparison_json(compare(teeth, ["betabinom", "nbinom", "poisson"]))).rank_by == "kl"


def test_a_file_without_rank_by_reads_as_kl_and_a_bad_one_is_refused(worms):
    document = json.loads(comparison_json(worms))
    del document["settings"]["rank_by"]
    assert comparison_from_json(json.dumps(document))["settings"]["rank_by"] == "kl"
    document["settings"]["rank_by"] = "loglik"
    with pytest.raises(DataError, match="rank_by"):
        comparison_from_json(json.dumps(document))
