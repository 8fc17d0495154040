"""``pa-graph serve``: a build on a real SPARQL server, for a group on a LAN or a laptop.

Oxigraph's own server (``oxigraph serve-read-only``, the ``oxigraph`` package) answers SPARQL 1.1 Protocol queries
from the build's on-disk store, on a loopback port of its own; pa-graph's server in front of it, on the address the
user asked for, passes ``/query`` through and serves a landing page, the map (``graph.html``), the reports
(``gaps.md``, ``audit.md`` rendered to HTML, ``history.html`` when the build folder has one) and a query page with the
cookbook's queries ready to run. Nothing served asks a host outside the machine. Read-only: ``/update`` and
``/store`` answer 403. Stopping (Ctrl-C, SIGTERM) stops the Oxigraph process too.

The query page is pa-graph's own (a tab per cookbook query, a table of results), or YASGUI when the folder of its
build is given (``npm install @zazuko/yasgui``, then ``node_modules/@zazuko/yasgui/build``): YASGUI is not shipped
inside pa-graph, since no Python package carries it and this repository holds only code of its own; once given,
its two files are served from here like everything else.
"""

from __future__ import annotations

import html
import http.client
import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import Any

from markdown_it import MarkdownIt

from pa_graph.build_folder import DEFAULT_OUT, Build
from pa_graph.errors import PaGraphError
from pa_graph.export.sparql import cookbook, load_query, with_prefixes
from pa_graph.export.store import store_location
from pa_graph.session import open_build

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ServeError", "Server", "serve", "run_until_stopped", "stop_signals"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
_MAX_BODY = 1_000_000  # a query larger than this is refused
_YASGUI_FILES = {"yasgui.min.js": "text/javascript; charset=utf-8", "yasgui.min.css": "text/css; charset=utf-8"}
_MAX_YASGUI_FILE = 10_000_000
_STARTUP_SECONDS = 20.0


class ServeError(PaGraphError):
    """The server cannot start: the address is in use, Oxigraph's server is missing or did not start."""


@dataclass
class Server:
    """A running ``serve``: its addresses, and :meth:`stop`."""

    url: str
    endpoint: str
    _http: _FrontServer
    _oxigraph: subprocess.Popen[bytes]
    _threads: list[threading.Thread] = field(default_factory=list)

    def stop(self) -> None:
        """Stop both servers; waits for the Oxigraph process to end (no orphan is left)."""
        self._http.shutdown()
        self._http.server_close()
        if self._oxigraph.poll() is None:
            self._oxigraph.terminate()
            try:
                self._oxigraph.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._oxigraph.kill()
                self._oxigraph.wait()


def serve(out: str | Path | Build = DEFAULT_OUT, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          yasgui: str | Path | None = None) -> Server:
    """Start serving the build in ``out`` (see the module docstring) and return at once; :meth:`Server.stop` ends
    it. ``yasgui``: the folder of a YASGUI build (``yasgui.min.js`` and ``yasgui.min.css``) for the query page. A
    port in use, or a folder without YASGUI's files, is a :class:`ServeError`."""
    assets = _yasgui_files(Path(yasgui)) if yasgui is not None else None
    build = out if isinstance(out, Build) else open_build(out)
    location = store_location(build.graph_file, build.cache_dir)
    if location is None:
        raise ServeError("the cache folder cannot hold the graph's store; set PA_GRAPH_CACHE_DIR to a folder you "
                         "can write to")
    try:
        front = _FrontServer((host, port), _Handler)
    except OSError as err:
        raise ServeError(f"{host}:{port} cannot be used ({err.strerror or err}); choose another port") from err
    command = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    inner = _free_port()
    try:
        process = subprocess.Popen([command, "serve-read-only", "--location", str(location), "--bind",
                                    f"127.0.0.1:{inner}", "--union-default-graph"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_die_with_parent)
    except OSError as err:
        front.server_close()
        raise ServeError(f"Oxigraph's server could not be started ({err}); install it: pip install oxigraph") from err
    try:
        _wait_for(inner, process)
    except ServeError:
        front.server_close()
        process.kill()
        process.wait()
        raise
    shown = f"http://{host if ':' not in host else f'[{host}]'}:{front.server_address[1]}"
    front.site = _Site(build, inner, f"{shown}/query", assets)
    thread = threading.Thread(target=front.serve_forever, daemon=True)
    thread.start()
    return Server(shown + "/", f"{shown}/query", front, process, [thread])


@contextmanager
def stop_signals() -> Iterator[threading.Event]:
    """An event Ctrl-C or SIGTERM sets, for as long as the block runs (installed before anything starts, so a signal
    that comes early still stops what was started)."""
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopped
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_until_stopped(server: Server, stopped: threading.Event) -> None:
    """Block until ``stopped`` is set (see :func:`stop_signals`), then stop everything ``serve`` started."""
    try:
        while not stopped.wait(0.5):
            if server._oxigraph.poll() is not None:
                raise ServeError("Oxigraph's server stopped unexpectedly")
    finally:
        server.stop()


def _die_with_parent() -> None:
    """In the Oxigraph process, before it starts (Linux): end when pa-graph ends, even killed, so none is orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = (process.stderr.read() if process.stderr else b"").decode("utf-8", "replace")
            raise ServeError(f"Oxigraph's server did not start: {' '.join(error.split())[:300]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise ServeError(f"Oxigraph's server did not answer within {_STARTUP_SECONDS:g} s")


def _yasgui_files(folder: Path) -> dict[str, tuple[bytes, str]]:
    """YASGUI's script and style sheet from its build folder, read once (each at most 10 MB)."""
    files = {}
    for name, content_type in _YASGUI_FILES.items():
        path = folder / name
        try:
            with open(path, "rb") as stream:
                data = stream.read(_MAX_YASGUI_FILE + 1)
        except OSError as err:
            raise ServeError(f"yasgui {folder} is not a YASGUI build folder ({name}: {err.strerror or err}); it is "
                             "node_modules/@zazuko/yasgui/build after 'npm install @zazuko/yasgui'",
                             parameter="yasgui") from err
        if len(data) > _MAX_YASGUI_FILE:
            raise ServeError(f"yasgui {path} is larger than {_MAX_YASGUI_FILE // 1_000_000} MB: not YASGUI's",
                             parameter="yasgui")
        files[f"yasgui/{name}"] = (data, content_type)
    return files


@dataclass
class _Site:
    """What the front server serves, rendered once at start."""

    build: Build
    inner_port: int
    endpoint: str
    yasgui: dict[str, tuple[bytes, str]] | None = None
    pages: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        title = self.build.title() if self.build.graph_file.with_name("graph.json").is_file() else "pa-graph"
        folder = self.build.folder
        links = [("graph.html", "The map", "the interactive view of the graph"),
                 ("query.html", "SPARQL", f"queries, the cookbook ready to run; endpoint {self.endpoint}")]
        for name, label in (("gaps.md", "Gap report"), ("audit.md", "Audit")):
            if (folder / name).is_file():
                page = name.replace(".md", ".html")
                self.pages[page] = _page(label, _MARKDOWN.render((folder / name).read_text(encoding="utf-8")))
                links.append((page, label, name))
        for name in ("graph.html", "history.html"):
            if (folder / name).is_file():
                self.pages[name] = (folder / name).read_bytes()
        if "history.html" in self.pages:
            links.append(("history.html", "History", "the list over its commits"))
        self.pages["query.html"] = _query_page(title, self.endpoint, "yasgui.html" if self.yasgui else "query.html")
        items = "".join(f'<li><a href="/{html.escape(href)}">{html.escape(label)}</a> — {html.escape(what)}</li>'
                        for href, label, what in links if href in self.pages)
        self.pages["index.html"] = _page(title, f"<ul>{items}</ul>")


_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")  # list text is untrusted: no raw HTML


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><style>body{font:15px/1.45 '
            'system-ui,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem}table{border-collapse:collapse}'
            'td,th{border:1px solid #ddd;padding:.2rem .4rem}</style></head><body>'
            f'<p><a href="/">home</a></p><h1>{html.escape(title)}</h1>{body}</body></html>').encode()


def _query_page(title: str, endpoint: str, template_name: str) -> bytes:
    template = (resources.files("pa_graph") / "export" / template_name).read_text(encoding="utf-8")
    queries = {name: with_prefixes(load_query(name)) for name in cookbook()}
    data = json.dumps(queries).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (template.replace("{{ title }}", html.escape(title)).replace("{{ endpoint }}", html.escape(endpoint))
            .replace("{{ queries }}", data).encode("utf-8"))


class _FrontServer(ThreadingHTTPServer):
    daemon_threads = True
    site: _Site


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pa-graph"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def site(self) -> _Site:
        assert isinstance(self.server, _FrontServer)
        return self.server.site

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/query":
            return self._proxy()
        name = path.lstrip("/") or "index.html"
        if self.site.yasgui and name in self.site.yasgui:
            return self._send(200, *self.site.yasgui[name])
        page = self.site.pages.get(name)
        if page is None:
            return self._send(404, b"not found\n", "text/plain; charset=utf-8")
        self._send(200, page, "text/html; charset=utf-8")

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/query":
            return self._proxy()
        if path in ("/update", "/store"):
            return self._send(403, b"pa-graph serve is read-only: push to a store you run yourself\n",
                              "text/plain; charset=utf-8")
        self._send(404, b"not found\n", "text/plain; charset=utf-8")

    do_PUT = do_DELETE = do_POST

    def _proxy(self) -> None:
        """Pass a SPARQL 1.1 Protocol query to Oxigraph's server and its answer back."""
        length = int(self.headers.get("content-length") or 0)
        if length > _MAX_BODY:
            return self._send(413, b"query too large\n", "text/plain; charset=utf-8")
        body = self.rfile.read(length) if length else None
        headers = {name: value for name, value in self.headers.items() if name.lower() in ("content-type", "accept")}
        connection = http.client.HTTPConnection("127.0.0.1", self.site.inner_port, timeout=120)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            self._send(answer.status, data, answer.getheader("content-type") or "application/octet-stream")
        except OSError as err:
            self._send(502, f"the SPARQL server did not answer ({err})\n".encode(), "text/plain; charset=utf-8")
        finally:
            connection.close()

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
