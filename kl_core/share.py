"""A comparison as URL query parameters, and back: links that restore what a presenter showed.

Pure Python (no Streamlit): :func:`to_params` / :func:`to_query` write a :class:`Shared`
as query parameters; :func:`from_params` / :func:`parse_query` read them back strictly,
returning the usable part and one plain message per ignored piece. Nothing is ever
evaluated: names are looked up in fixed tables, numbers go through a regular expression
and then ``int()``/``float()``, and every value has a length cap.

The URL format
--------------
Every parameter is optional; a missing one means the app's default. Defaults are
left out when writing, so links stay short.

``sample=worms``
    A sample dataset by key: ``worms``, ``planets``, ``coin``, ``waiting``,
    ``overdispersed`` (:data:`kl_core.samples.SAMPLES`). Uploaded, pasted or typed data
    is never in a link: the link then restores the settings and the models only.
``models=uniform,binomial,custom,expression``
    Registry names (:data:`kl_core.models.REGISTRY`), comma-separated, in order. A name
    may repeat (two uniforms with different options). Your own PMF table (``custom``)
    and formula (``expression``) travel in ``table=``, ``formula=`` and ``start=``; a
    second dataset (``empirical``) is data and never in a link.
``table=0:2,1:3,2:0.5``
    Your PMF table: ``value:weight`` pairs, comma-separated, at most
    :data:`MAX_TABLE_ROWS`. A value is text (percent-encoded: ``a%3Ab`` is ``a:b``); a
    weight is a number ≥ 0. Read strictly; the page checks the values against the data.
``formula=p*(1-p)^x`` and ``start=p:0.3``
    Your formula, as typed (at most :data:`kl_core.formula.MAX_TEXT_LENGTH` characters),
    and start values for its parameters. The formula is read by the whitelist parser
    :func:`kl_core.formula.parse_formula` (never evaluated as Python); a start value
    must name one of its parameters.
``data=3f2a…`` (16 hex digits)
    The start of the data's fingerprint (:meth:`kl_core.Empirical.fingerprint`) when the
    data was uploaded, pasted or typed: the link cannot carry it, so the page asks for
    it and applies the link's models once data with this fingerprint is loaded.
``opt=binomial.n:12,uniform.low:0,uniform.high:10``
    Model options, comma-separated ``<model>.<option>:<value>``. ``<model>`` is a name
    from ``models`` (its first request) or ``<name>~<k>`` for the k-th request of a name
    that repeats (``uniform~2.over:observed``). ``<option>`` is one of the family's
    options (``ModelSpec.options``). ``<value>`` is a number (``12``, ``0.5``, ``-3``,
    ``1e-06``; integers stay integers) or, for ``over``, ``range`` or ``observed``.
``units=nats``
    ``bits`` (default) or ``nats``.
``policy=epsilon``
    Zero policy: ``strict`` (default) or ``epsilon``.
``eps=0.0001``
    The ε-floor's weight, a number in [1e-12, 0.5] (default 1e-06).
``boot=200``
    Bootstrap resamples, an integer in [0, 2000] (default 0 = off).
``bins=30``
    Number of bins for continuous (binned) sample data, an integer in [1, 500]
    (default: automatic).
``view=present``
    The presentation layout (large type, verdict and plot first, sidebar collapsed).
``page=compare``
    The page to open, by the app's name for it (``home``, ``data``, ``models``, ``compare``,
    ``learn``, ``report``: the app passes its names to :func:`from_params`). Only needed when the link has no page path; a link copied from the
    app already ends in ``/compare``.

Every character written is URL-safe: names, digits, ``. , : ~ - +`` (the commas and
colons are left unescaped in query strings, which RFC 3986 allows).

Examples
--------
>>> shared = Shared(sample="worms", models=(("uniform", {}), ("binomial", {"n": 12})), units="nats")
>>> to_query(shared)
'sample=worms&models=uniform,binomial&opt=binomial.n:12&units=nats'
>>> parse_query(to_query(shared))[0] == shared
True
>>> parse_query("models=uniform,<script>&units=furlongs")[1]
["Unknown model '<script>' in the link: skipped.", "units must be bits or nats, not 'furlongs': ignored."]
>>> mine = Shared(models=(("expression", {"formula": "p*(1-p)^x", "start": {"p": 0.3}}),), data="0123456789abcdef")
>>> to_query(mine)
'models=expression&formula=p%2A%281-p%29%5Ex&start=p:0.3&data=0123456789abcdef'
>>> parse_query(to_query(mine))[0] == mine
True
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, quote, unquote, urlencode

from kl_core.errors import DataError
from kl_core.formula import MAX_PARAMETERS, MAX_TEXT_LENGTH, parse_formula
from kl_core.models import REGISTRY
from kl_core.options import NAME, read_model_option
from kl_core.options import number as _number
from kl_core.samples import SAMPLES
from kl_core.vocabulary import (
    DEFAULT_RANK_BY, DEFAULT_UNITS, DEFAULT_ZERO_POLICY, EPSILON, EPSILON_RANGE, RANK_BY, UNITS, ZERO_POLICIES,
)

__all__ = [
    "BINS_RANGE", "BOOTSTRAP_RANGE", "DEFAULT_BOOTSTRAP", "FINGERPRINT_CHARS", "KEYS", "MAX_FIELDS", "MAX_MODELS",
    "MAX_OPTIONS", "MAX_OPTION_ABS", "MAX_QUERY_CHARS", "MAX_SHOWN_CHARS", "MAX_TABLE_CHARS", "MAX_TABLE_ROWS",
    "MAX_TABLE_VALUE_CHARS", "MAX_VALUE_CHARS", "NOT_SHAREABLE_GROUPS", "OWN_IN_LINK", "STRING_OPTIONS",
    "VIEWS", "Request", "Shared", "fingerprint_prefix", "from_params", "parse_query", "shareable", "to_params",
    "to_query", "with_page",
]

# ----------------------------------------------------------------- the vocabulary
VIEWS = ("normal", "present")
STRING_OPTIONS: dict[str, tuple[str, ...]] = {"over": ("range", "observed")}  # options whose values are words
NOT_SHAREABLE_GROUPS = ("yours",)  # families whose options hold tables, formulas or data
OWN_IN_LINK = ("custom", "expression")  # of those, the ones a link carries (table=, formula= and start=)
FINGERPRINT_CHARS = 16  # the start of the data's SHA-256 fingerprint a link keeps

DEFAULT_BOOTSTRAP = 0
BOOTSTRAP_RANGE = (0, 2000)
BINS_RANGE = (1, 500)
MAX_OPTION_ABS = 1e9  # larger model option values are refused (no family needs them)

# ------------------------------------------------------------------------ caps
MAX_QUERY_CHARS = 20_000  # a whole query string
MAX_FIELDS = 50  # parameters in a query string
MAX_VALUE_CHARS = 4_000  # one parameter's value (models / opt lists)
MAX_MODELS = 200  # entries in models= (the registry has ~125 families)
MAX_TABLE_ROWS = 500  # rows of your PMF table in table=
MAX_TABLE_CHARS = 12_000  # table= as written
MAX_TABLE_VALUE_CHARS = 100  # one value of your PMF table
MAX_OPTIONS = 200  # entries in opt=
MAX_SHOWN_CHARS = 40  # how much of a bad value a message quotes

KEYS = ("sample", "models", "opt", "table", "formula", "start", "data", "units", "policy", "eps", "boot", "rank", "bins",
        "view", "page")  # the parameters this module owns

_HEX = re.compile(rf"^[0-9a-f]{{{FINGERPRINT_CHARS}}}$")

Request = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Shared:
    """The shareable part of a comparison.

    Parameters
    ----------
    sample : str or None
        A key of :data:`~kl_core.samples.SAMPLES`, or None (no sample: uploaded data or none).
    models : tuple of (name, options) or None
        The model requests, or None for the data's defaults.
    units, policy : str
        ``"bits"``/``"nats"`` and ``"strict"``/``"epsilon"``.
    epsilon : float
        The ε-floor's weight.
    bootstrap : int
        Bootstrap resamples (0 = off).
    rank_by : str
        What orders the ranking: one of :data:`RANK_BY` (``rank=`` in a link).
    bins : int or None
        Number of bins for binned sample data (None = automatic).
    present : bool
        The presentation layout.
    page : str or None
        The page to open (one of the app's page names), or None.
    data : str or None
        The start of the fingerprint of data the link cannot carry (an upload), or None.

    Your own table and formula are requests in ``models``:
    ``("custom", {"values": [...], "weights": [...]})`` and
    ``("expression", {"formula": "...", "start": {...}})``.
    """

    sample: str | None = None
    models: tuple[Request, ...] | None = None
    units: str = DEFAULT_UNITS
    policy: str = DEFAULT_ZERO_POLICY
    epsilon: float = EPSILON
    bootstrap: int = DEFAULT_BOOTSTRAP
    rank_by: str = DEFAULT_RANK_BY
    bins: int | None = None
    present: bool = False
    page: str | None = None
    data: str | None = None
    given: frozenset[str] = field(default=frozenset(), compare=False)  # the parameters a link set (read, not written)


# ------------------------------------------------------------------------ writing
def shareable(name: str, options: Mapping[str, Any]) -> bool:
    """Whether the request ``(name, options)`` can be written in a link.

    >>> shareable("binomial", {"n": 10}), shareable("custom", {"values": [1], "weights": [2]}), shareable("uniform", {"over": "x"})
    (True, True, False)
    >>> shareable("expression", {"formula": "open('f')"}), shareable("empirical", {"reference": None})
    (False, False)
    """
    spec = REGISTRY.get(name)
    if spec is None:
        return False
    if name == "custom":
        return _table_text(options) is not None
    if name == "expression":
        return _formula_texts(options) is not None
    if spec.group in NOT_SHAREABLE_GROUPS:
        return False
    return all(key in spec.options and _value_text(key, value) is not None for key, value in options.items())


def to_params(shared: Shared) -> dict[str, str]:
    """The query parameters for ``shared`` (defaults left out), in a fixed order.

    Requests that cannot be written (see :func:`shareable`) are left out, and so is
    a second table or formula (a link carries one of each, as the Models page has).
    """
    params: dict[str, str] = {}
    if shared.sample is not None:
        params["sample"] = shared.sample
    if shared.models is not None:
        requests, own = [], {}
        for name, options in shared.models:
            if not shareable(name, options) or name in own:
                continue
            requests.append((name, dict(options)))
            if name in OWN_IN_LINK:
                own[name] = dict(options)
        if requests:
            params["models"] = ",".join(name for name, _ in requests)
            pieces, seen = [], {}
            for name, options in requests:
                if name in OWN_IN_LINK:
                    continue
                seen[name] = seen.get(name, 0) + 1
                ref = name if seen[name] == 1 else f"{name}~{seen[name]}"
                pieces += [f"{ref}.{key}:{_value_text(key, value)}" for key, value in options.items()]
            if pieces:
                params["opt"] = ",".join(pieces)
        if "custom" in own:
            params["table"] = _table_text(own["custom"]) or ""
        if "expression" in own:
            formula, start = _formula_texts(own["expression"]) or ("", "")
            params["formula"] = formula
            if start:
                params["start"] = start
    if shared.data is not None and _HEX.match(shared.data):
        params["data"] = shared.data
    if shared.units != DEFAULT_UNITS:
        params["units"] = shared.units
    if shared.policy != DEFAULT_ZERO_POLICY:
        params["policy"] = shared.policy
    if float(shared.epsilon) != EPSILON:
        params["eps"] = repr(float(shared.epsilon))
    if int(shared.bootstrap) != DEFAULT_BOOTSTRAP:
        params["boot"] = str(int(shared.bootstrap))
    if shared.rank_by != DEFAULT_RANK_BY and shared.rank_by in RANK_BY:
        params["rank"] = shared.rank_by
    if shared.bins is not None:
        params["bins"] = str(int(shared.bins))
    if shared.present:
        params["view"] = "present"
    if shared.page is not None:
        params["page"] = shared.page
    return params


def _number_text(value: Any) -> str | None:
    """A finite real number as written in a link (integers as integers), or None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    number = float(value)
    if not math.isfinite(number) or abs(number) > MAX_OPTION_ABS:
        return None
    if isinstance(value, numbers.Integral) or number.is_integer():
        return str(int(number))
    return repr(number)


def _table_text(options: Mapping[str, Any]) -> str | None:
    """Your PMF table as ``value:weight,...`` (values percent-encoded), or None when it cannot travel."""
    values, weights = options.get("values"), options.get("weights")
    if not isinstance(values, (list, tuple)) or not isinstance(weights, (list, tuple)):
        return None
    if not 0 < len(values) == len(weights) <= MAX_TABLE_ROWS:
        return None
    pieces = []
    for value, weight in zip(values, weights):
        value_text = value if isinstance(value, str) else _number_text(value)
        weight_text = _number_text(weight)
        if value_text is None or weight_text is None or float(weight) < 0 or len(value_text) > MAX_TABLE_VALUE_CHARS:
            return None
        pieces.append(f"{quote(value_text, safe='')}:{weight_text}")
    text = ",".join(pieces)
    return text if len(text) <= MAX_TABLE_CHARS else None


def _formula_texts(options: Mapping[str, Any]) -> tuple[str, str] | None:
    """(formula, start) as written in a link, or None when the formula cannot travel or does not parse."""
    if set(options) - {"formula", "start"}:
        return None
    formula = options.get("formula")
    if not isinstance(formula, str) or not formula.strip() or len(formula) > MAX_TEXT_LENGTH:
        return None
    try:
        parameters = parse_formula(formula).parameters
    except DataError:
        return None
    start = options.get("start") or {}
    if not isinstance(start, Mapping):
        return None
    pieces = []
    for name, value in start.items():
        text = _number_text(value)
        if name not in parameters or text is None:
            return None
        pieces.append(f"{name}:{text}")
    return formula, ",".join(pieces)


def to_query(shared: Shared) -> str:
    """``shared`` as a query string (no leading ``?``), URL-encoded; ``, : ~`` stay readable."""
    return urlencode(to_params(shared), safe=",:~")


def fingerprint_prefix(fingerprint: str) -> str:
    """The part of a data fingerprint a link keeps (``data=``).

    >>> fingerprint_prefix("0123456789abcdef" * 4)
    '0123456789abcdef'
    """
    return fingerprint[:FINGERPRINT_CHARS]


def _value_text(key: str, value: Any) -> str | None:
    """An option value as written in ``opt=``, or None when it cannot be written."""
    if key in STRING_OPTIONS:
        return value if isinstance(value, str) and value in STRING_OPTIONS[key] else None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return str(int(value)) if abs(int(value)) <= MAX_OPTION_ABS else None
    number = float(value)
    return repr(number) if math.isfinite(number) and abs(number) <= MAX_OPTION_ABS else None


# ------------------------------------------------------------------------ reading
def parse_query(query: str, pages: Sequence[str] | None = None) -> tuple[Shared, list[str]]:
    """Read a raw query string (with or without ``?``); see :func:`from_params`."""
    query = query or ""
    if len(query) > MAX_QUERY_CHARS:
        return Shared(), [f"The link's query is longer than {MAX_QUERY_CHARS:,} characters: ignored."]
    try:
        pairs = parse_qsl(query.removeprefix("?"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        return Shared(), [f"The link has more than {MAX_FIELDS} parameters: ignored."]
    return from_params(dict(pairs), pages)


def from_params(params: Mapping[str, Any], pages: Sequence[str] | None = None) -> tuple[Shared, list[str]]:
    """The comparison in ``params`` (``st.query_params`` or a dict), and a message per ignored piece.

    Parameters this module does not own are left alone (no message). A repeated
    parameter (a list) counts with its last value, as ``st.query_params`` does. Never
    raises on any input. ``pages`` are the app's page names (the engine does not know
    them): a ``page=`` naming another is ignored with a message; without ``pages`` any
    name-shaped word is kept.
    """
    messages: list[str] = []
    values: dict[str, Any] = {}
    for key in KEYS:
        if key not in params:
            continue
        raw = params[key]
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else ""
        if not isinstance(raw, str):
            raw = str(raw)
        limit = MAX_TABLE_CHARS if key == "table" else MAX_VALUE_CHARS
        if len(raw) > limit:
            messages.append(f"The link's {key} is longer than {limit:,} characters: ignored.")
            continue
        reader = _READERS[key]
        try:
            value = reader(raw.strip(), messages)
        except Exception as error:  # noqa: BLE001 - a link must never crash the app
            messages.append(f"Could not read {key}={_shown(raw)} in the link ({type(error).__name__}): ignored.")
            continue
        if value is not _SKIP:
            values[key] = value
    if pages is not None and values.get("page") not in (None, *pages):
        messages.append(f"page must be {_or(tuple(pages))}, not {_shown(values.pop('page'))}: ignored.")
    models = values.pop("models", None)
    options = values.pop("opt", None)
    own = {key: values.pop(key) for key in ("table", "formula", "start") if key in values}
    if options and models is None:
        messages.append("The link has model options (opt) but no models: options ignored.")
    if models is not None:
        models = _attach_options(models, options or [], messages)
        models = _attach_own(models, own, messages)
    elif own:
        messages.append("The link has your own table or formula but no models to use them: ignored.")
    fields = {_FIELDS[key]: value for key, value in values.items()}
    given = frozenset(values) | ({"models"} if models is not None else set())
    return Shared(**fields, models=models, given=given), messages


_SKIP = object()


def _shown(text: str) -> str:
    """A bad value as a message quotes it: cut short, in quotes (the UI escapes Markdown)."""
    cut = text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + "…"
    return repr(cut)


def _choice(key: str, choices: Iterable[str], what: str):
    choices = tuple(choices)

    def read(raw: str, messages: list[str]):
        if raw in choices:
            return raw
        messages.append(f"{what} must be {_or(choices)}, not {_shown(raw)}: ignored.")
        return _SKIP

    return read


def _or(choices: tuple[str, ...]) -> str:
    return choices[0] if len(choices) == 1 else ", ".join(choices[:-1]) + " or " + choices[-1]


def _read_sample(raw: str, messages: list[str]):
    if raw in SAMPLES:
        return raw
    messages.append(f"There is no sample {_shown(raw)}; the samples are {', '.join(SAMPLES)}: ignored.")
    return _SKIP


def _ranged(key: str, low: float, high: float, integer: bool):
    def read(raw: str, messages: list[str]):
        number = _number(raw)
        if number is None or (integer and not isinstance(number, int)):
            messages.append(f"{key} must be {'a whole number' if integer else 'a number'}, not {_shown(raw)}: ignored.")
            return _SKIP
        if not low <= number <= high:
            messages.append(f"{key} must be between {low:g} and {high:g}, not {_shown(raw)}: ignored.")
            return _SKIP
        return int(number) if integer else float(number)

    return read


def _read_page(raw: str, messages: list[str]):
    if NAME.fullmatch(raw) and len(raw) <= MAX_SHOWN_CHARS:
        return raw
    messages.append(f"page must be a page name, not {_shown(raw)}: ignored.")
    return _SKIP


def _read_view(raw: str, messages: list[str]):
    if raw in VIEWS:
        return raw == "present"
    messages.append(f"view must be {_or(VIEWS)}, not {_shown(raw)}: ignored.")
    return _SKIP


def _read_models(raw: str, messages: list[str]):
    names = [piece.strip() for piece in raw.split(",") if piece.strip()]
    if len(names) > MAX_MODELS:
        messages.append(f"The link names more than {MAX_MODELS} models: only the first {MAX_MODELS} are used.")
        names = names[:MAX_MODELS]
    known, unknown, private = [], [], []
    for name in names:
        spec = REGISTRY.get(name)
        if spec is None:
            unknown.append(name)
        elif spec.group in NOT_SHAREABLE_GROUPS and name not in OWN_IN_LINK:
            private.append(name)
        else:
            known.append(name)
    if unknown:
        listed = ", ".join(_shown(name) for name in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        messages.append(f"Unknown model{'s' if len(unknown) > 1 else ''} {listed} in the link: skipped.")
    if private:
        messages.append(f"{', '.join(sorted(set(private)))}: a second dataset cannot come from a link; add it on the Models page: skipped.")
    if not known:
        if names:
            messages.append("No usable model in the link: the data's default models are used.")
        return _SKIP
    return known


def _read_options(raw: str, messages: list[str]):
    pieces = [piece.strip() for piece in raw.split(",") if piece.strip()]
    if len(pieces) > MAX_OPTIONS:
        messages.append(f"The link has more than {MAX_OPTIONS} model options: only the first {MAX_OPTIONS} are used.")
        pieces = pieces[:MAX_OPTIONS]
    read: list[tuple[str, int, str, Any]] = []
    for piece in pieces:
        try:
            option = read_model_option(piece, separator=":")
        except DataError:
            messages.append(f"Could not read the model option {_shown(piece)}: write model.option:value. Ignored.")
            continue
        name, occurrence, key, text = option.model, option.occurrence, option.key, option.text
        spec = REGISTRY.get(name)
        if spec is None or spec.group in NOT_SHAREABLE_GROUPS:
            messages.append(f"Option {_shown(piece)} is for an unknown model: ignored.")
            continue
        if key not in spec.options:
            messages.append(f"{name} has no option {_shown(key)} (its options are {', '.join(spec.options)}): ignored.")
            continue
        if key in STRING_OPTIONS:
            if text not in STRING_OPTIONS[key]:
                messages.append(f"{name}.{key} must be {_or(STRING_OPTIONS[key])}, not {_shown(text)}: ignored.")
                continue
            value: Any = text
        else:
            value = _number(text)
            if value is None or abs(value) > MAX_OPTION_ABS:
                messages.append(f"{name}.{key} must be a number between -{MAX_OPTION_ABS:g} and {MAX_OPTION_ABS:g}, not {_shown(text)}: ignored.")
                continue
        read.append((name, occurrence, key, value))
    return read


def _attach_options(names: list[str], options: list[tuple[str, int, str, Any]], messages: list[str]) -> tuple[Request, ...]:
    requests: list[Request] = [(name, {}) for name in names]
    positions: dict[tuple[str, int], int] = {}
    counts: dict[str, int] = {}
    for index, name in enumerate(names):
        counts[name] = counts.get(name, 0) + 1
        positions[(name, counts[name])] = index
    for name, occurrence, key, value in options:
        index = positions.get((name, occurrence))
        ref = name if occurrence == 1 else f"{name}~{occurrence}"
        if index is None:
            messages.append(f"Option {ref}.{key} is for a model the link does not request: ignored.")
            continue
        if key in requests[index][1]:
            messages.append(f"Option {ref}.{key} is given twice: the first is used.")
            continue
        requests[index][1][key] = value
    return tuple(requests)


def _read_table(raw: str, messages: list[str]):
    """``value:weight,...`` -> {"values": [...], "weights": [...]}; one bad piece refuses the whole table."""
    pieces = [piece for piece in raw.split(",") if piece.strip()]
    if not pieces or len(pieces) > MAX_TABLE_ROWS:
        messages.append(f"The link's table must have 1 to {MAX_TABLE_ROWS} value:weight pairs: ignored.")
        return _SKIP
    values, weights = [], []
    for piece in pieces:
        value_text, colon, weight_text = piece.strip().rpartition(":")
        value = unquote(value_text)
        weight = _number(weight_text)
        if not colon or not value.strip() or len(value) > MAX_TABLE_VALUE_CHARS or weight is None or weight < 0:
            messages.append(f"Could not read {_shown(piece)} in the link's table (write value:weight, weight ≥ 0): "
                            "the table is ignored.")
            return _SKIP
        number = _number(value)
        values.append(value if number is None else number)
        weights.append(weight)
    return {"values": values, "weights": weights}


def _read_formula(raw: str, messages: list[str]):
    """The formula text, once the whitelist parser accepts it (it is never evaluated here)."""
    if len(raw) > MAX_TEXT_LENGTH:
        messages.append(f"The link's formula is longer than {MAX_TEXT_LENGTH} characters: ignored.")
        return _SKIP
    try:
        parse_formula(raw)
    except DataError as error:
        reason = str(error) if len(str(error)) <= 200 else str(error)[:200] + "…"
        messages.append(f"The link's formula {_shown(raw)} is not one the app reads ({reason}): ignored.")
        return _SKIP
    return raw


def _read_start(raw: str, messages: list[str]):
    pieces = [piece.strip() for piece in raw.split(",") if piece.strip()]
    start: dict[str, float | int] = {}
    for piece in pieces[:MAX_PARAMETERS + 1]:
        name, colon, text = piece.partition(":")
        number = _number(text)
        if not colon or not NAME.fullmatch(name) or number is None or name in start:
            messages.append(f"Could not read the start value {_shown(piece)} (write name:number): ignored.")
            continue
        start[name] = number
    if len(pieces) > MAX_PARAMETERS:
        messages.append(f"A formula has at most {MAX_PARAMETERS} parameters: the link's extra start values are ignored.")
    return start


def _read_data(raw: str, messages: list[str]):
    if _HEX.match(raw):
        return raw
    messages.append(f"data must be {FINGERPRINT_CHARS} hexadecimal digits (a fingerprint), not {_shown(raw)}: ignored.")
    return _SKIP


def _attach_own(requests: tuple[Request, ...], own: Mapping[str, Any], messages: list[str]) -> tuple[Request, ...] | None:
    """Your table and formula put into their requests; a request without them (or a second one) is dropped."""
    kept: list[Request] = []
    used: set[str] = set()
    for name, options in requests:
        if name not in OWN_IN_LINK:
            kept.append((name, options))
            continue
        if name in used:
            messages.append(f"A link carries one {'table' if name == 'custom' else 'formula'}: the repeated {name} is skipped.")
            continue
        used.add(name)
        if name == "custom":
            if "table" not in own:
                messages.append("The link asks for your PMF table but does not carry a usable one: skipped.")
                continue
            kept.append((name, dict(own["table"])))
            continue
        if "formula" not in own:
            messages.append("The link asks for your formula but does not carry a usable one: skipped.")
            continue
        parameters = parse_formula(own["formula"]).parameters
        start = dict(own.get("start") or {})
        unknown = sorted(set(start) - set(parameters))
        if unknown:
            messages.append(f"Start values for {', '.join(_shown(n) for n in unknown)} are not parameters of the formula: ignored.")
        kept.append((name, {"formula": own["formula"], "start": {k: v for k, v in start.items() if k in parameters}}))
    for key, name in (("table", "custom"), ("formula", "expression")):
        if key in own and name not in used:
            messages.append(f"The link has a {key} but does not ask for {name}: ignored.")
    if not kept:
        messages.append("No usable model in the link: the data's default models are used.")
        return None
    return tuple(kept)


_READERS = {
    "sample": _read_sample,
    "models": _read_models,
    "opt": _read_options,
    "table": _read_table,
    "formula": _read_formula,
    "start": _read_start,
    "data": _read_data,
    "units": _choice("units", UNITS, "units"),
    "policy": _choice("policy", ZERO_POLICIES, "policy"),
    "eps": _ranged("eps", *EPSILON_RANGE, integer=False),
    "boot": _ranged("boot", *BOOTSTRAP_RANGE, integer=True),
    "rank": _choice("rank", RANK_BY, "rank"),
    "bins": _ranged("bins", *BINS_RANGE, integer=True),
    "view": _read_view,
    "page": _read_page,
}
_FIELDS = {"sample": "sample", "units": "units", "policy": "policy", "eps": "epsilon", "boot": "bootstrap",
           "rank": "rank_by", "bins": "bins", "view": "present", "page": "page", "data": "data"}


def with_page(shared: Shared, page: str | None) -> Shared:
    """``shared`` opening ``page`` (for a link that has no page path)."""
    return replace(shared, page=page)
