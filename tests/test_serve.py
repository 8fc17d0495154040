"""pa-graph serve: Oxigraph's own server behind pa-graph's front, asked by a real SPARQL client over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from pa_graph.serve import ServeError, serve

pytestmark = pytest.mark.slow  # end to end: a server and a subprocess

LISTED = "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w <https://w3id.org/pa-graph/ontology#listedIn> ?c }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(built):
    running = serve(built, port=free_port())
    yield running
    running.stop()


def test_a_real_sparql_client_counts_the_builds_listed_works(served, built):
    store = SPARQLStore(served.endpoint, returnFormat="json")
    (row,) = list(store.query(LISTED))
    local = int(next(iter(Graph().parse(built / "graph.ttl").query(LISTED)))[0])  # counted from the file itself
    assert int(row[0]) == local > 0


def test_the_pages_are_served_and_ask_no_other_host(served):
    pages = {name: httpx.get(served.url + name, timeout=10) for name in ("", "graph.html", "query.html", "audit.html")}
    assert all(page.status_code == 200 for page in pages.values())
    for name in ("graph.html", "query.html", "audit.html"):
        assert f'href="{name}"' in pages[""].text
    for page in pages.values():  # no script, style or image from anywhere but this server
        assert not re.search(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)=["']?(?:https?:)?//""", page.text)
    queries = pages["query.html"].text
    assert queries.count('"most-cited-in-list"') == 1 and "PREFIX pa:" in queries


def test_the_cli_asks_it_and_a_push_is_refused(served, built, runner):
    from pa_graph.cli import main

    asked = runner.invoke(main, ["query", LISTED, "--endpoint", served.endpoint, "--format", "json"])
    assert asked.exit_code == 0, asked.output
    assert '"n"' in asked.stdout
    pushed = runner.invoke(main, ["push", str(built / "graph.ttl"), "--endpoint", served.url + "store"])
    assert pushed.exit_code == 1 and "403" in pushed.stderr


def test_a_busy_port_is_a_clear_error(built):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"127.0.0.1:{port} cannot be used"):
            serve(built, port=port)
        done = subprocess.run([sys.executable, "-m", "pa_graph", "serve", str(built), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "cannot be used" in done.stderr


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_stopping_stops_everything_it_started(built, stop):
    """SIGTERM and Ctrl-C (SIGINT) stop every process cleanly; even SIGKILL leaves no Oxigraph process behind (each
    dies with its parent)."""
    process = subprocess.Popen([sys.executable, "-m", "pa_graph", "serve", str(built), "--port", str(free_port())],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("SPARQL endpoint: http://127.0.0.1:")
        children = [pid for task in Path(f"/proc/{process.pid}/task").iterdir()
                    for pid in (task / "children").read_text().split()]  # started by a thread of its own
        assert len(children) == 2, "the Oxigraph servers run as children"
        process.send_signal(stop)
        assert process.wait(timeout=30) == (-signal.SIGKILL if stop == signal.SIGKILL else 0)
    finally:
        if process.poll() is None:
            process.kill()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and [pid for pid in children if os.path.exists(f"/proc/{pid}")]:
        time.sleep(0.1)
    assert not [pid for pid in children if os.path.exists(f"/proc/{pid}")]


def page_with_the_network_cut(browser, served_url: str):
    """A Chromium page that may ask only the server at ``served_url``: every other request is aborted and listed
    (the second value); script errors and console errors are listed too (the third)."""
    page = browser.new_page()
    elsewhere: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    def route(request_route):
        if request_route.request.url.startswith(served_url):
            request_route.continue_()
        else:
            elsewhere.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return page, elsewhere, errors


def test_the_served_pages_work_in_chromium_with_the_network_cut(served, browser):
    """The landing page, the map and the query UI, opened from the server in Chromium where every request to
    another host is aborted: the map becomes interactive, a cookbook tab runs over the endpoint and fills a table,
    and nothing was asked of any other host."""
    page, elsewhere, errors = page_with_the_network_cut(browser, served.url)
    try:
        page.goto(served.url)
        links = page.eval_on_selector_all("a", "anchors => anchors.map(a => a.getAttribute('href'))")
        assert {"graph.html", "query.html"} <= set(links)
        page.click("a[href='graph.html']")
        page.wait_for_function("window.paGraph && window.paGraph.interactive !== null", timeout=60_000)
        assert page.evaluate("paGraph.data.nodes.length") > 100
        page.goto(served.url + "query.html")
        page.click("#tabs button[data-name='works-per-section']")
        page.click("#run")
        page.wait_for_selector("#results table tr:nth-child(2)", timeout=30_000)
        header = page.eval_on_selector_all("#results th", "cells => cells.map(c => c.textContent)")
        assert header and page.locator("#results table tr").count() > 2
        page.fill("#query", "SELECT ?t WHERE { ?w dcterms:title ?t ; pa:listedIn ?s } LIMIT 2")  # no PREFIX lines
        page.click("#run")
        page.wait_for_function("document.querySelectorAll('#results table tr').length === 3", timeout=30_000)
        page.fill("#query", "SELECT ?t WHERE { ?w dcterms:title ?t")
        page.click("#run")
        page.wait_for_selector("#results .error", timeout=30_000)
        assert page.inner_text("#results .error").startswith("SPARQL syntax error at line 1, column ")
    finally:
        page.close()
    assert elsewhere == [] and [e for e in errors if "status of 400" not in e] == []  # the 400 was asked for


YASGUI = Path(os.environ.get("YASGUI_BUILD", Path(__file__).resolve().parents[1] / ".ci" / "node" / "node_modules"
                             / "@zazuko" / "yasgui" / "build"))


@pytest.fixture(scope="module")
def served_with_yasgui(built):
    if not (YASGUI / "yasgui.min.js").is_file():
        message = f"YASGUI is not installed at {YASGUI} (.ci/run installs it: npm install --prefix .ci/node)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    running = serve(built, port=free_port(), yasgui=YASGUI)
    yield running
    running.stop()


def test_yasgui_opens_with_a_tab_per_cookbook_query_and_asks_no_other_host(served_with_yasgui, browser):
    from pa_graph.export.sparql import cookbook

    served = served_with_yasgui
    page, elsewhere, errors = page_with_the_network_cut(browser, served.url)
    try:
        page.goto(served.url + "query.html")
        page.wait_for_function("window.paQuery && paQuery.tabs.length > 0", timeout=30_000)
        assert page.evaluate("paQuery.tabs.map(t => t.getName())") == list(cookbook())
        page.click(".tabsList .tab:has-text('works-per-section') a")
        editor = page.evaluate("paQuery.tabs.find(t => t.getName() === 'works-per-section').getYasqe().getValue()")
        assert "PREFIX pa:" in editor and "pa:listedIn" in editor
        page.locator(".tabPanel.active .yasqe_queryButton").click()
        page.wait_for_selector(".tabPanel.active .yasr table tbody tr", timeout=30_000)
        assert page.locator(".tabPanel.active .yasr table tbody tr").count() >= 5
        # typing a property asks no vocabulary service (YASGUI's own completers ask LOV): they are off
        page.evaluate("paQuery.tabs.find(t => t.getName() === 'works-per-section').getYasqe()"
                      ".setValue('PREFIX foaf: <http://xmlns.com/foaf/0.1/>\\nSELECT * WHERE { ?s foaf: }')")
        page.locator(".tabPanel.active .CodeMirror-line", has_text="foaf: }").click()
        page.keyboard.press("End")
        for _ in range(2):
            page.keyboard.press("ArrowLeft")
        page.keyboard.type("na")
        page.keyboard.press("Control+Space")
        page.wait_for_timeout(1000)
    finally:
        page.close()
    assert elsewhere == [] and errors == []


def test_a_folder_without_yasgui_is_a_clear_error(built, tmp_path, runner):
    from pa_graph.cli import main

    result = runner.invoke(main, ["serve", str(built), "--port", str(free_port()), "--yasgui", str(tmp_path)])
    assert result.exit_code == 2 and f"--yasgui {tmp_path} is not a YASGUI build folder" in result.stderr
    assert "Traceback" not in result.output


def test_a_fifo_named_like_yasgui_is_refused_at_once(built, tmp_path, runner):
    from pa_graph.cli import main

    os.mkfifo(tmp_path / "yasgui.min.js")  # opening it for reading would wait for a writer forever
    (tmp_path / "yasgui.min.css").write_text("", encoding="utf-8")
    result = runner.invoke(main, ["serve", str(built), "--port", str(free_port()), "--yasgui", str(tmp_path)])
    assert result.exit_code == 2 and f"--yasgui {tmp_path / 'yasgui.min.js'} is not a regular file" in result.stderr


# ----- closed to the outside -------------------------------------------------------------------------------------

def raw_request(url: str, request: bytes, wait: float = 10.0) -> bytes:
    """Send ``request`` as it is (a browser or an attacker would) and read the answer to the end."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_service_is_refused_for_every_client_and_the_named_host_hears_nothing(served):
    heard: list[bytes] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.3)  # the refusal is sent before the answer: nothing comes later
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
        for sent in (httpx.get(served.endpoint, params={"query": query}, timeout=10),
                     httpx.post(served.endpoint, content=query.replace("SERVICE", "\\u0053ERVICE"),
                                headers={"Content-Type": "application/sparql-query"}, timeout=10)):
            assert sent.status_code == 403 and "--allow-service" in sent.text
        try:
            heard.append(listener.accept()[0].recv(100))
        except TimeoutError:
            pass
    assert heard == []


@pytest.mark.parametrize(("headers", "why"), [
    ({"Host": "evil.example"}, "Host evil.example is not this server's address"),  # DNS rebinding
    ({"Origin": "https://evil.example"}, "requests from https://evil.example (another site) are refused"),
    ({"Sec-Fetch-Site": "cross-site"}, "requests from another site are refused"),
], ids=["host", "origin", "fetch-site"])
def test_requests_from_another_site_are_refused(served, headers, why):
    answer = httpx.post(served.endpoint, data={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, headers=headers,
                        timeout=10)
    assert answer.status_code == 403 and answer.text == why + "\n"
    assert httpx.get(served.url, headers=headers, timeout=10).status_code == 403
    assert httpx.get(served.url, headers={"Origin": served.url.rstrip("/")}, timeout=10).status_code == 200


@pytest.mark.parametrize(("length", "status"), [("-1", 400), (None, 411), ("2000000", 413), ("1e3", 400), ("²", 400)])
def test_a_body_needs_a_valid_length_within_the_cap(served, length, status):
    header = f"Content-Length: {length}\r\n" if length is not None else ""
    host = served.url.split("//", 1)[1].rstrip("/")
    answer = raw_request(served.url, f"POST /query HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query"
                                     f"\r\n{header}Connection: close\r\n\r\nSELECT * {{ ?s ?p ?o }}".encode("latin-1"))
    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:200]


def test_a_query_without_prefixes_works_for_a_real_client_and_a_syntax_error_is_one_line(served):
    store = SPARQLStore(served.endpoint, returnFormat="json")
    rows = list(store.query("SELECT ?t WHERE { ?w dcterms:title ?t ; pa:listedIn ?s } LIMIT 3"))
    assert len(rows) == 3
    wrong = httpx.get(served.endpoint, params={"query": "SELECT ?t WHERE { ?w dcterms:title ?t"}, timeout=10)
    assert wrong.status_code == 400 and wrong.text.count("\n") == 1
    assert wrong.text.startswith("SPARQL syntax error at line 1, column "), wrong.text


CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"


def test_a_query_whose_client_hangs_up_is_stopped_and_others_are_answered(built):
    running = serve(built, port=free_port(), timeout=600, workers=2)
    try:
        host = running.url.split("//", 1)[1].rstrip("/")
        body = CROSS_JOIN.encode()
        connection = socket.create_connection(tuple(host.split(":")[:1]) + (int(host.split(":")[1]),))
        connection.sendall(f"POST /query HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query\r\n"
                           f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(0.2)
        busy = [instance.process.pid for instance in running._oxigraphs.all]
        answered = httpx.get(running.endpoint, params={"query": LISTED}, timeout=30)  # the other worker answers
        assert answered.status_code == 200
        connection.close()  # the client of the cross join hangs up
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and all(os.path.exists(f"/proc/{pid}") for pid in busy):
            time.sleep(0.1)
        gone = [pid for pid in busy if not os.path.exists(f"/proc/{pid}")]
        assert len(gone) == 1  # the cross join's worker was stopped, the other lives on
        again = httpx.get(running.endpoint, params={"query": LISTED}, timeout=30)
        assert again.status_code == 200  # a fresh worker took its place
    finally:
        running.stop()


def test_a_query_out_of_time_is_stopped_with_a_clear_answer(built):
    running = serve(built, port=free_port(), timeout=0.5, workers=1)
    try:
        started = time.monotonic()
        answer = httpx.post(running.endpoint, content=CROSS_JOIN, headers={"Content-Type": "application/sparql-query"},
                            timeout=30)
        assert answer.status_code == 503 and "ran out of its 0.5 seconds" in answer.text
        assert time.monotonic() - started < 10
        assert httpx.get(running.endpoint, params={"query": LISTED}, timeout=30).status_code == 200
    finally:
        running.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux answers on all of 127.0.0.0/8")
def test_the_oxigraph_processes_hide_on_random_loopback_addresses(served):
    """A page the user visits could send queries straight to an Oxigraph process it finds on 127.0.0.1 (no checks
    there); each listens on a random address of 127.0.0.0/8 instead, one of some 10^11 address-port pairs."""
    addresses = {instance.address for instance in served._oxigraphs.all}
    assert len(addresses) == 2 and "127.0.0.1" not in addresses
    assert all(address.startswith("127.") for address in addresses)
