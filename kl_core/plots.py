"""Plotly figures for the app and the report: pure functions, data in, ``go.Figure`` out.

Every figure uses one colour-blind-safe palette (Okabe–Ito): the empirical distribution
is always :data:`EMPIRICAL_COLOR`, and each model takes the colour of its position in
the mapping it is given (the ranking order), so a model keeps its colour from figure to
figure. Pass ``colors=model_colors(keys)`` (or any ``{key: colour}``) to pin them.

Text that comes from the user (column names, category labels, model labels, notes) is
passed through :func:`plain_text` before it reaches a title, legend, axis, hover box or
annotation: plotly renders a small subset of HTML in those, so ``<b>`` would turn bold
and ``<script>`` would vanish. User text never goes into a ``hovertemplate`` itself
(where ``%{...}`` would be substituted); it travels in ``customdata`` or the trace name.

Nothing here imports streamlit or touches files; the figures build in O(K · models)
numpy work with one trace per series (no per-point Python loops).
"""

from __future__ import annotations

import functools
import html
import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kl_core.display import DATA_LABEL, display_label, fitted_label
from kl_core.empirical import Empirical
from kl_core.vocabulary import bits_or_nats
from kl_core.errors import DataError
from kl_core.measures import kl_contributions
from kl_core.models import FittedModel

__all__ = [
    "EMPIRICAL_COLOR", "MAX_CURVE_POINTS", "MAX_POINTS", "PALETTE", "TEMPLATE", "cdf_figure",
    "contributions_figure", "cullen_frey_figure", "density_figure", "detach_text", "distribution_bars", "empirical_figure",
    "model_colors",
    "plain_text", "pp_figure", "qq_figure", "ranking_figure", "small_multiples", "sweep_figure",
]

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form of
# colour blindness. Black is kept out of the model colours: it is (nearly) the data's.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow (last: faint on white)
)
EMPIRICAL_COLOR = "#4D4D4D"  # dark grey: the data, in every figure
TEMPLATE = "plotly_white"
_DASHES = ("solid", "dash", "dot", "dashdot")  # for the 8th model on: same hue, other dash
_PATTERNS = ("", "/", "x", ".")  # the same for bars: the 8th model on gets a hatch
_INFINITY = "∞"
_EVERY_INTEGER = 12  # up to this span of whole numbers every one is a tick; beyond, plotly picks what fits
_PANEL_TITLE_CHARS = 18  # a panel title longer than this wraps onto two lines
_LOTS_OF_CELLS = 60  # beyond this many cells, models are drawn as lines rather than bars
_MARKER_CELLS = 120  # beyond this many cells, model lines have no markers
_PROB = ".6~g"  # hover format for probabilities and KL terms (6 significant digits)
_VALUE = ".10~g"  # hover format for data values (exact for counts and most measurements)
_HEIGHT = 460
_WIDTH_CHARS = 150  # characters of legend text per row, roughly, at the app's width


# ------------------------------------------------------------------------- helpers
def plain_text(value: Any) -> str:
    """``value`` as text that plotly shows literally: ``&``, ``<`` and ``>`` escaped.

    Examples
    --------
    >>> plain_text("<b>x</b> & y")
    '&lt;b&gt;x&lt;/b&gt; &amp; y'
    """
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_array(values: Iterable[Any]) -> np.ndarray:
    """:func:`plain_text` over an array of labels (vectorised through numpy's string ops)."""
    text = np.asarray(list(values) if not isinstance(values, np.ndarray) else values).astype(str)
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = np.char.replace(text, raw, escaped)
    return text.astype(object)


Trace = dict  # a trace as a plain dict with its "type": validated once, by go.Figure


def _bar(**props: Any) -> Trace:
    return {"type": "bar", **props}


def _scatter(**props: Any) -> Trace:
    return {"type": "scatter", **props}


def _repeat(text: str, count: int) -> np.ndarray:
    """One (already escaped) string per point, for hover text that must not be a template."""
    return np.full(count, text, dtype=object)


_TEXT_NOTES = ("skipped", "display reduced")  # the annotations that are sentences, not labels of the plot


def detach_text(figure: go.Figure) -> tuple[str, str, list[str]]:
    """Take the title, the subtitle and the sentences noted on ``figure`` out of it, as plain text.

    A page shows them as text around the figure: page text wraps at any width, where
    plotly draws each on one line, cut at a phone's edge (and a title sits where the
    toolbar appears). The margins shrink by the room the text took. Returns
    ``(title, subtitle, notes)``, with plotly's escapes undone (escape them again for
    the page they go in).

    Examples
    --------
    >>> figure = ranking_figure(pd.DataFrame({"model": ["poisson"], "kl": [0.25], "note": [""]}))
    >>> detach_text(figure)
    ('Models ranked by KL divergence', 'shorter is better: the information lost per observation', [])
    >>> figure.layout.title.text, figure.layout.margin.t
    ('', 16)
    >>> figure = distribution_bars(Empirical.from_counts([0, 1], [3, 1]), {})
    >>> figure.layout.annotations = [{"name": "skipped", "text": "Not shown (no mass on these cells): a &amp; b"}]
    >>> detach_text(figure)[2], len(figure.layout.annotations)
    (['Not shown (no mass on these cells): a & b'], 0)
    """
    title = figure.layout.title
    heading = title.text or ""
    subtitle = (title.subtitle.text if title.subtitle else "") or ""
    top = max(16, (figure.layout.margin.t or 64) - 56 - (18 if subtitle else 0))
    kept, notes = [], []
    for note in figure.layout.annotations:
        (notes if note.name in _TEXT_NOTES else kept).append(note)
    skipped = sum(1 for note in notes if note.name == "skipped")
    bottom = figure.layout.margin.b
    figure.update_layout(title={"text": "", "subtitle": {"text": ""}}, margin={"t": top})
    figure.layout.annotations = kept  # (update_layout ignores an empty list)
    if skipped and bottom is not None:
        figure.update_layout(margin={"b": bottom - 18 * skipped})
    return html.unescape(heading), html.unescape(subtitle), [html.unescape(note.text or "") for note in notes]


def model_colors(names: Iterable[str]) -> dict[str, str]:
    """Each model's colour by its position: the first gets ``PALETTE[0]``, and so on, cycling.

    Examples
    --------
    >>> model_colors(["poisson", "uniform"])
    {'poisson': '#0072B2', 'uniform': '#E69F00'}
    """
    return {str(name): PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _colors_for(keys: Sequence[str], colors: Mapping[str, str] | None) -> dict[str, str]:
    chosen = model_colors(keys)
    if colors:
        chosen.update({key: colors[key] for key in keys if key in colors})
    return chosen


def _dash(position: int) -> str:
    return _DASHES[(position // len(PALETTE)) % len(_DASHES)]


def _unit(base: float) -> str:
    return bits_or_nats(base)


def _format_kl(kl: float | None, base: float) -> str:
    if kl is None or (isinstance(kl, float) and math.isnan(kl)):
        return ""
    if math.isinf(kl):
        return f"{_INFINITY} {_unit(base)}"
    return f"{kl:#.3g} {_unit(base)}"


def _legend_rows(names: Sequence[str]) -> int:
    """How many rows a horizontal legend of these names needs, roughly."""
    chars = sum(len(name) + 6 for name in names)
    return max(1, math.ceil(chars / _WIDTH_CHARS))


def _layout(
    title: str,
    x_title: str = "",
    y_title: str = "",
    subtitle: str = "",
    legend_names: Sequence[str] = (),
    height: int | None = None,
    xaxis: Mapping[str, Any] | None = None,
    yaxis: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The common layout as a plain dict: title (and subtitle), axis titles, legend above the plot, margins.

    Figures are built as ``go.Figure(data=traces, layout=layout)`` in one go: plotly
    validates a whole dict far faster than a chain of ``update_*`` calls.
    """
    legend_rows = _legend_rows(legend_names) if legend_names else 0
    top = 64 + (18 if subtitle else 0)
    title_spec: dict[str, Any] = {"text": title, "x": 0.0, "xanchor": "left", "xref": "paper",
                                  "y": 1.0, "yanchor": "top", "yref": "container", "pad": {"t": 14},
                                  "font": {"size": 17}}
    if subtitle:
        title_spec["subtitle"] = {"text": subtitle, "font": {"size": 12, "color": "#555555"}}
    layout: dict[str, Any] = {
        "template": TEMPLATE,
        "title": title_spec,
        "height": height or _HEIGHT,
        "margin": {"l": 64, "r": 24, "t": top, "b": 56 + 22 * legend_rows},
        "showlegend": bool(legend_names),
        # Below the plot, from the bottom edge up: on a narrow screen the legend wraps into
        # more rows, and plotly widens the bottom margin for it instead of covering the title.
        "legend": {"orientation": "h", "x": 0.0, "xanchor": "left", "y": 0.0, "yanchor": "bottom",
                   "yref": "container", "bgcolor": "rgba(255,255,255,0)", "font": {"size": 12}},
        "hoverlabel": {"align": "left"},
        "annotations": [],
        "shapes": [],
        "xaxis": {"automargin": True, **(xaxis or {})},
        "yaxis": {"automargin": True, **(yaxis or {})},
    }
    if x_title:
        layout["xaxis"]["title"] = {"text": x_title}
    if y_title:
        layout["yaxis"]["title"] = {"text": y_title}
    layout.update(extra)
    return layout


def _data_name(emp: Empirical) -> str:
    return plain_text(emp.name) if emp.name else "the data"


def _x_title(emp: Empirical) -> str:
    return plain_text(emp.name) if emp.name else "value"


def _x_values(emp: Empirical) -> np.ndarray:
    """The cells' positions on the x axis: escaped labels, or the numbers."""
    return _plain_array(emp.support) if emp.kind == "categorical" else np.asarray(emp.support, dtype=float)


def _cell_hover(emp: Empirical, first_column: int = 0) -> str:
    """Hover text naming the cell; binned cells need their edges in customdata."""
    if emp.kind == "categorical":
        return "%{x}"
    if emp.kind == "binned":
        return f"bin [%{{customdata[{first_column}]:{_PROB}}}, %{{customdata[{first_column + 1}]:{_PROB}}})"
    return f"%{{x:{_VALUE}}}"


def _cell_columns(emp: Empirical) -> list[np.ndarray]:
    """customdata columns the :func:`_cell_hover` text refers to."""
    if emp.kind == "binned":
        return [emp.edges[:-1], emp.edges[1:]]
    return []


def _customdata(columns: Sequence[np.ndarray]) -> np.ndarray | None:
    return np.column_stack(columns) if columns else None


def _x_axis(emp: Empirical) -> dict[str, Any]:
    """Axis settings per kind: categories in data order; whole-number ticks for few integers."""
    if emp.kind == "categorical":
        return {"type": "category", "categoryorder": "array", "categoryarray": _x_values(emp)}
    axis: dict[str, Any] = {"type": "linear", "zeroline": False}
    if emp.kind == "discrete" and emp.is_integer:
        span = emp.high - emp.low
        if span <= _EVERY_INTEGER:
            axis.update(tickmode="linear", tick0=emp.low, dtick=1)
        else:
            axis.update(tickformat="d")
    return axis


def _masses(emp: Empirical, models: Mapping[str, FittedModel]) -> tuple[dict[str, np.ndarray], list[str]]:
    """Each model's mass on the data's cells; models that cannot give one are listed, not raised."""
    masses: dict[str, np.ndarray] = {}
    skipped: list[str] = []
    for key, model in models.items():
        try:
            masses[key] = np.asarray(model.mass(emp), dtype=float)
        except DataError:
            skipped.append(fitted_label(key, model))
    return masses, skipped


def _model_name(key: str, model: FittedModel) -> str:
    return plain_text(fitted_label(key, model))


def _prob_y_title(emp: Empirical) -> str:
    return "probability per bin" if emp.kind == "binned" else "probability"


def _skipped_note(layout: dict[str, Any], skipped: Sequence[str], why: str) -> None:
    """Name, under the plot, the models a figure leaves out and why."""
    if not skipped:
        return
    names = ", ".join(plain_text(label) for label in skipped)
    shift = 18 * sum(1 for a in layout["annotations"] if a.get("name") == "skipped")
    layout["annotations"].append({
        "name": "skipped", "text": f"Not shown ({why}): {names}", "xref": "paper", "yref": "paper", "x": 0.0, "y": 0.0,
        "xanchor": "left", "yanchor": "top", "yshift": -40 - shift, "showarrow": False,
        "font": {"size": 11, "color": "#555555"}, "align": "left",
    })
    layout["margin"]["b"] += 18


def _empirical_bar(emp: Empirical, name: str = DATA_LABEL, opacity: float = 1.0, showlegend: bool = True) -> Trace:
    """The data as bars: one per value, or one per bin with the bin's width."""
    probs = emp.probs
    columns = _cell_columns(emp)
    lines = [_cell_hover(emp)]
    if emp.n is not None:
        columns.append(emp.counts)
        lines.append(f"count: %{{customdata[{len(columns) - 1}]:,.10~g}}")
    lines.append(f"probability{' of the bin' if emp.kind == 'binned' else ''}: %{{y:{_PROB}}}")
    bar = _bar(
        x=_x_values(emp),
        y=probs,
        name=name,
        legendgroup="empirical",
        meta={"role": "empirical"},
        marker={"color": EMPIRICAL_COLOR, "line": {"width": 0}},
        opacity=opacity,
        customdata=_customdata(columns),
        hovertemplate="<br>".join(lines) + "<extra>" + name + "</extra>",
        showlegend=showlegend,
    )
    if emp.kind == "binned":
        bar["width"] = np.diff(emp.edges)
        bar["marker"]["line"] = {"width": 0.5, "color": "white"} if emp.k <= 150 else {"width": 0}
    return bar


def _model_trace(
    emp: Empirical,
    key: str,
    model: FittedModel,
    y: np.ndarray,
    color: str,
    position: int,
    as_line: bool,
    hover_value: str,
    extra_columns: Sequence[np.ndarray] = (),
    extra_lines: Sequence[str] = (),
    showlegend: bool = True,
    name: str | None = None,
    max_markers: int = _MARKER_CELLS,
) -> Trace:
    """One model's values over the cells, as bars or as a line with markers."""
    name = name if name is not None else _model_name(key, model)
    columns = _cell_columns(emp) + list(extra_columns)
    first_extra = len(_cell_columns(emp))
    lines = [_cell_hover(emp), hover_value]
    lines += [line.replace("{c}", str(first_extra + i)) for i, line in enumerate(extra_lines)]
    common = dict(
        x=_x_values(emp), y=y, name=name, legendgroup=plain_text(key), meta={"role": "model", "key": str(key)},
        customdata=_customdata(columns), hovertemplate="<br>".join(lines) + "<extra>%{fullData.name}</extra>",
        showlegend=showlegend,
    )
    if not as_line:  # past the palette, bars repeat a colour: a hatch tells them apart (lines get a dash)
        hatch = {"pattern": {"shape": _PATTERNS[(position // len(PALETTE)) % len(_PATTERNS)], "fgcolor": "white"}}
        return _bar(marker={"color": color, "line": {"width": 0}, **(hatch if position >= len(PALETTE) else {})}, **common)
    markers = emp.k <= max_markers or emp.kind == "categorical"
    mode = ("markers" if emp.kind == "categorical" else "lines+markers") if markers else "lines"
    size = 11 if emp.kind == "categorical" else (6 if emp.k <= 40 else 4)
    return _scatter(mode=mode, line={"color": color, "width": 2, "dash": _dash(position)},
                    marker={"color": color, "size": size,
                            "line": {"width": 1 if emp.kind == "categorical" else 0, "color": "white"}}, **common)


def _draw_as_lines(emp: Empirical) -> bool:
    return emp.kind == "binned" or emp.k > _LOTS_OF_CELLS


def _summary(emp: Empirical, base: float) -> str:
    parts = []
    if emp.n is not None:
        parts.append(f"N = {emp.n:,.10g}")
    else:
        parts.append("probabilities given (N unknown)")
    what = {"discrete": "values", "categorical": "categories", "binned": "bins"}[emp.kind]
    parts.append(f"{emp.k:,} {what}")
    parts.append(f"entropy {emp.entropy(base):.4g} {_unit(base)}")
    return " · ".join(parts)


# ------------------------------------------------------------ what a browser can draw
MAX_POINTS = 2_000  # per trace: beyond this, plotly.js in a page (or a phone) stalls for seconds to minutes


def _drawable(traces: list[Trace], layout: dict[str, Any], how: str = "sum") -> go.Figure:
    """The figure with at most :data:`MAX_POINTS` points per trace; every builder returns through here.

    Longer traces are reduced for display only, and the figure says so in a note: with
    ``how="sum"`` consecutive cells are merged into groups whose values add up
    (probabilities, KL terms: the totals stay right); with ``how="sample"`` the last point
    of each group is kept (cumulative curves, which only rise). Markers of single cells
    (the "∞" marks) are thinned by sampling either way. Categories merged into a group
    are named by their first and last.

    Examples
    --------
    >>> emp = Empirical.from_counts(range(5000), [1] * 5000, kind="discrete")
    >>> figure = empirical_figure(emp)
    >>> len(figure.data[0].x), round(float(sum(figure.data[0].y)), 6)
    (1667, 1.0)
    """
    if isinstance(layout.get("template"), str):
        layout["template"] = _light_template(layout["template"])
    longest = max((_length(trace) for trace in traces), default=0)
    if longest <= MAX_POINTS:
        return go.Figure(data=traces, layout=layout)
    size = math.ceil(longest / (MAX_POINTS - 1))  # sampling keeps the first point as well
    merged_labels: np.ndarray | None = None
    for index, trace in enumerate(traces):
        count = _length(trace)
        if count <= MAX_POINTS:
            continue
        sample = how == "sample" or (trace.get("meta") or {}).get("role") == "infinite"
        traces[index] = _sampled(trace, count, size) if sample else _summed(trace, count, size)
        if not sample and _is_categorical(trace):
            merged_labels = traces[index]["x"]
    if merged_labels is not None:  # the category axes list the merged groups instead
        for key, axis in layout.items():
            if key.startswith("xaxis") and isinstance(axis, dict) and "categoryarray" in axis:
                axis["categoryarray"] = merged_labels
    what = f"groups of {size:,} adjacent cells, summed" if how == "sum" else f"every {size:,}th point"
    layout.setdefault("annotations", []).append({
        "name": "display reduced", "text": f"Drawn as {what} so a browser can show it ({longest:,} points; "
        "the fits and KL use every one)", "xref": "paper", "yref": "paper", "x": 1.0, "y": 1.0, "xanchor": "right",
        "yanchor": "bottom", "showarrow": False, "font": {"size": 11, "color": "#555555"}, "bgcolor": "rgba(255,255,255,0.85)",
    })
    layout["meta"] = {**(layout.get("meta") or {}), "display_reduced": {"points": longest, "group": size, "how": how}}
    return go.Figure(data=traces, layout=layout)


# Template parts no figure here uses (colour scales, 3-D, maps, polar axes; per-trace defaults, which every trace
# sets for itself). Validating them made up ~60 % of building a figure (issue 11: fast interactions).
_UNUSED_TEMPLATE_PARTS = ("colorscale", "coloraxis", "geo", "polar", "ternary", "scene", "mapbox", "map",
                          "shapedefaults", "annotationdefaults")


@functools.lru_cache(maxsize=8)
def _light_template(name: str) -> go.layout.Template:
    """plotly's named template with only the layout settings these figures use (same look, a tenth of the cost)."""
    import plotly.io as pio

    layout = pio.templates[name].layout.to_plotly_json()
    return go.layout.Template(layout={k: v for k, v in layout.items() if k not in _UNUSED_TEMPLATE_PARTS})


def _length(trace: Trace) -> int:
    values = trace.get("y" if trace.get("orientation") != "h" else "x")
    return 0 if values is None else len(values)


def _is_categorical(trace: Trace) -> bool:
    return np.asarray(trace.get("x", [])).dtype.kind in "OUS"


def _per_point(trace: Trace, count: int) -> list[tuple[dict[str, Any], str]]:
    """(container, key) of every per-point array in a trace (top level and marker)."""
    found = [(trace, key) for key, value in trace.items() if key != "meta" and _is_array(value, count)]
    marker = trace.get("marker")
    if isinstance(marker, dict):
        found += [(marker, key) for key, value in marker.items() if _is_array(value, count)]
    return found


def _is_array(value: Any, count: int) -> bool:
    return isinstance(value, (np.ndarray, list, tuple, pd.Series)) and not isinstance(value, str) and len(value) == count


def _sampled(trace: Trace, count: int, size: int) -> Trace:
    kept = np.unique(np.concatenate([[0], np.arange(size - 1, count, size), [count - 1]]))
    trace = {**trace, "marker": dict(trace["marker"])} if isinstance(trace.get("marker"), dict) else dict(trace)
    for container, key in _per_point(trace, count):
        container[key] = np.asarray(container[key], dtype=object if key in ("text", "customdata", "hovertext") else None)[kept]
    if trace.get("mode") == "lines+markers":
        trace["mode"] = "lines"
    return trace


def _summed(trace: Trace, count: int, size: int) -> Trace:
    starts = np.arange(0, count, size)
    ends = np.minimum(starts + size, count) - 1
    x = np.asarray(trace["x"])
    y = np.asarray(trace["y"], dtype=float)
    summed = np.add.reduceat(np.nan_to_num(y, nan=0.0), starts)
    summed[np.add.reduceat(np.isnan(y), starts) == (ends - starts + 1)] = np.nan  # a group of gaps stays a gap
    out = {key: value for key, value in trace.items() if key not in ("customdata", "text", "hovertext", "width")}
    if x.dtype.kind in "OUS":
        first, last = x[starts].astype(str), x[ends].astype(str)
        out["x"] = np.array([f"{a} … {b}" if a != b else a for a, b in zip(first, last)], dtype=object)
        cells = "categories %{x}"
    else:
        numbers = x.astype(float)
        out["x"] = (numbers[starts] + numbers[ends]) / 2
        out["customdata"] = np.column_stack([numbers[starts], numbers[ends]])
        cells = f"%{{customdata[0]:{_VALUE}}} to %{{customdata[1]:{_VALUE}}}"
    out["y"] = summed
    if isinstance(trace.get("marker"), dict):
        out["marker"] = {k: v for k, v in trace["marker"].items() if not _is_array(v, count)}
    if out.get("mode") == "lines+markers":
        out["mode"] = "lines"
    out["hovertemplate"] = f"{cells} ({size:,} cells)<br>sum: %{{y:{_PROB}}}<extra>%{{fullData.name}}</extra>"
    return out


# ------------------------------------------------------------------------- figures
def empirical_figure(emp: Empirical, base: float = 2) -> go.Figure:
    """Bar chart (discrete, categorical) or histogram (binned) of the empirical distribution.

    ``base`` sets the unit of the entropy quoted under the title.
    """
    what = "histogram, probability per bin" if emp.kind == "binned" else "empirical distribution"
    layout = _layout(f"{_data_name(emp)}: {what}", _x_title(emp), _prob_y_title(emp), subtitle=_summary(emp, base),
                     xaxis=_x_axis(emp), bargap=0 if emp.kind == "binned" else 0.15)
    return _drawable([_empirical_bar(emp)], layout)


def distribution_bars(
    emp: Empirical, models: Mapping[str, FittedModel], *, colors: Mapping[str, str] | None = None
) -> go.Figure:
    """Empirical vs every model as grouped bars (discrete/categorical) or bars + model lines (binned).

    Models appear in the order given (the ranking order). Discrete data with more than
    60 values is drawn like binned data: grouped bars that thin are unreadable.
    """
    keys = [str(key) for key in models]
    palette = _colors_for(keys, colors)
    masses, skipped = _masses(emp, models)
    as_line = _draw_as_lines(emp)
    traces: list[Any] = [_empirical_bar(emp)]
    for position, (key, model) in enumerate(models.items()):
        if key in masses:
            traces.append(_model_trace(emp, key, model, masses[key], palette[str(key)], position, as_line,
                                       f"model probability: %{{y:{_PROB}}}"))
    if emp.kind == "binned":
        bars: dict[str, Any] = {"bargap": 0}
    elif as_line:
        bars = {"bargap": 0.1}
    else:
        bars = {"barmode": "group", "bargap": 0.2, "bargroupgap": 0.05}
    names = [DATA_LABEL] + [_model_name(key, models[key]) for key in masses]
    per_bin = " per bin" if emp.kind == "binned" else ""
    layout = _layout(f"{_data_name(emp)}: data and models", _x_title(emp), _prob_y_title(emp),
                     subtitle=f"grey bars: the data; colours: each model's probability{per_bin}",
                     legend_names=names, xaxis=_x_axis(emp), **bars)
    _skipped_note(layout, skipped, "no mass on these cells")
    return _drawable(traces, layout)


def _wrapped(text: str, width: int) -> str:
    """``text`` broken at spaces into lines of about ``width`` characters (``<br>``), for narrow panels.

    Examples
    --------
    >>> _wrapped("second dataset: teeth_2025.csv", 18)
    'second dataset:<br>teeth_2025.csv'
    """
    import textwrap

    return "<br>".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _grid(count: int, columns: int, height: int) -> tuple[int, int, list[tuple[list[float], list[float]]]]:
    """(rows, cols, [(x domain, y domain)] per panel, left to right, top to bottom)."""
    cols = max(1, min(columns, count))
    rows = math.ceil(count / cols)
    h_gap = 0.035 if cols > 1 else 0.0
    plot_height = max(height - 200, 100)
    v_gap = min(0.3, 105 / plot_height) if rows > 1 else 0.0  # tick labels, axis title, two-line panel title
    width = (1 - h_gap * (cols - 1)) / cols
    tall = (1 - v_gap * (rows - 1)) / rows
    domains = []
    for index in range(count):
        row, col = divmod(index, cols)
        left = col * (width + h_gap)
        top = 1 - row * (tall + v_gap)
        domains.append(([left, min(left + width, 1.0)], [max(top - tall, 0.0), top]))
    return rows, cols, domains


def small_multiples(
    emp: Empirical,
    models: Mapping[str, FittedModel],
    *,
    kl: Mapping[str, float] | None = None,
    base: float = 2,
    columns: int = 3,
    colors: Mapping[str, str] | None = None,
) -> go.Figure:
    """One panel per model: the empirical distribution with that model over it.

    ``kl`` maps model keys to their KL divergence (in the unit of ``base``); when given,
    each panel's title quotes it ("0.197 bits"). Up to ``columns`` panels per row, all
    y axes (and x axes) shared. The grid is laid out by hand rather than with
    ``make_subplots``, whose per-axis updates cost more than the data.
    """
    keys = [str(key) for key in models]
    palette = _colors_for(keys, colors)
    masses, skipped = _masses(emp, models)
    shown = [key for key in models if key in masses]
    if not shown:
        fig = empirical_figure(emp, base)
        if skipped:
            layout = fig.layout.to_plotly_json()
            layout.setdefault("annotations", [])
            _skipped_note(layout, skipped, "no mass on these cells")
            fig = go.Figure(data=fig.data, layout=layout)
        return fig  # empirical_figure already kept it drawable
    rows = math.ceil(len(shown) / max(1, min(columns, len(shown))))
    height = 170 + 290 * rows
    rows, cols, domains = _grid(len(shown), columns, height)
    x_axis = _x_axis(emp)
    if x_axis.get("dtick") == 1 and emp.high - emp.low > 6:
        # Narrow panels (a phone, three across): plotly picks whole-number ticks that fit the width.
        x_axis = {"type": "linear", "zeroline": False, "tickformat": "d", "nticks": 6}
    model_mark = "dots" if emp.kind == "categorical" else "line"
    layout = _layout(
        f"{_data_name(emp)}: each model against the data",
        subtitle=f"grey bars: the data{' (probability per bin)' if emp.kind == 'binned' else ''}; {model_mark}: the model",
        height=height, bargap=0 if emp.kind == "binned" else 0.15,
    )
    layout["margin"]["t"] += 34 if kl else 18  # room for the panel titles (two lines with KL)
    traces: list[Any] = []
    for index, key in enumerate(shown):
        suffix = "" if index == 0 else str(index + 1)
        x_name, y_name = f"x{suffix}", f"y{suffix}"
        (x_domain, y_domain) = domains[index]
        row, col = divmod(index, cols)
        bottom_of_column = index + cols >= len(shown)
        layout[f"xaxis{suffix}"] = {
            **x_axis, "domain": x_domain, "anchor": y_name, "automargin": True,
            **({} if index == 0 else {"matches": "x"}),
            "showticklabels": bottom_of_column,
            **({"title": {"text": _x_title(emp)}} if bottom_of_column else {}),
        }
        layout[f"yaxis{suffix}"] = {
            "domain": y_domain, "anchor": x_name, "automargin": True, "rangemode": "tozero",
            **({} if index == 0 else {"matches": "y"}),
            "showticklabels": col == 0,
            **({"title": {"text": _prob_y_title(emp)}} if col == 0 else {}),
        }
        label = _wrapped(_model_name(key, models[key]), _PANEL_TITLE_CHARS)
        value = kl.get(key) if kl is not None else None
        quoted = _format_kl(float(value), base) if value is not None else ""
        layout["annotations"].append({
            "text": f"{label}<br><span style='font-size:12px'>KL {quoted}</span>" if quoted else label,
            "xref": "paper", "yref": "paper", "x": (x_domain[0] + x_domain[1]) / 2, "y": y_domain[1],
            "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}, "name": "panel title",
        })
        empirical = _empirical_bar(emp, opacity=0.55, showlegend=False)
        empirical.update(xaxis=x_name, yaxis=y_name)
        model = _model_trace(emp, key, models[key], masses[key], palette[str(key)], keys.index(str(key)), as_line=True,
                             hover_value=f"model probability: %{{y:{_PROB}}}", showlegend=False, max_markers=30)
        model.update(xaxis=x_name, yaxis=y_name)
        traces += [empirical, model]
    _skipped_note(layout, skipped, "no mass on these cells")
    return _drawable(traces, layout)


def contributions_figure(
    emp: Empirical, models: Mapping[str, FittedModel], base: float = 2, *, colors: Mapping[str, str] | None = None
) -> go.Figure:
    """Per-value KL terms p·log(p/q) for each model: where the bits are lost.

    Positive terms are information lost where the model under-predicts, negative ones
    where it over-predicts; they add up to the KL divergence. A cell the model gives
    probability 0 but the data does not has an infinite term: it has no bar, and an
    "∞" marker at the top of the plot (in the model's colour) says so on hover.
    """
    keys = [str(key) for key in models]
    palette = _colors_for(keys, colors)
    masses, skipped = _masses(emp, models)
    unit = _unit(base)
    as_line = _draw_as_lines(emp)
    terms = {key: kl_contributions(emp.probs, masses[key], base) for key in masses}
    finite_values = [t[np.isfinite(t)] for t in terms.values()]
    finite_values = [v for v in finite_values if v.size]
    top = max((float(v.max()) for v in finite_values), default=0.0)
    bottom = min((float(v.min()) for v in finite_values), default=0.0)
    span = max(top - bottom, abs(top), 1e-12)
    infinity_y = (top if top > 0 else 0.0) + 0.08 * span
    traces: list[Any] = []
    marks: list[Any] = []
    infinite_names: list[str] = []
    p = emp.probs
    x = _x_values(emp)
    cells = _cell_columns(emp)
    for position, (key, model) in enumerate(models.items()):
        if key not in masses:
            continue
        term = terms[key]
        infinite = np.isinf(term)
        color = palette[str(key)]
        traces.append(_model_trace(
            emp, key, model, np.where(infinite, np.nan, term), color, position, as_line,
            f"contribution: %{{y:{_PROB}}} {unit}", extra_columns=[p, masses[key]],
            extra_lines=["p (data): %{customdata[{c}]:" + _PROB + "}", "q (model): %{customdata[{c}]:" + _PROB + "}"],
        ))
        if not infinite.any():
            continue
        name = _model_name(key, model)
        infinite_names.append(name)
        index = np.flatnonzero(infinite)
        marks.append(_scatter(
            x=x[index], y=np.full(index.size, infinity_y), mode="markers+text", text=_repeat(_INFINITY, index.size),
            textposition="top center", textfont={"color": color, "size": 15},
            marker={"color": color, "symbol": "triangle-up", "size": 9}, cliponaxis=False,
            name=f"{name}: {_INFINITY}", legendgroup=plain_text(key), showlegend=False,
            meta={"role": "infinite", "key": str(key)},
            customdata=_customdata([c[index] for c in cells] + [p[index]]),
            hovertemplate=(
                _cell_hover(emp) + f"<br>p (data): %{{customdata[{len(cells)}]:{_PROB}}}<br>q (model): 0"
                "<br>contribution: ∞ (the model rules out a value that was observed)<extra>%{fullData.name}</extra>"
            ),
        ))
    bars = {} if as_line else {"barmode": "group", "bargap": 0.2, "bargroupgap": 0.05}
    per = " per bin" if emp.kind == "binned" else ""
    y_axis: dict[str, Any] = {"zeroline": True, "zerolinecolor": "#888888", "zerolinewidth": 1}
    if infinite_names:
        y_axis["range"] = [min(bottom, 0.0) - 0.05 * span, infinity_y + 0.14 * span]
    layout = _layout(
        f"{_data_name(emp)}: where the bits are lost", _x_title(emp), f"KL contribution ({unit}){per}",
        subtitle=f"p·log(p/q) per {'bin' if emp.kind == 'binned' else 'value'}: above 0 the model under-predicts, "
                 "below 0 it over-predicts; the terms add up to the KL divergence",
        legend_names=[_model_name(key, models[key]) for key in masses], xaxis=_x_axis(emp), yaxis=y_axis, **bars,
    )
    if infinite_names:
        layout["annotations"].append({
            "text": f"{_INFINITY}: infinite term (q = 0 where p > 0) for " + ", ".join(infinite_names),
            "xref": "paper", "yref": "paper", "x": 1.0, "y": 1.0, "xanchor": "right", "yanchor": "top", "showarrow": False,
            "font": {"size": 11, "color": "#333333"}, "bgcolor": "rgba(255,255,255,0.85)", "name": "infinite",
        })
    _skipped_note(layout, skipped, "no mass on these cells")
    return _drawable(traces + marks, layout)


def _empirical_cdf(emp: Empirical) -> tuple[np.ndarray, np.ndarray]:
    """Step-line points of the empirical CDF, padded so it starts at 0 and ends at 1."""
    cumulative = np.cumsum(emp.probs)
    cumulative[-1] = 1.0 if abs(cumulative[-1] - 1.0) < 1e-9 else cumulative[-1]
    if emp.kind == "binned":
        return np.asarray(emp.edges, dtype=float), np.concatenate([[0.0], cumulative])
    pad = _pad(emp)
    x = np.concatenate([[emp.support[0] - pad], emp.support, [emp.support[-1] + pad]])
    return x, np.concatenate([[0.0], cumulative, [1.0]])


def _pad(emp: Empirical) -> float:
    span = emp.high - emp.low
    return max(span * 0.05, 1.0 if emp.kind == "discrete" else span * 0.02, 1e-9)


def _model_grid(emp: Empirical, model: FittedModel) -> tuple[np.ndarray, str]:
    """Where to evaluate a model's CDF, and the line shape to draw it with."""
    pad = _pad(emp)
    low, high = emp.low - pad, emp.high + pad
    if model.continuous:
        return np.linspace(low, high, 600), "linear"
    if emp.is_integer and high - low <= 20_000:
        return np.arange(math.floor(low), math.ceil(high) + 1, dtype=float), "hv"
    return np.concatenate([[low], np.asarray(emp.support, dtype=float), [high]]), "hv"


def cdf_figure(
    emp: Empirical, models: Mapping[str, FittedModel], *, colors: Mapping[str, str] | None = None
) -> go.Figure:
    """Empirical CDF (step) and each numeric model's CDF.

    Binned data: the empirical CDF is known at the bin edges. Continuous models are
    drawn on a fine grid over the data's range; discrete ones as steps. Models without
    a CDF (tables, categorical models) are left out and named under the plot.
    Categorical data has no order: the figure shows cumulative bars over the categories
    in alphabetical order, and says so.
    """
    keys = [str(key) for key in models]
    palette = _colors_for(keys, colors)
    if emp.kind == "categorical":
        return _categorical_cumulative(emp, models, palette)
    x, y = _empirical_cdf(emp)
    traces: list[Trace] = [_scatter(
        x=x, y=y, mode="lines", line={"shape": "hv", "color": EMPIRICAL_COLOR, "width": 2.5}, name=DATA_LABEL,
        legendgroup="empirical", meta={"role": "empirical"},
        hovertemplate=(f"{'edge' if emp.kind == 'binned' else 'value'}: %{{x:{_VALUE}}}<br>"
                       f"P(X ≤ x): %{{y:{_PROB}}}<extra>{DATA_LABEL}</extra>"),
    )]
    skipped, failed = [], []
    for position, (key, model) in enumerate(models.items()):
        grid, shape = _model_grid(emp, model)
        try:
            values = model.cdf(grid)
        except DataError:
            skipped.append(fitted_label(key, model))
            continue
        except Exception:  # noqa: BLE001 - a user's formula may fail anywhere; the plot still draws
            failed.append(fitted_label(key, model))
            continue
        color = palette[str(key)]
        traces.append(_scatter(
            x=grid, y=np.clip(np.asarray(values, dtype=float), 0.0, 1.0), mode="lines", name=_model_name(key, model),
            legendgroup=plain_text(key), meta={"role": "model", "key": str(key)},
            line={"shape": shape, "color": color, "width": 2, "dash": _dash(position)},
            hovertemplate=f"x: %{{x:{_VALUE}}}<br>model P(X ≤ x): %{{y:{_PROB}}}<extra>%{{fullData.name}}</extra>",
        ))
    subtitle = ("empirical CDF known at the bin edges" if emp.kind == "binned" else "empirical CDF: a step at each observed value")
    layout = _layout(f"{_data_name(emp)}: cumulative distribution", _x_title(emp), "cumulative probability P(X ≤ x)",
                     subtitle=subtitle, legend_names=[trace["name"] for trace in traces], xaxis=_x_axis(emp),
                     yaxis={"range": [-0.02, 1.02]}, hovermode="closest")
    _skipped_note(layout, skipped, "no cumulative distribution")
    _skipped_note(layout, failed, "the CDF could not be computed")
    return _drawable(traces, layout, how="sample")


def _categorical_cumulative(emp: Empirical, models: Mapping[str, FittedModel], palette: Mapping[str, str]) -> go.Figure:
    """Cumulative bars over categories in their (alphabetical) order: data and each model."""
    masses, skipped = _masses(emp, models)
    x = _x_values(emp)
    traces = [_bar(
        x=x, y=np.cumsum(emp.probs), name=DATA_LABEL, legendgroup="empirical", meta={"role": "empirical"},
        marker={"color": EMPIRICAL_COLOR, "line": {"width": 0}},
        hovertemplate=f"up to %{{x}}: %{{y:{_PROB}}}<extra>{DATA_LABEL}</extra>",
    )]
    traces += [
        _bar(x=x, y=np.cumsum(masses[key]), name=_model_name(key, model), legendgroup=plain_text(key),
               meta={"role": "model", "key": str(key)}, marker={"color": palette[str(key)], "line": {"width": 0}},
               hovertemplate=f"up to %{{x}}: %{{y:{_PROB}}}<extra>%{{fullData.name}}</extra>")
        for key, model in models.items() if key in masses
    ]
    layout = _layout(f"{_data_name(emp)}: cumulative probability", _x_title(emp), "cumulative probability",
                     subtitle="Categories have no natural order: they are accumulated in alphabetical order.",
                     legend_names=[trace["name"] for trace in traces], xaxis=_x_axis(emp), yaxis={"range": [0, 1.05]},
                     barmode="group", bargap=0.2)
    _skipped_note(layout, skipped, "no mass on these categories")
    return _drawable(traces, layout, how="sample")


def ranking_figure(table: pd.DataFrame, base: float = 2, *, colors: Mapping[str, str] | None = None) -> go.Figure:
    """KL per model as horizontal bars, best on top, bootstrap intervals when present, ∞ marked.

    ``table`` is :attr:`Comparison.table`. Failed fits (NaN KL) are left out; infinite
    KL gets a row with no bar and an "∞" label. Colours follow the rows' order among the
    models that were fitted, which is the order the other figures receive them in.
    """
    unit = _unit(base)
    kl_all = pd.to_numeric(table["kl"], errors="coerce").to_numpy(dtype=float)
    rows = table[~np.isnan(kl_all)]
    kl = kl_all[~np.isnan(kl_all)]
    keys = [str(key) for key in rows["model"]]
    palette = _colors_for(keys, colors)
    order = np.lexsort((kl, np.isinf(kl)))  # finite ascending, then the infinite ones
    rows, kl, keys = rows.iloc[order], kl[order], [keys[i] for i in order]
    labels = [plain_text(display_label(row)) for _, row in rows.iterrows()]
    y = _plain_array(keys) if keys else np.array([], dtype=object)
    infinite = np.isinf(kl)
    finite_kl = np.where(infinite, np.nan, kl)
    notes = (_plain_array(rows["note"].fillna("").astype(str)) if "note" in rows and len(rows)
             else np.full(len(rows), "", dtype=object))
    has_interval = {"kl_low", "kl_high"} <= set(rows.columns) and bool(
        np.isfinite(pd.to_numeric(rows["kl_low"], errors="coerce")).any())
    columns: list[Any] = [np.array(labels, dtype=object), notes]
    lines = ["%{customdata[0]}", f"KL divergence: %{{x:{_PROB}}} {unit}"]
    error_x = None
    high = np.array([])
    if has_interval:
        low = pd.to_numeric(rows["kl_low"], errors="coerce").to_numpy(dtype=float)
        high = pd.to_numeric(rows["kl_high"], errors="coerce").to_numpy(dtype=float)
        error_x = {"type": "data", "array": np.clip(high - finite_kl, 0, None), "arrayminus": np.clip(finite_kl - low, 0, None),
                   "color": "#333333", "thickness": 1.5, "width": 5, "visible": True}
        columns += [low, high]
        lines.append(f"bootstrap 95% interval: %{{customdata[2]:{_PROB}}} – %{{customdata[3]:{_PROB}}}")
        if "p_best" in rows:
            columns.append(pd.to_numeric(rows["p_best"], errors="coerce").to_numpy(dtype=float))
            lines.append("best in %{customdata[4]:.0%} of resamples")
    lines.append("%{customdata[1]}")
    customdata = np.column_stack(columns).astype(object) if len(rows) else None
    traces: list[Any] = [_bar(
        x=finite_kl, y=y, orientation="h", name="KL divergence", meta={"role": "ranking", "keys": keys},
        marker={"color": [palette[key] for key in keys], "line": {"width": 0}}, error_x=error_x,
        text=[f"{value:#.3g}" if np.isfinite(value) else "" for value in finite_kl],
        textposition="none" if has_interval else "outside", cliponaxis=False,
        customdata=customdata, hovertemplate="<br>".join(lines) + "<extra></extra>",
    )]
    finite_max = float(np.nanmax(finite_kl)) if np.isfinite(finite_kl).any() else 1.0
    if has_interval and np.isfinite(high).any():
        finite_max = max(finite_max, float(np.nanmax(np.where(np.isfinite(high), high, 0.0))))
    if infinite.any():
        count = int(infinite.sum())
        traces.append(_scatter(
            x=np.zeros(count), y=y[infinite], mode="text", name=f"{_INFINITY} KL",
            text=_repeat(f"{_INFINITY}  (gives probability 0<br>to an observed value)", count),  # two short lines fit a phone
            textposition="middle right", textfont={"size": 13, "color": "#333333"}, meta={"role": "infinite"},
            customdata=customdata[infinite], showlegend=False,
            hovertemplate="%{customdata[0]}<br>KL divergence: ∞<br>%{customdata[1]}<extra></extra>",
        ))
    # With whiskers, the value goes in the row's label (printed at the bar's end it would sit on a whisker).
    tick_text = [f"{label}  <b>{value:#.3g}</b>" if np.isfinite(value) else label for label, value in zip(labels, kl)]
    subtitle = "shorter is better: the information lost per observation"
    if has_interval:
        subtitle += "; whiskers: bootstrap 95% interval"
    layout = _layout(
        "Models ranked by KL divergence", f"KL divergence ({unit})", subtitle=subtitle,
        height=max(260, 150 + 44 * len(rows)), bargap=0.35,
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": y, "autorange": "reversed",
               "tickmode": "array", "tickvals": y, "ticktext": tick_text if has_interval else labels,
               "ticklabelstandoff": 6},
        xaxis={"rangemode": "tozero", "range": [0, finite_max * 1.18 if finite_max > 0 else 1.0]},
    )
    if not len(rows):
        layout["annotations"].append({"text": "No model could be fitted.", "xref": "paper", "yref": "paper",
                                      "x": 0.5, "y": 0.5, "showarrow": False})
    return _drawable(traces, layout)


def sweep_figure(
    sweep: pd.DataFrame,
    parameter: str,
    base: float = 2,
    fitted_value: float | None = None,
    chosen_value: float | None = None,
    *,
    model_label: str = "",
    fitted_kl: float | None = None,
    chosen_kl: float | None = None,
) -> go.Figure:
    """KL against one parameter's value (from ranking.kl_sweep), with the MLE and a hand-picked value marked.

    The maximum-likelihood point sits at ``fitted_value`` (its KL is ``fitted_kl`` when
    given, else read off the curve); ``chosen_value`` gets a dashed vertical line and a
    marker (at ``chosen_kl`` when given). Values where the KL is infinite are marked "∞"
    along the top; NaN (no fit) leaves a gap.
    """
    unit = _unit(base)
    name = plain_text(parameter)
    values = pd.to_numeric(sweep["value"], errors="coerce").to_numpy(dtype=float)
    kl = pd.to_numeric(sweep["kl"], errors="coerce").to_numpy(dtype=float)
    order = np.argsort(values, kind="stable")
    values, kl = values[order], kl[order]
    finite = np.isfinite(kl)
    y = np.where(finite, kl, np.nan)
    color = PALETTE[0]
    traces: list[Trace] = [_scatter(
        x=values, y=y, mode="lines+markers" if values.size <= 60 else "lines", name="KL divergence",
        line={"color": color, "width": 2}, marker={"size": 5, "color": color}, meta={"role": "sweep"},
        customdata=_repeat(name, values.size),
        hovertemplate=f"%{{customdata}} = %{{x:{_VALUE}}}<br>KL: %{{y:{_PROB}}} {unit}<extra></extra>",
    )]
    top = float(np.nanmax(y)) if finite.any() else 1.0
    bottom = float(np.nanmin(y)) if finite.any() else 0.0
    span = max(top - bottom, abs(top) * 0.1, 1e-9)
    infinite = np.isinf(kl)
    if infinite.any():
        count = int(infinite.sum())
        traces.append(_scatter(
            x=values[infinite], y=np.full(count, top + 0.1 * span), mode="text",
            text=_repeat(_INFINITY, count), textfont={"size": 14, "color": color},
            name=f"{_INFINITY} KL", meta={"role": "infinite"}, showlegend=False, customdata=_repeat(name, count),
            hovertemplate=f"%{{customdata}} = %{{x:{_VALUE}}}<br>KL: ∞ (an observed value gets probability 0)<extra></extra>",
        ))

    def on_curve(value: float, given: float | None) -> float:
        if given is not None and np.isfinite(given):
            return float(given)
        if finite.sum() >= 2:
            return float(np.interp(value, values[finite], y[finite]))
        return float(y[finite][0]) if finite.any() else math.nan

    shapes = []
    if fitted_value is not None and np.isfinite(fitted_value):
        traces.append(_scatter(
            x=[float(fitted_value)], y=[on_curve(float(fitted_value), fitted_kl)], mode="markers+text",
            name="maximum likelihood", text=["maximum likelihood"], textposition="top center",
            textfont={"size": 12, "color": "#000000"}, cliponaxis=False, meta={"role": "mle"},
            marker={"symbol": "star", "size": 15, "color": PALETTE[1], "line": {"width": 1, "color": "#000000"}},
            customdata=_repeat(name, 1),
            hovertemplate=f"maximum likelihood<br>%{{customdata}} = %{{x:{_VALUE}}}<br>KL: %{{y:{_PROB}}} {unit}<extra></extra>",
        ))
    if chosen_value is not None and np.isfinite(chosen_value):
        shapes.append({"type": "line", "xref": "x", "yref": "y domain", "x0": float(chosen_value), "x1": float(chosen_value),
                       "y0": 0, "y1": 1, "line": {"color": PALETTE[3], "width": 1.5, "dash": "dash"}, "name": "chosen"})
        traces.append(_scatter(
            x=[float(chosen_value)], y=[on_curve(float(chosen_value), chosen_kl)], mode="markers", name=f"your {name}",
            marker={"symbol": "diamond", "size": 11, "color": PALETTE[3], "line": {"width": 1, "color": "#000000"}},
            meta={"role": "chosen"}, customdata=_repeat(name, 1),
            hovertemplate=f"your choice<br>%{{customdata}} = %{{x:{_VALUE}}}<br>KL: %{{y:{_PROB}}} {unit}<extra></extra>",
        ))
    low = max(0.0, bottom - 0.08 * span) if bottom >= 0 else bottom - 0.08 * span
    what = plain_text(model_label) if model_label else "the model"
    layout = _layout(
        f"KL divergence as {name} varies", name, f"KL divergence ({unit})",
        subtitle=f"{what}, with {name} fixed at each value (other parameters fitted)",
        legend_names=[trace["name"] for trace in traces if trace.get("showlegend") is not False],
        yaxis={"range": [low, top + (0.25 if infinite.any() else 0.15) * span]},
    )
    layout["shapes"] = shapes
    return _drawable(traces, layout, how="sample")


# ------------------------------------------------- diagnostics: density, Q-Q, P-P, Cullen–Frey
MAX_CURVE_POINTS = 2_000  # points per model curve in the diagnostic figures
_CURVE_POINTS = 600
_COMPONENT_DASH = "dot"


def _thin(*arrays: np.ndarray, limit: int = MAX_CURVE_POINTS) -> tuple[np.ndarray, ...]:
    """At most ``limit`` evenly spaced points of equally long arrays (first and last kept)."""
    size = arrays[0].size
    if size <= limit:
        return arrays
    keep = np.unique(np.linspace(0, size - 1, limit).round().astype(int))
    return tuple(array[keep] for array in arrays)


def _model_density(model: FittedModel, grid: np.ndarray) -> np.ndarray:
    """A continuous model's density on ``grid``: its logpdf, its frozen scipy pdf, or the CDF's slope."""
    logpdf = getattr(model, "logpdf", None)
    with np.errstate(all="ignore"):
        if callable(logpdf):
            return np.exp(np.asarray(logpdf(grid), dtype=float))
        if "frozen" in model.extra:
            return np.asarray(model.extra["frozen"].pdf(grid), dtype=float)
        return np.clip(np.gradient(model.cdf(grid), grid), 0.0, None)


def _component_traces(model: FittedModel, key: str, x: np.ndarray, color: str, scale: np.ndarray | float = 1.0) -> list[Trace]:
    """A mixture's groups, each weighted, as thin dotted lines in the model's colour."""
    parts = getattr(model, "component_densities", None)
    if not callable(parts):
        return []
    labels = [plain_text(c.get("label", f"group {j + 1}")) for j, c in enumerate(model.extra.get("components", []))]
    values = np.asarray(parts(x), dtype=float) * scale
    if values.shape[0] < 2:
        return []  # one group is the model itself
    return [_scatter(
        x=x, y=row, mode="lines", name=f"{_model_name(key, model)}: {labels[j] if j < len(labels) else j + 1}",
        legendgroup=plain_text(key), showlegend=False, meta={"role": "component", "key": str(key), "group": j + 1},
        line={"color": color, "width": 1.2, "dash": _COMPONENT_DASH},
        hovertemplate=f"x: %{{x:{_VALUE}}}<br>group: %{{y:{_PROB}}}<extra>%{{fullData.name}}</extra>",
    ) for j, row in enumerate(values)]


def density_figure(
    emp: Empirical, models: Mapping[str, FittedModel], *, colors: Mapping[str, str] | None = None
) -> go.Figure:
    """The data with each model's density (fitdistrplus ``denscomp``).

    Continuous data: a density histogram (probability per bin ÷ bin width) with each
    model's pdf as a smooth curve (≤ 2,000 points). Discrete data: the data's bars with each
    model's pmf as points. Mixtures also show their groups as dotted lines.
    """
    if emp.kind == "categorical":
        raise DataError("a density plot needs numbers; for categories use the data-and-models bars")
    keys = [str(key) for key in models]
    palette = _colors_for(keys, colors)
    traces: list[Trace] = []
    skipped: list[str] = []
    if emp.kind == "binned":
        widths = np.diff(emp.edges)
        bar = _empirical_bar(emp)
        bar.update(y=emp.probs / widths, hovertemplate=f"bin [%{{customdata[0]:{_PROB}}}, %{{customdata[1]:{_PROB}}})<br>"
                   f"density: %{{y:{_PROB}}}<extra>empirical</extra>", opacity=0.55)
        traces.append(bar)
        pad = _pad(emp)
        grid = np.linspace(emp.low - pad, emp.high + pad, _CURVE_POINTS)
    else:
        traces.append(_empirical_bar(emp, opacity=0.55))
        span = emp.high - emp.low
        grid = np.arange(emp.low, emp.high + 1.0) if emp.is_integer and span < MAX_CURVE_POINTS else np.asarray(emp.support, float)
        grid = _thin(grid)[0]
    for position, (key, model) in enumerate(models.items()):
        color = palette[str(key)]
        try:
            if emp.kind == "binned":
                if not model.continuous:
                    raise DataError("a discrete model has no density")
                y = _model_density(model, grid)
                curve = _scatter(x=grid, y=y, mode="lines", line={"color": color, "width": 2.2, "dash": _dash(position)})
            else:
                y = model.pmf(grid)
                curve = _scatter(x=grid, y=y, mode="markers+lines" if grid.size <= _MARKER_CELLS else "lines",
                                 line={"color": color, "width": 1, "dash": "dot"},
                                 marker={"color": color, "size": 7, "line": {"width": 1, "color": "white"}})
        except DataError:
            skipped.append(fitted_label(key, model))
            continue
        curve.update(name=_model_name(key, model), legendgroup=plain_text(key), meta={"role": "model", "key": str(key)},
                     hovertemplate=f"x: %{{x:{_VALUE}}}<br>model {'density' if emp.kind == 'binned' else 'probability'}: "
                                   f"%{{y:{_PROB}}}<extra>%{{fullData.name}}</extra>")
        traces.append(curve)
        traces += _component_traces(model, key, grid, color)
    binned = emp.kind == "binned"
    layout = _layout(
        f"{_data_name(emp)}: {'density' if binned else 'probabilities'} of the data and the models", _x_title(emp),
        "density" if binned else "probability",
        subtitle=("grey: density histogram of the data; curves: each model's density; dotted: a mixture's groups" if binned
                  else "grey bars: the data; points: each model's probability; dotted: a mixture's groups"),
        legend_names=[t["name"] for t in traces if t.get("showlegend") is not False], xaxis=_x_axis(emp),
        bargap=0 if binned else 0.15, hovermode="closest",
    )
    _skipped_note(layout, skipped, "no density on these data" if binned else "no probabilities on these data")
    return _drawable(traces, layout, how="sample")


def _diagonal(low: float, high: float) -> Trace:
    return _scatter(x=[low, high], y=[low, high], mode="lines", name="perfect agreement", meta={"role": "diagonal"},
                    line={"color": EMPIRICAL_COLOR, "width": 1, "dash": "dash"}, hoverinfo="skip")


def _agreement_figure(
    emp: Empirical, models: Mapping[str, FittedModel], colors: Mapping[str, str] | None, which: str,
) -> go.Figure:
    from kl_core.diagnostics import pp_points, qq_points  # diagnostics imports the models; plots stays light

    keys = [str(key) for key in models]
    palette = _colors_for(keys, colors)
    points = qq_points if which == "Q-Q" else pp_points
    traces: list[Trace] = []
    skipped: list[str] = []
    for position, (key, model) in enumerate(models.items()):
        try:
            x, y = points(emp, model)
        except DataError:
            skipped.append(fitted_label(key, model))
            continue
        x, y = _thin(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        traces.append(_scatter(
            x=x, y=y, mode="markers", name=_model_name(key, model), legendgroup=plain_text(key),
            meta={"role": "model", "key": str(key)},
            marker={"color": palette[str(key)], "size": 6, "opacity": 0.8, "symbol": position % 8},
            hovertemplate=f"model: %{{x:{_VALUE}}}<br>data: %{{y:{_VALUE}}}<extra>%{{fullData.name}}</extra>",
        ))
    finite = [np.asarray(v, dtype=float) for t in traces for v in (t["x"], t["y"])]
    finite = [v[np.isfinite(v)] for v in finite]
    if which == "P-P":
        low, high = 0.0, 1.0
    else:
        ends = np.concatenate([v for v in finite if v.size] or [np.array([0.0, 1.0])])
        low, high = float(ends.min()), float(ends.max())
    traces.insert(0, _diagonal(low, high))
    discrete = emp.kind == "discrete"
    if which == "Q-Q":
        title, x_title, y_title = "Q-Q plot: quantiles of the data against each model's", "model quantile", "data quantile"
        how = ("discrete data: each observed value against the model's mid-distribution quantile at the same level "
               "(Parzen's mid-distribution, F(x) − ½P(X = x))" if discrete
               else "data quantiles at (i − ½)/n against each model's quantiles; on the dashed line, they agree")
    else:
        title, x_title, y_title = "P-P plot: cumulative probabilities of the data against each model's", "model probability", "data probability"
        how = ("discrete data: mid-distribution probabilities F(x) − ½P(X = x) of the model and of the data at each "
               "observed value" if discrete else "each model's F at the sorted data against (i − ½)/n; on the dashed line, they agree")
    layout = _layout(f"{_data_name(emp)}: {title}", x_title, y_title, subtitle=how,
                     legend_names=[t["name"] for t in traces], hovermode="closest")
    _skipped_note(layout, skipped, "no quantiles or probabilities for these data")
    return _drawable(traces, layout, how="sample")


def qq_figure(emp: Empirical, models: Mapping[str, FittedModel], *, colors: Mapping[str, str] | None = None) -> go.Figure:
    """Quantiles of the data against each model's (fitdistrplus ``qqcomp``), one trace per model.

    Discrete data use mid-distribution quantiles, and the figure says so.
    """
    if emp.kind == "categorical":
        raise DataError("a Q-Q plot needs numbers; categories have no order to compare")
    return _agreement_figure(emp, models, colors, "Q-Q")


def pp_figure(emp: Empirical, models: Mapping[str, FittedModel], *, colors: Mapping[str, str] | None = None) -> go.Figure:
    """Cumulative probabilities of the data against each model's (fitdistrplus ``ppcomp``).

    Discrete data use mid-distribution probabilities, and the figure says so.
    """
    if emp.kind == "categorical":
        raise DataError("a P-P plot needs numbers; categories have no order to compare")
    return _agreement_figure(emp, models, colors, "P-P")


_REFERENCE_SYMBOLS = ("star", "triangle-up", "square", "cross", "diamond")


def cullen_frey_figure(emp: Empirical, *, bootstrap: int = 500, seed: int = 0) -> go.Figure:
    """Square of skewness against kurtosis, with where the families lie (fitdistrplus ``descdist``).

    The data is one point, with a cloud of ``bootstrap`` resamples (at most 2,000) around it;
    families are points (normal, uniform, …), lines (gamma, log-normal; Poisson) and areas
    (beta; negative binomial). Kurtosis grows downwards, as in ``descdist``.
    """
    from kl_core.diagnostics import cullen_frey_reference, shape_statistics

    shape = shape_statistics(emp, bootstrap=min(int(bootstrap), MAX_CURVE_POINTS), seed=seed)
    s2 = shape.skewness**2
    cloud_s2 = shape.boot_skewness**2
    reach = float(np.nanmax(np.r_[s2, np.quantile(cloud_s2, 0.98) if cloud_s2.size else s2, 4.0 if not shape.discrete else 1.0]))
    reference = cullen_frey_reference(shape.discrete, reach * 1.1)
    traces: list[Trace] = []
    for position, (name, area) in enumerate(reference["areas"].items()):
        traces.append(_scatter(x=area[0], y=area[1], mode="lines", fill="toself", name=name, meta={"role": "area"},
                               line={"color": PALETTE[5 + position % 2], "width": 0.5},
                               fillcolor="rgba(86,180,233,0.18)", hoverinfo="name"))
    for position, (name, line) in enumerate(reference["lines"].items()):
        traces.append(_scatter(x=line[0], y=line[1], mode="lines", name=f"{name} (line)", meta={"role": "line"},
                               line={"color": PALETTE[(position + 1) % len(PALETTE)], "width": 2, "dash": _DASHES[position % 4]},
                               hoverinfo="name"))
    for position, (name, point) in enumerate(reference["points"].items()):
        traces.append(_scatter(x=[point[0]], y=[point[1]], mode="markers", name=name, meta={"role": "family"},
                               marker={"symbol": _REFERENCE_SYMBOLS[position % 5], "size": 12, "color": "#000000"},
                               hovertemplate=f"{name}<br>skewness²: %{{x:.3g}}<br>kurtosis: %{{y:.3g}}<extra></extra>"))
    if cloud_s2.size:
        traces.append(_scatter(x=cloud_s2, y=shape.boot_kurtosis, mode="markers", name=f"bootstrap ({cloud_s2.size})",
                               meta={"role": "bootstrap"}, marker={"color": PALETTE[1], "size": 4, "opacity": 0.35},
                               hoverinfo="skip"))
    traces.append(_scatter(x=[s2], y=[shape.kurtosis], mode="markers", name="the data", meta={"role": "observation"},
                           marker={"color": PALETTE[3], "size": 15, "symbol": "circle", "line": {"width": 1.5, "color": "#000000"}},
                           hovertemplate="the data<br>skewness²: %{x:.4g}<br>kurtosis: %{y:.4g}<extra></extra>"))
    kurt_values = np.r_[shape.kurtosis, np.quantile(shape.boot_kurtosis, 0.98) if shape.boot_kurtosis.size else shape.kurtosis, 4.5]
    top = float(max(np.nanmax(kurt_values), 3 + 1.6 * reach if not shape.discrete else 3 + 1.6 * reach)) * 1.05
    layout = _layout(
        f"{_data_name(emp)}: Cullen and Frey graph", "square of skewness", "kurtosis",
        subtitle=(f"skewness {shape.skewness:.3g}, kurtosis {shape.kurtosis:.3g} (normal: 0 and 3); "
                  "families near the data are candidates worth fitting"),
        legend_names=[t["name"] for t in traces], hovermode="closest",
        xaxis={"range": [-0.02 * reach, reach * 1.1]}, yaxis={"range": [top, min(1.0, float(np.nanmin(kurt_values))) - 0.2]},
    )
    return _drawable(traces, layout, how="sample")
