"""Tests for kl_core/__init__.py: the public names are lazy, so ``import kl_core`` stays light.

Each check runs in a fresh interpreter and looks at ``sys.modules`` (which modules were
loaded, never how long it took): a heavy library imported at the top of a module that
``import kl_core`` or the command line's start reaches makes these fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kl_core

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("plotly", "duckdb", "openpyxl", "dask", "distributed", "streamlit", "scipy.stats", "numba")


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules in ``sys.modules`` after running ``code`` in a new interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_kl_core_loads_no_heavy_module():
    assert loaded_after("import kl_core") == []


def test_import_kl_core_loads_neither_pandas_nor_scipy():
    probe = "import kl_core, sys\nprint(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'scipy', 'pyarrow'}))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_cli_help_loads_no_heavy_module():
    code = "import contextlib, io\nfrom kl_core.__main__ import main\nwith contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])"
    assert loaded_after(code) == []


@pytest.mark.parametrize("module", ["kl_core.io", "kl_core.empirical", "kl_core.stream", "kl_core.sketch"])
def test_reading_modules_load_no_heavy_module(module):
    """Reading a CSV or Parquet file into an Empirical needs neither plotly, duckdb, openpyxl nor scipy.stats."""
    assert loaded_after(f"import {module}") == []


def test_counting_numbers_loads_neither_scipy_nor_pandas():
    """Numbers are counted without scipy or pandas; fitting, measuring and reading tables load them. numba
    (the fine sketch's loops) only where a fine sketch is built."""
    probe = ("import numpy as np, sys\nfrom kl_core.empirical import Empirical\n"
             "Empirical.from_samples(np.arange(10.0) / 3)\nEmpirical.from_samples(np.arange(10))\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'pandas', 'numba'}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"  # numbers in, Empirical out: neither scipy nor pandas (the stream path's case)


def test_a_fine_sketch_loads_numba():
    """The probe above can fail: many distinct floats build the fine sketch, which loads the compiled loops."""
    probe = ("import numpy as np, sys\nfrom kl_core.sketch import ValueSketch\n"
             "ValueSketch.from_values(np.random.default_rng(0).normal(size=3_000), max_exact=1_000)\n"
             "print('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_probe_sees_a_heavy_module_when_one_is_imported():
    """The check can fail: a module that pulls in scipy.stats is reported."""
    assert loaded_after("import kl_core.ranking") == ["scipy.stats"]


def test_public_names_resolve_to_their_modules():
    for name in kl_core.__all__:
        value = getattr(kl_core, name)
        assert getattr(value, "__name__", name) == name or name == "REGISTRY"
    assert kl_core.Empirical is __import__("kl_core.empirical", fromlist=["Empirical"]).Empirical
    assert set(kl_core.__all__) <= set(dir(kl_core))


def test_submodules_are_reachable_as_attributes():
    assert kl_core.ranking.compare is kl_core.compare


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        kl_core.nonexistent  # noqa: B018
    assert not hasattr(kl_core, "_private_thing")
