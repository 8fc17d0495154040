"""The generated reference pages in docs/ must match what the code produces now (regenerate: tools/make_docs.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from docs_pages import COOKBOOK_END, COOKBOOK_START, cli_markdown, cookbook_markdown, cookbook_summary, ontology_markdown

ROOT = Path(__file__).resolve().parents[1]


def make_docs_module():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "tools" / "make_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ontology_page_is_current():
    assert (ROOT / "docs" / "ontology.md").read_text(encoding="utf-8") == ontology_markdown(), \
        "run python tools/make_docs.py"


def test_cli_reference_is_current():
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == cli_markdown(), "run python tools/make_docs.py"
    for command in ("build", "query", "push", "view", "gaps", "diff", "history", "audit", "stats", "serve", "cache clear"):
        assert f"## `pa-graph {command}`" in page


def test_cookbook_page_is_current(built, fake_enriched, field_built):
    page = cookbook_markdown(built / "graph.ttl", fake_enriched / "graph.ttl", make_docs_module().NEEDS_S2,
                             field_built / "graph.ttl")
    assert (ROOT / "docs" / "cookbook.md").read_text(encoding="utf-8") == page, "run python tools/make_docs.py"
    assert page.count("**synthetic**") == 1 and page.count("synthetic fake-enriched build:") == 9


def test_sparql_page_cookbook_is_current(built, fake_enriched, field_built):
    readme = (ROOT / "docs" / "sparql.md").read_text(encoding="utf-8")
    shown = COOKBOOK_START + readme.split(COOKBOOK_START, 1)[1].split(COOKBOOK_END, 1)[0] + COOKBOOK_END
    assert shown == cookbook_summary(built / "graph.ttl", fake_enriched / "graph.ttl", make_docs_module().NEEDS_S2,
                                     field_graph=field_built / "graph.ttl"), "run python tools/make_docs.py"
    assert shown.count("`pa-graph query ") == 17
