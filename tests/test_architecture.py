"""The import rule of the architecture page (docs/architecture.md), checked on every import in the package —
function-level imports included, since a lazy import is still a dependency.

    cli → pipeline → analysis / export → model → lists / sources → records / text / errors / resolve / outputs / tls

A module may import its own layer's package and any layer below; the packages of one layer do not
import each other. Two sideways imports are allowed and named: an
analysis may read the vocabulary (``export.vocab``), and a list fetched by URL is cached like any other answer
(``lists`` → ``sources.response_cache``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pa_graph

PACKAGE = Path(pa_graph.__file__).parent

#: Top to bottom; a module's layer is the first entry naming it or the package it is in.
LAYERS = [
    {"pa_graph", "pa_graph.__main__", "pa_graph.cli"},
    {"pa_graph.session", "pa_graph.serve", "pa_graph.site", "pa_graph.pipeline", "pa_graph.build_folder"},
    {"pa_graph.analysis", "pa_graph.export"},
    {"pa_graph.model"},
    {"pa_graph.lists", "pa_graph.sources"},
    {"pa_graph.records", "pa_graph.text", "pa_graph.errors", "pa_graph.resolve", "pa_graph.outputs",
     "pa_graph.version", "pa_graph.tls", "pa_graph.settings", "pa_graph.options"},
]
#: Layers whose packages stand side by side and may not import each other (the others are modules that may).
SIDE_BY_SIDE = {2, 4}
SIDEWAYS = {("pa_graph.analysis", "pa_graph.export.vocab"), ("pa_graph.lists", "pa_graph.sources.response_cache")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _group(module: str) -> tuple[int, str]:
    """(layer, the package or module naming it)."""
    for depth, layer in enumerate(LAYERS):
        for name in sorted(layer, key=len, reverse=True):
            if module == name or (name != "pa_graph" and module.startswith(name + ".")):
                return depth, name
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and to docs/architecture.md")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names
                      if (PACKAGE.parent / f"{node.module}.{alias.name}".replace(".", "/")).with_suffix(".py").exists()
                      or (PACKAGE.parent / f"{node.module}.{alias.name}".replace(".", "/")).is_dir()}
    return {name for name in found if name == "pa_graph" or name.startswith("pa_graph.")}


def violations(package: Path = PACKAGE) -> list[str]:
    wrong = []
    for path in sorted(package.rglob("*.py")):
        importer = _module_name(path)
        layer, group = _group(importer)
        for imported in sorted(_imports(path)):
            if imported == "pa_graph" and importer != "pa_graph" and layer > 0:
                wrong.append(f"{importer} → pa_graph (the package's face; import the module itself)")
                continue
            their_layer, their_group = _group(imported)
            sideways = any(importer.startswith(a) and (imported == b or imported.startswith(b + "."))
                           for a, b in SIDEWAYS)
            if their_layer < layer or (their_layer == layer and layer in SIDE_BY_SIDE and their_group != group and not sideways):
                wrong.append(f"{importer} → {imported}")
    return wrong


def test_every_import_points_down_the_layers():
    assert violations() == []


def test_the_rule_catches_an_import_pointing_up(tmp_path):
    """The checker itself: a list reader importing the pipeline, and a source importing a list reader, are caught."""
    package = tmp_path / "pa_graph"
    (package / "lists").mkdir(parents=True)
    (package / "sources").mkdir()
    (package / "__init__.py").write_text("")
    (package / "pipeline.py").write_text("")
    (package / "lists" / "__init__.py").write_text("")
    (package / "sources" / "__init__.py").write_text("")
    (package / "lists" / "read.py").write_text("def f():\n    from pa_graph.pipeline import build\n")
    (package / "sources" / "s2.py").write_text("from pa_graph.lists import read\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, package
    try:
        assert violations(package) == ["pa_graph.lists.read → pa_graph.pipeline", "pa_graph.sources.s2 → pa_graph.lists",
                                       "pa_graph.sources.s2 → pa_graph.lists.read"]
    finally:
        PACKAGE = saved


def test_the_library_face_lists_what_it_offers_and_each_name_resolves():
    names = dir(pa_graph)
    for name in ("assemble", "KnowledgeGraph", "open_build", "Build", "s2_session", "source_session", "BuildOptions",
                 "GapOptions", "EnrichOptions", "PaGraphError", "ListInputError"):
        assert name in names and name in pa_graph.__all__, name
    assert all(getattr(pa_graph, name) is not None for name in pa_graph.__all__)


def _calls_of(name: str) -> dict[str, int]:
    """Module → how many times its code calls ``name(…)``."""
    found: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        calls = sum(1 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == name)
        if calls:
            found[_module_name(path)] = calls
    return found


def test_only_the_session_makes_the_response_cache_and_the_list_fetcher():
    """One owner for the cache folder: no other module opens a ``ResponseCache`` or a ``ListFetcher`` of its own."""
    assert set(_calls_of("ResponseCache")) == {"pa_graph.session"}
    assert set(_calls_of("ListFetcher")) == {"pa_graph.session"}


def test_analysis_never_writes_a_list():
    assert not [name for path in (PACKAGE / "analysis").rglob("*.py") for name in _imports(path)
                if name.startswith("pa_graph.lists.write")]



def test_the_command_line_imports_only_the_session_the_options_and_the_errors():
    """The command line is a thin shell: every import it makes — at the top, in a command or for type checking —
    is the session (the library's one door), the options (defaults and the version) or the errors."""
    assert _imports(PACKAGE / "cli.py") == {"pa_graph.session", "pa_graph.options", "pa_graph.errors"}


def test_every_name_the_session_offers_the_command_line_resolves():
    """The session's door loads lazily: each name it offers must resolve to the library's own object."""
    import importlib

    from pa_graph import session

    for name, (module, attribute) in session._FOR_THE_COMMAND_LINE.items():
        assert getattr(session, name) is getattr(importlib.import_module(module), attribute), name
        assert name in session.__all__, name
