"""The code's layout, enforced: imports flow one way, read with ``ast`` (nothing is run).

kl_core is the engine and never imports Streamlit or the app (``app.py``, ``ui/``,
``pages/``). Inside kl_core each module sits in a layer (:data:`LAYERS`, lowest first)
and imports only from its own layer or lower ones, at module level or inside a function;
module-level imports have no cycles (``import kl_core``, to read ``kl_core.__version__``,
is the one import of the package itself a module may make). Every kl_core module declares ``__all__``, and the
app imports only names a kl_core module exports. The README's "How the code is laid
out" describes these layers; a new kl_core module must be placed in one here.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "kl_core"
APP_FILES = sorted([ROOT / "app.py", *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").rglob("*.py")])

# Lowest first. A module belongs to the first entry that is its name or a package above it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("kl_core.errors", "kl_core.vocabulary", "kl_core.plain", "kl_core.options", "kl_core.sketch", "kl_core.sketch_kernels", "kl_core.formula"),
    ("kl_core.measures",),
    ("kl_core.io", "kl_core.empirical", "kl_core.sketched", "kl_core.samples", "kl_core.stream", "kl_core.cluster"),
    ("kl_core.models",),
    ("kl_core.continuous_kl", "kl_core.display", "kl_core.ranking", "kl_core.diagnostics", "kl_core.uncertainty"),
    ("kl_core.plots",),
    ("kl_core.export", "kl_core.share", "kl_core.lessons"),
    ("kl_core.__main__", "kl_core"),
)
NAMES = ("foundation", "measures", "data", "models", "ranking", "figures", "outputs", "entry points")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(path: Path, module_level_only: bool = False) -> list[tuple[str, list[str]]]:
    """``(module, names)`` for each import in ``path``; ``from pkg import submodule`` counts as the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = ast.walk(tree)
    if module_level_only:
        nodes = (node for top in tree.body if not isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                 for node in ast.walk(top))
    found: list[tuple[str, list[str]]] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [alias.name for alias in node.names]
            submodules = [f"{node.module}.{name}" for name in names if _is_module(f"{node.module}.{name}")]
            found += [(submodule, []) for submodule in submodules]
            if len(submodules) < len(names):
                found.append((node.module, [name for name in names if f"{node.module}.{name}" not in submodules]))
    return found


def _engine_modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(ENGINE.rglob("*.py"))}


def _layer(module: str) -> int:
    for index, layer in enumerate(LAYERS):
        if any(module == entry or module.startswith(entry + ".") for entry in layer if entry != "kl_core"):
            return index
    if module == "kl_core":
        return len(LAYERS) - 1
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/test_layering.py (and to the README map)")


def test_every_engine_module_has_a_layer():
    for module in _engine_modules():
        _layer(module)


def test_the_engine_never_imports_streamlit_or_the_app():
    offenders = [f"{module}: import {name}" for module, path in _engine_modules().items() for name, _ in _imports(path)
                 if name.split(".")[0] in ("streamlit", "ui", "pages", "app")]
    assert offenders == []


def test_imports_never_run_upward():
    offenders = []
    for module, path in _engine_modules().items():
        own = _layer(module)
        for name, names in _imports(path):
            if name == "kl_core" and not names:
                continue  # `import kl_core` for kl_core.__version__: the package is initialised before any of its modules
            if name.startswith("kl_core") and name != module and _layer(name) > own:
                offenders.append(f"{module} ({NAMES[own]}) imports {name} ({NAMES[_layer(name)]})")
    assert offenders == []


def test_module_level_imports_have_no_cycles():
    modules = _engine_modules()
    graph = {module: {name for name, _ in _imports(path, module_level_only=True) if name in modules and name != module}
             for module, path in modules.items()}
    cycles: list[list[str]] = []

    def visit(module: str, trail: list[str], done: set[str]) -> None:
        if module in trail:
            cycles.append(trail[trail.index(module):] + [module])
            return
        if module in done:
            return
        for name in sorted(graph[module]):
            visit(name, trail + [module], done)
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        visit(module, [], done)
    assert cycles == []


@pytest.mark.parametrize("module", sorted(_engine_modules()))
def test_every_engine_module_declares_its_public_names(module):
    path = _engine_modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    declared = [node for node in tree.body if isinstance(node, ast.Assign)
                and any(isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets)]
    assert declared, f"{path.relative_to(ROOT)} has no __all__"
    if module != "kl_core.__main__":  # importing __main__ is fine, but keep the check to what it declares
        loaded = importlib.import_module(module)
        assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []


def test_the_app_imports_only_what_the_engine_exports():
    offenders = []
    for path in APP_FILES:
        for name, names in _imports(path):
            if not name.startswith("kl_core") or not names:
                continue
            exported = set(getattr(importlib.import_module(name), "__all__", ()))
            offenders += [f"{path.relative_to(ROOT)}: from {name} import {n}" for n in names if n not in exported]
    assert offenders == []


def test_a_layer_violation_would_be_caught(tmp_path):
    # The checks read real files; make sure an upward import in a low layer is seen as one.
    upward = tmp_path / "errors.py"
    upward.write_text("from kl_core.ranking import rank\nimport streamlit\n", encoding="utf-8")
    names = [name for name, _ in _imports(upward)]
    assert names == ["kl_core.ranking", "streamlit"]
    assert _layer("kl_core.ranking") > _layer("kl_core.errors")


def _readme_map() -> dict[str, int | None]:
    """Each path the README's "How the code is laid out" lists -> its layer (0-based; None for the app)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("<!-- layout:start -->"):readme.index("<!-- layout:end -->")]
    listed: dict[str, int | None] = {}
    layer: int | None = None
    for line in block.splitlines():
        heading = re.match(r"\*\*(?:kl_core, )?layer (\d+)", line)
        if heading:
            layer = int(heading.group(1)) - 1
        elif line.startswith("**The app**"):
            layer = None
        for path in re.findall(r"`((?:kl_core|ui|pages)/[\w/]+\.py)`", line.split(" — ")[0]):
            listed[path] = layer
    return listed


def test_the_readme_map_lists_every_module_in_its_layer():
    listed = _readme_map()
    on_disk = {str(path.relative_to(ROOT)) for folder in ("kl_core", "ui", "pages") for path in (ROOT / folder).rglob("*.py")}
    assert sorted(on_disk - set(listed)) == [], "add these to the README's 'How the code is laid out'"
    assert sorted(set(listed) - on_disk) == [], "the README's map lists files that are gone"
    wrong = [f"{path}: README says layer {layer + 1}, LAYERS says {_layer(_module_name(ROOT / path)) + 1}"
             for path, layer in listed.items() if path.startswith("kl_core/") and layer != _layer(_module_name(ROOT / path))]
    assert wrong == []
