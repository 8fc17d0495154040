"""Push and remote query against a real Oxigraph server (PyPI 'oxigraph'), started on a free loopback port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from loopback import serve_in_background

from pa_graph.cli import main
from pa_graph.export.sparql import run_query
from pa_graph.export.triplestore import remote_query

pytestmark = pytest.mark.slow  # end to end: servers, browsers, whole builds

NAMED = "https://w3id.org/pa-graph/id/graph"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    beside = Path(sys.executable).parent / "oxigraph"  # installed with the test extras, next to this interpreter
    executable = str(beside) if beside.exists() else shutil.which("oxigraph")
    port = free_port()
    process = subprocess.Popen([executable, "serve", "--location", str(tmp_path_factory.mktemp("store")),
                                "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"oxigraph did not start: {process.stderr.read().decode()[:500]}")
    yield url
    process.terminate()
    process.wait(timeout=10)


def count(url: str, graph: str = NAMED) -> int:
    result = remote_query(f"{url}/query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(result.rows[0][0])


def test_graph_store_push_is_idempotent_and_complete(oxigraph, built, runner):
    local = run_query(built / "graph.ttl", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
    for _ in range(2):
        result = runner.invoke(main, ["push", "--graph", str(built / "graph.ttl"), "--endpoint", f"{oxigraph}/store"])
        assert result.exit_code == 0, result.output
        assert result.stdout == f"pushed {local} triples into <{NAMED}> in 2 requests; the store holds {local} there\n"
        assert count(oxigraph) == int(local)
    older = runner.invoke(main, ["push", str(built / "graph.ttl"), "--endpoint", f"{oxigraph}/store"])
    assert older.exit_code == 0 and count(oxigraph) == int(local)  # the older form still pushes, and says so
    assert older.stderr.startswith("warning: 'pa-graph push FILE' is the older form of 'pa-graph push --graph FILE'")


@pytest.fixture(scope="module")
def enriched_on_endpoint(oxigraph, fake_enriched):
    """The fake-enriched graph pushed once into its own named graph."""
    graph = "https://example.org/enriched"
    pushed = CliRunner().invoke(main, ["push", "--graph", str(fake_enriched / "graph.ttl"), "--endpoint", f"{oxigraph}/store",
                                       "--named-graph", graph])
    assert pushed.exit_code == 0
    return graph


@pytest.mark.parametrize("name", ["works-per-section", "method", "missing-papers", "section-citation-matrix",
                                  "wrong-links"])
def test_cookbook_query_over_the_endpoint_matches_local(oxigraph, fake_enriched, enriched_on_endpoint, runner, name):
    graph = enriched_on_endpoint
    remote = runner.invoke(main, ["query", name, "--endpoint", f"{oxigraph}/query", "--named-graph", graph,
                                  "--format", "csv"])
    local = runner.invoke(main, ["query", name, "--graph", str(fake_enriched / "graph.ttl"), "--format", "csv"])
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
    assert len(local.stdout.splitlines()) > 2


def test_update_push_replaces_the_graph_via_staging(oxigraph, built, runner, tmp_path):
    graph = "https://example.org/update-target"
    small = tmp_path / "small.ttl"
    small.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    assert runner.invoke(main, ["push", "--graph", str(small), "--update-endpoint", f"{oxigraph}/update",
                                "--named-graph", graph]).exit_code == 0
    assert count(oxigraph, graph) == 1
    result = runner.invoke(main, ["push", "--graph", str(built / "graph.ttl"), "--update-endpoint", f"{oxigraph}/update",
                                  "--named-graph", graph])
    assert result.exit_code == 0, result.output
    local = run_query(built / "graph.ttl", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
    assert count(oxigraph, graph) == int(local)
    staging = run_query_remote_graphs(oxigraph)
    assert not [name for name in staging if "/staging-" in name]  # no staging graph left behind


class FailingProxy:
    """Forwards to Oxigraph but answers 500 to the Nth update request: a push that fails half-way."""

    def __init__(self, target: str, fail_on: int) -> None:
        self.seen = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.seen += 1
                if proxy.seen == fail_on:
                    self.send_response(500)
                    self.send_header("Content-Length", "5")
                    self.end_headers()
                    self.wfile.write(b"boom!")
                    return
                answer = httpx.post(target + self.path, content=body,
                                    headers={"Content-Type": self.headers["Content-Type"]})
                self.send_response(answer.status_code)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        serve_in_background(self.server)


def test_a_failed_update_push_leaves_the_previous_graph_intact(oxigraph, built, runner, tmp_path):
    graph = "https://example.org/kept"
    previous = tmp_path / "previous.ttl"
    previous.write_text("<urn:x> <urn:y> <urn:z> .\n<urn:x> <urn:y> <urn:w> .\n", encoding="utf-8")
    assert runner.invoke(main, ["push", "--graph", str(previous), "--update-endpoint", f"{oxigraph}/update",
                                "--named-graph", graph]).exit_code == 0
    proxy = FailingProxy(oxigraph, fail_on=2)  # the drop passes, the first INSERT DATA chunk fails
    result = runner.invoke(main, ["push", "--graph", str(built / "graph.ttl"), "--update-endpoint", f"{proxy.url}/update",
                                  "--named-graph", graph])
    proxy.server.shutdown()
    assert result.exit_code == 1
    assert result.stderr == f"Error: {proxy.url}/update answered HTTP 500: boom!\n"
    assert count(oxigraph, graph) == 2


def test_wrong_url_and_401_are_one_line_errors(built, runner):
    port = free_port()
    result = runner.invoke(main, ["push", "--graph", str(built / "graph.ttl"), "--endpoint", f"http://127.0.0.1:{port}/store"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot connect to http://127.0.0.1:{port}/store (")
    assert result.stderr.count("\n") == 1

    class Refuse(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_PUT(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="store"')
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    serve_in_background(server)
    url = f"http://127.0.0.1:{server.server_address[1]}/store"
    result = runner.invoke(main, ["push", "--graph", str(built / "graph.ttl"), "--endpoint", url, "--user", "me",
                                  "--password", "x"])
    server.shutdown()
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {url} refused the credentials (HTTP 401): give a user and password or a "
                             "token (PA_GRAPH_STORE_USER/PASSWORD/TOKEN)\n")


def test_push_needs_exactly_one_endpoint(runner, built):
    result = runner.invoke(main, ["push", "--graph", str(built / "graph.ttl")])
    assert result.exit_code == 2
    assert "give either --endpoint" in result.output


def run_query_remote_graphs(endpoint: str) -> list[str]:
    """The named graphs the store holds."""
    result = remote_query(f"{endpoint}/query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return [row[0] for row in result.rows]


class FaultProxy:
    """A fault-injecting proxy in front of the real Oxigraph: ``mode`` ``"swallow"`` answers 204 to every write
    without forwarding it (a store that says yes and keeps nothing), ``"redirect"`` answers 307 to writes; reads
    are always forwarded."""

    def __init__(self, target: str, mode: str) -> None:
        self.writes = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                is_write = method == "PUT" or self.path.startswith("/update")
                if is_write:
                    proxy.writes += 1
                if is_write and mode in ("swallow", "redirect"):
                    self.send_response(204 if mode == "swallow" else 307)
                    if mode == "redirect":
                        self.send_header("Location", target + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                answer = httpx.request(method, target + self.path, content=body,
                                       headers={k: v for k, v in self.headers.items()
                                                if k.lower() in ("content-type", "accept")})
                self.send_response(answer.status_code)
                for name in ("Content-Type",):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def do_GET(self):
                self._forward("GET")

            def do_POST(self):
                self._forward("POST")

            def do_PUT(self):
                self._forward("PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        serve_in_background(self.server)


@pytest.mark.parametrize("protocol", ["--endpoint", "--update-endpoint"])
def test_a_store_that_answers_success_but_keeps_nothing_fails_the_push(oxigraph, built, runner, protocol):
    graph = f"https://example.org/swallowed{protocol.count('update')}"
    proxy = FaultProxy(oxigraph, "swallow")
    path = "/store" if protocol == "--endpoint" else "/update"
    result = runner.invoke(main, ["push", "--graph", str(built / "graph.ttl"), protocol, proxy.url + path,
                                  "--named-graph", graph])
    proxy.server.shutdown()
    assert proxy.writes >= 1 and count(oxigraph, graph) == 0
    assert result.exit_code == 1, result.output
    assert "answered success, but <" + graph + "> holds 0 triples after the push" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_redirecting_store_is_not_a_successful_push(oxigraph, built, runner):
    proxy = FaultProxy(oxigraph, "redirect")
    result = runner.invoke(main, ["push", "--graph", str(built / "graph.ttl"), "--endpoint", f"{proxy.url}/store",
                                  "--named-graph", "https://example.org/redirected"])
    proxy.server.shutdown()
    assert result.exit_code == 1 and "HTTP 307" in result.stderr and "nothing was stored" in result.stderr
    assert count(oxigraph, "https://example.org/redirected") == 0


def test_concurrent_update_pushes_each_leave_a_complete_graph(oxigraph, built, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from pa_graph.export.triplestore import push_update

    small = tmp_path / "small.ttl"
    small.write_text("".join(f"<urn:s{n}> <urn:p> <urn:o> .\n" for n in range(7)), encoding="utf-8")
    graph = "https://example.org/concurrent"
    from pa_graph.errors import PushError

    def push(path):
        try:
            return push_update(path, f"{oxigraph}/update", graph, chunk=500).triples
        except PushError as err:  # the other push replaced the graph between this one's MOVE and its count
            return str(err)

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(push, [built / "graph.ttl", small]))
    whole = {int(run_query(built / "graph.ttl", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]), 7}
    assert count(oxigraph, graph) in whole  # one whole graph or the other, never a mix
    for outcome in outcomes:
        assert outcome in whole or any(f"holds {n} triples" in outcome for n in whole), outcome
    assert not [name for name in run_query_remote_graphs(oxigraph) if "/staging-" in name]
