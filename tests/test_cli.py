"""The command line, run through main([...]) (plus one real ``python -m kl_core``)."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kl_core.__main__ import main

TEETH = list(range(11))
WORMS = [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def worms_csv(tmp_path: Path) -> Path:
    path = tmp_path / "worms.csv"
    path.write_text("teeth,worms\n" + "".join(f"{t},{w}\n" for t, w in zip(TEETH, WORMS)))
    return path


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rank_args(path: Path, *extra: str) -> list[str]:
    return ["rank", str(path), "--column", "teeth", "--shape", "counts", "--models", "uniform,binomial", *extra]


def test_table_ranks_uniform_then_binomial(capsys, worms_csv):
    code, out, err = run(capsys, *rank_args(worms_csv))
    assert code == 0, err
    rows = [line for line in out.splitlines() if line[:1].isdigit()]
    assert rows[0].split()[1] == "uniform" and rows[1].split()[1] == "binomial"
    assert "0.1972" in rows[0] and "0.6165" in rows[1]  # the table shows 4 significant digits
    assert out.rstrip().splitlines()[-1].startswith("Uniform loses 0.197 bits per observation, binomial 0.617")


def test_csv_format(capsys, worms_csv):
    code, out, _ = run(capsys, *rank_args(worms_csv, "--format", "csv"))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["model"] for row in rows] == ["uniform", "binomial"]
    assert [round(float(row["kl"]), 3) for row in rows] == [0.197, 0.617]


def test_json_format(capsys, worms_csv):
    code, out, _ = run(capsys, *rank_args(worms_csv, "--format", "json"))
    assert code == 0
    document = json.loads(out)
    assert document["best"] == "uniform" and document["unit"] == "bits"
    assert [round(m["kl"], 3) for m in document["models"]] == [0.197, 0.617]
    assert document["models"][1]["params"]["n"] == 10
    assert document["data"]["n"] == 100
    assert "0.197" in document["verdict"]


def test_base_e_is_bits_times_ln2(capsys, worms_csv):
    _, bits_out, _ = run(capsys, *rank_args(worms_csv, "--format", "json"))
    _, nats_out, _ = run(capsys, *rank_args(worms_csv, "--format", "json", "--base", "e"))
    bits, nats = json.loads(bits_out), json.loads(nats_out)
    assert nats["unit"] == "nats"
    for b, n in zip(bits["models"], nats["models"]):
        for column in ("kl", "reverse_kl", "js", "cross_entropy"):
            assert n[column] == pytest.approx(b[column] * math.log(2), rel=1e-9)


def test_option_sets_a_model_parameter(capsys, worms_csv):
    code, out, _ = run(capsys, *rank_args(worms_csv, "--format", "json", "--option", "binomial.n=12"))
    assert code == 0
    binomial = [m for m in json.loads(out)["models"] if m["model"] == "binomial"][0]
    assert binomial["params"]["n"] == 12


def test_sample_worms(capsys):
    code, out, err = run(capsys, "rank", "sample:worms", "--models", "uniform,binomial")
    assert code == 0, err
    assert "Uniform loses 0.197 bits per observation, binomial 0.617" in out


def test_samples_lists_worms(capsys):
    code, out, _ = run(capsys, "samples")
    assert code == 0 and "sample:worms" in out and "sample:waiting" in out


def test_streaming_path_gives_the_same_numbers(capsys, worms_csv):
    _, whole, _ = run(capsys, *rank_args(worms_csv, "--format", "csv"))
    _, streamed, err = run(capsys, *rank_args(worms_csv, "--format", "csv", "--stream", "always"))
    assert streamed == whole, err


def test_progress_bar_goes_to_stderr_only(capsys, worms_csv):
    code, out, err = run(capsys, *rank_args(worms_csv, "--format", "csv", "--stream", "always", "--progress"))
    assert code == 0 and "\r" not in out.replace("\r\n", "")  # a bar redraws with a bare CR; CSV lines end in CRLF


def _single_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("kl_core: error:"), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing file", "No such file"),
        ("bad column", "no column 'teeeth'"),
        ("binary file", "binary"),
        ("bad option", "MODEL.KEY=VALUE"),
        ("unknown sample", "no sample called"),
        ("unknown flag", "unrecognized arguments"),
        ("text in a number column", "not numbers"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, worms_csv, case, expected):
    binary = tmp_path / "data.csv"
    binary.write_bytes(bytes(range(256)) * 40)
    text_numbers = tmp_path / "teeth.csv"
    text_numbers.write_text("teeth\n1\n2\nthree\nfour\nfive\n" + "3\n" * 20)
    argv = {
        "missing file": ["rank", tmp_path / "nope.csv", "--column", "teeth"],
        "bad column": ["rank", worms_csv, "--column", "teeeth", "--shape", "counts"],
        "binary file": ["rank", binary, "--column", "x"],
        "bad option": rank_args(worms_csv, "--option", "binomial"),
        "unknown sample": ["rank", "sample:wurms"],
        "unknown flag": rank_args(worms_csv, "--bogus"),
        "text in a number column": ["rank", text_numbers, "--column", "teeth", "--kind", "discrete", "--stream", "always"],
    }[case]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert expected.lower() in _single_error_line(err).lower()


def test_unknown_model_is_a_row_with_its_reason(capsys, worms_csv):
    code, out, _ = run(capsys, *rank_args(worms_csv, "--models", "uniform,binomal"))
    assert code == 0 and "no model called 'binomal'" in out.lower()


def test_report_writes_html(capsys, tmp_path, worms_csv):
    out_file = tmp_path / "report.html"
    code, out, err = run(capsys, "report", worms_csv, "--column", "teeth", "--shape", "counts",
                         "--models", "uniform,binomial", "--out", out_file)
    assert code == 0, err
    html = out_file.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "uniform" in html


def test_entry_point_in_a_real_process(worms_csv):
    result = subprocess.run(
        [sys.executable, "-m", "kl_core", *rank_args(worms_csv, "--format", "csv")],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("uniform,")
    bad = subprocess.run([sys.executable, "-m", "kl_core", "rank", "nope.csv", "-c", "x"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("kl_core: error:") and "Traceback" not in bad.stderr


def test_csv_format_is_the_apps_csv_with_formulas_neutralised(capsys, worms_csv):
    """Issue 13 row 15: one CSV writer (kl_core.export.csv) for the CLI and the app."""
    hostile = "=cmd|' /C calc'!A0"
    code, out, _ = run(capsys, *rank_args(worms_csv, "--format", "csv", "--models", f"uniform,{hostile}"))
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[2][0] == "'" + hostile and rows[2][1] == "'" + hostile
    assert all(not cell.startswith(("=", "@", "+")) for row in rows for cell in row)
    assert out.count("\r\n") == len(rows)
    assert json.loads(rows[1][rows[0].index("params")]) == {"low": 0, "high": 10}


def test_without_column_the_cli_reads_as_the_app_guesses(capsys, tmp_path):
    from tests.datafiles import discoveries_csv

    path = tmp_path / "discoveries.csv"
    path.write_bytes(discoveries_csv())
    code, out, err = run(capsys, "rank", path, "--models", "poisson", "--format", "csv")
    assert code == 0, err
    assert "Reading `discoveries`, one observation per row; `year` looks like an index: 1860–1959" in err
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["model"] == "poisson"
    # mu = mean(discoveries) = 3.1, as R's MLE (to rounding: with AVX-512 numpy sums in another order, 3.0999999999999996)
    assert json.loads(row["params"])["mu"] == pytest.approx(3.1, rel=1e-14)


# ---------------------------------------------------------------- --rank-by (issue 12 item 3)
def _order_by(models: list[dict], column: str) -> list[str]:
    return [m["model"] for m in sorted(models, key=lambda m: float(m[column]))]


def test_rank_by_aic_and_bic_order_the_ranking_and_are_recorded(capsys, worms_csv):
    args = rank_args(worms_csv, "--models", "betabinom,nbinom,poisson", "--format", "json")
    code, out, _ = run(capsys, *args)
    by_kl = json.loads(out)
    assert code == 0 and by_kl["rank_by"] == "kl"
    assert [m["model"] for m in by_kl["models"]] == _order_by(by_kl["models"], "kl") == ["betabinom", "nbinom", "poisson"]
    for column in ("aic", "bic"):
        code, out, _ = run(capsys, *args, "--rank-by", column)
        document = json.loads(out)
        assert code == 0 and document["rank_by"] == column
        # Poisson's one parameter outweighs negative binomial's slightly better fit once penalised.
        assert [m["model"] for m in document["models"]] == _order_by(document["models"], column) == ["betabinom", "poisson", "nbinom"]


def test_rank_by_in_the_text_table_and_the_html_report(capsys, tmp_path, worms_csv):
    code, out, _ = run(capsys, *rank_args(worms_csv, "--models", "nbinom,poisson", "--rank-by", "bic"))
    assert code == 0 and "ranked by BIC, best first" in out
    out_file = tmp_path / "report.html"
    code, _, err = run(capsys, "report", worms_csv, "--column", "teeth", "--shape", "counts",
                       "--models", "nbinom,poisson", "--rank-by", "aic", "--out", out_file)
    assert code == 0, err
    assert "Ranked by AIC, best first" in out_file.read_text(encoding="utf-8")


def test_rank_by_rejects_other_words_in_one_line(capsys, worms_csv):
    code, _, err = run(capsys, *rank_args(worms_csv, "--rank-by", "loglik"))
    assert code == 2 and "--rank-by" in _single_error_line(err) and "Traceback" not in err


# ------------------------------------------------------------------ what a ranking of counts loads
MODULE_PROBE = """
import contextlib, io, json, sys
from kl_core.__main__ import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
wanted = ("kl_core.models", "kl_core.continuous_kl", "plotly", "duckdb", "openpyxl", "dask", "distributed", "streamlit")
print(json.dumps([code, out.getvalue().count("Poisson"),
                  sorted({m if m.startswith("kl_core") else m.split(".")[0] for m in sys.modules
                          if any(m == w or m.startswith(w + ".") for w in wanted)})]))
"""
COUNTS_MODULES = ["kl_core.models", "kl_core.models.base", "kl_core.models.discrete", "kl_core.models.registry",
                  "kl_core.models.simple"]


def loaded_by_cli(*argv: str) -> tuple[int, int, list[str]]:
    """Exit status, how often the output names Poisson, and the model modules and heavy libraries a fresh ``main(argv)``
    loaded."""
    done = subprocess.run([sys.executable, "-c", MODULE_PROBE, *argv], cwd=ROOT, capture_output=True, text=True, check=True)
    code, poisson, modules = json.loads(done.stdout.strip().splitlines()[-1])
    return code, poisson, modules


@pytest.fixture
def counts_csv(tmp_path: Path) -> Path:
    path = tmp_path / "counts.csv"
    path.write_text("v\n" + "".join(f"{value}\n" for value, count in zip(TEETH, WORMS) for _ in range(count)))
    return path


def test_ranking_counts_loads_only_the_simple_and_discrete_families(counts_csv):
    """The default families of counts are simple and discrete: no continuous catalogue, mixtures, plotly or DuckDB."""
    code, poisson, modules = loaded_by_cli("rank", str(counts_csv))
    assert (code, modules) == (0, COUNTS_MODULES)
    assert poisson >= 1  # the ranking really ran: Poisson is among the default families of counts


def test_streaming_counts_loads_duckdb_but_no_other_family(counts_csv):
    code, poisson, modules = loaded_by_cli("rank", str(counts_csv), "--column", "v", "--stream", "always")
    assert (code, modules) == (0, ["duckdb", *COUNTS_MODULES])
    assert poisson >= 1


def test_the_probe_sees_the_catalogue_when_a_continuous_family_is_asked_for(counts_csv):
    code, _, modules = loaded_by_cli("rank", str(counts_csv), "--models", "poisson,norm_discretised")
    assert code == 0 and "kl_core.models.continuous.registration" in modules and "kl_core.models.mixture" not in modules


def test_python_m_kl_core_reads_with_one_worker(counts_csv):
    """The command line reads one file, so its bounded reader starts one worker process, not the app's pool of two."""
    probe = ("import os, runpy, sys\nsys.argv = ['kl_core', 'rank', sys.argv[1]]\n"
             "try:\n    runpy.run_module('kl_core', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "children = [pid for task in os.listdir('/proc/self/task')\n"
             "            for pid in open(f'/proc/self/task/{task}/children').read().split()]\n"
             "print(len(children), file=sys.stderr)")
    env = {key: value for key, value in os.environ.items() if key != "KL_READ_WORKERS"}
    done = subprocess.run([sys.executable, "-c", probe, str(counts_csv)], cwd=ROOT, capture_output=True, text=True,
                          check=True, env=env)
    assert "Poisson" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "1"


# ------------------------------------------------------------------ exit while the ranking code is imported
THREAD_PROBE = """
import contextlib, io, json, sys, threading
from kl_core.__main__ import main
with contextlib.redirect_stderr(io.StringIO()) as err:
    code = main(sys.argv[1:])
alive = [thread.name for thread in threading.enumerate() if thread.name.startswith("import ")]
print(json.dumps([code, alive, err.getvalue().strip().splitlines()]))
"""


def test_bad_data_returns_only_once_the_background_import_is_done(tmp_path):
    """A missing file fails long before scipy is imported: main() still returns with no import thread running, so the
    interpreter never exits mid-import (which can end in "Fatal Python error" instead of the one-line error)."""
    missing = tmp_path / "nope.csv"
    done = subprocess.run([sys.executable, "-c", THREAD_PROBE, "rank", str(missing)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    code, alive, lines = json.loads(done.stdout.strip().splitlines()[-1])
    assert (code, alive) == (2, [])
    assert len(lines) == 1 and lines[0].startswith("kl_core: error: cannot read")


@pytest.mark.parametrize("name", ["missing", "text_only_header.csv"])
def test_an_early_data_error_exits_cleanly_every_time(tmp_path, name):
    """Ten fresh processes per file (a bounded number of runs, no clock): status 2 and one ``kl_core: error:`` line
    on stderr each time, never a traceback or a fatal error from the import thread."""
    path = tmp_path / "nope.csv" if name == "missing" else tmp_path / name
    if name != "missing":
        path.write_text("x\n")  # a header and no rows
    for _ in range(10):
        done = subprocess.run([sys.executable, "-m", "kl_core", "rank", str(path), "--column", "x"], cwd=ROOT,
                              capture_output=True, text=True)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, done.stderr
        assert len(lines) == 1 and lines[0].startswith("kl_core: error: "), done.stderr
