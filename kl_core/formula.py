"""A small, safe language for probability mass functions typed by users.

This module owns turning text such as ``p*(1-p)^x`` into a :class:`Formula`
that can be evaluated with numpy, and checking the resulting masses.  Fitting
the free parameters and normalising the mass belong to the callers.

Why this is safe
----------------
The text is never run as Python.  ``ast.parse(text, mode="eval")`` only builds
a syntax tree (it passes ``PyCF_ONLY_AST``, so compilation stops before any
code object exists), and nothing here calls ``eval``, ``exec`` or
``compile``.  Every node of that tree is checked against a whitelist
(numbers, the variable, parameter names, ``+ - * / **``, unary ``+ -`` and
calls of a fixed table of numpy/scipy functions) and copied into this
module's own immutable expression tree.  Anything else (attributes,
subscripts, lambdas, strings, keyword arguments, dunder names...) is rejected
with a :class:`~kl_core.errors.DataError`.

Users write ``^`` for powers.  It is rewritten to ``**`` in the text before
parsing, not mapped from Python's ``BitXor`` node: ``^`` binds more loosely
than ``*`` and ``+`` in Python, so ``p*(1-p)^x`` would otherwise mean
``(p*(1-p))**x``.

Resource use is bounded too: the text length and bracket depth are checked
before parsing, the tree size and depth after it, all literals become
float64 (so ``9**9**9`` overflows to ``inf`` instead of building a huge
integer), and every intermediate result has at most ``len(x)`` elements.
"""

from __future__ import annotations

import ast
import functools
import re
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Union

import numpy as np
from scipy import special

from kl_core.errors import DataError

__all__ = [
    "MAX_DEPTH", "MAX_NAME_LENGTH", "MAX_NODES", "MAX_PARAMETERS", "MAX_TEXT_LENGTH", "Formula", "describe_allowed",
    "mass_from_formula", "parse_formula",
]

MAX_TEXT_LENGTH = 500
MAX_DEPTH = 30
MAX_NODES = 200
MAX_PARAMETERS = 10
MAX_NAME_LENGTH = 32

_NAME_PATTERN = re.compile(rf"[A-Za-z][A-Za-z0-9_]{{0,{MAX_NAME_LENGTH - 1}}}")

# name -> (numpy-compatible elementwise function, number of arguments)
_FUNCTIONS: Mapping[str, tuple[Callable[..., np.ndarray], int]] = MappingProxyType(
    {
        "exp": (np.exp, 1),
        "log": (np.log, 1),
        "log2": (np.log2, 1),
        "log10": (np.log10, 1),
        "sqrt": (np.sqrt, 1),
        "abs": (np.abs, 1),
        "sin": (np.sin, 1),
        "cos": (np.cos, 1),
        "tan": (np.tan, 1),
        "tanh": (np.tanh, 1),
        "gamma": (special.gamma, 1),
        "lgamma": (special.gammaln, 1),
        "factorial": (functools.partial(special.factorial, exact=False), 1),
        "comb": (functools.partial(special.comb, exact=False), 2),
        "beta": (special.beta, 2),
        "erf": (special.erf, 1),
        "erfc": (special.erfc, 1),
        "min": (np.minimum, 2),
        "max": (np.maximum, 2),
        "floor": (np.floor, 1),
        "ceil": (np.ceil, 1),
    }
)

_CONSTANTS: Mapping[str, float] = MappingProxyType({"pi": np.pi, "e": np.e})

_BINARY_OPERATORS: Mapping[type[ast.operator], Callable[..., np.ndarray]] = (
    MappingProxyType(
        {
            ast.Add: np.add,
            ast.Sub: np.subtract,
            ast.Mult: np.multiply,
            ast.Div: np.divide,
            ast.Pow: np.power,
        }
    )
)

_REJECTED_OPERATORS: Mapping[type[ast.AST], str] = MappingProxyType(
    {
        ast.Mod: "the % operator",
        ast.FloorDiv: "the // operator (use floor(a / b))",
        ast.MatMult: "the @ operator",
        ast.LShift: "the << operator",
        ast.RShift: "the >> operator",
        ast.BitOr: "the | operator",
        ast.BitXor: "the ^ operator",  # unreachable: ^ is rewritten to ** first
        ast.BitAnd: "the & operator",
        ast.Not: "'not'",
        ast.Invert: "the ~ operator",
    }
)

_REJECTED_NODES: Mapping[type[ast.AST], str] = MappingProxyType(
    {
        ast.Attribute: "attribute access with '.' (like a.b)",
        ast.Subscript: "indexing with [...]",
        ast.Slice: "slices",
        ast.Lambda: "lambda functions",
        ast.ListComp: "comprehensions",
        ast.SetComp: "comprehensions",
        ast.DictComp: "comprehensions",
        ast.GeneratorExp: "comprehensions",
        ast.Starred: "starred arguments (*a)",
        ast.List: "lists [...]",
        ast.Tuple: "tuples (a, b)",
        ast.Set: "sets {...}",
        ast.Dict: "dicts {...}",
        ast.Compare: "comparisons (<, >, ==, ...)",
        ast.BoolOp: "boolean operators (and, or)",
        ast.IfExp: "conditional expressions (a if b else c)",
        ast.NamedExpr: "assignments with :=",
        ast.JoinedStr: "f-strings",
        ast.FormattedValue: "f-strings",
        ast.Await: "'await'",
        ast.Yield: "'yield'",
        ast.YieldFrom: "'yield'",
    }
)

# ast.parse may warn about odd literals ("invalid escape sequence"); the
# warnings filters are process-global, so concurrent parses share one lock.
_PARSE_LOCK = threading.Lock()


# --------------------------------------------------------------------------
# The expression tree
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Number:
    value: np.float64


@dataclass(frozen=True)
class _Variable:
    name: str


@dataclass(frozen=True)
class _Parameter:
    name: str


@dataclass(frozen=True)
class _Apply:
    """An operator or function applied elementwise to its arguments."""

    function: Callable[..., np.ndarray]
    arguments: tuple[_Node, ...]


_Node = Union[_Number, _Variable, _Parameter, _Apply]


def _evaluate_node(
    node: _Node, x: np.ndarray, params: Mapping[str, np.float64]
) -> np.ndarray | np.float64:
    """Evaluate ``node``; depth is at most ``MAX_DEPTH``, so recursion is fine."""
    if isinstance(node, _Number):
        return node.value
    if isinstance(node, _Variable):
        return x
    if isinstance(node, _Parameter):
        return params[node.name]
    arguments = [_evaluate_node(argument, x, params) for argument in node.arguments]
    return node.function(*arguments)


def _tree_nodes(node: _Node) -> list[_Node]:
    """All nodes of the tree rooted at ``node``."""
    nodes = [node]
    if isinstance(node, _Apply):
        for argument in node.arguments:
            nodes.extend(_tree_nodes(argument))
    return nodes


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A parsed, validated formula for an unnormalised probability mass.

    Build it with :func:`parse_formula`, not directly.

    Attributes
    ----------
    text : str
        The text as the user typed it.
    parameters : tuple of str
        The free parameter names, sorted.
    variable : str
        The name of the variable the mass is a function of.

    Examples
    --------
    >>> formula = parse_formula("p*(1-p)^x")
    >>> formula.parameters
    ('p',)
    >>> formula.evaluate(np.array([0.0, 1.0, 2.0]), {"p": 0.5}).tolist()
    [0.5, 0.25, 0.125]
    """

    text: str
    parameters: tuple[str, ...]
    variable: str = "x"
    _tree: _Node = field(kw_only=True, repr=False, compare=False)

    def evaluate(self, x: np.ndarray, params: Mapping[str, float]) -> np.ndarray:
        """Evaluate the formula at every value of ``x``.

        Parameters
        ----------
        x : numpy.ndarray
            The values of the variable (usually the data's support).
        params : Mapping[str, float]
            A value for each name in :attr:`parameters`, and nothing else.

        Returns
        -------
        numpy.ndarray
            float64 values with the shape of ``x``.  Negative, NaN or
            infinite values are returned as they are; see
            :func:`mass_from_formula` for a checked version.

        Raises
        ------
        DataError
            If a parameter is missing, unknown or not a number, or ``x`` is
            not numeric.

        Examples
        --------
        >>> parse_formula("x^2 + c").evaluate(np.array([1.0, 2.0]), {"c": 1}).tolist()
        [2.0, 5.0]
        """
        values = _as_float_array(x)
        parameter_values = self._checked_parameters(params)
        with np.errstate(all="ignore"):
            result = _evaluate_node(self._tree, values, parameter_values)
        return np.array(np.broadcast_to(result, values.shape), dtype=np.float64)

    def _checked_parameters(self, params: Mapping[str, float]) -> dict[str, np.float64]:
        """Check ``params`` has exactly the formula's parameters, as float64."""
        missing = sorted(set(self.parameters) - set(params))
        unknown = sorted(str(name) for name in set(params) - set(self.parameters))
        if missing or unknown:
            raise DataError(_parameter_mismatch_message(self, missing, unknown))
        return {name: _as_float_parameter(name, params[name]) for name in self.parameters}


def parse_formula(text: str, variable: str = "x") -> Formula:
    """Parse and validate a user-typed probability mass formula.

    Parameters
    ----------
    text : str
        The formula, e.g. ``"exp(-lam) * lam^x / factorial(x)"``.
    variable : str, default "x"
        The name of the variable; every other name that is not a function
        or a constant (``pi``, ``e``) is a free parameter.

    Returns
    -------
    Formula
        The validated formula, ready to evaluate.

    Raises
    ------
    DataError
        If the text is not in the formula language (see
        :func:`describe_allowed`); the message says what is wrong and what
        is allowed.

    Examples
    --------
    >>> parse_formula("comb(10, x) * p^x * (1-p)^(10-x)").parameters
    ('p',)
    >>> parse_formula("open('f')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: 'open' at column 1 is not an allowed function. ...
    """
    _check_variable_name(variable)
    _check_raw_text(text)
    source = _prepare_source(text, variable)
    syntax_tree = _parse_syntax(source)
    _check_tree_size(syntax_tree)
    tree = _convert(syntax_tree.body, source)
    return _formula_from_tree(text, variable, tree)


def mass_from_formula(
    formula: Formula, x: np.ndarray, params: Mapping[str, float]
) -> np.ndarray:
    """Evaluate ``formula`` and check the result is a usable, unnormalised mass.

    Parameters
    ----------
    formula : Formula
        A formula from :func:`parse_formula`.
    x : numpy.ndarray
        The values of the variable.
    params : Mapping[str, float]
        A value for each of ``formula.parameters``.

    Returns
    -------
    numpy.ndarray
        The (unnormalised) float64 masses, all finite and >= 0.

    Raises
    ------
    DataError
        If any value is negative, NaN or infinite (naming the first such
        ``x`` and the parameters), or the parameters do not match.

    Examples
    --------
    >>> formula = parse_formula("p*(1-p)^x")
    >>> mass_from_formula(formula, np.array([0.0, 1.0]), {"p": 0.2}).tolist()
    [0.2, 0.16000000000000003]
    >>> mass_from_formula(formula, np.array([0.0, 1.0]), {"p": 2.0})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: the formula gave a negative value (-2) at x=1 with p=2; ...
    """
    values = formula.evaluate(x, params)
    unusable = ~(np.isfinite(values) & (values >= 0))
    if unusable.any():
        position = int(np.flatnonzero(unusable.ravel())[0])
        at_x = float(_as_float_array(x).ravel()[position])
        bad_value = float(values.ravel()[position])
        raise DataError(_bad_mass_message(formula, bad_value, at_x, params))
    return values


def describe_allowed() -> str:
    """Describe the formula language for people, e.g. next to an input box.

    Returns
    -------
    str
        A few lines listing the operators, functions, constants and limits.

    Examples
    --------
    >>> print(describe_allowed().splitlines()[0])
    Write an unnormalised probability mass in x, e.g. p*(1-p)^x or exp(-lam)*lam^x/factorial(x).
    """
    return "\n".join(
        [
            "Write an unnormalised probability mass in x, e.g. p*(1-p)^x "
            "or exp(-lam)*lam^x/factorial(x).",
            "Operators: + - * /, ** or ^ for powers, unary -, parentheses.",
            "Numbers: 2, 0.5, 1e-3 (all computed as floating point).",
            f"Functions: {_function_list()}.",
            "Constants: pi, e.",
            f"Parameters: any other name (letters, digits, _; not starting with _; "
            f"at most {MAX_NAME_LENGTH} characters), at most {MAX_PARAMETERS} of them.",
            f"Limits: {MAX_TEXT_LENGTH} characters, {MAX_NODES} terms, "
            f"nesting depth {MAX_DEPTH}.",
        ]
    )


# --------------------------------------------------------------------------
# Checks on the raw text and on the syntax tree
# --------------------------------------------------------------------------


def _function_list() -> str:
    """``exp(a), ..., comb(n, k), ...``: each function with its arguments."""
    arguments_by_arity = {1: "a", 2: "a, b"}
    return ", ".join(
        f"{name}({'n, k' if name == 'comb' else arguments_by_arity[arity]})"
        for name, (_, arity) in _FUNCTIONS.items()
    )


def _allowed_summary() -> str:
    """A one-line summary of the language, appended to rejection messages."""
    two_argument_names = [name for name, (_, arity) in _FUNCTIONS.items() if arity == 2]
    return (
        "Allowed: numbers, x, parameter names, + - * / ** ^, parentheses, "
        f"{', '.join(_FUNCTIONS)} ({', '.join(two_argument_names)} take 2 arguments), "
        "constants pi and e."
    )


def _rejection(what: str) -> DataError:
    """A DataError saying what is wrong, followed by what is allowed."""
    return DataError(f"{what}. {_allowed_summary()}")


def _check_variable_name(variable: str) -> None:
    """The variable must be a plain name that is not a function or constant."""
    if not isinstance(variable, str) or not _NAME_PATTERN.fullmatch(variable):
        raise DataError(f"the variable name {variable!r} is not a plain name like 'x'")
    if variable in _FUNCTIONS or variable in _CONSTANTS:
        raise DataError(f"the variable name {variable!r} is taken by a function or constant")


def _check_raw_text(text: str) -> None:
    """Cheap checks before parsing, so hostile input never reaches the parser."""
    if not isinstance(text, str):
        raise DataError(f"the formula must be text, not {type(text).__name__}")
    if not text.strip():
        raise DataError("the formula is empty; type a formula in x such as p*(1-p)^x")
    if len(text) > MAX_TEXT_LENGTH:
        raise DataError(
            f"the formula is {len(text)} characters long; at most "
            f"{MAX_TEXT_LENGTH} are allowed"
        )
    if _bracket_depth(text) > MAX_DEPTH:
        raise DataError(
            f"the formula has brackets nested more than {MAX_DEPTH} deep; simplify it"
        )


def _bracket_depth(text: str) -> int:
    """The deepest nesting of ``( [ {`` in ``text``, without parsing it."""
    depth = deepest = 0
    for character in text:
        if character in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in ")]}":
            depth = max(depth - 1, 0)
    return deepest


@dataclass(frozen=True)
class _Source:
    """The text given to ``ast.parse`` and where its characters came from.

    ``^`` becomes ``**`` and line breaks become spaces, so error columns are
    mapped back to the text the user typed.
    """

    parsed_text: str
    original_indices: tuple[int, ...]
    original_length: int
    variable: str

    def original_column(self, parsed_index: int) -> int:
        """1-based column in the user's text of ``parsed_text[parsed_index]``."""
        if 0 <= parsed_index < len(self.original_indices):
            return self.original_indices[parsed_index] + 1
        return self.original_length + 1

    def column(self, node: ast.AST) -> int:
        """1-based column in the user's text where ``node`` starts."""
        # ast offsets count UTF-8 bytes, not characters
        byte_offset = getattr(node, "col_offset", 0)
        prefix = self.parsed_text.encode("utf-8")[:byte_offset]
        return self.original_column(len(prefix.decode("utf-8", errors="ignore")))


def _prepare_source(text: str, variable: str) -> _Source:
    """Rewrite ``^`` to ``**`` and whitespace to spaces, remembering positions."""
    pieces: list[str] = []
    indices: list[int] = []
    for index, character in enumerate(text):
        piece = _rewritten(character)
        pieces.append(piece)
        indices.extend([index] * len(piece))
    parsed_text = "".join(pieces)
    # eval mode rejects leading spaces as an indentation error
    leading = len(parsed_text) - len(parsed_text.lstrip(" "))
    return _Source(parsed_text[leading:], tuple(indices[leading:]), len(text), variable)


def _rewritten(character: str) -> str:
    """``^`` is the power operator; tabs and line breaks are plain spaces."""
    if character == "^":
        return "**"
    if character in "\t\n\r\f\v":
        return " "
    return character


def _parse_syntax(source: _Source) -> ast.Expression:
    """``ast.parse`` in eval mode (a syntax tree only, never code)."""
    try:
        with _PARSE_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source.parsed_text, mode="eval")
    except SyntaxError as error:
        raise _rejection(_syntax_error_text(error, source)) from None
    except (ValueError, MemoryError, RecursionError) as error:
        raise _rejection(f"the formula could not be read ({error})") from None


def _syntax_error_text(error: SyntaxError, source: _Source) -> str:
    """Say where the syntax error is, as a 1-based column of the user's text."""
    reason = error.msg or "invalid syntax"
    if error.offset is None or (error.lineno or 1) > 1:
        return f"syntax error: {reason}"
    if error.offset == 0:  # the parser ran out of text
        return f"syntax error at the end of the formula: {reason} (is something missing?)"
    return f"syntax error at column {source.original_column(error.offset - 1)}: {reason}"


def _check_tree_size(syntax_tree: ast.Expression) -> None:
    """Reject trees with too many nodes or nested too deeply."""
    depth, count = _depth_and_count(syntax_tree.body)
    if count > MAX_NODES:
        raise DataError(
            f"the formula has {count} terms; at most {MAX_NODES} are allowed"
        )
    if depth > MAX_DEPTH:
        raise DataError(
            f"the formula is nested {depth} levels deep; at most {MAX_DEPTH} are allowed"
        )


def _depth_and_count(root: ast.expr) -> tuple[int, int]:
    """Depth and number of expression nodes, without recursion."""
    deepest = count = 0
    pending = [(root, 1)]
    while pending:
        node, depth = pending.pop()
        count += 1
        deepest = max(deepest, depth)
        pending.extend(
            (child, depth + 1)
            for child in ast.iter_child_nodes(node)
            if isinstance(child, ast.expr)
        )
    return deepest, count


# --------------------------------------------------------------------------
# Converting the whitelisted syntax tree into the expression tree
# --------------------------------------------------------------------------


def _convert(node: ast.expr, source: _Source) -> _Node:
    """Turn one whitelisted syntax node into an expression node, or reject it."""
    if isinstance(node, ast.Constant):
        return _convert_constant(node, source)
    if isinstance(node, ast.Name):
        return _convert_name(node, source)
    if isinstance(node, ast.BinOp):
        return _convert_binary(node, source)
    if isinstance(node, ast.UnaryOp):
        return _convert_unary(node, source)
    if isinstance(node, ast.Call):
        return _convert_call(node, source)
    description = _REJECTED_NODES.get(type(node), f"'{type(node).__name__}' expressions")
    raise _rejection(f"{description} cannot be used (column {source.column(node)})")


def _convert_constant(node: ast.Constant, source: _Source) -> _Number:
    """Numbers become float64 at once, so Python ints never do arithmetic."""
    value, column = node.value, source.column(node)
    if isinstance(value, bool) or value is None or value is Ellipsis:
        raise _rejection(f"{value!r} cannot be used (column {column})")
    if isinstance(value, (str, bytes)):
        kind = "strings" if isinstance(value, str) else "bytes"
        raise _rejection(f"{kind} (text in quotes) cannot be used (column {column})")
    if not isinstance(value, (int, float)):
        raise _rejection(f"the number {value!r} (column {column}) is not a real number")
    try:
        number = np.float64(float(value))
    except OverflowError:
        number = np.float64(np.inf)
    if not np.isfinite(number):
        raise _rejection(
            f"the number at column {column} is too large to be a finite "
            "floating-point number"
        )
    return _Number(number)


def _convert_name(node: ast.Name, source: _Source) -> _Number | _Variable | _Parameter:
    """The variable, a constant, or a free parameter."""
    name = node.id
    _check_name(name, node, source)
    if name == source.variable:
        return _Variable(name)
    if name in _CONSTANTS:
        return _Number(np.float64(_CONSTANTS[name]))
    if name in _FUNCTIONS:
        raise _rejection(
            f"'{name}' at column {source.column(node)} is a function; call it like {name}(...)"
        )
    return _Parameter(name)


def _check_name(name: str, node: ast.AST, source: _Source) -> None:
    """Names are short ASCII identifiers that do not start with an underscore."""
    if name.startswith("_"):
        raise _rejection(
            f"the name '{name}' at column {source.column(node)} starts with '_'; "
            "names starting with an underscore are not allowed"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise _rejection(
            f"the name '{name[:12]}...' at column {source.column(node)} is too long; "
            f"names can have at most {MAX_NAME_LENGTH} characters"
        )
    if not _NAME_PATTERN.fullmatch(name):
        raise _rejection(
            f"the name {name!r} at column {source.column(node)} is not allowed; "
            "use letters, digits and _ only"
        )


def _convert_binary(node: ast.BinOp, source: _Source) -> _Apply:
    operator = _BINARY_OPERATORS.get(type(node.op))
    if operator is None:
        description = _REJECTED_OPERATORS.get(type(node.op), type(node.op).__name__)
        raise _rejection(f"{description} cannot be used (column {source.column(node)})")
    return _Apply(operator, (_convert(node.left, source), _convert(node.right, source)))


def _convert_unary(node: ast.UnaryOp, source: _Source) -> _Node:
    operand = _convert(node.operand, source)
    if isinstance(node.op, ast.UAdd):
        return operand
    if isinstance(node.op, ast.USub):
        return _Apply(np.negative, (operand,))
    description = _REJECTED_OPERATORS.get(type(node.op), type(node.op).__name__)
    raise _rejection(f"{description} cannot be used (column {source.column(node)})")


def _convert_call(node: ast.Call, source: _Source) -> _Apply:
    """A call of a whitelisted function by name, with its exact arity."""
    if not isinstance(node.func, ast.Name):
        _convert(node.func, source)  # reports attributes, subscripts... precisely
        raise _rejection(
            f"only functions can be called, by name; the call at column "
            f"{source.column(node)} calls an expression"
        )
    name = node.func.id
    _check_name(name, node.func, source)
    if name not in _FUNCTIONS:
        raise _rejection(f"'{name}' at column {source.column(node)} is not an allowed function")
    if node.keywords:
        raise _rejection(
            f"keyword arguments (name=value) in {name}(...) at column "
            f"{source.column(node)} are not allowed; pass values by position"
        )
    arguments = tuple(_convert(argument, source) for argument in node.args)
    function, arity = _FUNCTIONS[name]
    if len(arguments) != arity:
        raise _rejection(
            f"{name}(...) at column {source.column(node)} takes {arity} "
            f"argument{'s' if arity > 1 else ''}, not {len(arguments)}"
        )
    return _Apply(function, arguments)


def _formula_from_tree(text: str, variable: str, tree: _Node) -> Formula:
    """Final checks on the whole tree: it uses the variable, few parameters."""
    nodes = _tree_nodes(tree)
    if not any(isinstance(node, _Variable) for node in nodes):
        raise DataError(
            f"the formula does not depend on {variable}, so every value would get "
            "the same mass; use the uniform model instead"
        )
    parameters = tuple(sorted({node.name for node in nodes if isinstance(node, _Parameter)}))
    if len(parameters) > MAX_PARAMETERS:
        raise DataError(
            f"the formula has {len(parameters)} parameters ({', '.join(parameters)}); "
            f"at most {MAX_PARAMETERS} are allowed"
        )
    return Formula(text=text, parameters=parameters, variable=variable, _tree=tree)


# --------------------------------------------------------------------------
# Evaluation helpers and messages
# --------------------------------------------------------------------------


def _as_float_array(x: np.ndarray) -> np.ndarray:
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError("the values of x must be numbers") from None


def _as_float_parameter(name: str, value: float) -> np.float64:
    try:
        return np.float64(float(value))
    except (TypeError, ValueError):
        raise DataError(f"the parameter {name} must be a number, not {value!r}") from None


def _parameter_mismatch_message(
    formula: Formula, missing: list[str], unknown: list[str]
) -> str:
    problems = []
    if missing:
        problems.append(f"missing value for {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown parameter {', '.join(unknown)}")
    expected = ", ".join(formula.parameters) or "no parameters"
    return f"{'; '.join(problems)}; the formula {formula.text!r} takes {expected}"


def _describe_bad_value(value: float) -> str:
    if np.isnan(value):
        return "NaN (not a number)"
    if np.isinf(value):
        return "an infinite value"
    return f"a negative value ({value:g})"


def _bad_mass_message(
    formula: Formula, value: float, at_x: float, params: Mapping[str, float]
) -> str:
    parameter_text = ", ".join(f"{name}={float(params[name]):g}" for name in formula.parameters)
    with_parameters = f" with {parameter_text}" if parameter_text else ""
    return (
        f"the formula gave {_describe_bad_value(value)} at "
        f"{formula.variable}={at_x:g}{with_parameters}; a probability mass must be "
        "a finite number >= 0 at every value. Check the formula or the "
        "parameter range"
    )
