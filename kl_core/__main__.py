"""The command line: ``python -m kl_core rank|report|samples``.

    python -m kl_core rank teeth.csv --column teeth --shape counts --models uniform,binomial,poisson
    python -m kl_core rank sample:worms --format json
    python -m kl_core report waiting.parquet --column minutes --models default --out report.html
    python -m kl_core samples

Results go to stdout; progress bars (only on a terminal, or with ``--progress``) and
errors go to stderr. Input a person can fix exits with status 2 and one line,
``kl_core: error: ...``, never a traceback. CSV and Parquet files bigger than 100 MB
are reduced out of core by :mod:`kl_core.stream`; smaller files are read whole by
:func:`kl_core.io.read_table_bounded` (a worker process with memory and time caps; one
worker, as the command line reads one file, unless ``KL_READ_WORKERS`` says otherwise).
"""

from __future__ import annotations

import argparse
import importlib
import io as _io
import json
import math
import os
import sys
import threading
import time
from typing import Any, Sequence, TextIO

from kl_core.vocabulary import DEFAULT_ZERO_POLICY, EPSILON, SAMPLE_PREFIX, ZERO_POLICIES

__all__ = [
    "EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "PROG", "STREAM_THRESHOLD_BYTES", "TABLE_COLUMNS", "ProgressBar",
    "UsageError", "build_parser", "load", "main", "model_requests", "parse_bins", "ranking_json", "ranking_text",
    "read_bytes",
]

PROG = "kl_core"
STREAM_THRESHOLD_BYTES = 100 * 2**20
TABLE_COLUMNS = ("rank", "model", "params", "kl", "kl_interval", "p_best", "reverse_kl", "js", "aic", "bic", "p_value")
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A command line that cannot be run as written (reported like bad input: exit 2, one line)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr, not a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see: {self.prog} --help)")


# ------------------------------------------------------------------------ the parser
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=f"python -m {PROG}", description="Fit candidate distributions to data and rank them by KL divergence.")
    commands = parser.add_subparsers(dest="command", metavar="{rank,report,samples}", parser_class=_Parser)
    commands.required = True
    rank = commands.add_parser("rank", help="rank models for one column of a file", description="Rank models by D_KL(data ‖ model).")
    _data_arguments(rank)
    rank.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default: table)")
    report = commands.add_parser("report", help="write a self-contained HTML report", description="Write an HTML report of the ranking.")
    _data_arguments(report)
    report.add_argument("--out", required=True, help="the HTML file to write")
    report.add_argument("--title", default="KL Model Lab report", help="the report's title")
    commands.add_parser("samples", help="list the sample datasets (use them as FILE = sample:<name>)",
                        description="List the sample datasets.")
    return parser


def _data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a data file (.csv .tsv .txt .xlsx .parquet .json .jsonl) or sample:<name>")
    parser.add_argument("--column", "-c", help="the value column (default: the only column, or the sample's)")
    parser.add_argument("--shape", choices=("observations", "counts", "probabilities"),
                        help="one value per row (default), or a (value, count) or (value, probability) table")
    parser.add_argument("--weight-column", "-w", help="the count or probability column of a table")
    parser.add_argument("--kind", choices=("discrete", "categorical", "binned"), help="force the kind of data (default: guessed)")
    parser.add_argument("--bins", help="for binned data: a number, a rule (fd, sturges, sqrt, ...) or edges 0,1,2.5,5")
    parser.add_argument("--models", "-m", default=None,
                        help="comma-separated model names, or one of: default, all-discrete, all-continuous "
                             "(default: the sample's models, else 'default')")
    parser.add_argument("--option", "-o", action="append", default=[], metavar="MODEL.KEY=VALUE",
                        help="a model option, e.g. binomial.n=10 (repeatable)")
    parser.add_argument("--base", choices=("2", "e"), default="2", help="2 for bits (default), e for nats")
    parser.add_argument("--zero-policy", choices=ZERO_POLICIES, default=DEFAULT_ZERO_POLICY,
                        help="strict: a model giving 0 to an observed value has KL = inf; epsilon: floor every model")
    parser.add_argument("--epsilon", type=float, default=EPSILON, help=f"the floor's weight for --zero-policy epsilon (default {EPSILON:g})")
    parser.add_argument("--rank-by", choices=("kl", "aic", "bic"), default="kl",
                        help="what orders the ranking: kl (default, the log-likelihood), aic or bic (penalised by free parameters)")
    parser.add_argument("--bootstrap", type=int, default=0, metavar="B", help="bootstrap resamples for KL intervals (default 0: none)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the bootstrap")
    parser.add_argument("--progress", action="store_true", help="show progress bars even when stderr is not a terminal")
    parser.add_argument("--stream", choices=("auto", "always", "never"), default="auto",
                        help="read CSV/Parquet out of core: auto (above 100 MB), always, or never")


# ------------------------------------------------------------------------ main
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input or usage)."""
    try:
        args = build_parser().parse_args(argv)
        if args.command == "samples":
            return _samples(sys.stdout)
        return _rank_or_report(args)
    except SystemExit as exit_:  # --help, or argparse giving up
        return int(exit_.code or 0) if isinstance(exit_.code, int) or exit_.code is None else EXIT_USAGE
    except UsageError as error:
        return _fail(str(error))
    except (ValueError, OSError) as error:  # DataError is a ValueError
        return _fail(_error_text(error))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _fail(message: str) -> int:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)
    return EXIT_USAGE


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _error_text(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        where = f" {error.filename!r}" if error.filename else ""
        return f"cannot read{where}: {error.strerror}"
    return str(error) or type(error).__name__


# ------------------------------------------------------------------------ commands
def _samples(out: TextIO) -> int:
    from kl_core.samples import SAMPLES

    width = max(len(key) for key in SAMPLES)
    for key, sample in SAMPLES.items():
        print(f"{SAMPLE_PREFIX}{key:<{width}}  {sample.title}: {sample.description} "
              f"(column {sample.column!r}, {sample.shape})", file=out)
    return EXIT_OK


def _rank_or_report(args: argparse.Namespace) -> int:
    show_progress = args.progress or _is_tty(sys.stderr)
    importing = _import_in_background("kl_core.ranking")
    try:
        emp, source, sample_models = load(args, show_progress)
    finally:  # also on bad data: an interpreter that exits mid-import in another thread can die ("Fatal Python error")
        importing.join()
    from kl_core.ranking import compare  # loaded by now; a failed import is raised here

    requests = model_requests(emp, args.models, args.option, sample_models)
    base = 2.0 if args.base == "2" else math.e
    if args.bootstrap < 0:
        raise UsageError(f"--bootstrap must be 0 or more; got {args.bootstrap}")
    bar = ProgressBar("fitting", enabled=show_progress and len(requests) > 3)
    comparison = compare(
        emp, requests, base=base, zero_policy=args.zero_policy, epsilon=args.epsilon, bootstrap=args.bootstrap,
        seed=args.seed, progress=lambda i, total, name: bar.update(i / total, name), rank_by=args.rank_by,
    )
    bar.close()
    if args.command == "report":
        return _write_report(comparison, args, source)
    out = sys.stdout
    if args.format == "csv":
        from kl_core.export.csv import ranking_csv

        out.write(ranking_csv(comparison.table))
    elif args.format == "json":
        out.write(ranking_json(comparison, source) + "\n")
    else:
        out.write(ranking_text(comparison, source))
    out.flush()
    return EXIT_OK


def _import_in_background(module: str) -> threading.Thread:
    """Start importing ``module`` in a daemon thread, so that it loads while this thread reads the data.

    Reading mostly waits, on the bounded reader's worker process or on DuckDB, with the GIL
    released: the ranking's imports (pandas, scipy.stats) take about as long as either, and on
    two cores both now happen at once. An import that fails is left to the caller's own import
    to report. The caller joins the thread before it returns, whatever happens: usage errors
    (and ``--help``) are found before the thread starts, so they never wait for it.
    """
    def run() -> None:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001  (reported by the caller's import, in the main thread)
            pass

    thread = threading.Thread(target=run, name=f"import {module}", daemon=True)
    thread.start()
    return thread


def _write_report(comparison: Any, args: argparse.Namespace, source: str) -> int:
    try:
        from kl_core.export.html import html_report
    except ImportError as error:
        raise UsageError(f"the HTML report is not available in this installation ({error})") from error
    text = html_report(comparison, title=args.title, source=source)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {args.out} ({len(text.encode()) / 1024:,.0f} KB)")
    return EXIT_OK


# ------------------------------------------------------------------------ reading
def load(args: argparse.Namespace, show_progress: bool = False) -> tuple[Any, str, tuple | None]:
    """The Empirical named by the arguments, a line on its source, and a sample's models (or None)."""
    from kl_core.empirical import to_empirical

    bins = parse_bins(args.bins)
    if args.file.startswith(SAMPLE_PREFIX):
        from kl_core.samples import SAMPLES

        key = args.file[len(SAMPLE_PREFIX):]
        if key not in SAMPLES:
            raise UsageError(f"there is no sample called {key!r}; the samples are: {', '.join(SAMPLES)}")
        sample = SAMPLES[key]
        frame = sample.frame()
        column = args.column or sample.column
        shape = args.shape or sample.shape
        weight = args.weight_column or (sample.weight_column if column == sample.column and shape == sample.shape else None)
        emp = to_empirical(frame, column, shape, weight, kind=args.kind, bins=bins, name=sample.title)
        return emp, args.file, sample.models
    path = args.file
    size = os.path.getsize(path)  # OSError (missing file) is reported by main
    if os.path.isdir(path):
        raise UsageError(f"{path!r} is a directory, not a data file")
    from kl_core import stream

    use_stream = args.stream == "always" or (args.stream == "auto" and size > STREAM_THRESHOLD_BYTES)
    if use_stream and stream.is_streamable(path):
        if args.column is None:
            raise UsageError("give --column for a file read out of core")
        bar = ProgressBar(f"reading {os.path.basename(path)}", enabled=show_progress)
        emp = stream.count_values(
            path, args.column, shape=args.shape or "observations", weight_column=args.weight_column, kind=args.kind,
            bins=bins, progress=bar.update, name=args.column,
        )
        bar.close()
        return emp, path, None
    if args.stream == "always":
        raise UsageError(f"{path!r}: only CSV-like text and Parquet files can be read out of core")
    from kl_core.io import read_table_bounded

    data = read_bytes(path, size, ProgressBar(f"reading {os.path.basename(path)}", enabled=show_progress and size > 2**24))
    frame = read_table_bounded(data, os.path.basename(path))
    del data
    column, shape, weight = args.column, args.shape or "observations", args.weight_column
    if column is None:  # the app's guess (kl_core.io.shape), said on stderr so the output stays clean
        from kl_core.io.shape import guess_reading

        guess = guess_reading(frame)
        column = guess.options["column"]
        if args.shape is None and args.weight_column is None:
            shape, weight = guess.options["shape"], guess.options["weight_column"]
        print(f"{PROG}: {guess.text} (choose with --column / --shape)", file=sys.stderr)
    emp = to_empirical(frame, column, shape, weight, kind=args.kind, bins=bins)
    return emp, path, None


def read_bytes(path: str, size: int, bar: "ProgressBar", chunk: int = 8 * 2**20) -> bytes:
    """The whole file, read in chunks so a progress bar can follow."""
    if not bar.enabled:
        with open(path, "rb") as handle:
            return handle.read()
    buffer = bytearray()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            buffer += block
            bar.update(len(buffer) / max(size, 1))
    bar.close()
    return bytes(buffer)


def parse_bins(text: str | None) -> int | str | list[float] | None:
    """``--bins``: a whole number, a rule name, or comma-separated edges.

    Examples
    --------
    >>> parse_bins("20"), parse_bins("sturges"), parse_bins("0, 1, 2.5")
    (20, 'sturges', [0.0, 1.0, 2.5])
    """
    if text is None:
        return None
    text = text.strip()
    if "," in text:
        try:
            return [float(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise UsageError(f"--bins edges must be numbers separated by commas; got {text!r}") from None
    try:
        return int(text)
    except ValueError:
        return text


# ------------------------------------------------------------------------ models
def model_requests(emp: Any, models: str | None, options: Sequence[str], sample_models: tuple | None = None) -> list[Any]:
    """The ``compare`` requests for ``--models`` and ``--option``.

    Examples
    --------
    >>> from kl_core import Empirical
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> model_requests(teeth, "uniform,binomial", ["binomial.n=10"])
    ['uniform', ('binomial', {'n': 10})]
    """
    from kl_core.models.registry import applicable_models, default_models

    names: list[str] = []
    presets: dict[str, dict[str, Any]] = {}
    if models is None and sample_models:
        for request in sample_models:
            name, preset = (request, {}) if isinstance(request, str) else (request[0], dict(request[1]))
            names.append(name)
            if preset:
                presets[name] = preset
    else:
        for part in (models or "default").split(","):
            item = part.strip()
            if not item:
                continue
            if item == "default":
                names += default_models(emp)
            elif item in ("all-discrete", "all-continuous"):
                groups = ("simple", "discrete") if item == "all-discrete" else ("simple", "continuous")
                names += applicable_models(emp, groups)
            else:
                names.append(item)
    names = list(dict.fromkeys(names))  # keep order, drop repeats
    if not names:
        raise UsageError(f"no model applies to this {emp.kind} data; name models with --models")
    chosen: dict[str, dict[str, Any]] = {name: dict(presets.get(name, {})) for name in names}
    for text in options:
        model, key, value = _parse_option(text)
        if model not in chosen:
            raise UsageError(f"--option {text!r} is for {model!r}, which is not among the models ({', '.join(names)})")
        chosen[model][key] = value
    return [(name, opts) if opts else name for name, opts in chosen.items()]


def _parse_option(text: str) -> tuple[str, str, Any]:
    from kl_core.errors import DataError
    from kl_core.options import read_model_option, read_value

    try:
        option = read_model_option(text)
    except DataError:
        raise UsageError(f"--option must look like MODEL.KEY=VALUE (e.g. binomial.n=10); got {text!r}") from None
    if option.occurrence != 1:
        raise UsageError(f"--option {text!r}: a model is requested once on the command line; drop the ~{option.occurrence}")
    return option.model, option.key, read_value(option.text)


# ------------------------------------------------------------------------ output
def ranking_text(comparison: Any, source: str) -> str:
    """A plain-text table (monospace), the notes under it, then the verdict line."""
    from kl_core.display import format_count, headers, ranking_display
    from kl_core.ranking import verdict

    emp, base = comparison.emp, comparison.base
    names = headers(base)
    shown = ranking_display(comparison.table, base)
    columns = [names[key] for key in TABLE_COLUMNS if names.get(key) in shown.columns]
    body = shown[columns]
    n = "unknown" if emp.n is None else format_count(emp.n)
    size = "bins" if emp.kind == "binned" else "support"
    out = _io.StringIO()
    out.write(f"{emp.name or source}: {emp.kind}, N {n}, {size} {emp.k:,}, entropy {emp.entropy(base):.4g} {comparison.unit}\n")
    if emp.dropped:
        out.write("dropped: " + ", ".join(f"{count:,} {reason}" for reason, count in emp.dropped.items()) + "\n")
    for warning in emp.warnings:
        out.write(f"note: {warning}\n")
    if comparison.rank_by != "kl":
        out.write(f"ranked by {comparison.rank_by.upper()}, best first\n")
    out.write("\n" + _text_table(columns, body.values.tolist()) + "\n")
    notes = [(display, str(note)) for display, note in zip(shown[names["model"]], shown[names["note"]]) if note]
    if notes:
        out.write("\n")
        for model, note in notes:
            out.write(f"  {model}: {note}\n")
    out.write("\n" + verdict(comparison.table, base) + "\n")
    return out.getvalue()


def _text_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(c) for c in columns]] + [[str(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    left = {0, 1, 2}  # rank, model, parameters: left-aligned; numbers right-aligned
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(value.ljust(widths[i]) if i in left else value.rjust(widths[i]) for i, value in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _plain_table(table: Any) -> list[dict[str, Any]]:
    from kl_core.export.json_io import json_leaf, json_value
    from kl_core.models import format_params

    rows = []
    for record in table.to_dict(orient="records"):
        row = {}
        for key, value in record.items():
            if key == "params":
                row[key] = json_value(dict(value or {}))
                row["params_text"] = format_params(value or {})
            else:
                row[key] = json_leaf(value)
        rows.append(row)
    return rows


def ranking_json(comparison: Any, source: str) -> str:
    """The ranking with the data's summary and the verdict, as one JSON document."""
    from kl_core.export.json_io import json_value
    from kl_core.ranking import verdict

    emp = comparison.emp
    summary = json_value(emp.summary(comparison.base))
    document = {
        "source": source,
        "data": summary,
        "unit": comparison.unit,
        "base": comparison.base,
        "zero_policy": comparison.zero_policy,
        "epsilon": comparison.epsilon if comparison.zero_policy == "epsilon" else None,
        "rank_by": comparison.rank_by,
        "best": comparison.best,
        "verdict": verdict(comparison.table, comparison.base),
        "models": _plain_table(comparison.table),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


# ------------------------------------------------------------------------ progress
def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """A one-line ``\\r`` progress bar on stderr, redrawn at most 10 times a second."""

    def __init__(self, label: str, enabled: bool, stream: TextIO | None = None, width: int = 30):
        self.label, self.enabled, self.width = label, enabled, width
        self.stream = stream or sys.stderr
        self._last = 0.0
        self._drawn = False
        self._start = time.monotonic()

    def update(self, fraction: float, detail: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and fraction < 1:
            return
        self._last = now
        fraction = min(max(float(fraction), 0.0), 1.0)
        filled = int(round(fraction * self.width))
        text = f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} {now - self._start:5.1f}s {detail[:30]}"
        self.stream.write(text.ljust(self.width + len(self.label) + 50))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\r" + " " * (self.width + len(self.label) + 50) + "\r")
            self.stream.flush()
        self._drawn = False


if __name__ == "__main__":
    os.environ.setdefault("KL_READ_WORKERS", "1")  # one file to read: the pool's second worker would only cost start-up
    sys.exit(main())
