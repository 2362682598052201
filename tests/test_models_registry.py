"""kl_core/models/registry.py: the lazy registry (what loads when), how the Models page's catalogue is split and what
"the whole catalogue" ticks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kl_core.errors import DataError
from kl_core.models import REGISTRY
from kl_core.models.continuous import CATALOGUE, SHORTLIST
from kl_core.models.registry import (
    SECTIONS, applicable_models, catalogue_split, default_models, get_spec, register, whole_catalogue,
)
from kl_core.samples import SAMPLES


def test_the_split_keeps_every_name_once_in_order():
    names = list(REGISTRY)
    up_front, rest = catalogue_split(names)
    assert sorted(up_front + rest) == sorted(names)
    assert up_front == [n for n in names if n in up_front] and rest == [n for n in names if n in rest]


def test_the_shortlist_and_everything_outside_the_catalogue_come_first():
    up_front, rest = catalogue_split(list(REGISTRY))
    assert set(SHORTLIST) <= set(up_front) and {"uniform", "binomial", "poisson", "custom"} <= set(up_front)
    assert rest and set(rest) <= set(CATALOGUE) - set(SHORTLIST)


def test_the_whole_catalogue_is_what_applies_to_the_data():
    waiting = SAMPLES["waiting"].empirical()
    whole = whole_catalogue(waiting)
    assert set(SHORTLIST) <= set(whole)
    assert all(REGISTRY[name].why_not(waiting) is None for name in whole)
    assert [name for name in CATALOGUE if name in REGISTRY and name not in whole] == [
        name for name in CATALOGUE if name in REGISTRY and REGISTRY[name].why_not(waiting) is not None]
    assert whole_catalogue(SAMPLES["coin"].empirical()) == []  # labels: no continuous family


# ------------------------------------------------------------------ the lazy registry
ROOT = Path(__file__).resolve().parents[1]


def run_fresh(code: str) -> Any:
    """What ``code`` prints last, as JSON, run in a new interpreter (nothing loaded yet)."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_each_family_is_in_a_section_that_declares_its_group_and_kinds():
    names = list(REGISTRY)  # loads every section
    assert [s.module for s in SECTIONS] == REGISTRY.loaded()
    for name in names:
        spec = REGISTRY[name]
        holders = [s for s in SECTIONS if s.group == spec.group and spec.kinds <= s.kinds]
        assert holders, f"{name}: no section of group {spec.group!r} declares the kinds {sorted(spec.kinds)}"
        if spec.default:
            assert any(spec.kinds <= s.default_kinds for s in holders), f"{name} is a default no section declares"


def test_every_section_registers_families_of_its_own_group():
    added = run_fresh(
        "import importlib, json\nfrom kl_core.models.registry import REGISTRY, SECTIONS\nadded = []\n"
        "for section in SECTIONS:\n    before = set(REGISTRY.registered())\n    importlib.import_module(section.module)\n"
        "    added.append(sorted({REGISTRY[n].group for n in set(REGISTRY.registered()) - before}))\n"
        "print(json.dumps(added))")
    assert added == [[section.group] for section in SECTIONS]


def test_the_order_does_not_depend_on_which_section_loads_first():
    reversed_load = run_fresh(
        "import json\nfrom kl_core.models.registry import REGISTRY, SECTIONS\n"
        "REGISTRY.load(SECTIONS[::-1])\nprint(json.dumps(list(REGISTRY)))")
    names = list(REGISTRY)
    assert reversed_load == names
    groups = [REGISTRY[name].group for name in names]
    assert groups == sorted(groups, key=[s.group for s in SECTIONS].index)  # each group together, in section order


def test_default_models_for_counts_load_only_the_simple_and_discrete_sections():
    loaded = run_fresh(
        "import json, sys\nfrom kl_core.empirical import Empirical\nfrom kl_core.models import default_models\n"
        "from kl_core.models.registry import REGISTRY\n"
        "names = default_models(Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7]))\n"
        "print(json.dumps([names, REGISTRY.loaded(), sorted(m for m in sys.modules if m.startswith('kl_core.models'))]))")
    names, sections, modules = loaded
    assert names == ["uniform", "binomial", "poisson"]
    assert sections == ["kl_core.models.simple", "kl_core.models.discrete"]
    assert modules == ["kl_core.models", "kl_core.models.base", "kl_core.models.discrete", "kl_core.models.registry",
                       "kl_core.models.simple"]


def test_a_continuous_name_loads_the_catalogue_and_nothing_after_it():
    label, sections = run_fresh(
        "import json\nfrom kl_core.models import REGISTRY\n"
        "print(json.dumps([REGISTRY['gamma'].label, REGISTRY.loaded()]))")
    assert label == "Gamma"
    assert sections == ["kl_core.models.simple", "kl_core.models.discrete", "kl_core.models.continuous.registration"]


def test_an_unknown_name_looks_everywhere_then_suggests():
    assert "burr" not in REGISTRY or REGISTRY["burr"].group == "continuous"
    assert "no such family" not in REGISTRY and REGISTRY.get("no such family") is None
    with pytest.raises(DataError, match="Did you mean zipfian"):
        get_spec("zipfan")


def test_matching_finds_what_a_full_scan_finds():
    waiting, teeth = SAMPLES["waiting"].empirical(), SAMPLES["worms"].empirical()
    for emp in (waiting, teeth, SAMPLES["coin"].empirical()):
        assert default_models(emp) == [n for n, s in REGISTRY.items() if s.default and s.why_not(emp) is None]
        for groups in (["simple", "discrete"], ["simple", "continuous"], ["mixtures"], ["yours"]):
            assert applicable_models(emp, groups) == [
                n for n, s in REGISTRY.items() if s.group in groups and s.why_not(emp) is None]
    assert set(SHORTLIST) <= set(default_models(waiting)) and "poisson" in default_models(teeth)


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        register(REGISTRY["poisson"])
