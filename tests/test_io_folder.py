"""The server's data folder (kl_core.io.folder): off by default, lists only readable data files, and no name
reaches a file outside it."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kl_core import DataError
from kl_core.io import folder as data_dir
from kl_core.io.folder import DATA_DIR_ENV, data_folder, list_files, preview, resolve
from kl_core.stream import count_values


@pytest.fixture
def outside(tmp_path):
    """A folder next to the data folder, holding a file no name may reach."""
    path = tmp_path / "outside"
    path.mkdir()
    (path / "secret.csv").write_text("secret\n42\n")
    return path


@pytest.fixture
def root(tmp_path, outside):
    """The data folder: two data files, and one of everything that must not be offered."""
    path = tmp_path / "data"
    path.mkdir()
    pd.DataFrame({"minutes": np.linspace(1, 9, 50), "calls": np.arange(50) % 7}).to_parquet(path / "calls.parquet", index=False)
    (path / "teeth.csv").write_text("teeth\n1\n2\n2\n3\n")
    (path / ".hidden.csv").write_text("x\n1\n")
    (path / "notes.md").write_text("not data\n")
    (path / "folder.csv").mkdir()  # a directory named like a file
    (path / "sub").mkdir()
    (path / "sub" / "inner.csv").write_text("x\n1\n")
    (path / "escape.csv").symlink_to(outside / "secret.csv")  # a link out of the folder
    (path / "alias.csv").symlink_to(path / "teeth.csv")  # a link that stays inside
    (path / "dangling.csv").symlink_to(path / "gone.csv")
    (path / "loop.csv").symlink_to(path / "loop.csv")
    os.mkfifo(path / "pipe.csv")  # opening a FIFO would block a reader forever
    return path


# ----------------------------------------------------------------------- the setting
def test_off_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert data_folder() is None
    assert data_folder({DATA_DIR_ENV: ""}) is None
    assert data_folder({DATA_DIR_ENV: "   "}) is None


def test_set_to_a_folder_gives_its_real_path(root, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(root))
    assert data_folder() == root.resolve()


@pytest.mark.parametrize(("make", "says"), [
    (lambda tmp: tmp / "missing", "does not exist"),
    (lambda tmp: tmp / "outside" / "secret.csv", "is not a folder"),
])
def test_set_but_unusable_says_why_and_that_the_feature_is_off(tmp_path, outside, make, says):
    with pytest.raises(DataError, match=says) as raised:
        data_folder({DATA_DIR_ENV: str(make(tmp_path))})
    assert "the server folder is off" in str(raised.value)


# ----------------------------------------------------------------------- listing
def test_lists_only_readable_data_files_sorted_with_sizes(root):
    listing = list_files(root)
    assert listing.names() == ["alias.csv", "calls.parquet", "teeth.csv"]
    assert [file.size for file in listing.files] == [os.path.getsize(root / name) for name in listing.names()]
    assert listing.total == 3 and listing.note() is None
    assert listing.files[0].path == str((root / "teeth.csv").resolve())  # a link inside: its target
    assert all(os.path.commonpath([str(root.resolve()), file.path]) == str(root.resolve()) for file in listing.files)


def test_a_long_folder_is_cut_with_a_note(tmp_path):
    for index in range(7):
        (tmp_path / f"part_{index}.csv").write_text("x\n1\n")
    listing = list_files(tmp_path, limit=3)
    assert listing.names() == ["part_0.csv", "part_1.csv", "part_2.csv"]
    assert listing.total == 7
    assert "7 Parquet/CSV files; the first 3 by name are offered" in listing.note()


def test_a_name_past_the_limit_cannot_be_opened(tmp_path, monkeypatch):
    for index in range(3):
        (tmp_path / f"part_{index}.csv").write_text("x\n1\n")
    monkeypatch.setattr(data_dir, "MAX_LISTED", 2)
    assert resolve(tmp_path, "part_1.csv").name == "part_1.csv"
    with pytest.raises(DataError, match="not among the files the server folder offers"):
        resolve(tmp_path, "part_2.csv")


def test_a_folder_that_vanished_cannot_be_listed(tmp_path):
    with pytest.raises(DataError, match="cannot be listed"):
        list_files(tmp_path / "gone")


# ----------------------------------------------------------------------- resolving a name
def test_a_listed_name_resolves_to_its_file(root):
    file = resolve(root, "calls.parquet")
    assert file.path == str((root / "calls.parquet").resolve())
    assert file.identity == f"calls.parquet:{file.size}:{os.stat(root / 'calls.parquet').st_mtime_ns}"


@pytest.mark.parametrize(("name", "says"), [
    ("../etc/passwd", "'..' would leave the folder"),
    ("../outside/secret.csv", "'..' would leave the folder"),
    ("..", "'..' would leave the folder"),
    ("..\\outside\\secret.csv", "'..' would leave the folder"),
    ("/etc/passwd", "absolute paths are not accepted"),
    ("\\\\server\\share\\x.csv", "absolute paths are not accepted"),
    ("C:\\data\\x.csv", "absolute paths are not accepted"),
    ("sub/inner.csv", "files in subfolders are not offered"),
    (".hidden.csv", "hidden files are not offered"),
    ("notes.md", "only Parquet and CSV files"),
    ("", "no name was given"),
    ("teeth.csv\x00.md", "NUL"),
    ("escape.csv", "a link to a file outside the server folder"),
    ("dangling.csv", "a link to nothing"),
    ("loop.csv", "a link to nothing"),
    ("folder.csv", "is a folder, not a file"),
    ("pipe.csv", "not a regular file"),
    ("missing.csv", "no longer in the server folder"),
])
def test_names_that_are_not_listed_files_are_refused(root, name, says):
    with pytest.raises(DataError, match=says):
        resolve(root, name)


def test_an_absolute_path_inside_the_folder_is_refused_too(root):
    with pytest.raises(DataError, match="absolute paths are not accepted"):
        resolve(root, str(root / "teeth.csv"))


def test_a_file_deleted_between_listing_and_opening(root):
    assert "teeth.csv" in list_files(root).names()
    (root / "teeth.csv").unlink()
    with pytest.raises(DataError, match="deleted or renamed since the list was made"):
        resolve(root, "teeth.csv")


def test_a_file_swapped_for_a_link_out_after_listing_is_refused(root, outside):
    assert "teeth.csv" in list_files(root).names()
    (root / "teeth.csv").unlink()
    (root / "teeth.csv").symlink_to(outside / "secret.csv")
    with pytest.raises(DataError, match="outside the server folder"):
        resolve(root, "teeth.csv")


def test_a_subfolder_linked_out_does_not_open_a_way_out(root, outside):
    (root / "more").symlink_to(outside, target_is_directory=True)
    assert list_files(root).names() == ["alias.csv", "calls.parquet", "teeth.csv"]
    with pytest.raises(DataError, match="subfolders"):
        resolve(root, "more/secret.csv")


def test_a_changed_file_has_a_new_identity(root):
    before = resolve(root, "teeth.csv")
    (root / "teeth.csv").write_text("teeth\n1\n2\n2\n3\n4\n")
    os.utime(root / "teeth.csv", ns=(before.mtime_ns + 10**9, before.mtime_ns + 10**9))
    after = resolve(root, "teeth.csv")
    assert after.identity != before.identity and after.size == before.size + 2


# ----------------------------------------------------------------------- the preview
def test_preview_has_the_columns_the_stream_reads(root):
    frame = preview(resolve(root, "calls.parquet"), rows=5)
    assert frame.columns.tolist() == ["minutes", "calls"]
    assert len(frame) == 5 and frame.attrs["rows"] == 50
    emp = count_values(resolve(root, "calls.parquet").path, frame.columns[1])
    assert emp.kind == "discrete" and emp.counts.tolist() == np.bincount(np.arange(50) % 7).tolist()


def test_preview_of_a_csv_does_not_count_its_rows(root):
    frame = preview(resolve(root, "teeth.csv"))
    assert frame["teeth"].tolist() == [1, 2, 2, 3]
    assert frame.attrs["rows"] is None


def test_preview_of_a_damaged_file_is_a_data_error(root):
    (root / "broken.parquet").write_bytes(b"PAR1 not really parquet")
    with pytest.raises(DataError, match="could not read broken.parquet"):
        preview(resolve(root, "broken.parquet"))


def test_the_readme_documents_the_setting_and_its_risk():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("### A server folder"):readme.index("## Tests")]
    assert f"{DATA_DIR_ENV}=/srv/kl-data make run" in section
    assert "Every user of the app can\nread every file in the folder" in section
    assert "Off by default" in section
