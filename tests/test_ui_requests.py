"""ui/requests.py: the one filter "requests that apply to this data" (samples, links, pending links)."""

from __future__ import annotations

from kl_core.samples import SAMPLES
from ui.requests import usable_requests


def test_requests_that_do_not_apply_are_left_out_with_the_reason():
    worms = SAMPLES["worms"].empirical()
    problems: list[str] = []
    usable = usable_requests([("uniform", {}), ("norm", {}), ("binomial", {"n": 12})], worms, problems)
    assert usable == [("uniform", {}), ("binomial", {"n": 12})]
    assert len(problems) == 1 and "left out" in problems[0] and "ormal" in problems[0]


def test_unknown_names_and_no_requests_give_nothing():
    worms = SAMPLES["worms"].empirical()
    assert usable_requests([("no_such_family", {})], worms) == []
    assert usable_requests(None, worms) == []


def test_your_table_is_checked_as_the_models_page_checks_it():
    worms = SAMPLES["worms"].empirical()
    good = {"values": [0, 1, 2], "weights": [1, 2, 1]}
    bad = {"values": [0, 1], "weights": [-1, 2]}
    problems: list[str] = []
    usable = usable_requests([("custom", good), ("custom", bad)], worms, problems)
    assert [name for name, _ in usable] == ["custom"] and usable[0][1]["values"] == [0.0, 1.0, 2.0]
    assert len(problems) == 1


def test_every_sample_keeps_its_own_models():
    for sample in SAMPLES.values():
        emp = sample.empirical()
        requests = [(m, {}) if isinstance(m, str) else (m[0], dict(m[1])) for m in sample.models]
        assert [name for name, _ in usable_requests(requests, emp)] == [name for name, _ in requests]
