"""Shared fixtures: the bundled list assembled once, a full build into a temporary folder, a CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

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


#: Fixtures that build against a fake service or drive a browser: a test using one is end to end, so ``slow``.
END_TO_END_FIXTURES = {"fake_enriched", "fake_citations", "browser"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items) -> None:
    """End-to-end tests are ``slow``; the browser tests form one xdist group (``--dist loadgroup``), so one worker
    starts Chromium and loads each shared page once (split over two workers, the 5,000-node page loaded twice)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if END_TO_END_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_unconfigure(config) -> None:
    if _SESSION_FOLDER is not None:
        shutil.rmtree(_SESSION_FOLDER, ignore_errors=True)
ONTOLOGY = Path(__file__).parent.parent / "ontology" / "pa.ttl"


def undeclared_pa_terms(graph) -> set[str]:
    """pa: terms a graph (an rdflib graph, or a Turtle file read by pyoxigraph: rdflib takes seconds over a
    --citations build) uses that ontology/pa.ttl does not declare with an rdfs:label and an rdfs:comment."""
    import pyoxigraph
    from rdflib import RDFS, Graph, URIRef

    from pa_graph.export.vocab import PA

    ontology = Graph().parse(ONTOLOGY, format="turtle")
    if isinstance(graph, Path):
        terms = (term.value for triple in pyoxigraph.parse(path=str(graph), format=pyoxigraph.RdfFormat.TURTLE)
                 for term in (triple.subject, triple.predicate, triple.object) if isinstance(term, pyoxigraph.NamedNode))
    else:
        terms = (str(term) for triple in graph for term in triple if isinstance(term, URIRef))
    used = {URIRef(term) for term in terms if term.startswith(str(PA))}
    assert used, "the graph uses pa: terms"
    return {str(term) for term in used
            if (term, RDFS.label, None) not in ontology or (term, RDFS.comment, None) not in ontology}


def oxigraph_rows(path: Path, query: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT over a Turtle file, each term as its string value (pyoxigraph in memory: the suite's
    enriched graphs are too big to parse with rdflib in every test)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    return [tuple(term.value for term in solution) for solution in store.query(query)]


@pytest.fixture(scope="session")
def bundled():
    """The bundled list parsed, resolved, modelled and audited (nothing written)."""
    from pa_graph import assemble

    return assemble()


def built_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder ``make`` fills, made once per run however many xdist workers ask (the first builds under a file
    lock, the others wait and read it): the tests only read these builds, and building each per worker doubled
    the suite's slowest fixtures."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    folder = root / f"shared-{name}"
    with FileLock(str(folder) + ".lock"):
        if not (folder / ".done").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".done").touch()
    return folder


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A full build of the bundled list; returns the output folder."""
    from pa_graph import BuildOptions, build

    return built_once(tmp_path_factory, "build", lambda out: build(options=BuildOptions(out_dir=out, enrich=False)))


@pytest.fixture(scope="session")
def field_built(tmp_path_factory):
    """The bundled list built with the two real sibling lists (offline): the field atlas's build."""
    from pa_graph import BuildOptions, build
    from pa_graph.lists.load import bundled_list

    lists = [bundled_list(), *sorted((FIXTURES / "lists").glob("*-awesome-*.md"))]
    return built_once(tmp_path_factory, "field", lambda out: build(lists, BuildOptions(out_dir=out, enrich=False)))


@pytest.fixture(scope="session")
def fake_enriched(tmp_path_factory):
    """A build of the bundled list enriched from the fake Semantic Scholar (with --contexts); the output folder.

    Its data is synthetic: see tests/fake_s2/world.py for what is planted.
    """
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph import BuildOptions, build
    from pa_graph.sources.common import EnrichOptions
    from pa_graph.sources.s2 import S2Settings

    def make(folder: Path) -> None:
        with FakeS2(build_world()) as fake:
            build(options=BuildOptions(out_dir=folder / "out", cache_dir=folder / "cache",
                                       extras=EnrichOptions(contexts=True), s2=S2Settings(api_url=fake.url, rate=1000.0)))

    return built_once(tmp_path_factory, "fake-enriched", make) / "out"


@pytest.fixture(scope="session")
def fake_citations(tmp_path_factory):
    """The bundled list enriched from the fake S2 with --citations --embeddings (over 5,000 nodes), citations read
    in pages of 20 and capped at 30 a work; the output folder."""
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph import BuildOptions, build
    from pa_graph.sources.common import EnrichOptions
    from pa_graph.sources.s2 import S2Settings

    def make(folder: Path) -> None:
        with FakeS2(build_world()) as fake:
            build(options=BuildOptions(out_dir=folder / "out", cache_dir=folder / "cache",
                                       extras=EnrichOptions(citations=True, embeddings=True, max_citations=30),
                                       s2=S2Settings(api_url=fake.url, rate=1000.0, page_size=20)))

    return built_once(tmp_path_factory, "fake-citations", make) / "out"


@pytest.fixture(autouse=True)
def no_real_services(monkeypatch, tmp_path_factory):
    """No test reaches the real APIs or the user's cache: refused ports and a fresh cache folder per test."""
    monkeypatch.setenv("S2_API_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("S2_API_KEY", raising=False)
    monkeypatch.setenv("OPENALEX_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ARXIV_API_URL", "http://127.0.0.1:9")
    for name in ("OPENALEX_API_KEY", "OPENALEX_MAILTO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PA_GRAPH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright: skipped on a developer's machine without it, a failure when CI=true."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if not chromium or sync_playwright is None:
        reason = "Chromium (apt-get install -y chromium) and playwright are needed for browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def bundled_path() -> Path:
    from pa_graph import bundled_list

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
