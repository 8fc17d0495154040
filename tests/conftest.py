"""Shared fixtures: the bundled list assembled once, a full build into a temporary folder, a CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pa_graph import BuildOptions, assemble, build, bundled_list

FIXTURES = Path(__file__).parent / "fixtures"
_SESSION_FOLDER: Path | None = None


def pytest_configure(config) -> None:
    """The whole run (session fixtures, subprocesses and browsers included) caches in a temporary folder and has a
    temporary ``HOME``, so nothing lands in the user's: one folder per run, so a browser builds its font cache once."""
    global _SESSION_FOLDER
    _SESSION_FOLDER = Path(tempfile.mkdtemp(prefix="pa-graph-tests-"))
    os.environ["PA_GRAPH_CACHE_DIR"] = str(_SESSION_FOLDER / "cache")
    for variable, folder in [("HOME", "home"), ("XDG_CACHE_HOME", "home/.cache"), ("XDG_CONFIG_HOME", "home/.config"),
                             ("XDG_DATA_HOME", "home/.local/share")]:
        (_SESSION_FOLDER / folder).mkdir(parents=True, exist_ok=True)
        os.environ[variable] = str(_SESSION_FOLDER / folder)


#: Fixtures that build against a fake service: a test using one is end to end, so ``slow``.
END_TO_END_FIXTURES = {"fake_enriched", "fake_citations"}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if END_TO_END_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_unconfigure(config) -> None:
    if _SESSION_FOLDER is not None:
        shutil.rmtree(_SESSION_FOLDER, ignore_errors=True)
ONTOLOGY = Path(__file__).parent.parent / "ontology" / "pa.ttl"


def undeclared_pa_terms(graph) -> set[str]:
    """pa: terms a graph uses that ontology/pa.ttl does not declare with an rdfs:label and an rdfs:comment."""
    from rdflib import RDFS, Graph, URIRef

    from pa_graph.export.vocab import PA

    ontology = Graph().parse(ONTOLOGY, format="turtle")
    used = {term for triple in graph for term in triple if isinstance(term, URIRef) and term.startswith(str(PA))}
    assert used, "the graph uses pa: terms"
    return {str(term) for term in used
            if (term, RDFS.label, None) not in ontology or (term, RDFS.comment, None) not in ontology}


@pytest.fixture(scope="session")
def bundled():
    """The bundled list parsed, resolved, modelled and audited (nothing written)."""
    return assemble()


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A full build of the bundled list; returns the output folder."""
    out = tmp_path_factory.mktemp("build")
    build(options=BuildOptions(out_dir=out, enrich=False))
    return out


@pytest.fixture(scope="session")
def fake_enriched(tmp_path_factory):
    """A build of the bundled list enriched from the fake Semantic Scholar (with --contexts); the output folder.

    Its data is synthetic: see tests/fake_s2/world.py for what is planted.
    """
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph.sources.common import EnrichOptions
    from pa_graph.sources.s2 import S2Settings

    folder = tmp_path_factory.mktemp("fake-enriched")
    with FakeS2(build_world()) as fake:
        build(options=BuildOptions(out_dir=folder / "out", cache_dir=folder / "cache", extras=EnrichOptions(contexts=True),
                                   s2=S2Settings(api_url=fake.url, rate=1000.0)))
    return folder / "out"


@pytest.fixture(scope="session")
def fake_citations(tmp_path_factory):
    """The bundled list enriched from the fake S2 with --citations --embeddings (over 5,000 nodes), citations read
    in pages of 20 and capped at 30 a work; the output folder."""
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph.sources.common import EnrichOptions
    from pa_graph.sources.s2 import S2Settings

    folder = tmp_path_factory.mktemp("fake-citations")
    with FakeS2(build_world()) as fake:
        build(options=BuildOptions(out_dir=folder / "out", cache_dir=folder / "cache",
                                   extras=EnrichOptions(citations=True, embeddings=True, max_citations=30),
                                   s2=S2Settings(api_url=fake.url, rate=1000.0, page_size=20)))
    return folder / "out"


@pytest.fixture(autouse=True)
def no_real_services(monkeypatch, tmp_path_factory):
    """No test reaches the real APIs or the user's cache: refused ports and a fresh cache folder per test."""
    monkeypatch.setenv("S2_API_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("S2_API_KEY", raising=False)
    monkeypatch.setenv("OPENALEX_API_URL", "http://127.0.0.1:9")
    for name in ("OPENALEX_API_KEY", "OPENALEX_MAILTO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PA_GRAPH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def bundled_path() -> Path:
    return bundled_list()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def write_list(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


TABLE = """## Papers

| Paper | Abbr. | Year | Source | Tag | PDF |
|---|---|---|---|---|---|
{rows}
"""


def row(title: str, abbr: str = "", year: str = "2024", source: str = "arxiv", tag: str = "", link: str = "") -> str:
    """One row in the bundled list's layout."""
    title_cell = f"[{title}]({link})" if link else title
    return f"| {title_cell} | {abbr} | {year} | {source} | {tag} | |"
