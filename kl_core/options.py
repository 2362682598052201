"""One grammar for model options typed as text: numbers, ``p=0.5, n=10`` and ``binomial.n=10``.

The CLI (``--option binomial.n=10``), links (``opt=binomial.n:10,uniform~2.over:observed``)
and the Models page (``p = 0.5; n=10``) read model options with these functions. Text is
matched against one regular expression for numbers and read with ``int()``/``float()``;
it is never evaluated. Bad text raises :class:`~kl_core.errors.DataError` saying what was
wrong and what to write instead.

Examples
--------
>>> read_assignments("low=0, high=10", ["low", "high"])
{'low': 0, 'high': 10}
>>> read_model_option("uniform~2.over:observed", separator=":")
ModelOption(model='uniform', occurrence=2, key='over', text='observed')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Sequence

from kl_core.errors import DataError

__all__ = [
    "MAX_NUMBER_CHARS", "NAME", "NUMBER", "ModelOption", "number", "read_assignments", "read_model_option", "read_number",
    "read_value",
]

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")  # 12, -3, 0.5, .5, 1e-06; not inf, nan, 1_000
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a model, option or parameter name
MAX_NUMBER_CHARS = 40  # 17 significant digits, a sign, a point and an exponent fit with room to spare
_INTEGER = re.compile(r"[-+]?\d+")
_PIECES = re.compile(r"[,;\n]")
_TARGET = re.compile(r"(?P<model>[A-Za-z_][A-Za-z0-9_]*)(?:~(?P<occurrence>\d{1,3}))?\.(?P<key>[A-Za-z_][A-Za-z0-9_]*)")
_WORDS = {"true": True, "false": False, "none": None, "null": None}


def number(text: str) -> int | float | None:
    """``text`` as an int (whole numbers stay whole) or a finite float; None for anything else.

    Examples
    --------
    >>> number("12"), number("-0.5"), number("1e-06")
    (12, -0.5, 1e-06)
    >>> [number(t) for t in ("inf", "nan", "1_000", " 1", "1e999", "0x10", "1" * 41)]
    [None, None, None, None, None, None, None]
    """
    if len(text) > MAX_NUMBER_CHARS or not NUMBER.fullmatch(text):
        return None
    value = int(text) if _INTEGER.fullmatch(text) else float(text)
    return value if math.isfinite(value) else None


def read_number(name: str, text: str) -> int | float:
    """The number ``text`` given for ``name``; DataError for text that is not one of ordinary size.

    Examples
    --------
    >>> read_number("p", "0.5")
    0.5
    >>> read_number("p", "1" + "0" * 5000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: p = 1000000000... is 5,001 characters long; write a number of ordinary size, e.g. p=0.5.
    """
    text = text.strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise DataError(f"{name} = {text[:10]}... is {len(text):,} characters long; write a number of ordinary size, e.g. {name}=0.5.")
    value = number(text)
    if value is None and NUMBER.fullmatch(text):
        raise DataError(f"{name} = {text} is too large to be a number here; write a finite number, e.g. {name}=0.5.")
    if value is None:
        raise DataError(f"{name} = {text!r} is not a number; write digits with an optional sign, point and exponent, e.g. {name}=0.5.")
    return value


def read_assignments(text: str, allowed: Sequence[str]) -> dict[str, int | float]:
    """``"p=0.5, n=10"`` (pieces separated by commas, semicolons or lines) as ``{"p": 0.5, "n": 10}``.

    Examples
    --------
    >>> read_assignments("p = 0.5; n=10", ["n", "p"])
    {'p': 0.5, 'n': 10}
    >>> read_assignments("", ["p"])
    {}
    >>> read_assignments("q=1", ["p"])
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: 'q' is not a parameter here; the parameters are: p.
    """
    values: dict[str, int | float] = {}
    for piece in (p.strip() for p in _PIECES.split(text or "") if p.strip()):
        name, equals, raw = (part.strip() for part in piece.partition("="))
        if not equals or not NAME.fullmatch(name) or not NUMBER.fullmatch(raw):
            example = allowed[0] if allowed else "p"
            raise DataError(f"Could not read {piece!r}: write name=number, e.g. {example}=0.5, separated by commas.")
        if name not in allowed:
            raise DataError(f"{name!r} is not a parameter here; the parameters are: {', '.join(allowed) or 'none'}.")
        if name in values:
            raise DataError(f"{name!r} is given twice.")
        values[name] = read_number(name, raw)
    return values


@dataclass(frozen=True)
class ModelOption:
    """One ``model[~k].key<separator>value`` as written: the value is still text (see :func:`read_value`)."""

    model: str
    occurrence: int  # the k-th request of ``model`` (1 unless ``~k`` says otherwise)
    key: str
    text: str


def read_model_option(text: str, separator: str = "=") -> ModelOption:
    """``"binomial.n=10"`` (CLI) or ``"uniform~2.over:observed"`` (links, ``separator=":"``).

    Examples
    --------
    >>> read_model_option(" binomial.n = 10 ")
    ModelOption(model='binomial', occurrence=1, key='n', text='10')
    >>> read_model_option("binomial.n=3", separator=":")
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: Could not read the model option 'binomial.n=3': write model.option:value, e.g. binomial.n:10.
    """
    target, found, value = text.partition(separator)
    match = _TARGET.fullmatch(target.strip()) if found else None
    if match is None:
        raise DataError(f"Could not read the model option {text.strip()!r}: write model.option{separator}value, "
                        f"e.g. binomial.n{separator}10.")
    occurrence = int(match.group("occurrence") or 1)
    return ModelOption(match.group("model"), occurrence, match.group("key"), value.strip())


def read_value(text: str) -> Any:
    """An option value as typed on a command line: true/false, none/null, a number, else the text.

    Examples
    --------
    >>> [read_value(t) for t in ("10", "0.5", "True", "none", "observed", "inf")]
    [10, 0.5, True, None, 'observed', 'inf']
    """
    text = text.strip()
    if text.lower() in _WORDS:
        return _WORDS[text.lower()]
    value = number(text)
    return text if value is None else value
