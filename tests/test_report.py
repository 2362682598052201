"""kl_core.report: CSV safety, strict JSON that reruns to the same ranking, a runnable snippet, an offline HTML report."""

import csv
import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kl_core import DataError, Empirical, compare, fit
from kl_core.report import (
    comparison_from_json, comparison_json, html_report, python_snippet, ranking_csv, report_figures, rerun_from_json,
)
from kl_core.samples import SAMPLES

ROOT = Path(__file__).resolve().parent.parent
EVIL = '<script>alert("x")</script> & =cmd|" /C calc"!A0'


@pytest.fixture(scope="module")
def worms():
    return compare(SAMPLES["worms"].empirical(), ["uniform", "binomial", "poisson"])


def _all_comparisons():
    out = {}
    for key, sample in SAMPLES.items():
        out[key] = compare(sample.empirical(), sample.models)
    return out


@pytest.fixture(scope="module")
def every_sample():
    return _all_comparisons()


# ---------------------------------------------------------------------- CSV
def test_csv_neutralises_formulas_but_keeps_numbers_numeric():
    table = pd.DataFrame({
        "model": ["=SUM(A1:A2)", "+1", "-x", "@cmd", "\tx", "\rx", " =1", "plain"],
        "loglik": [-239.79, -1.0, float("-inf"), 0.0, 1.5, float("nan"), 2.0, 3.0],
        "kl": [0.1, float("inf"), 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
    })
    rows = list(csv.reader(io.StringIO(ranking_csv(table))))
    assert rows[0] == ["model", "loglik", "kl"]
    assert [r[0] for r in rows[1:]] == ["'=SUM(A1:A2)", "'+1", "'-x", "'@cmd", "'\tx", "'\rx", "' =1", "plain"]
    assert rows[1][1] == "-239.79" and float(rows[1][1]) == -239.79  # a genuine negative number stays a number
    assert rows[2][2] == "inf"
    assert rows[6][1] == ""  # NaN: an empty cell


def test_csv_of_a_real_ranking(worms):
    text = ranking_csv(worms.table)
    frame = pd.read_csv(io.StringIO(text))
    assert frame["model"].tolist() == worms.table["model"].tolist()
    assert np.allclose(frame["kl"], worms.table["kl"], rtol=0, atol=1e-15)
    assert np.allclose(frame["loglik"], worms.table["loglik"], rtol=0, atol=1e-9)
    assert pd.api.types.is_float_dtype(frame["loglik"]) and (frame["loglik"] < 0).all()
    assert json.loads(frame.loc[frame["model"] == "binomial", "params"].iloc[0]) == {"n": 10, "p": pytest.approx(0.544)}


def test_csv_infinite_kl_and_user_labels():
    emp = Empirical.from_counts([0, 1, 2], [5, 3, 2])
    custom = ("custom", {"values": [0, 1], "weights": [1, 1], "label": "=HYPERLINK(\"http://evil\")"})
    table = compare(emp, ["uniform", custom]).table
    rows = {r["model"]: r for r in csv.DictReader(io.StringIO(ranking_csv(table)))}
    assert rows["custom"]["kl"] == "inf"
    assert rows["custom"]["label"].startswith("'=")
    assert rows["custom"]["loglik"] == "-inf"


# --------------------------------------------------------------------- JSON
def test_json_is_strict_and_complete(worms):
    text = comparison_json(worms, source="sample: worms")
    document = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-strict JSON constant {name}"))
    assert document["format"] == "kl-model-lab/comparison"
    assert document["source"] == "sample: worms"
    data = document["data"]
    assert data["fingerprint"] == worms.emp.fingerprint()
    assert data["support"] == list(range(11)) and data["counts"] == SAMPLES["worms"].frame()["worms"].tolist()
    assert data["kind"] == "discrete" and data["n"] == 100 and data["edges"] is None
    assert document["settings"] == {"base": 2, "unit": "bits", "zero_policy": "strict", "epsilon": 1e-6,
                                    "bootstrap": None, "bootstrap_seed": None}
    assert [m["key"] for m in document["models"]] == worms.table["model"].tolist()
    uniform = next(m for m in document["models"] if m["key"] == "uniform")
    assert uniform["kl"] == pytest.approx(0.19719, abs=5e-6) and uniform["n_params"] == 0 and uniform["rank"] == 2
    for column in ("reverse_kl", "js", "cross_entropy", "loglik", "aic", "bic", "g_stat", "dof", "p_value"):
        assert column in uniform
    assert document["verdict"].startswith("Poisson loses")
    assert set(document["versions"]) >= {"kl_core", "numpy", "scipy", "pandas", "python"}


def test_json_non_finite_values_as_documented():
    emp = Empirical.from_counts([0, 1, 2], [5, 3, 2])
    comparison = compare(emp, ["uniform", ("custom", {"values": [0, 1], "weights": [1, 1]})])
    document = json.loads(comparison_json(comparison))
    custom = next(m for m in document["models"] if m["key"] == "custom")
    assert custom["kl"] == "inf" and custom["loglik"] == "-inf" and custom["rank"] is None
    parsed = comparison_from_json(comparison_json(comparison))
    custom = next(m for m in parsed["models"] if m["key"] == "custom")
    assert math.isinf(custom["kl"]) and custom["loglik"] == -math.inf

    probabilities = compare(SAMPLES["planets"].empirical(), ["uniform"])
    document = json.loads(comparison_json(probabilities))
    assert document["data"]["n"] is None and document["models"][0]["loglik"] is None  # NaN -> null


def _same_ranking(first, second):
    assert first.table["model"].tolist() == second.table["model"].tolist()
    for column in ("kl", "reverse_kl", "js", "cross_entropy", "loglik", "aic", "bic", "g_stat", "p_value"):
        a = first.table[column].to_numpy(dtype=float)
        b = second.table[column].to_numpy(dtype=float)
        assert np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(np.isinf(a), np.isinf(b)), column
        finite = np.isfinite(a)
        assert np.allclose(a[finite], b[finite], rtol=1e-12, atol=1e-12), column


@pytest.mark.parametrize("key", list(SAMPLES))
def test_json_round_trips_into_the_same_ranking(every_sample, key):
    comparison = every_sample[key]
    again = rerun_from_json(comparison_json(comparison))
    assert again.emp.fingerprint() == comparison.emp.fingerprint()
    assert (again.base, again.zero_policy, again.epsilon) == (comparison.base, comparison.zero_policy, comparison.epsilon)
    _same_ranking(comparison, again)


def test_json_round_trip_with_settings_and_awkward_options():
    emp = Empirical.from_samples(["H", "T", "H", "H", " =evil ", "T"])
    reference = Empirical.from_samples(["H", "T", "T", "T"])
    requests = [
        "uniform",
        ("custom", {"values": ["H", "T", "=evil"], "weights": [3, 2, 1], "label": EVIL}),
        ("empirical", {"reference": reference}),
    ]
    comparison = compare(emp, requests, base=math.e, zero_policy="epsilon", epsilon=1e-3)
    again = rerun_from_json(comparison_json(comparison))
    assert again.zero_policy == "epsilon" and again.epsilon == 1e-3 and again.base == math.e
    _same_ranking(comparison, again)


def test_json_round_trip_binned_and_bootstrap():
    comparison = compare(SAMPLES["waiting"].empirical(), ["gamma", "expon"], bootstrap=5)
    document = json.loads(comparison_json(comparison))
    assert document["settings"]["bootstrap"] == 5 and len(document["data"]["edges"]) == comparison.emp.k + 1
    again = rerun_from_json(comparison_json(comparison))
    _same_ranking(comparison, again)
    assert np.allclose(again.table["kl_low"], comparison.table["kl_low"], rtol=1e-9)


def test_json_rejects_tampered_or_foreign_text(worms):
    document = json.loads(comparison_json(worms))
    document["data"]["counts"][0] += 1
    with pytest.raises(DataError, match="fingerprint"):
        rerun_from_json(json.dumps(document))
    with pytest.raises(DataError, match="not a KL Model Lab"):
        comparison_from_json('{"hello": 1}')
    with pytest.raises(DataError, match="not valid JSON"):
        comparison_from_json("{")


def test_ready_made_models_are_marked_not_rerunnable(teeth):
    ready = fit(teeth, "binomial", n=10, p=0.5)
    comparison = compare(teeth, ["uniform", ready])
    document = json.loads(comparison_json(comparison))
    assert {m["key"]: m["rerunnable"] for m in document["models"]} == {"uniform": True, "binomial": False}
    assert rerun_from_json(comparison_json(comparison)).table["model"].tolist() == ["uniform"]


# ------------------------------------------------------------------ snippet
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


# --------------------------------------------------------------------- HTML
def _figure_count(text: str) -> int:
    return len(re.findall(r'class="plotly-graph-div"', text))


def test_html_is_self_contained(worms):
    text = html_report(worms, source="sample: worms")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.IGNORECASE)
    assert not re.search(r"<link\b", text, re.IGNORECASE)
    assert not re.search(r"@import|url\(", text.split("<script", 1)[0], re.IGNORECASE)
    assert text.count("<script type='text/javascript'>") == 1  # plotly.js, once
    # Outside the plotly.js bundle, no URL at all.
    head, rest = text.split("<script type='text/javascript'>", 1)
    bundle_end = rest.index("</script>")
    outside = head + rest[bundle_end:]
    assert not re.search(r"https?://", outside)
    assert "MathJax" not in outside
    assert _figure_count(text) == 5 == len(report_figures(worms))


def test_html_has_every_section(worms):
    text = html_report(worms, title="Teeth report")
    for needed in ("<title>Teeth report</title>", "The data", "Ranking", "Why KL ranks models", "Settings and versions",
                   "Poisson loses 0.13 bits per observation", "0.1972", "0.6165", worms.emp.fingerprint(), "numpy"):
        assert needed in text, needed
    assert "log L = −N · (H(P̂) + D<sub>KL</sub>" in text
    for div_id in ("figure-1", "figure-2", "figure-3", "figure-4", "figure-5"):
        assert f'id="{div_id}"' in text


def test_html_escapes_user_text():
    emp = Empirical.from_counts(["<b>x</b>", "y"], [3, 1], name=EVIL)
    comparison = compare(emp, ["uniform", ("custom", {"values": ["<b>x</b>", "y"], "weights": [2, 1], "label": EVIL})])
    text = html_report(comparison, title=EVIL, source=EVIL)
    outside = text.replace(text[text.index("<script type='text/javascript'>"):text.index("</script>") + 9], "")
    assert "<script>alert" not in outside and "<b>x</b>" not in outside
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in outside


def test_html_names_user_models_in_words_and_fits_its_page():
    teeth = SAMPLES["worms"].empirical()
    comparison = compare(teeth, ["uniform", ("custom", {"values": list(range(11)), "weights": [1] * 11}),
                                 ("expression", {"formula": "p*(1-p)^x", "start": {"p": 0.3}}), "nbinom", "geom", "poisson",
                                 "binomial"])
    text = html_report(comparison)
    assert "your formula: p*(1-p)^x (start p=0.3)" in text
    assert "your table: 11 values (0, 1, 2, 3, 4, 5, … (5 more)) with weights" in text
    assert '{"formula"' not in text and "{&quot;formula" not in text and '{"values"' not in text
    assert "<td>negative binomial</td>" in text and "<td>geometric</td>" in text and "<td>nbinom</td>" not in text
    assert "ΔAIC (nats)" in text and "−2 log L scale" in text
    assert "white-space: nowrap" not in text.split("<script", 1)[0]  # cells wrap rather than widen the page
    assert "and 2 more are in the table" in text  # one line, not a list of names
    # The drawn models carry their figure colours, in rank order.
    from kl_core.plots import model_colors
    ranked = [str(key) for key in comparison.table["model"] if key in comparison.fitted]
    dots = re.findall(r"<td class='swatch' style='color: (#[0-9A-Fa-f]{6})'>●</td>", text)
    assert dots == [model_colors(ranked)[key] for key in ranked[:5]]


@pytest.mark.parametrize("key", list(SAMPLES))
def test_html_for_every_sample(every_sample, key):
    text = html_report(every_sample[key])
    assert _figure_count(text) == len(report_figures(every_sample[key]))
