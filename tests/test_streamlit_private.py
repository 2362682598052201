"""ui/streamlit_private.py: every private Streamlit API the app uses, checked against the installed release.

Each test names the API it checks, so an upgrade that changes one fails loudly with the
name to look up; the module's docstring says why each is needed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import streamlit
from streamlit.runtime import pages_manager, scriptrunner

from ui import streamlit_private
from ui.styles import PRESENT_CSS

ROOT = Path(__file__).resolve().parents[1]
PRIVATE = ("streamlit.runtime", "streamlit.web", "streamlit.elements", "streamlit.proto", "streamlit.delta_generator")


def test_the_checked_release_is_the_installed_one():
    assert streamlit.__version__ == streamlit_private.CHECKED_VERSION, (
        f"streamlit {streamlit.__version__} is installed; ui/streamlit_private.py was checked against "
        f"{streamlit_private.CHECKED_VERSION}: check each private API it names, then update CHECKED_VERSION")


def test_pages_manager_uses_pages_directory_is_a_class_flag():
    flag = getattr(pages_manager.PagesManager, "uses_pages_directory", "missing")
    assert flag is None or isinstance(flag, bool), (
        "streamlit.runtime.pages_manager.PagesManager.uses_pages_directory changed "
        f"(now {flag!r}); ui/frame.require_app relies on it to leave legacy pages mode")


def test_leaving_legacy_pages_mode_clears_the_flag():
    before = pages_manager.PagesManager.uses_pages_directory
    try:
        pages_manager.PagesManager.uses_pages_directory = True
        assert streamlit_private.legacy_pages_mode()
        streamlit_private.leave_legacy_pages_mode()
        assert not streamlit_private.legacy_pages_mode()
        assert pages_manager.PagesManager.uses_pages_directory is False
    finally:
        pages_manager.PagesManager.uses_pages_directory = before


def test_rerun_and_stop_exceptions_are_what_st_raises():
    for name in ("RerunException", "StopException"):
        cls = getattr(scriptrunner, name, None)
        assert isinstance(cls, type) and issubclass(cls, BaseException), (
            f"streamlit.runtime.scriptrunner.{name} is gone or no exception; ui/url.py catches it")
        assert getattr(streamlit_private, name) is cls
    assert not issubclass(scriptrunner.RerunException, scriptrunner.StopException)


def test_the_css_targets_only_testids_that_are_listed():
    used = set(re.findall(r'data-testid="([A-Za-z]+)"', PRESENT_CSS))
    assert used == set(streamlit_private.TESTIDS_USED)


def test_every_targeted_testid_is_still_in_the_frontend():
    assert streamlit_private.missing_testids() == [], (
        f"the streamlit {streamlit.__version__} frontend no longer renders data-testid "
        f"{streamlit_private.missing_testids()}: ui/styles.py's CSS targets them")


def test_a_testid_that_does_not_exist_is_reported():
    assert streamlit_private.missing_testids(("stNoSuchElementAnywhere",)) == ["stNoSuchElementAnywhere"]


def test_no_other_module_imports_streamlit_private_apis():
    offenders = []
    for path in [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]:
        if path.name == "streamlit_private.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names if name.startswith(PRIVATE)]
    assert offenders == [], "import Streamlit's private APIs through ui/streamlit_private.py only"
