"""``pa-graph serve``: a build on a real SPARQL server, for a group on a LAN or a laptop.

Oxigraph's own servers (``oxigraph serve-read-only``, the ``oxigraph`` package) answer SPARQL 1.1 Protocol queries
from the build's on-disk store, each on a loopback port of its own and one query at a time; pa-graph's server in
front of them, on the address the user asked for, checks every query — the project's prefixes added, ``SERVICE``
refused unless allowed, a time limit, a client that hangs up stops its query (by ending that Oxigraph process) —
and serves a landing page, the map (``graph.html``), the reports (``gaps.md``, ``audit.md`` rendered to HTML,
``history.html`` when the build folder has one) and a query page with the cookbook's queries ready to run. Requests
from another site (a foreign ``Host`` or ``Origin``) are refused. Nothing served asks a host outside the machine.
Read-only: ``/update`` and ``/store`` answer 403. Stopping (Ctrl-C, SIGTERM) stops the Oxigraph processes too.

The query page is pa-graph's own (a tab per cookbook query, a table of results), or YASGUI when the folder of its
build is given (``npm install @zazuko/yasgui``, then ``node_modules/@zazuko/yasgui/build``): YASGUI is not shipped
inside pa-graph, since no Python package carries it and this repository holds only code of its own; once given,
its two files are served from here like everything else.
"""

from __future__ import annotations

import concurrent.futures
import html
import http.client
import ipaddress
import json
import os
import queue
import random
import re
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import Any

from pa_graph.build_folder import DEFAULT_OUT, Build
from pa_graph.errors import ServeError
from pa_graph.export.pages import landing_page, query_page
from pa_graph.export.sparql import QueryError, as_written, cookbook, load_query, refuse_federation, with_prefixes
from pa_graph.export.store import store_location
from pa_graph.options import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT, DEFAULT_WORKERS
from pa_graph.site import REPORT_LINKS, base_iri_of, report_pages

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "DEFAULT_TIMEOUT", "DEFAULT_WORKERS", "ServeError", "Server", "serve",
           "run_until_stopped", "stop_signals"]

_MAX_BODY = 1_000_000  # a query larger than this is refused
_MAX_ANSWER = 200_000_000  # an answer larger than this is refused (it is held in memory to be sent)
_YASGUI_FILES = {"yasgui.min.js": "text/javascript; charset=utf-8", "yasgui.min.css": "text/css; charset=utf-8"}
_MAX_YASGUI_FILE = 10_000_000
_STARTUP_SECONDS = 20.0


@dataclass
class Server:
    """A running ``serve``: its addresses, and :meth:`stop`."""

    url: str
    endpoint: str
    _http: _FrontServer
    _oxigraphs: _Oxigraphs
    _threads: list[threading.Thread] = field(default_factory=list)

    def stop(self) -> None:
        """Stop the front server and every Oxigraph process; waits for them to end (no orphan is left)."""
        self._http.shutdown()
        self._http.server_close()
        self._oxigraphs.stop()


def serve(out: str | Path | Build = DEFAULT_OUT, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          yasgui: str | Path | None = None, allow_service: bool = False, timeout: float = DEFAULT_TIMEOUT,
          workers: int = DEFAULT_WORKERS) -> Server:
    """Start serving the build in ``out`` (see the module docstring) and return at once; :meth:`Server.stop` ends
    it. ``yasgui``: the folder of a YASGUI build (``yasgui.min.js`` and ``yasgui.min.css``) for the query page.
    ``allow_service``: let queries use ``SERVICE`` (refused by default: the server would fetch what it names).
    ``timeout``: seconds a query may run; ``workers``: Oxigraph processes, the queries answered at once. A port in
    use, or a folder without YASGUI's files, is a :class:`ServeError`."""
    assets = _yasgui_files(Path(yasgui)) if yasgui is not None else None
    build = out if isinstance(out, Build) else Build.open(out)
    location = store_location(build.written_graph, build.cache_dir)
    if location is None:
        raise ServeError("the cache folder cannot hold the graph's store; set PA_GRAPH_CACHE_DIR to a folder you "
                         "can write to")
    try:
        front = _FrontServer((host, port), _Handler)
    except OSError as err:
        raise ServeError(f"{host}:{port} cannot be used ({err.strerror or err}); choose another port") from err
    try:
        oxigraphs = _Oxigraphs(location, workers)
    except ServeError:
        front.server_close()
        raise
    served_port = front.server_address[1]
    shown = f"http://{host if ':' not in host else f'[{host}]'}:{served_port}"
    front.site = _Site(build, oxigraphs, f"{shown}/query", _Gate(host, served_port), allow_service, timeout, assets)
    thread = threading.Thread(target=front.serve_forever, daemon=True)
    thread.start()
    return Server(shown + "/", f"{shown}/query", front, oxigraphs, [thread])


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
            pass
    finally:
        server.stop()


def _die_with_parent() -> None:
    """In the Oxigraph process, before it starts (Linux): end when pa-graph ends, even killed, so none is orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _private_address() -> tuple[str, int]:
    """A loopback address and a free port on it for one Oxigraph process. Linux answers on all of 127.0.0.0/8: a
    random address there hides the process among some 10^11 address-port pairs, so a page the user visits cannot
    find it to send it a query past the front's checks (elsewhere, 127.0.0.1)."""
    chosen = random.SystemRandom()
    for address in (f"127.{chosen.randrange(1, 255)}.{chosen.randrange(1, 255)}.{chosen.randrange(1, 255)}",
                    "127.0.0.1"):
        try:
            with socket.socket() as probe:
                probe.bind((address, 0))
                return address, int(probe.getsockname()[1])
        except OSError:
            continue
    raise ServeError("no loopback address can be used for Oxigraph's server")


def _wait_for(address: str, port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = (process.stderr.read() if process.stderr else b"").decode("utf-8", "replace")
            raise ServeError(f"Oxigraph's server did not start: {' '.join(error.split())[:300]}")
        try:
            with socket.create_connection((address, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise ServeError(f"Oxigraph's server did not answer within {_STARTUP_SECONDS:g} s")


class _Oxigraph:
    """One Oxigraph server process on a loopback port of its own, answering one query at a time."""

    def __init__(self, location: Path) -> None:
        command = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        self.address, self.port = _private_address()
        try:
            self.process = subprocess.Popen([command, "serve-read-only", "--location", str(location), "--bind",
                                             f"{self.address}:{self.port}", "--union-default-graph"],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                            preexec_fn=_die_with_parent)
        except OSError as err:
            raise ServeError(f"Oxigraph's server could not be started ({err}); install it: pip install oxigraph") \
                from err
        try:
            _wait_for(self.address, self.port, self.process)
        except ServeError:
            self.kill()
            raise

    def kill(self) -> None:
        """End it at once — the only way to stop a query Oxigraph is running."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class _Oxigraphs:
    """A few Oxigraph servers on the build's store, each lent to one query at a time. Oxigraph cannot cancel a
    query (``--timeout-s`` was measured not to stop one), so a query whose time is up or whose client hung up is
    stopped by killing its process, and a fresh one takes its place; the others answer meanwhile."""

    def __init__(self, location: Path, size: int) -> None:
        self.location = location
        self.idle: queue.Queue[_Oxigraph] = queue.Queue()
        self.all: list[_Oxigraph] = []
        self.lock = threading.Lock()
        self.stopped = False
        # one long-lived thread starts every process: a child set to die with its parent dies with the *thread*
        # that started it, and a request's thread ends with the request
        self.starter = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pa-graph-oxigraph")
        try:
            for _ in range(max(1, size)):
                self._add(self._start())
        except ServeError:
            self.stop()
            raise

    def _start(self) -> _Oxigraph:
        return self.starter.submit(_Oxigraph, self.location).result()

    def _add(self, instance: _Oxigraph) -> None:
        with self.lock:
            if self.stopped:
                instance.kill()
                return
            self.all.append(instance)
        self.idle.put(instance)

    def borrow(self, timeout: float) -> _Oxigraph | None:
        try:
            return self.idle.get(timeout=timeout)
        except queue.Empty:
            return None

    def give_back(self, instance: _Oxigraph) -> None:
        if instance.process.poll() is None:
            self.idle.put(instance)
        else:
            self.replace(instance)

    def replace(self, instance: _Oxigraph) -> None:
        """Kill ``instance`` and start another in its place."""
        instance.kill()
        with self.lock:
            if instance in self.all:
                self.all.remove(instance)
            if self.stopped:
                return
        try:
            self._add(self._start())
        except (ServeError, RuntimeError):
            pass  # one fewer worker (or the server is stopping); the rest still answer

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            instances = list(self.all)
        for instance in instances:
            instance.stop()
        self.starter.shutdown(wait=False)


@dataclass(frozen=True)
class _Gate:
    """Which requests come from where the server was meant to be reached: a ``Host`` naming the address served
    (any IP literal, ``localhost``, this machine's name) — a page on another site that rebinds its own name to this
    machine does not pass — and no ``Origin`` or ``Sec-Fetch-Site`` of another site (a form post from a page the
    user visits)."""

    host: str
    port: int

    def refuses(self, headers: Any) -> str | None:
        """Why the request is refused, or ``None``."""
        given = (headers.get("host") or "").strip().lower()
        name = given.rsplit(":", 1)[0] if given.count(":") == 1 or given.startswith("[") else given
        name = name.strip("[]")
        if not name or not self._our_name(name):
            return f"Host {given or '(none)'} is not this server's address"
        origin = headers.get("origin")
        if origin is not None and origin.strip().lower().rstrip("/") != f"http://{given}":
            return f"requests from {origin} (another site) are refused"
        if (headers.get("sec-fetch-site") or "").lower() == "cross-site":
            return "requests from another site are refused"
        return None

    def _our_name(self, name: str) -> bool:
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            pass
        names = {"localhost", self.host.lower()}
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        return name in names


def _yasgui_files(folder: Path) -> dict[str, tuple[bytes, str]]:
    """YASGUI's script and style sheet from its build folder, read once (each at most 10 MB)."""
    files = {}
    for name, content_type in _YASGUI_FILES.items():
        path = folder / name
        try:
            # opened without blocking and checked to be a regular file: a FIFO named yasgui.min.js would wait for a
            # writer forever, before Ctrl-C is even listened for
            descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            with os.fdopen(descriptor, "rb") as stream:
                if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                    raise ServeError(f"yasgui {path} is not a regular file", parameter="yasgui")
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
    oxigraphs: _Oxigraphs
    endpoint: str
    gate: _Gate
    allow_service: bool = False
    timeout: float = 30.0
    yasgui: dict[str, tuple[bytes, str]] | None = None
    pages: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        title = self.build.title() if self.build.written_graph.with_name("graph.json").is_file() else "pa-graph"
        self.pages.update(report_pages(self.build))
        links = [("graph.html", "The map", "the interactive view of the graph"),
                 ("query.html", "SPARQL", f"queries, the cookbook ready to run; endpoint {self.endpoint}"),
                 *REPORT_LINKS]
        self.pages["query.html"] = _yasgui_page(title, self.endpoint) if self.yasgui else query_page(title, {
            "mode": "endpoint", "endpoint": "query", "shown": self.endpoint, "base": base_iri_of(self.build)})
        self.pages["index.html"] = landing_page(title, [link for link in links if link[0] in self.pages])


def _yasgui_page(title: str, endpoint: str) -> bytes:
    template = (resources.files("pa_graph") / "export" / "yasgui.html").read_text(encoding="utf-8")
    queries = {name: with_prefixes(load_query(name)) for name in cookbook()}
    data = json.dumps(queries).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (template.replace("{{ title }}", html.escape(title)).replace("{{ endpoint }}", html.escape(endpoint))
            .replace("{{ queries }}", data).encode("utf-8"))


class _Refused(Exception):
    """A request the server does not take, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


_TEXT = "text/plain; charset=utf-8"
#: What a SPARQL 1.1 Protocol query may carry besides the query, passed on to Oxigraph.
_PROTOCOL_PARAMETERS = {"default-graph-uri", "named-graph-uri"}


class _FrontServer(ThreadingHTTPServer):
    daemon_threads = True
    site: _Site

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6  # --host ::1
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pa-graph"
    timeout = 20  # seconds a connection may stay silent (a client that sends its request slowly is let go)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def site(self) -> _Site:
        assert isinstance(self.server, _FrontServer)
        return self.server.site

    def do_GET(self) -> None:
        if self.headers.get("content-length") not in (None, "0") or self.headers.get("transfer-encoding"):
            self.close_connection = True  # a body on a GET is not read: it must not be taken for the next request
        refused = self.site.gate.refuses(self.headers)
        if refused:
            return self._send(403, f"{refused}\n".encode(), _TEXT)
        path = self.path.split("?", 1)[0]
        if path == "/query":
            return self._query()
        name = path.lstrip("/") or "index.html"
        if self.site.yasgui and name in self.site.yasgui:
            return self._send(200, *self.site.yasgui[name])
        page = self.site.pages.get(name)
        if page is None:
            return self._send(404, b"not found\n", _TEXT)
        self._send(200, page, "text/html; charset=utf-8")

    def do_POST(self) -> None:
        refused = self.site.gate.refuses(self.headers)
        if refused:
            self.close_connection = True
            return self._send(403, f"{refused}\n".encode(), _TEXT)
        path = self.path.split("?", 1)[0]
        if path == "/query":
            return self._query()
        self.close_connection = True  # the body, if any, is not read
        if path in ("/update", "/store"):
            return self._send(403, b"pa-graph serve is read-only: push to a store you run yourself\n", _TEXT)
        self._send(404, b"not found\n", _TEXT)

    def do_PUT(self) -> None:
        self.close_connection = True  # the body, if any, is not read
        refused = self.site.gate.refuses(self.headers)
        if refused:
            return self._send(403, f"{refused}\n".encode(), _TEXT)
        self._send(403 if self.path.split("?", 1)[0] in ("/update", "/store") else 405,
                   b"pa-graph serve is read-only: a query is a GET or a POST to /query\n", _TEXT)

    do_DELETE = do_PUT

    def _query(self) -> None:
        """A SPARQL 1.1 Protocol query, checked here and answered by one of the Oxigraph servers."""
        try:
            text, parameters = self._read_query()
        except _Refused as refusal:
            self.close_connection = True
            return self._send(refusal.status, f"{refusal}\n".encode(), _TEXT)
        full = with_prefixes(text)
        added = full.count("\n") - text.count("\n")
        if not self.site.allow_service:
            try:
                refuse_federation(full)
            except QueryError:
                return self._send(403, b"this server refuses SERVICE and LOAD, which would make it fetch what they "
                                       b"name; start it with --allow-service to allow them\n", _TEXT)
        instance = self.site.oxigraphs.borrow(self.site.timeout)
        if instance is None:
            return self._send(503, b"every worker is busy; try again\n", _TEXT)
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def ask() -> None:
            connection = http.client.HTTPConnection(instance.address, instance.port, timeout=self.site.timeout + 5)
            try:
                connection.request("POST", "/query" + parameters, body=full.encode("utf-8"),
                                   headers={"Content-Type": "application/sparql-query; charset=utf-8",
                                            "Accept": self.headers.get("accept") or "application/sparql-results+json"})
                answer = connection.getresponse()
                data = answer.read(_MAX_ANSWER + 1)  # a result is held to answer it: within a cap
                outcome["answer"] = (answer.status, data, answer.getheader("content-type") or "")
            except OSError as err:
                outcome["error"] = err
            finally:
                connection.close()
                done.set()

        threading.Thread(target=ask, daemon=True).start()
        deadline = time.monotonic() + self.site.timeout
        while not done.wait(0.05):
            if time.monotonic() > deadline or self._client_gone():
                self.site.oxigraphs.replace(instance)  # the one way to stop the query
                if self._client_gone():
                    self.close_connection = True
                    return None
                return self._send(503, f"the query ran out of its {self.site.timeout:g} seconds and was stopped "
                                       "(pa-graph serve --timeout)\n".encode(), _TEXT)
        if "answer" in outcome and len(outcome["answer"][1]) > _MAX_ANSWER:
            self.site.oxigraphs.replace(instance)  # it may still be writing the rest
            return self._send(507, f"the answer is larger than {_MAX_ANSWER // 1_000_000} MB: ask for less (LIMIT, "
                                   "fewer variables)\n".encode(), _TEXT)
        self.site.oxigraphs.give_back(instance)
        if "error" in outcome:
            return self._send(502, f"the SPARQL server did not answer ({outcome['error']})\n".encode(), _TEXT)
        status, data, content_type = outcome["answer"]
        if status == 400:  # a parser's multi-line dump: one line, placed where the user wrote it
            message = as_written(data.decode("utf-8", "replace"), added)
            return self._send(400, f"{message}\n".encode(), _TEXT)
        self._send(status, data, content_type or "application/octet-stream")

    def _read_query(self) -> tuple[str, str]:
        """The query text and the other protocol parameters (as a query string) of a GET or POST; a body needs a
        valid Content-Length within the cap."""
        path, _, query_string = self.path.partition("?")
        fields = urllib.parse.parse_qs(query_string, keep_blank_values=True)
        text: str | None = fields.pop("query", [None])[0]
        if self.command == "POST":
            if self.headers.get("transfer-encoding"):
                raise _Refused(411, "send the query with a Content-Length, not chunked")
            declared = self.headers.get("content-length")
            if declared is None:
                raise _Refused(411, "a query sent by POST needs a Content-Length")
            if not re.fullmatch(r"[0-9]{1,9}", declared.strip()):  # ASCII digits only ("²" is a digit to Python)
                raise _Refused(400, f"Content-Length {declared!r} is not a length")
            length = int(declared)
            if length > _MAX_BODY:
                raise _Refused(413, f"a query larger than {_MAX_BODY:,} bytes is refused")
            body = self.rfile.read(length).decode("utf-8", "replace")
            kind = (self.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
            if kind == "application/sparql-query":
                text = body
            elif kind == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(body, keep_blank_values=True)
                text = form.pop("query", [None])[0]
                for name, values in form.items():
                    fields.setdefault(name, []).extend(values)
            else:
                raise _Refused(415, "send the query as application/sparql-query or as a form")
        if not text:
            raise _Refused(400, "no query: give it as the 'query' parameter")
        kept = [(name, value) for name, values in fields.items() if name in _PROTOCOL_PARAMETERS for value in values]
        return text, ("?" + urllib.parse.urlencode(kept)) if kept else ""

    def _client_gone(self) -> bool:
        """The client closed its connection (what it sent is all read, so readable means closed)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
