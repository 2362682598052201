"""Fuzzing with hypothesis: whatever goes in, only a DataError/ValueError with a message comes out.

* random bytes, and near-CSV text (random delimiters, quotes, numbers, NaNs, BOMs, encodings),
  into ``read_table`` under every supported extension, then on to ``to_empirical`` and ``rank``;
* random arrays, weights and bases into ``kl_core.measures``, whose laws must hold whenever
  the inputs are valid (KL >= 0, KL(p, p) = 0, JS <= 1 bit, H(P, Q) = H(P) + KL >= H(P), ...);
* random values, weights, kinds and bins into the ``Empirical`` constructors;
* random model specs into ``fit``: registry names and unknown ones, with option dicts of
  wrong types and values (text, NaN, negative, huge, lists, ...).

Example counts are set so that the whole file runs in well under 60 s on a loaded 2-core machine.
"""

from __future__ import annotations

import codecs
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kl_core import DataError, Empirical, fit, rank, to_empirical
from kl_core.io import read_table
from kl_core.measures import cross_entropy, entropy, js_divergence, kl_contributions, kl_divergence
from kl_core.models import REGISTRY

EXTENSIONS = [".csv", ".tsv", ".txt", ".dat", ".xlsx", ".parquet", ".pq", ".json", ".jsonl", ".weird", ""]
CHEAP_MODELS = ["uniform", "binomial", "poisson"]
COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def expect_clean(call, *args, **kwargs):
    """Run ``call``; a DataError/ValueError must carry a message; anything else fails the test."""
    try:
        return call(*args, **kwargs)
    except (DataError, ValueError) as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"
        return None


def small_limits() -> dict[str, int]:
    return {"max_bytes": 1 << 16, "max_rows": 5_000, "max_columns": 200, "max_cell_chars": 2_000}


# ----------------------------------------------------------------------- read_table
MAGIC_PREFIXES = [b"", b"PK\x03\x04", b"PAR1", b"\x89PNG\r\n\x1a\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"[", b"{", b"\x1f\x8b"]


@settings(max_examples=2000, **COMMON)
@given(prefix=st.sampled_from(MAGIC_PREFIXES), body=st.binary(max_size=600), extension=st.sampled_from(EXTENSIONS))
def test_random_bytes_never_crash_read_table(prefix: bytes, body: bytes, extension: str) -> None:
    frame = expect_clean(read_table, prefix + body, f"upload{extension}", **small_limits())
    if frame is not None:
        assert frame.shape[0] >= 1 and frame.shape[1] >= 1
        assert all(isinstance(name, str) for name in frame.columns)


CELLS = st.one_of(
    st.integers(-10**25, 10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "nan", "NA", "null", "None", "inf", "-inf", "1,5", "3.", ".5", "1e308", "-1e400", "1,000", "true",
                     "False", "2024-01-01", "12:30", '"', '""', "'", "\\", "\t", " ", "−1", "<b>x</b>", "=1+1", "\x00"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
)
BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE]


@st.composite
def near_csv(draw) -> tuple[bytes, str]:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " ", ", ", ";;"]))
    quote = draw(st.booleans())
    width = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(CELLS, min_size=max(width - 1, 1), max_size=width + 1), min_size=0, max_size=12))
    header = draw(st.sampled_from([None, [f"c{i}" for i in range(width)], ["x"] * width, ["<script>"] + ["y"] * (width - 1)]))
    lines = ([header] if header else []) + rows
    render = (lambda cell: '"' + cell.replace('"', '""') + '"') if quote else (lambda cell: cell)
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(render(cell) for cell in line) for line in lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "latin-1", "cp1252"]))
    bom = draw(st.sampled_from(BOMS))
    data = bom + text.encode(encoding, errors="replace")
    return data, draw(st.sampled_from([".csv", ".tsv", ".txt", ".dat", ".weird"]))


@settings(max_examples=1500, **COMMON)
@given(case=near_csv(), shape=st.sampled_from(["observations", "counts", "probabilities"]))
def test_near_csv_text_never_crashes_the_pipeline(case: tuple[bytes, str], shape: str) -> None:
    data, extension = case
    frame = expect_clean(read_table, data, f"table{extension}", **small_limits())
    if frame is None:
        return
    column = str(frame.columns[0])
    weight = str(frame.columns[1]) if frame.shape[1] > 1 and shape != "observations" else None
    emp = expect_clean(to_empirical, frame, column, shape=shape, weight_column=weight)
    if emp is None:
        return
    assert emp.k >= 1 and np.all(emp.counts >= 0) and emp.total > 0
    table = rank(emp, CHEAP_MODELS)
    for row in table.itertuples():
        kl = row.kl_binned if emp.kind == "binned" else row.kl  # D̂ is an estimate; the binned KL is ≥ 0 by law
        assert (not math.isnan(kl) and kl >= 0) or row.note


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=800, **COMMON)
@given(document=JSON_VALUES, lines=st.booleans())
def test_random_json_documents_never_crash(document, lines: bool) -> None:
    import json

    if lines and isinstance(document, list):
        text = "\n".join(json.dumps(item) for item in document)
        name = "doc.jsonl"
    else:
        text, name = json.dumps(document), "doc.json"
    frame = expect_clean(read_table, text.encode(), name, **small_limits())
    if frame is not None:
        emp = expect_clean(to_empirical, frame, str(frame.columns[0]))
        if emp is not None:
            rank(emp, CHEAP_MODELS)


# ------------------------------------------------------------------------- measures
FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
BASES = st.one_of(st.sampled_from([2, math.e, 10, 1, 0, -2, 0.5, float("nan"), float("inf")]), st.floats(-5, 100))


@settings(max_examples=1500, **COMMON)
@given(p=st.lists(FLOATS, min_size=0, max_size=6), q=st.lists(FLOATS, min_size=0, max_size=6), base=BASES,
       policy=st.sampled_from(["strict", "epsilon", "bogus"]), epsilon=st.one_of(st.floats(-1, 2), st.just(float("nan"))))
def test_measures_take_anything_and_fail_cleanly(p, q, base, policy, epsilon) -> None:
    p_array, q_array = np.array(p, dtype=float), np.array(q, dtype=float)
    for call, args in ((kl_divergence, (p_array, q_array, base, policy, epsilon)), (cross_entropy, (p_array, q_array, base, policy, epsilon)),
                       (js_divergence, (p_array, q_array, base)), (kl_contributions, (p_array, q_array, base)), (entropy, (p_array, base))):
        with np.errstate(all="ignore"):
            result = expect_clean(call, *args)
        if result is not None and np.ndim(result) == 0:
            assert not math.isnan(result)


@st.composite
def distributions(draw, size: int) -> np.ndarray:
    weights = np.array(draw(st.lists(st.floats(0, 1e6), min_size=size, max_size=size)), dtype=float)
    assume(weights.sum() > 0)
    return weights / weights.sum()


@settings(max_examples=1000, **COMMON)
@given(data=st.data(), size=st.integers(1, 8), base=st.sampled_from([2, math.e, 10, 3.7]))
def test_measures_keep_their_laws_on_valid_input(data, size: int, base: float) -> None:
    p = data.draw(distributions(size))
    q = data.draw(distributions(size)) * data.draw(st.floats(0.1, 1.0))  # a model may leave mass elsewhere
    unit = math.log(base)
    kl = kl_divergence(p, q, base)
    assert kl >= 0
    assert kl_divergence(p, p, base) == pytest.approx(0, abs=1e-9)
    js = js_divergence(p, q, base)
    assert 0 <= js <= math.log(2) / unit + 1e-12  # at most 1 bit
    assert js == pytest.approx(js_divergence(q / q.sum(), p, base), abs=1e-9) or q.sum() < 1
    h = entropy(p, base)
    assert -1e-12 <= h <= math.log(size) / unit + 1e-9
    if math.isfinite(kl):
        assert cross_entropy(p, q, base) == pytest.approx(h + kl, rel=1e-9, abs=1e-9)
        assert float(np.sum(kl_contributions(p, q, base))) == pytest.approx(kl, rel=1e-7, abs=1e-9)
    floored = kl_divergence(p, q, base, "epsilon", 1e-3)
    assert 0 <= floored < math.inf


# ----------------------------------------------------------------- Empirical constructors
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20), st.booleans(), st.none(),
    st.text(max_size=4), st.sampled_from(["", " ", "NA", "1,5", "2024-01-01", "nan"]),
)
KINDS = st.sampled_from([None, "discrete", "categorical", "binned", "bogus", ""])
BINS = st.one_of(st.none(), st.integers(-3, 800), st.sampled_from(["fd", "sturges", "auto", "nonsense", "", 2.5, float("nan"), True]),
                 st.lists(st.floats(allow_nan=True), max_size=5))
NARROW = st.builds(lambda start, steps: [start + step * math.ulp(start) for step in steps],
                   st.floats(-1e6, 1e6), st.lists(st.integers(0, 4), min_size=1, max_size=8))
SAMPLES = st.one_of(
    st.lists(VALUES, max_size=30),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=30).map(lambda values: np.array(values, dtype=float)),
    st.lists(st.floats(-1e308, 1e308), min_size=1, max_size=10),  # near the float limits
    NARROW,  # a few float steps wide
    st.lists(st.lists(st.integers(0, 3), max_size=3), max_size=4),  # nested
    st.sampled_from([5, 2.5, "abc", b"12", {"a": 1}, {1, 2}, np.zeros((2, 2)), np.array(3.0), (x for x in [1, 2, 2])]),
)


def check_empirical(emp: Empirical | None) -> None:
    if emp is None:
        return
    assert emp.k >= 1 and emp.counts.size == emp.k
    assert np.all(np.isfinite(emp.counts)) and np.all(emp.counts >= 0) and emp.total > 0
    assert np.isclose(emp.probs.sum(), 1)
    if emp.kind == "binned":
        assert emp.edges is not None and emp.edges.size == emp.k + 1 and np.all(np.diff(emp.edges) > 0)
    entropy(emp.probs)
    emp.summary()


@settings(max_examples=1500, **COMMON)
@given(values=SAMPLES, kind=KINDS, bins=BINS)
def test_from_samples_takes_anything(values, kind, bins) -> None:
    with np.errstate(all="ignore"):
        check_empirical(expect_clean(Empirical.from_samples, values, kind=kind, bins=bins))


@settings(max_examples=1500, **COMMON)
@given(rows=st.lists(st.tuples(VALUES, st.one_of(FLOATS, st.integers(-5, 10**18), st.none(), st.text(max_size=3),
                                                 st.sampled_from([1e308, 5e-324, -0.0, [1, 2]]))), max_size=15),
       kind=KINDS, probabilities=st.booleans())
def test_tables_take_anything(rows, kind, probabilities) -> None:
    values = [value for value, _ in rows]
    weights = [weight for _, weight in rows]
    constructor = Empirical.from_probabilities if probabilities else Empirical.from_counts
    with np.errstate(all="ignore"):
        check_empirical(expect_clean(constructor, values, weights, kind=kind))


# ---------------------------------------------------------------------------- fit
def _datasets() -> dict[str, Empirical]:
    rng = np.random.default_rng(1)
    return {
        "teeth": Empirical.from_counts(np.arange(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7]),
        "single": Empirical.from_samples([3, 3, 3]),
        "negative": Empirical.from_samples([-2, -1, 0, 1, 1, 4]),
        "labels": Empirical.from_samples(["a", "b", "b", "c"]),
        "binned": Empirical.from_samples(rng.normal(5, 2, 300)),
        "probabilities": Empirical.from_probabilities([1, 2, 3], [0.2, 0.5, 0.3]),
    }


DATASETS = _datasets()
WRONG_VALUES = st.one_of(
    st.sampled_from(["", "ten", "1e5", "nan", "<script>", "__import__('os').system('true')", "p*(1-p)^x", "x", "exp(-x)"]),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30), st.booleans(), st.none(),
    st.lists(st.floats(allow_nan=True), max_size=4), st.dictionaries(st.text(max_size=3), st.floats(), max_size=2),
    st.just(DATASETS["teeth"]), st.just(DATASETS["labels"]), st.sampled_from([{"p": "a"}, [1], {"p": float("nan")}, 5]),
)
OWN_OPTIONS = sorted(name for name, spec in REGISTRY.items() if spec.group != "continuous" or spec.default)
NAMES = st.one_of(  # most draws on the families with options of their own; the long scipy tail too
    st.sampled_from(OWN_OPTIONS), st.sampled_from(OWN_OPTIONS), st.sampled_from(OWN_OPTIONS), st.sampled_from(sorted(REGISTRY)),
    st.text(max_size=12), st.sampled_from(["Poisson", "poison", "norm ", "__class__"]),
)


@st.composite
def model_specs(draw) -> tuple[str, dict]:
    name = draw(NAMES)
    known = list(REGISTRY[name].options) if name in REGISTRY else []
    keys = draw(st.lists(st.sampled_from(known + ["bogus", "n", "p", "loc", "scale", "time_limit"]), max_size=3, unique=True))
    options = {key: draw(WRONG_VALUES) for key in keys}
    options["time_limit"] = draw(st.sampled_from([0.05, 0.2]))  # keep every fit short
    if "time_limit" not in REGISTRY.get(name, REGISTRY["poisson"]).options:
        del options["time_limit"]
    return name, options


@settings(max_examples=600, **COMMON)
@given(spec=model_specs(), dataset=st.sampled_from(sorted(DATASETS)))
def test_fit_with_random_specs_fails_cleanly(spec, dataset) -> None:
    name, options = spec
    emp = DATASETS[dataset]
    with np.errstate(all="ignore"):
        try:  # stricter than expect_clean: a bad option must be a DataError that names it
            model = fit(emp, name, **options)
        except DataError as error:
            assert str(error).strip()
            model = None
    if model is None:
        return
    mass = model.mass(emp)
    assert mass.shape == (emp.k,) and np.all(np.isfinite(mass)) and np.all(mass >= 0)
    table = rank(emp, [(name, options)])
    row = table.iloc[0]
    kl = row["kl_binned"] if emp.kind == "binned" else row["kl"]  # D̂ is an estimate; the binned KL is ≥ 0 by law
    assert (not math.isnan(kl) and kl >= 0) or row["note"]
