"""kl_core.share: a comparison as query parameters and back, strictly and safely."""

import math
from urllib.parse import parse_qsl, quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kl_core import share
from kl_core.models import REGISTRY
from kl_core.samples import SAMPLES
from kl_core.share import Shared, from_params, parse_query, to_params, to_query

SHAREABLE = [name for name, spec in REGISTRY.items() if spec.group not in share.NOT_SHAREABLE_GROUPS]


# ------------------------------------------------------------------ round trips
def option_values(key: str):
    if key in share.STRING_OPTIONS:
        return st.sampled_from(share.STRING_OPTIONS[key])
    integers = st.integers(-10**9, 10**9)
    floats = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)
    return st.one_of(integers, floats)


@st.composite
def requests(draw):
    name = draw(st.sampled_from(SHAREABLE))
    keys = draw(st.lists(st.sampled_from(REGISTRY[name].options), unique=True, max_size=3))
    return name, {key: draw(option_values(key)) for key in keys}


shared_states = st.builds(
    Shared,
    sample=st.one_of(st.none(), st.sampled_from(list(SAMPLES))),
    models=st.one_of(st.none(), st.lists(requests(), min_size=1, max_size=6).map(tuple)),
    units=st.sampled_from(share.UNITS),
    policy=st.sampled_from(share.POLICIES),
    epsilon=st.floats(*share.EPSILON_RANGE),
    bootstrap=st.integers(*share.BOOTSTRAP_RANGE),
    bins=st.one_of(st.none(), st.integers(*share.BINS_RANGE)),
    present=st.booleans(),
    page=st.one_of(st.none(), st.sampled_from(share.PAGES)),
)


@settings(max_examples=300, deadline=None)
@given(shared_states)
def test_state_to_query_and_back_is_the_same_state(shared):
    query = to_query(shared)
    back, messages = parse_query(query)
    assert messages == []
    assert back == shared
    for (_, sent), (_, got) in zip(shared.models or (), back.models or ()):  # integers stay integers, floats floats
        assert [type(v) for v in sent.values()] == [type(v) for v in got.values()]


@settings(max_examples=200, deadline=None)
@given(shared_states)
def test_the_query_is_url_safe_and_the_same_through_streamlit_style_params(shared):
    query = to_query(shared)
    assert all(c.isalnum() or c in "=&.,:~-_+%" for c in query), query
    assert from_params(dict(parse_qsl(query)))[0] == shared


def test_integer_and_float_options_keep_their_type():
    shared = Shared(models=(("binomial", {"n": 12, "p": 0.5}), ("uniform", {"low": 0, "high": 10.0})))
    back = parse_query(to_query(shared))[0]
    n, p = back.models[0][1]["n"], back.models[0][1]["p"]
    assert (n, type(n)) == (12, int) and (p, type(p)) == (0.5, float)
    assert type(back.models[1][1]["high"]) is float


def test_the_documented_example():
    query = "sample=worms&models=uniform,binomial&units=bits&opt=binomial.n:12,uniform.low:0,uniform.high:10"
    shared, messages = parse_query(query)
    assert messages == []
    assert shared.sample == "worms" and shared.units == "bits"
    assert shared.models == (("uniform", {"low": 0, "high": 10}), ("binomial", {"n": 12}))


def test_defaults_are_left_out_of_the_link():
    assert to_query(Shared()) == ""
    assert to_query(Shared(sample="worms")) == "sample=worms"


def test_a_repeated_family_keeps_each_requests_options():
    planets = Shared(sample="planets", models=(("uniform", {"over": "observed"}), ("uniform", {}), ("poisson", {})))
    assert to_params(planets)["opt"] == "uniform.over:observed"
    two = Shared(models=(("uniform", {}), ("uniform", {"over": "observed"})))
    assert to_params(two)["opt"] == "uniform~2.over:observed"
    assert parse_query(to_query(two))[0] == two


def test_own_models_and_unwritable_options_are_left_out_of_the_link():
    shared = Shared(models=(("custom", {"values": [1, 2], "weights": [1, 1]}), ("binomial", {"p": float("nan")}),
                            ("poisson", {"mu": 3})))
    assert to_params(shared) == {"models": "poisson", "opt": "poisson.mu:3"}


def test_given_lists_what_the_link_set():
    shared, _ = parse_query("units=nats&boot=50&junk=1")
    assert shared.given == {"units", "boot"}


# ------------------------------------------------------------------ hostile links
def read(query: str) -> tuple[Shared, list[str]]:
    shared, messages = parse_query(query)
    assert isinstance(shared, Shared)
    assert all(isinstance(m, str) and len(m) < 400 for m in messages)
    return shared, messages


def test_unknown_models_are_named_and_skipped():
    shared, messages = read("models=uniform,gaussian,binomial")
    assert shared.models == (("uniform", {}), ("binomial", {}))
    assert messages == ["Unknown model 'gaussian' in the link: skipped."]


def test_only_unknown_models_leave_the_defaults():
    shared, messages = read("models=foo,bar")
    assert shared.models is None and "models" not in shared.given
    assert "'foo', 'bar'" in messages[0] and "default models" in messages[1]


def test_own_models_cannot_come_from_a_link():
    shared, messages = read("models=custom,expression,uniform")
    assert shared.models == (("uniform", {}),)
    assert "your own models" in messages[0]


@pytest.mark.parametrize("query, key", [
    ("eps=nan", "eps"), ("eps=NaN", "eps"), ("eps=inf", "eps"), ("eps=-1e-6", "eps"), ("eps=0", "eps"),
    ("eps=0.9", "eps"), ("eps=1e999", "eps"), ("eps=1_0", "eps"), ("eps=0x10", "eps"), ("eps=", "eps"),
    ("boot=-5", "boot"), ("boot=1e9", "boot"), ("boot=99999999999999999999999", "boot"), ("boot=2.5", "boot"),
    ("bins=0", "bins"), ("bins=100000", "bins"),
    ("units=furlongs", "units"), ("policy=lenient", "policy"), ("view=fullscreen", "view"),
    ("sample=../../etc/passwd", "sample"), ("page=admin", "page"),
])
def test_bad_values_are_ignored_with_a_message(query, key):
    shared, messages = read(query)
    assert shared == Shared() and key not in shared.given
    assert len(messages) == 1 and messages[0].startswith((key, "There is no sample"))


@pytest.mark.parametrize("piece, words", [
    ("binomial.n:nan", "must be a number"),
    ("binomial.n:1e308", "must be a number"),
    ("binomial.n:99999999999", "must be a number"),
    ("binomial.q:3", "has no option"),
    ("binomial.__class__:3", "has no option"),
    ("gaussian.mu:3", "unknown model"),
    ("binomial:3", "Could not read"),
    ("n:3", "Could not read"),
    ("binomial.n=3", "Could not read"),
    ("uniform.over:everything", "must be range or observed"),
    ("poisson.mu:1", "does not request"),
])
def test_bad_model_options_are_ignored_with_a_message(piece, words):
    shared, messages = read(f"models=binomial,uniform&opt={piece}")
    assert shared.models == (("binomial", {}), ("uniform", {}))
    assert len(messages) == 1 and words in messages[0]


def test_options_without_models_are_ignored():
    shared, messages = read("opt=binomial.n:3")
    assert shared.models is None and "no models" in messages[0]


def test_ten_thousand_character_values_are_refused():
    for key in share.KEYS:
        shared, messages = read(f"{key}={'a' * 10_000}")
        assert shared == Shared()
        assert messages == [f"The link's {key} is longer than {share.MAX_VALUE_CHARS:,} characters: ignored."]


def test_long_lists_are_cut_to_the_caps():
    shared, messages = read("models=" + ",".join(["uniform"] * 500))
    assert len(shared.models) == share.MAX_MODELS
    assert "only the first" in messages[0]


def test_huge_queries_and_too_many_fields_are_refused():
    assert read("x=" + "a" * 30_000)[0] == Shared()
    shared, messages = read("&".join(f"k{i}=1" for i in range(100)) + "&units=nats")
    assert shared == Shared() and "more than" in messages[0]


def test_script_tags_are_named_as_text_and_skipped():
    shared, messages = read("models=" + quote("<script>alert(1)</script>") + "&units=" + quote("<b>x</b>"))
    assert shared.models is None
    assert any("'<script>alert(1)</script>'" in m for m in messages)
    assert any("units must be bits or nats" in m for m in messages)


def test_messages_quote_bad_values_cut_short():
    _, messages = read("units=" + "z" * 500)
    assert len(messages[0]) < 120 and "…" in messages[0]


def test_repeated_parameters_count_with_their_last_value():
    assert from_params({"units": ["bits", "nats"]})[0].units == "nats"
    assert from_params({"units": []})[1]  # an empty list is a bad value, not a crash


def test_foreign_parameters_are_left_alone():
    shared, messages = read("embed=true&utm_source=mail&units=nats")
    assert shared.units == "nats" and messages == []


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from(share.KEYS + ("other",)), st.text(max_size=60)))
def test_any_parameters_never_raise(params):
    shared, messages = from_params(params)
    assert isinstance(shared, Shared)
    assert shared.units in share.UNITS and shared.policy in share.POLICIES
    lo, hi = share.EPSILON_RANGE
    assert lo <= shared.epsilon <= hi and math.isfinite(shared.epsilon)
    for name, options in shared.models or ():
        assert name in REGISTRY and set(options) <= set(REGISTRY[name].options)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_query_string_never_raises(query):
    read(query)
