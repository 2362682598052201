"""kl_core.share: a comparison as query parameters and back, strictly and safely."""

import math
from urllib.parse import parse_qsl, quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kl_core import share, vocabulary
from kl_core.options import number as option_number
from kl_core.models import REGISTRY
from kl_core.samples import SAMPLES
from kl_core.share import Shared, from_params, parse_query, to_params, to_query

APP_PAGES = ("home", "data", "models", "compare", "learn", "report")  # app.py's page names; the engine does not know them

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
    units=st.sampled_from(vocabulary.UNITS),
    policy=st.sampled_from(vocabulary.ZERO_POLICIES),
    epsilon=st.floats(*vocabulary.EPSILON_RANGE),
    bootstrap=st.integers(*share.BOOTSTRAP_RANGE),
    rank_by=st.sampled_from(vocabulary.RANK_BY),
    bins=st.one_of(st.none(), st.integers(*share.BINS_RANGE)),
    present=st.booleans(),
    page=st.one_of(st.none(), st.sampled_from(APP_PAGES)),
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


def test_unwritable_requests_are_left_out_of_the_link():
    shared = Shared(models=(("empirical", {"reference": object()}), ("binomial", {"p": float("nan")}),
                            ("custom", {"values": [1, 2], "weights": [1, -1]}), ("expression", {"formula": "__import__('os')"}),
                            ("poisson", {"mu": 3})))
    assert to_params(shared) == {"models": "poisson", "opt": "poisson.mu:3"}


# ------------------------------------------------------------------ your own table and formula
def test_your_table_travels_compactly_and_comes_back():
    table = {"values": [0, 1.5, "a:b,c", "x y"], "weights": [2, 0.25, 1, 0]}
    shared = Shared(sample="coin", models=(("custom", table), ("uniform", {})))
    params = to_params(shared)
    assert params["models"] == "custom,uniform"
    assert params["table"] == "0:2,1.5:0.25,a%3Ab%2Cc:1,x%20y:0"
    back, messages = parse_query(to_query(shared))
    assert messages == [] and back == shared


def test_your_formula_and_its_starts_travel_and_are_parsed_not_run():
    request = ("expression", {"formula": "exp(-lam) * lam^x / factorial(x)", "start": {"lam": 2.5}})
    shared = Shared(models=(request,))
    back, messages = parse_query(to_query(shared))
    assert messages == [] and back.models == (request,)


@pytest.mark.parametrize("formula", ["__import__('os').system('x')", "open('f')", "x.__class__", "lambda: 1", "a" * 600])
def test_a_formula_outside_the_language_is_refused_with_a_message(formula):
    shared, messages = read(f"models=expression,uniform&formula={quote(formula)}")
    assert shared.models == (("uniform", {}),)
    assert any("formula" in message for message in messages)


@pytest.mark.parametrize("table", ["1:-1", "1:nan", "1", ":2", "1:2,,", "1:inf", "1:2," * 501, "a" * 101 + ":1"])
def test_a_bad_table_is_refused_whole(table):
    shared, messages = read(f"models=custom,uniform&table={quote(table)}")
    if table == "1:2,,":  # empty pieces are skipped, as in models=
        assert shared.models == (("custom", {"values": [1], "weights": [2]}), ("uniform", {}))
        return
    assert shared.models == (("uniform", {}),)
    assert messages


def test_start_values_must_name_the_formulas_parameters():
    shared, messages = read("models=expression&formula=p*(1-p)%5Ex&start=p:0.2,q:3,bad")
    assert shared.models == (("expression", {"formula": "p*(1-p)^x", "start": {"p": 0.2}}),)
    assert any("'bad'" in m for m in messages) and any("'q'" in m for m in messages)


def test_uploaded_data_travels_as_its_fingerprint_only():
    shared, messages = read("models=poisson&data=0123456789abcdef")
    assert shared.data == "0123456789abcdef" and messages == []
    assert read("data=../../etc/passwd")[0].data is None
    assert to_params(Shared(data="not hex")) == {}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.text(min_size=1, max_size=20).filter(str.strip),
                                     st.integers(-10**6, 10**6)),
                           st.floats(0, 1e6, allow_nan=False)), min_size=1, max_size=40))
def test_any_table_round_trips(rows):
    table = {"values": [value for value, _ in rows], "weights": [weight for _, weight in rows]}
    shared = Shared(models=(("custom", table),))
    assert "table" in to_params(shared)
    back, messages = parse_query(to_query(shared))
    assert messages == []
    got = back.models[0][1]
    for sent, read_back in zip(table["values"], got["values"]):
        if isinstance(sent, str) and option_number(sent.strip()) is None:
            assert read_back == sent  # text comes back as the same text, separators and all
        else:  # numbers (and text that is a number) come back as that number; the page reads them against the data
            assert float(read_back) == float(sent)
    assert got["weights"] == pytest.approx(table["weights"])


def test_given_lists_what_the_link_set():
    shared, _ = parse_query("units=nats&boot=50&junk=1")
    assert shared.given == {"units", "boot"}


# ------------------------------------------------------------------ hostile links
def read(query: str) -> tuple[Shared, list[str]]:
    shared, messages = parse_query(query, APP_PAGES)
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


def test_own_models_need_their_table_and_formula_and_a_second_dataset_never_comes():
    shared, messages = read("models=custom,expression,empirical,uniform")
    assert shared.models == (("uniform", {}),)
    assert "second dataset cannot come from a link" in messages[0]
    assert any("PMF table" in m for m in messages) and any("formula" in m for m in messages)


@pytest.mark.parametrize("query, key", [
    ("eps=nan", "eps"), ("eps=NaN", "eps"), ("eps=inf", "eps"), ("eps=-1e-6", "eps"), ("eps=0", "eps"),
    ("eps=0.9", "eps"), ("eps=1e999", "eps"), ("eps=1_0", "eps"), ("eps=0x10", "eps"), ("eps=", "eps"),
    ("boot=-5", "boot"), ("boot=1e9", "boot"), ("boot=99999999999999999999999", "boot"), ("boot=2.5", "boot"),
    ("bins=0", "bins"), ("bins=100000", "bins"),
    ("units=furlongs", "units"), ("policy=lenient", "policy"), ("rank=loglik", "rank"), ("rank=AIC", "rank"), ("view=fullscreen", "view"),
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


def test_overlong_values_are_refused():
    for key in share.KEYS:
        limit = share.MAX_TABLE_CHARS if key == "table" else share.MAX_VALUE_CHARS
        shared, messages = read(f"{key}={'a' * (limit + 1)}")
        assert shared == Shared()
        assert messages == [f"The link's {key} is longer than {limit:,} characters: ignored."]


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
    assert shared.units in vocabulary.UNITS and shared.policy in vocabulary.ZERO_POLICIES
    lo, hi = vocabulary.EPSILON_RANGE
    assert lo <= shared.epsilon <= hi and math.isfinite(shared.epsilon)
    for name, options in shared.models or ():
        assert name in REGISTRY and set(options) <= set(REGISTRY[name].options)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_query_string_never_raises(query):
    read(query)


def test_the_engine_keeps_any_page_name_and_the_app_checks_its_own():
    assert parse_query("page=compare")[0].page == "compare"
    assert parse_query("page=anything")[0].page == "anything"
    shared, messages = parse_query("page=anything", ("home", "compare"))
    assert shared.page is None and messages == ["page must be home or compare, not 'anything': ignored."]
    shared, messages = parse_query("page=../etc")
    assert shared.page is None and messages and messages[0].startswith("page")


def test_rank_by_is_carried_by_the_link_and_left_out_at_its_default():
    assert to_params(Shared(rank_by="aic")) == {"rank": "aic"}
    assert "rank" not in to_params(Shared())
    shared, messages = parse_query("rank=bic")
    assert shared.rank_by == "bic" and messages == [] and "rank" in shared.given

