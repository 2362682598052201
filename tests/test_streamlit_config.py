""".streamlit/config.toml: every setting is explained in the README, and the server does not watch files."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _settings() -> dict[str, object]:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return {f"{section}.{name}": value for section, values in config.items() if section != "theme" for name, value in values.items()}


def test_every_setting_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in _settings() if f"| `{name}` |" not in readme]
    assert not missing, missing


def test_no_file_watcher():
    assert _settings()["server.fileWatcherType"] == "none"
