"""The server's data folder: files too big to upload, offered by name and read in place.

An operator may set ``KL_DATA_DIR`` to a folder on the server; the app then lists the
Parquet and CSV files at its top level and reads the one a person picks through DuckDB
(:mod:`kl_core.stream`), out of core, so a file of any size can be opened. Unset or
empty, the feature is off. Every user of the app can read every file listed.

A person's choice comes back as a name, and a name is only ever resolved to a path when
it is a plain file name that the listing offers: no ``..``, no absolute path, no
subfolder, no hidden file, no symlink whose target lies outside the folder, nothing but a
regular readable file. Each refusal is a :class:`~kl_core.errors.DataError` that says
which rule the name broke.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from kl_core.errors import DataError
from kl_core.io.frame import _human_size
from kl_core.stream import CSV_SUFFIXES, PARQUET_SUFFIXES, is_streamable

__all__ = [
    "DATA_DIR_ENV",
    "FolderFile",
    "Listing",
    "MAX_LISTED",
    "PREVIEW_ROWS",
    "data_folder",
    "list_files",
    "preview",
    "resolve",
]

DATA_DIR_ENV = "KL_DATA_DIR"
MAX_LISTED = 1_000  # files offered; a folder with more shows the first ones by name, with a note
PREVIEW_ROWS = 1_000  # rows read to show the file and guess how to read it; the whole file is read by kl_core.stream
_CSV_READER = "read_csv(?, sample_size = 100000)"  # as kl_core.stream reads it, so the column names agree


@dataclass(frozen=True)
class FolderFile:
    """One readable data file of the folder, as listed.

    ``path`` is the file's resolved real path (inside the folder); ``size`` and
    ``mtime_ns`` tell a changed file from the one that was listed.
    """

    name: str
    path: str
    size: int
    mtime_ns: int

    @property
    def identity(self) -> str:
        """Name, size and modification time: a changed file has another identity."""
        return f"{self.name}:{self.size}:{self.mtime_ns}"

    @property
    def is_parquet(self) -> bool:
        return Path(self.name).suffix.lower() in PARQUET_SUFFIXES

    @property
    def size_text(self) -> str:
        """The size for people: ``"1.5 MB"``."""
        return _human_size(self.size)

    def label(self) -> str:
        """The name and size, for a picker."""
        return f"{self.name} ({self.size_text})"


@dataclass(frozen=True)
class Listing:
    """The files offered (sorted by name, at most ``MAX_LISTED``) and how many data files the folder names."""

    folder: str
    files: tuple[FolderFile, ...]
    total: int

    def names(self) -> list[str]:
        return [file.name for file in self.files]

    def note(self) -> str | None:
        """What a person should know about a shortened list, or None."""
        if self.total <= len(self.files):
            return None
        return (f"The folder holds {self.total:,} Parquet/CSV files; the first {len(self.files):,} by name are offered. "
                "Ask the operator to move the others to a folder of their own.")


def data_folder(environ: Mapping[str, str] | None = None) -> Path | None:
    """The operator's data folder (``KL_DATA_DIR``), resolved; None when it is unset or empty (the feature is off).

    Raises
    ------
    DataError
        When it is set but cannot be used: missing, not a folder, or not readable.

    Examples
    --------
    >>> data_folder({}) is None, data_folder({"KL_DATA_DIR": "  "}) is None
    (True, True)
    >>> data_folder({"KL_DATA_DIR": "/no/such/folder"})
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: KL_DATA_DIR='/no/such/folder' does not exist; the server folder is off. Create it or set KL_DATA_DIR to an existing folder.
    """
    text = (os.environ if environ is None else environ).get(DATA_DIR_ENV, "").strip()
    if not text:
        return None
    where = f"{DATA_DIR_ENV}={text!r}"
    if not os.path.exists(text):
        raise DataError(f"{where} does not exist; the server folder is off. Create it or set {DATA_DIR_ENV} to an existing folder.")
    if not os.path.isdir(text):
        raise DataError(f"{where} is not a folder; the server folder is off. Set {DATA_DIR_ENV} to a folder of data files.")
    if not os.access(text, os.R_OK | os.X_OK):
        raise DataError(f"{where} cannot be read by the server's user; the server folder is off. Fix its permissions.")
    return Path(os.path.realpath(text))


def list_files(folder: str | os.PathLike, limit: int = MAX_LISTED) -> Listing:
    """The readable Parquet and CSV files at the top of ``folder``, sorted by name, at most ``limit``.

    Hidden files, subfolders, special files, unreadable files and symlinks that lead out
    of the folder are left out.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.csv", "a.parquet", ".hidden.csv", "notes.md"):
    ...     _ = (folder / name).write_text("x\\n1\\n")
    >>> listing = list_files(folder)
    >>> listing.names(), listing.files[1].size, listing.note()
    (['a.parquet', 'b.csv'], 4, None)
    """
    root = os.path.realpath(folder)
    try:
        with os.scandir(root) as entries:
            candidates = sorted(entry.name for entry in entries if _looks_like_data(entry.name))
    except OSError as error:
        raise DataError(f"The server folder cannot be listed ({error.strerror or error}); ask the operator to check it.") from None
    files: list[FolderFile] = []
    unchecked = 0  # names past the limit, counted but not inspected
    for index, name in enumerate(candidates):
        if len(files) >= limit:
            unchecked = len(candidates) - index
            break
        try:
            files.append(_inspect(root, name))
        except DataError:
            continue  # not offered: the reason is given if someone asks for it by name
    return Listing(root, tuple(files), len(files) + unchecked)


def resolve(folder: str | os.PathLike, name: str) -> FolderFile:
    """The listed file called ``name``, checked again now; a DataError for any name that is not one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "teeth.csv").write_text("teeth\\n1\\n2\\n")
    >>> resolve(folder, "teeth.csv").name
    'teeth.csv'
    >>> resolve(folder, "../etc/passwd")
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: '../etc/passwd' is not a file of the server folder: '..' would leave the folder. Choose a file from the list.
    """
    root = os.path.realpath(folder)
    problem = _name_problem(name)
    if problem:
        raise DataError(f"{name!r} is not a file of the server folder: {problem}. Choose a file from the list.")
    file = _inspect(root, name)
    if name not in list_files(root, MAX_LISTED).names():
        raise DataError(f"{name!r} is not among the files the server folder offers. Choose a file from the list.")
    return file


def preview(file: FolderFile, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first ``rows`` rows of a folder file, read as :mod:`kl_core.stream` reads it (same column names).

    ``attrs["rows"]`` is the file's row count when its footer says it (Parquet), else None.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "teeth.csv").write_text("teeth\\n1\\n2\\n3\\n")
    >>> frame = preview(resolve(folder, "teeth.csv"), rows=2)
    >>> frame["teeth"].tolist(), frame.attrs["rows"]
    ([1, 2], None)
    """
    import duckdb  # imported when a file is opened, not when the app starts

    reader = "read_parquet(?)" if file.is_parquet else _CSV_READER
    try:
        with duckdb.connect(config={"memory_limit": "512MB", "threads": 1}) as con:
            frame = con.execute(f"SELECT * FROM {reader} LIMIT {int(rows)}", [[file.path]]).df()
            total = None
            if file.is_parquet:
                ((total,),) = con.execute("SELECT sum(num_rows) FROM parquet_file_metadata(?)", [file.path]).fetchall()
    except duckdb.Error as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise DataError(f"could not read {file.name}: {first}") from error
    frame.columns = [str(column) for column in frame.columns]
    frame.attrs["rows"] = None if total is None else int(total)
    return frame


# ----------------------------------------------------------------------- checks
def _looks_like_data(name: str) -> bool:
    return not name.startswith(".") and is_streamable(name)


def _name_problem(name: Any) -> str | None:
    """Why ``name`` is not a plain data-file name, or None."""
    if not isinstance(name, str) or not name.strip():
        return "no name was given"
    if "\x00" in name:
        return "it holds a NUL character"
    if os.path.isabs(name) or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "absolute paths are not accepted, only a name from the list"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return "'..' would leave the folder"
    if len(parts) > 1:
        return "files in subfolders are not offered"
    if name.startswith("."):
        return "hidden files are not offered"
    if not is_streamable(name):
        suffixes = ", ".join(PARQUET_SUFFIXES + CSV_SUFFIXES)
        return f"only Parquet and CSV files ({suffixes}) are offered"
    return None


def _inspect(root: str, name: str) -> FolderFile:
    """The file ``name`` directly in ``root`` if it is a readable regular file whose real path stays inside."""
    entry = os.path.join(root, name)
    try:
        os.lstat(entry)
    except FileNotFoundError:
        raise DataError(f"{name!r} is no longer in the server folder (deleted or renamed since the list was made). "
                        "Choose a file from the list.") from None
    real = os.path.realpath(entry)
    if os.path.commonpath([root, real]) != root:
        raise DataError(f"{name!r} is a link to a file outside the server folder; only files inside it are offered.")
    try:
        info = os.stat(real)
    except OSError:
        raise DataError(f"{name!r} is a link to nothing (its target is missing).") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"{name!r} is a folder, not a file. Choose a file from the list.")
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{name!r} is not a regular file (a pipe, socket or device); only data files are offered.")
    if not os.access(real, os.R_OK):
        raise DataError(f"{name!r} cannot be read by the server's user; ask the operator to fix its permissions.")
    return FolderFile(name, real, int(info.st_size), int(info.st_mtime_ns))
