"""kl_core.export.snippet: a runnable script that reproduces the ranking from any folder."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kl_core import Empirical, compare
from kl_core.export.snippet import python_snippet
from kl_core.samples import SAMPLES
from tests.comparisons import EVIL, every_sample_fixture, worms_fixture  # noqa: F401 (the fixtures)

ROOT = Path(__file__).resolve().parent.parent


def _run_snippet(snippet: str) -> str:
    result = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, cwd=ROOT, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def _printed_kl(stdout: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^(\S+)\tKL = (\S+) ", stdout, re.MULTILINE)}


@pytest.mark.parametrize("key", ["worms", "planets", "coin", "waiting"])
def test_snippet_reproduces_the_ranking(every_sample, key):
    comparison = every_sample[key]
    stdout = _run_snippet(python_snippet(comparison))
    assert f"data fingerprint: {comparison.emp.fingerprint()}" in stdout
    printed = _printed_kl(stdout)
    assert list(printed) == comparison.table["model"].tolist()
    for model, kl in zip(comparison.table["model"], comparison.table["kl"]):
        assert printed[model] == pytest.approx(float(kl), rel=1e-12, abs=1e-12)


def test_snippet_runs_from_any_folder(worms, tmp_path):
    # The Report page's script, saved anywhere and run there: only an importable kl_core is needed.
    script = tmp_path / "kl-worm-teeth-rerun.py"
    script.write_text(python_snippet(worms), encoding="utf-8")
    result = subprocess.run([sys.executable, script.name], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    printed = _printed_kl(result.stdout)
    assert printed == pytest.approx(dict(zip(worms.table["model"], worms.table["kl"].astype(float))), rel=1e-12)


@pytest.mark.slow
def test_pip_install_gives_a_kl_core_the_snippet_runs_against(worms, tmp_path):
    # `pip install .` as the README says, into a folder (a copy of the sources: a build writes next to them).
    import shutil

    source = tmp_path / "source"
    shutil.copytree(ROOT / "kl_core", source / "kl_core", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    target = tmp_path / "installed"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                                str(source)], capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "rerun.py").write_text(
        "import kl_core\nprint('from', kl_core.__file__)\n" + python_snippet(worms), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "rerun.py"], capture_output=True, text=True, cwd=elsewhere, timeout=300,
                            env={**env, "PYTHONPATH": str(target)})
    assert result.returncode == 0, result.stderr
    assert f"from {target}" in result.stdout  # the installed copy, not the repository
    assert _printed_kl(result.stdout) == pytest.approx(
        dict(zip(worms.table["model"], worms.table["kl"].astype(float))), rel=1e-12)


def test_snippet_keeps_user_text_inert():
    emp = Empirical.from_counts(["a\nimport os; os._exit(3)", "b"], [2, 1], name='x"""\nraise SystemExit(4)\n#')
    reference = Empirical.from_counts(["a\nimport os; os._exit(3)", "b"], [1, 1])
    comparison = compare(emp, ["uniform", ("empirical", {"reference": reference}),
                               ("custom", {"values": ["a\nimport os; os._exit(3)", "b"], "weights": [1, 2], "label": EVIL})],
                         zero_policy="epsilon", epsilon=0.01)
    snippet = python_snippet(comparison)
    assert "Empirical.from_counts" in snippet
    printed = _printed_kl(_run_snippet(snippet))
    assert printed == pytest.approx(dict(zip(comparison.table["model"], comparison.table["kl"].astype(float))), rel=1e-12)


def test_snippet_binned_data_uses_explicit_edges():
    comparison = compare(SAMPLES["waiting"].empirical(), ["gamma"])
    snippet = python_snippet(comparison)
    assert "edges=np.array([" in snippet and "'binned'" in snippet


def test_snippet_keeps_the_rank_by_order():
    comparison = compare(SAMPLES["worms"].empirical(), ["betabinom", "nbinom", "poisson"], rank_by="bic")
    snippet = python_snippet(comparison)
    assert "rank_by='bic'" in snippet
    assert list(_printed_kl(_run_snippet(snippet))) == comparison.table["model"].tolist() == ["betabinom", "poisson", "nbinom"]
