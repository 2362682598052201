"""Reading JSON (records, columns, split, a list of values) and JSON Lines."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from kl_core.errors import DataError
from kl_core.io.frame import EMPTY_FILE_MESSAGE, Limits, _finish_frame
from kl_core.io.sniffing import (
    SNIFF_BYTES,
    _detect_encoding,
    _encodings_to_try,
    _looks_like_text,
    _reject_binary,
)


__all__ = [
    "JSON_SHAPES",
    "MAX_JSON_DEPTH",
    "check_json_depth",
]

JSON_SHAPES = (
    'records [{"a": 1, "b": 2}, ...], columns {"a": [1, 2], "b": [3, 4]} '
    "or a list of values [1, 2, 3]"
)


# A \uD800-\uDFFF escape not in a high+low pair decodes to a lone surrogate: not a character.
_LONE_SURROGATE_HINT = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<![0-9a-fA-F]{4})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


MAX_JSON_DEPTH = 64  # a table nests three levels deep (records: list > object > value); this leaves room
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def check_json_depth(text: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH` before parsing it.

    Examples
    --------
    >>> check_json_depth('{"x": [1, 2, "[[[["]}')
    >>> check_json_depth("[" * 100 + "]" * 100)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: The JSON is nested too deeply to be a table (100 levels; at most 64). ...
    """
    if text.count("[") + text.count("{") < MAX_JSON_DEPTH:
        return
    structure = np.frombuffer(_JSON_STRING.sub("", text).encode("utf-8", "surrogatepass"), dtype=np.uint8)
    steps = np.isin(structure, (ord("["), ord("{"))).astype(np.int64) - np.isin(structure, (ord("]"), ord("}")))
    depth = int(np.cumsum(steps).max(initial=0))
    if depth > MAX_JSON_DEPTH:
        raise DataError(
            f"The JSON is nested too deeply to be a table ({depth} levels; at most {MAX_JSON_DEPTH}). "
            f"Use {JSON_SHAPES}."
        )


def _loads(text: str) -> Any:
    """``json.loads`` that refuses a key given twice in one object and lone surrogates.

    Examples
    --------
    >>> _loads('{"x": [1, 2], "y": [3, 4]}')
    {'x': [1, 2], 'y': [3, 4]}
    >>> _loads('{"x": [1, 2, 3], "x": [7, 8, 9]}')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: The JSON has the key 'x' twice in one object; ...
    >>> _loads('["\\\\ud800"]')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: The JSON holds a lone UTF-16 surrogate escape ...
    """
    check_json_depth(text)
    document = json.loads(text, object_pairs_hook=_object_with_unique_keys)
    if _LONE_SURROGATE_HINT.search(text):
        try:
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            raise DataError(
                f"The JSON holds a lone UTF-16 surrogate escape (\\u{ord(error.object[error.start]):04x}), "
                "half of a character that cannot stand alone. Fix the text there, or export the file again as UTF-8."
            ) from error
    return document


def _object_with_unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) < len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise DataError(
            f"The JSON has the key {twice!r} twice in one object; JSON keeps only the last, so the "
            "first one's values would be lost without a word. Rename one of them and upload it again."
        )
    return document


def _read_json(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    text = _decode_json_text(data, filename)
    try:
        document = _loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # several documents: maybe JSON Lines named .json
            try:
                return _frame_from_json_lines(text)
            except DataError:
                pass
        raise _invalid_json_error(error, filename) from error
    except RecursionError as error:
        raise DataError(
            f"The JSON in {filename!r} is nested too deeply to be a table. Use {JSON_SHAPES}."
        ) from error
    return _frame_from_json(document)


def _read_json_lines(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    return _frame_from_json_lines(_decode_json_text(data, filename))


def _decode_json_text(data: bytes, filename: str) -> str:
    _reject_binary(data, filename, "JSON")
    encoding = _detect_encoding(data[:SNIFF_BYTES])
    for candidate in _encodings_to_try(encoding):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if not _looks_like_text(text[:SNIFF_BYTES]):
            break
        if not text.strip():
            raise DataError(EMPTY_FILE_MESSAGE)
        return text
    raise DataError(f"{filename!r} is not JSON text. Save it again as UTF-8 JSON or CSV.")


def _invalid_json_error(error: json.JSONDecodeError, filename: str) -> DataError:
    return DataError(
        f"The JSON in {filename!r} is not valid: {error.msg} at line {error.lineno}, "
        f"column {error.colno}. Fix the file there, or export it again."
    )


def _frame_from_json_lines(text: str) -> pd.DataFrame:
    documents = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(_loads(line))
        except json.JSONDecodeError as error:
            raise DataError(
                f"Line {line_number} is not valid JSON: {error.msg} at column {error.colno}. "
                "In JSON Lines every line must be one JSON object."
            ) from error
        except RecursionError as error:
            raise DataError(
                f"Line {line_number} is nested too deeply to be a table row."
            ) from error
    return _frame_from_json(documents)


def _frame_from_json(document: object) -> pd.DataFrame:
    if isinstance(document, list):
        return _frame_from_json_list(document)
    if isinstance(document, dict):
        return _frame_from_json_object(document)
    raise _json_shape_error(f"a single {type(document).__name__} value")


def _frame_from_json_list(items: list[Any]) -> pd.DataFrame:
    if all(isinstance(item, dict) for item in items):
        frame = pd.DataFrame.from_records(items) if items else pd.DataFrame()
        return _finish_frame(frame, list(frame.columns))
    if all(_is_json_scalar(item) for item in items):
        return _finish_frame(pd.DataFrame({"value": pd.Series(items, dtype=object)}), ["value"])
    raise _json_shape_error("a list that mixes objects, lists and values")


def _frame_from_json_object(document: dict[str, Any]) -> pd.DataFrame:
    if isinstance(document.get("columns"), list) and isinstance(document.get("data"), list):
        return _frame_from_split_json(document["columns"], document["data"])
    columns = list(document.values())
    if columns and all(isinstance(column, list) for column in columns):
        lengths = {name: len(column) for name, column in document.items()}
        if len(set(lengths.values())) > 1:
            described = ", ".join(f"{name!r} has {length}" for name, length in lengths.items())
            raise DataError(
                f"The JSON columns have different numbers of values ({described}). "
                "Give every column the same number of values; use null for empty cells."
            )
        frame = pd.DataFrame(
            {position: pd.Series(column, dtype=object) for position, column in enumerate(columns)}
        )
        return _finish_frame(frame, list(document))
    if columns and all(isinstance(column, dict) for column in columns):  # pandas' to_json()
        frame = pd.DataFrame(document)
        return _finish_frame(frame, list(frame.columns))
    raise _json_shape_error("an object whose values are not all lists")


def _frame_from_split_json(names: list[Any], rows: list[Any]) -> pd.DataFrame:
    if not all(isinstance(row, list) and len(row) == len(names) for row in rows):
        raise _json_shape_error('"data" rows that do not match "columns"')
    frame = pd.DataFrame(rows, columns=range(len(names)), dtype=object)
    return _finish_frame(frame, names)


def _is_json_scalar(item: object) -> bool:
    return item is None or isinstance(item, (int, float, str, bool))


def _json_shape_error(found: str) -> DataError:
    return DataError(f"The JSON is not a table: it holds {found}. Use {JSON_SHAPES}.")
