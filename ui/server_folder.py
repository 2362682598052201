"""The Data page's "Server folder" source: files on the server, too big to upload, read in place.

The operator's folder (``KL_DATA_DIR``, see :mod:`kl_core.io.folder`) is listed on each
run. Opening a file makes its first rows the source table (the preview, the columns and
the guessed reading) and tags that table with the file; :func:`read` then reads the
*whole* file through ``kl_core.stream.count_values`` (DuckDB, out of core) with a
progress bar whenever the reading options change (``ui.loading.build_current`` calls it
for a tagged table). Readings are cached on the file's identity (name, size,
modification time) and the reading options, so an unchanged file is never read twice
and a file that changed since it was opened is reported, then read afresh when opened
again.
"""

from __future__ import annotations

import functools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import streamlit as st

from kl_core import DataError, Empirical
from kl_core.io import shape
from kl_core.io.folder import PREVIEW_ROWS, FolderFile, data_folder, list_files, preview, resolve
from kl_core.stream import count_values
from ui import cache, loading, state
from ui.text import error as show_error, escape_markdown
from ui.widgets import bind

__all__ = ["FILE_ATTR", "SOURCE_KEY", "SOURCE_LABEL", "SOURCE_PREFIX", "first_reading", "folder", "open_file", "read",
           "render", "source_option"]

SOURCE_KEY = "folder"
SOURCE_LABEL = "Server folder"
SOURCE_PREFIX = "folder:"  # SOURCE_ID of a folder file: "folder:<name>:<size>:<mtime_ns>"
FILE_ATTR = "server_file"  # the source table's attrs entry: {"name", "identity"} of the file it previews (no path:
# Streamlit sends a shown frame's attrs to the browser)
FOLDER_CHOICE = "folder_choice"  # the file picked in the list (a plain session key, see ui.widgets.bind)
MAX_READINGS = 16  # readings kept; each is one Empirical (at most 500 bins or 100,000 values)
MAX_PARALLEL_READS = 2  # files read at once, each under kl_core.stream's DuckDB memory limit; others wait their turn
PROGRESS_SECONDS = 0.25  # how often the bar is brought up to date while a file is read
_READERS = ThreadPoolExecutor(MAX_PARALLEL_READS, thread_name_prefix="kl-folder-read")
_log = logging.getLogger(__name__)


def folder() -> Path | None:
    """The server folder, or None when it is off; a folder set but unusable is logged once for the operator."""
    try:
        return data_folder()
    except DataError as problem:
        _warn_once(str(problem))
        return None


@functools.lru_cache(maxsize=8)
def _warn_once(message: str) -> None:
    _log.warning(message)


def source_option() -> dict[str, str]:
    """``{"folder": "Server folder"}`` when the operator set a usable folder, else nothing."""
    return {SOURCE_KEY: SOURCE_LABEL} if folder() is not None else {}


def render() -> None:
    """The source block: the folder's files, and a button that opens the chosen one."""
    root = folder()
    if root is None:
        st.info("The server folder is off.", icon=":material/folder_off:")
        return
    try:
        listing = list_files(root)
    except DataError as problem:
        show_error(problem)
        return
    if not listing.files:
        st.info("The server folder has no Parquet or CSV files yet.", icon=":material/folder_open:")
        return
    by_name = {file.name: file for file in listing.files}
    before = st.session_state.get("w_folder_file", state.get(FOLDER_CHOICE))
    gone = before if before is not None and before not in by_name else None  # the picker falls back to the first file
    pick_col, _ = st.columns([1, 1])
    with pick_col:
        name = st.selectbox("File on the server", listing.names(), format_func=lambda n: by_name[n].label(),
                            **bind("w_folder_file", FOLDER_CHOICE, listing.names()))
        st.caption("Files the operator put in the server's data folder, read in place however big they are. "
                   "Everyone using this app can open them.")
        if listing.note():
            st.caption(listing.note())
        clicked = st.button("Open this file", type="primary", key="open_folder_file", icon=":material/folder_open:")
        if gone is not None:
            show_error(f"{gone} is no longer in the server folder (deleted or renamed). Choose a file from the list.")
        elif clicked:
            problem = open_file(name)
            if problem:
                show_error(problem)


def open_file(name: str) -> str | None:
    """Make the folder file ``name`` the source (its first rows; the whole file is read by :func:`read`);
    the error message, or None when it opened."""
    root = folder()
    if root is None:
        return "The server folder is off."
    try:
        file = resolve(root, name)
        frame = preview(file)
    except DataError as problem:
        return str(problem)
    frame.attrs[FILE_ATTR] = {"name": file.name, "identity": file.identity}
    loading.set_source(frame, SOURCE_PREFIX + file.identity, file.name, _description(file, frame),
                       guess=first_reading(frame))
    return None


def first_reading(frame: pd.DataFrame) -> shape.Guess:
    """The reading a folder file opens with: the guess from its first rows, but observations when those rows
    are not the whole file.

    Distinct values in the first rows do not make a (value, count) table: in a big file of
    measurements they are the rule, and reading one as a table groups millions of values
    only to fail. So the table reading becomes the one-click alternative, not the default.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"seconds": [0.5, 1.25, 2.0], "dice": [1, 4, 2]})
    >>> first_reading(frame).options["shape"]
    'counts'
    >>> frame.attrs["rows"] = 30_000_000
    >>> guess = first_reading(frame)
    >>> guess.options["shape"], guess.alternative["shape"]
    ('observations', 'counts')
    """
    guess = shape.guess_reading(frame)
    whole = frame.attrs.get("rows") == len(frame) or (frame.attrs.get("rows") is None and len(frame) < PREVIEW_ROWS)
    if whole or guess.options["shape"] == "observations":
        return guess
    column = guess.options["column"]
    return shape.Guess(
        {**guess.options, "shape": "observations", "weight_column": None},
        f"Reading `{column}`, one observation per row",
        f"the first {len(frame):,} rows could also be a value + "
        f"{'count' if guess.options['shape'] == 'counts' else 'probability'} table",
        guess.options,
    )


def read(frame: pd.DataFrame, name: str, arguments: dict[str, Any]) -> Empirical:
    """The whole file behind a folder file's preview ``frame``, read by ``kl_core.stream`` as ``arguments`` say.

    The file is resolved again first: a file deleted, replaced by a link out of the
    folder, or changed since it was opened raises :class:`DataError`. The reading runs
    in a worker thread (at most ``MAX_PARALLEL_READS`` at once) while this run draws its
    progress: a rerun that interrupts this run leaves the reading going, and the next
    run waits for the same reading instead of starting another.
    """
    opened = frame.attrs[FILE_ATTR]
    root = folder()
    if root is None:
        raise DataError("The server folder is off now; load the data another way.")
    file = resolve(root, opened["name"])
    if file.identity != opened["identity"]:
        raise DataError(f"{file.name} changed on the server since it was opened. Open it again.")
    streamed = {k: v for k, v in arguments.items() if k != "drop_text"}  # the stream reads numbers strictly
    slot = _slot(f"{file.identity}|{cache.canonical(streamed)}|{name}")
    with slot["lock"]:
        reading = slot.get("reading")
        if reading is None or (reading.done() and reading.exception() is not None):  # none yet, or one that failed
            slot["done"] = 0.0
            slot["reading"] = reading = _READERS.submit(_read_whole, slot, file.path, name, streamed)
    with _ProgressBar(file) as progress:  # a click stops this run here (Streamlit raises in the bar's update)
        while True:
            progress(slot["done"])
            try:
                return reading.result(timeout=PROGRESS_SECONDS)
            except TimeoutError:
                continue


def _read_whole(slot: dict[str, Any], path: str, name: str, arguments: dict[str, Any]) -> Empirical:
    """``count_values`` in a worker thread; its progress goes to ``slot["done"]`` (no Streamlit call here)."""

    def note(fraction: float) -> None:
        slot["done"] = fraction

    return count_values(path, progress=note, name=name, **arguments)


@st.cache_resource(max_entries=MAX_READINGS, show_spinner=False)
def _slot(key: str) -> dict[str, Any]:
    """A reading's cache slot: its worker's future and progress, kept outside the cached function."""
    return {"lock": threading.Lock()}


class _ProgressBar:
    """An ``st.progress`` bar for one file's reading, removed when the reading ends."""

    def __init__(self, file: FolderFile):
        self.file = file
        self.shown = -1

    def __enter__(self) -> Callable[[float], None]:
        self.bar = st.progress(0.0, text=self._text(0))
        return self.update

    def update(self, fraction: float) -> None:
        percent = int(100 * min(max(fraction, 0.0), 1.0))
        if percent != self.shown:  # one message per percent, not one per batch
            self.shown = percent
            self.bar.progress(percent / 100, text=self._text(percent))

    def _text(self, percent: int) -> str:
        return escape_markdown(f"Reading {self.file.label()} on the server… {percent}%")

    def __exit__(self, *exc: object) -> None:
        self.bar.empty()


def _description(file: FolderFile, frame: pd.DataFrame) -> str:
    rows = frame.attrs.get("rows")
    size = f"{rows:,} rows, {file.size_text}" if rows is not None else file.size_text
    return f"Server folder file {file.name} ({size}), read in place by DuckDB"
