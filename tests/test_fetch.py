"""Lists given by URL, against a loopback HTTP server: raw URLs, GitHub blob/ URLs and github: shorthand (the raw
host pointed at the server with PA_GRAPH_GITHUB_RAW_URL), failures that name the URL, bounds, the cache."""

from __future__ import annotations

import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from loopback import serve_in_background

from pa_graph import BuildOptions, build
from pa_graph.cli import main
from pa_graph.errors import ListInputError
from pa_graph.lists.fetch import ListFetcher, locate
from pa_graph.pipeline import read_any
from pa_graph.sources.response_cache import ResponseCache

LIST = """# Test list

## Methods

- **Aligning to Thousands of Preferences via System Message Generalization** [[paper](https://arxiv.org/abs/2405.17977)]
- [Direct Preference Optimization: Your Language Model is Secretly a Reward Model](https://arxiv.org/abs/2305.18290) - NeurIPS, 2023
"""  # noqa: E501 (verbatim list lines)


class _Handler(BaseHTTPRequestHandler):
    routes: dict
    log: list

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.log.append(self.path)
        route = self.routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, headers, body = route
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if callable(body):
            self.end_headers()
            body(self.wfile)
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _drip(stream) -> None:
    """One byte every 0.2 s: each read is quick, the whole answer takes 8 s. It stops when the client hangs up —
    quietly: a server thread's traceback would land in whatever output a later test is capturing."""
    try:
        for _ in range(40):
            stream.write(b"x")
            stream.flush()
            time.sleep(0.2)
    except (BrokenPipeError, ConnectionResetError):
        pass


@pytest.fixture(scope="module")
def loopback():
    """One server for the module."""
    text = {"Content-Type": "text/plain; charset=utf-8"}
    routes = {
        "/lists/awesome.md": (200, {"Content-Type": "text/markdown"}, LIST.encode()),
        "/lists/private.md?token=SECRET-LIST-TOKEN&ref=main": (200, text, LIST.replace("# Test", "# Private").encode()),
        "/owner/awesome-x/HEAD/README.md": (200, text, LIST.encode()),
        "/owner/awesome-x/v1/docs/list.md": (200, text, LIST.encode()),
        "/moved.md": (302, {"Location": "/lists/awesome.md", "Content-Length": "0"}, b""),
        "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n"),
        "/huge.md": (200, text, b"- x\n" * 2_600_000),
        "/slow.md": (200, text, _drip),
        "/no-papers.md": (200, text, b"# Nothing\n\n- [code](https://github.com/x/y)\n"),
    }
    log: list[str] = []
    handler = type("Handler", (_Handler,), {"routes": routes, "log": log})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_background(httpd)
    yield f"http://127.0.0.1:{httpd.server_address[1]}", log
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def server(loopback, monkeypatch):
    url, log = loopback
    monkeypatch.setenv("PA_GRAPH_GITHUB_RAW_URL", url)
    log.clear()
    return url, log


def fetcher(tmp_path, **options) -> ListFetcher:
    return ListFetcher(ResponseCache(tmp_path / "cache"), **options)


def test_a_raw_url_a_blob_url_and_the_github_shorthand_are_read(server, tmp_path):
    url, log = server
    raw = read_any(f"{url}/lists/awesome.md", fetcher(tmp_path))
    assert [row.title for row in raw.rows] == [
        "Aligning to Thousands of Preferences via System Message Generalization",
        "Direct Preference Optimization: Your Language Model is Secretly a Reward Model"]
    assert raw.name == "127.0.0.1/awesome.md" and raw.url == f"{url}/lists/awesome.md" and raw.fetched_at
    shorthand = read_any("github:owner/awesome-x", fetcher(tmp_path))
    assert shorthand.name == "awesome-x/README.md" and len(shorthand.rows) == 2
    blob = read_any("https://github.com/owner/awesome-x/blob/v1/docs/list.md", fetcher(tmp_path))
    assert blob.name == "awesome-x/docs/list.md"
    assert log == ["/lists/awesome.md", "/owner/awesome-x/HEAD/README.md", "/owner/awesome-x/v1/docs/list.md"]


def test_a_redirect_within_the_scheme_is_followed(server, tmp_path):
    url, log = server
    assert len(read_any(f"{url}/moved.md", fetcher(tmp_path)).rows) == 2
    assert log == ["/moved.md", "/lists/awesome.md"]


@pytest.mark.parametrize("path, message", [
    ("/missing.md", "not found (HTTP 404)"),
    ("/image.png", "not text (content type image/png)"),
    ("/huge.md", "larger than 10,000,000 bytes; not read"),
    ("/no-papers.md", "no papers found (1 list item, none with a paper link (1 code))"),
])
def test_failures_name_the_url(server, tmp_path, path, message):
    url, _ = server
    with pytest.raises(ListInputError) as raised:
        read_any(url + path, fetcher(tmp_path))
    assert str(raised.value) == f"{url}{path}: {message}"


def test_a_slow_server_is_given_up_at_the_deadline(server, tmp_path):
    url, _ = server
    start = time.monotonic()
    with pytest.raises(ListInputError, match="no complete answer within 0.6 s"):
        read_any(f"{url}/slow.md", fetcher(tmp_path, timeout=0.6))
    assert time.monotonic() - start < 3  # the drip would take 8 s


def test_an_unreachable_host_falls_back_to_the_cached_copy(server, tmp_path):
    url, _ = server
    read_any(f"{url}/lists/awesome.md", fetcher(tmp_path))
    gone = ListFetcher(ResponseCache(tmp_path / "cache"), timeout=1)
    location = locate(f"{url}/lists/awesome.md")
    unreachable = type(location)(location.given, "http://127.0.0.1:9/lists/awesome.md", location.name)
    with pytest.raises(ListInputError, match="cannot be reached"):
        gone.fetch(unreachable)  # never fetched from there: nothing to fall back to
    from pa_graph.lists.fetch import _Unreachable

    def refuse(location):
        raise _Unreachable("cannot be reached (refused)")

    gone._download = refuse
    fetched = gone.fetch(location)
    assert fetched.from_cache and b"System Message Generalization" in fetched.data
    assert gone.warnings == [f"{url}/lists/awesome.md: cannot be reached (refused); using the copy fetched "
                             f"{fetched.fetched_at}"]


def test_build_from_a_url_then_offline_from_the_cache_is_byte_identical(server, tmp_path, runner):
    url, log = server
    cache = tmp_path / "cache"
    first = runner.invoke(main, ["build", f"{url}/lists/awesome.md", "--no-enrich", "--out", str(tmp_path / "a"),
                                 "--cache-dir", str(cache)])
    assert first.exit_code == 0, first.output
    record = json.loads((tmp_path / "a" / "build.json").read_text(encoding="utf-8"))
    assert record["lists"][0]["url"] == f"{url}/lists/awesome.md" and record["lists"][0]["fetched_at"]
    assert record["lists"][0]["list_items"] == 2
    requests = len(log)
    second = runner.invoke(main, ["build", f"{url}/lists/awesome.md", "--offline", "--out", str(tmp_path / "b"),
                                  "--cache-dir", str(cache)])
    assert second.exit_code == 0, second.output
    assert len(log) == requests  # nothing asked
    assert (tmp_path / "a" / "graph.ttl").read_bytes() == (tmp_path / "b" / "graph.ttl").read_bytes()
    never = runner.invoke(main, ["build", f"{url}/other.md", "--offline", "--out", str(tmp_path / "c"),
                                 "--cache-dir", str(cache)])
    assert never.exit_code == 2
    assert never.stderr.strip() == f"Error: {url}/other.md: not in the cache; fetch it once online"


def test_a_bad_url_exits_2_without_a_traceback(runner, tmp_path):
    result = runner.invoke(main, ["build", "github:not a repo", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "github:not a repo: not a GitHub list; write github:owner/repo[@ref][:path]" in result.stderr


def test_the_library_reads_a_url_list_too(server, tmp_path):
    url, _ = server
    result = build([f"{url}/lists/awesome.md"], BuildOptions(out_dir=tmp_path / "out", enrich=False,
                                                             cache_dir=tmp_path / "cache"))
    assert len(result.graph.works) == 2


@pytest.mark.parametrize("given", ["github:../..", "github:o/r:../../x", "github:o/r:docs/../../../x",
                                   "github:o/r@../../x:README.md", "github:o/r@--output=x:README.md",
                                   "github:o/r:%2e%2e/x", "https://github.com/o/r/blob/main/../../x",
                                   "github:-o/r", "github:o/..:README.md"])
def test_github_lists_stay_inside_their_repository_on_the_mirror(runner, server, tmp_path, given):
    url, log = server
    result = runner.invoke(main, ["build", given, "--no-enrich", "--out", str(tmp_path / "out"),
                                  "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert log == []  # nothing was fetched


def test_credentials_of_list_urls_are_used_and_never_stored(runner, server, tmp_path, monkeypatch):
    url, log = server
    monkeypatch.setenv("PA_GRAPH_GITHUB_RAW_URL", url.replace("http://", "http://mirror-user:SECRET-PASS@"))
    private = f"{url}/lists/private.md?token=SECRET-LIST-TOKEN&ref=main"
    result = runner.invoke(main, ["build", private, "github:owner/awesome-x", "--no-enrich", "--out",
                                  str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert log == ["/lists/private.md?token=SECRET-LIST-TOKEN&ref=main", "/owner/awesome-x/HEAD/README.md"]
    record = json.loads((tmp_path / "out" / "build.json").read_text(encoding="utf-8"))
    assert record["lists"][0]["url"] == f"{url}/lists/private.md?token=REDACTED&ref=main"
    stored = [path for folder in ("out", "cache") for path in (tmp_path / folder).rglob("*") if path.is_file()]
    assert stored
    for path in stored:
        data = path.read_bytes()
        assert b"SECRET-LIST-TOKEN" not in data and b"SECRET-PASS" not in data and b"mirror-user" not in data, path
    assert "SECRET" not in result.output
    offline = runner.invoke(main, ["build", private, "--offline", "--out", str(tmp_path / "again"),
                                   "--cache-dir", str(tmp_path / "cache")])
    assert offline.exit_code == 0, offline.output  # the redacted key still finds the copy


def test_a_build_in_a_chosen_cache_folder_is_read_back_from_it_and_home_stays_empty(runner, server, tmp_path,
                                                                                     monkeypatch):
    """``HOME`` an empty folder, no cache folder set: ``build --cache-dir X``, then ``query``, ``stats``, ``gaps`` and
    ``serve`` on its output, none given ``--cache-dir``, find the store the build left in X and write nothing under
    HOME. ``gaps --peers URL --offline`` sends no request and says the peer is not in the cache."""
    from pa_graph.serve import serve
    from pa_graph.session import Session

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in [name for name in os.environ if name.startswith("XDG_")] + ["PA_GRAPH_CACHE_DIR"]:
        monkeypatch.delenv(name, raising=False)
    url, log = server
    listed = tmp_path / "list.md"
    listed.write_text(LIST, encoding="utf-8")
    cache, out = tmp_path / "X", tmp_path / "out"
    built = runner.invoke(main, ["build", str(listed), "--offline", "--cache-dir", str(cache), "--out", str(out)])
    assert built.exit_code == 0, built.output
    stores = sorted((cache / "stores").iterdir())
    graph = str(out / "graph.ttl")
    for command in (["query", "works-per-section", "--graph", graph], ["stats", "--graph", graph],
                    ["gaps", "--graph", graph]):
        result = runner.invoke(main, command)
        assert result.exit_code == 0, (command, result.output)
    running = serve(Session().open(out), port=0)  # what `pa-graph serve OUT` does
    running.stop()
    assert sorted((cache / "stores").iterdir()) == stores  # the build's store, no second one
    assert sorted(str(path.relative_to(home)) for path in home.rglob("*")) == []
    log.clear()
    offline = runner.invoke(main, ["gaps", "--graph", graph, "--peers", f"{url}/lists/awesome.md", "--offline"])
    assert log == []
    assert offline.exit_code == 2 and "lists/awesome.md: not in the cache; fetch it once online" in offline.stderr
