"""``pa-graph site``: the bundled list's site served by a plain static file server under a sub-path (as GitHub Pages
serves a project site under ``/REPO/``), opened in Chromium with every request outside the site's folder cut."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from test_serve import page_with_the_network_cut

from pa_graph.build_folder import Build
from pa_graph.cli import main
from pa_graph.errors import PaGraphError
from pa_graph.site import MARKER, build_site

OXIGRAPH = Path(os.environ.get("OXIGRAPH_WASM", Path(__file__).resolve().parents[1] / ".ci" / "node" / "node_modules"
                               / "oxigraph"))


def oxigraph_wasm() -> Path:
    if not (OXIGRAPH / "web_bg.wasm").is_file():
        message = f"Oxigraph's WebAssembly build is not installed at {OXIGRAPH} (.ci/run installs it with npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return OXIGRAPH


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site_url(built, tmp_path_factory):
    """The site under /awesome-list/ of a ``python -m http.server`` serving the folder above it."""
    root = tmp_path_factory.mktemp("pages")
    build_site(Build.open(built), root / "awesome-list", oxigraph_wasm())
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(root)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/awesome-list/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_site_links_its_pages_answers_sparql_in_the_browser_and_opens_one_work(site_url, browser):
    page, elsewhere, errors = page_with_the_network_cut(browser, site_url)
    try:
        page.goto(site_url)
        links = page.eval_on_selector_all("a", "anchors => anchors.map(a => a.getAttribute('href'))")
        assert {"graph.html", "query.html", "gaps.html", "audit.html", "graph.ttl"} <= set(links)
        assert all(not link.startswith(("/", "http")) for link in links)  # relative: the site works under any path
        assert "156 listed works in 12 sections" in page.inner_text("body")

        page.goto(site_url + "query.html")
        page.wait_for_function("window.paQuery", timeout=30_000)
        page.fill("#query", "SELECT DISTINCT ?work WHERE { ?work pa:listedIn ?where }")  # no PREFIX lines
        page.click("#run")
        page.wait_for_function("document.getElementById('status').textContent.includes('rows')", timeout=60_000)
        assert page.locator("#results table tr").count() == 157  # a header and the 156 listed works
        assert page.inner_text("#status").startswith("156 rows")
        first = page.locator("#results table tr:nth-child(2) a").first
        href = first.get_attribute("href")
        assert href.startswith("graph.html#work/")
        first.click()  # a result that is a work opens it on the map
        page.wait_for_function("window.paGraph && paGraph.restored >= 1", timeout=60_000)
        selected = page.evaluate("paGraph.selected")
        assert selected and selected.startswith("work/") and page.evaluate("location.hash").startswith("#work/")
        title = page.evaluate("id => paGraph.data.nodes.find(n => n.id === id).title", selected)
        assert title in page.inner_text("#details")

        page.goto(site_url + "audit.html")
        row_link = page.locator("td a[href^='graph.html#work/']").first
        assert row_link.count() == 1  # the audit's rows open their works
    finally:
        page.close()
    assert elsewhere == []
    assert errors == []


def test_an_address_carries_the_selection_and_the_filters(site_url, browser):
    """What one sees is in the address bar: a section opened with a tag filter and a year range comes back from
    its address; selecting another node rewrites the address."""
    page, elsewhere, _ = page_with_the_network_cut(browser, site_url)
    try:
        page.goto(site_url + "graph.html")
        page.wait_for_function("window.paGraph && paGraph.interactive !== null", timeout=60_000)
        section = page.evaluate("paGraph.data.nodes.find(n => n.group === 'section').id")
        tag = page.evaluate("paGraph.data.tags[0]")
        address = f"#{section}?tag={tag}&from=2023&to=2024"
        page.goto(site_url + "graph.html" + address)
        page.wait_for_function("window.paGraph && paGraph.restored >= 1", timeout=60_000)
        assert page.evaluate("paGraph.selected") == section
        assert page.evaluate("[paGraph.state.tags, paGraph.state.yearMin, paGraph.state.yearMax]") == [[tag], 2023, 2024]
        work = page.evaluate("paGraph.data.nodes.find(n => n.group === 'paper' && !n.hidden).id")
        page.evaluate("id => paGraph.go(id)", work)
        assert page.evaluate("location.hash").startswith("#" + work.replace(" ", "%20"))
        assert "tag=" in page.evaluate("location.hash")
    finally:
        page.close()
    assert elsewhere == []


def test_a_site_without_the_wasm_build_says_how_to_add_a_query_page(built, tmp_path, runner):
    result = runner.invoke(main, ["site", str(built), "--to", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "site" / "query.html").exists()
    assert "--sparql-wasm" in (tmp_path / "site" / "index.html").read_text()
    assert (tmp_path / "site" / MARKER).is_file()
    again = runner.invoke(main, ["site", str(built), "--to", str(tmp_path / "site")])  # a site made before: replaced
    assert again.exit_code == 0, again.output


def test_a_folder_that_is_no_site_is_never_replaced(built, tmp_path, runner):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    result = runner.invoke(main, ["site", str(built), "--to", str(mine)])
    assert result.exit_code == 2 and "not empty and not a site pa-graph made" in result.output
    assert (mine / "notes.txt").read_text() == "keep me"
    fake = tmp_path / "node_modules" / "oxigraph"
    fake.mkdir(parents=True)
    (fake / "package.json").write_text('{"name": "oxigraph", "version": "0.4.0"}')
    with pytest.raises(PaGraphError, match="not oxigraph 0.5"):
        build_site(Build.open(built), tmp_path / "new", fake)
    assert not (tmp_path / "new").exists()


def test_a_query_that_runs_long_never_freezes_the_page_and_stop_ends_it(site_url, browser):
    """The store lives in a worker: while a cross product of the whole graph runs, the page answers; Stop ends the
    query, and the next one loads the graph again and answers."""
    page, elsewhere, _ = page_with_the_network_cut(browser, site_url)
    try:
        page.goto(site_url + "query.html")
        page.wait_for_function("window.paQuery", timeout=30_000)
        page.evaluate("paQuery.ready()")
        page.fill("#query", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        page.click("#run")
        page.wait_for_selector("#stop:not([hidden])", timeout=10_000)
        started = time.monotonic()
        assert page.evaluate("1 + 1") == 2 and time.monotonic() - started < 2  # the page is not frozen
        page.click("#stop")
        page.wait_for_selector("#results .error", timeout=10_000)
        assert page.inner_text("#results .error") == "stopped"
        page.fill("#query", "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w pa:listedIn ?s }")
        page.click("#run")
        page.wait_for_function("document.querySelector('#results td') && document.querySelector('#results td')"
                               ".textContent === '156'", timeout=60_000)
    finally:
        page.close()
    assert elsewhere == []
