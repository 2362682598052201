"""Cheap checks on a zip archive (an .xlsx workbook) before anything is inflated.

A zip member declares its packed and unpacked sizes in the archive's directory, and
Python's ``zipfile`` never inflates a member past its declared size, so the
declared sizes bound what reading can cost. A workbook that would unpack to more
than :data:`MAX_UNPACKED_BYTES`, or a large part that packs more than
:data:`MAX_EXPANSION`-fold (real sheets pack 5-30-fold; zip bombs thousands-fold),
is refused before a byte is inflated.
"""

from __future__ import annotations

import io
import zipfile

from kl_core.errors import DataError
from kl_core.io.frame import _human_size

__all__ = ["EXPANSION_FLOOR_BYTES", "MAX_EXPANSION", "MAX_UNPACKED_BYTES", "check_archive"]

MAX_UNPACKED_BYTES = 2**30
MAX_EXPANSION = 100
EXPANSION_FLOOR_BYTES = 10 * 2**20  # small parts may pack as tightly as they like


def check_archive(data: bytes, filename: str) -> None:
    """Refuse an archive whose declared sizes say it would expand too far.

    Raises ``zipfile.BadZipFile`` when ``data`` is not a readable zip directory
    (the caller says "damaged"), and :class:`DataError` for a zip bomb.

    Examples
    --------
    >>> packed = io.BytesIO()
    >>> with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
    ...     archive.writestr("xl/sharedStrings.xml", " " * 20 * 2**20)
    >>> check_archive(packed.getvalue(), "bomb.xlsx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: This workbook's part 'xl/sharedStrings.xml' expands 1,029-fold, from 19.9 KB to 20.0 MB: ...
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DataError(
            f"This workbook expands to {_human_size(unpacked)} when unpacked ({filename!r} is "
            f"{_human_size(len(data))} packed); the limit is {_human_size(MAX_UNPACKED_BYTES)}. "
            "Save only the table you need as CSV, or upload a random sample."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > EXPANSION_FLOOR_BYTES and ratio > MAX_EXPANSION:
            raise DataError(
                f"This workbook's part {member.filename!r} expands {ratio:,.0f}-fold, from "
                f"{_human_size(member.compress_size)} to {_human_size(member.file_size)}: real sheets "
                f"expand at most about {MAX_EXPANSION}-fold, so this file is built to exhaust memory "
                "(a zip bomb) and was not read. Open it in Excel and save the table as CSV."
            )
