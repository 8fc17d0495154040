"""The generated reference pages in docs/ must match what the code produces now (regenerate: tools/make_docs.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pa_graph.docs import cookbook_markdown, ontology_markdown

ROOT = Path(__file__).resolve().parents[1]


def make_docs_module():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "tools" / "make_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ontology_page_is_current():
    assert (ROOT / "docs" / "ontology.md").read_text(encoding="utf-8") == ontology_markdown(), \
        "run python tools/make_docs.py"


def test_cookbook_page_is_current(built, fake_enriched):
    page = cookbook_markdown(built / "graph.ttl", fake_enriched / "graph.ttl", make_docs_module().NEEDS_S2)
    assert (ROOT / "docs" / "cookbook.md").read_text(encoding="utf-8") == page, "run python tools/make_docs.py"
    assert page.count("**synthetic**") == 1 and page.count("synthetic fake-enriched build:") == 8
