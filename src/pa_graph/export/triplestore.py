"""Talking to a SPARQL 1.1 triple store: push a build into a named graph, query it remotely.

Two ways to push. The Graph Store Protocol (``PUT <store>?graph=<iri>`` with the Turtle file) replaces the named
graph in one request, so pushing twice leaves the same graph. SPARQL Update is for stores without GSP writes: the
triples go in chunks into a staging graph unique to the push, then one ``MOVE`` replaces the target — a failure
half-way leaves the previous graph intact and the staging graph is dropped. After either, the triples the store holds
in the named graph are counted (GSP: the graph read back as N-Triples; Update: a ``COUNT`` at the query endpoint)
and a store that answered success without keeping the push is an error. This is the one module that speaks HTTP to
triple stores (:mod:`pa_graph.sources.s2` is the one for Semantic Scholar).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph

from pa_graph.errors import PushError
from pa_graph.export.sparql import QueryResult
from pa_graph.export.store import open_store
from pa_graph.options import DEFAULT_NAMED_GRAPH, DEFAULT_PUSH_TIMEOUT
from pa_graph.text import checked_iri, loads_bounded, single_line
from pa_graph.tls import tls_context

__all__ = ["DEFAULT_NAMED_GRAPH", "Credentials", "PushError", "PushResult", "push_graph_store", "push_update", "remote_query",
           "DEFAULT_PUSH_TIMEOUT"]

UPDATE_CHUNK = 5_000  # triples per INSERT DATA request
#: The named graph a push writes (and a query after it reads) unless told another.
_CLEANUP_SECONDS = 10.0  # granted past the deadline to drop a half-filled staging graph


@dataclass(frozen=True)
class Credentials:
    """HTTP Basic user/password or a bearer token; from options or ``PA_GRAPH_STORE_USER``/``_PASSWORD``/``_TOKEN``."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ, **given: str | None) -> Credentials:
        return cls(
            user=given.get("user") or environ.get("PA_GRAPH_STORE_USER"),
            password=given.get("password") or environ.get("PA_GRAPH_STORE_PASSWORD"),
            token=given.get("token") or environ.get("PA_GRAPH_STORE_TOKEN"),
        )

    def apply(self) -> dict[str, Any]:
        if self.token:
            return {"headers": {"Authorization": f"Bearer {self.token}"}}
        if self.user:
            return {"auth": (self.user, self.password or "")}
        return {}


@dataclass(frozen=True)
class PushResult:
    triples: int
    requests: int
    named_graph: str
    verified: int | None = None  # the triples the store holds in the graph after the push; None: not counted


class _Exchange:
    """One push or query against a store, under one deadline for the whole exchange: every request gets the time
    left, and a body is read chunk by chunk against it — a store (or proxy) that drip-feeds its answer a byte at a
    time never trips a per-read timeout, but it does trip this."""

    def __init__(self, credentials: Credentials, seconds: float) -> None:
        options = credentials.apply()
        self.seconds, self.deadline = seconds, time.monotonic() + seconds
        self.client = httpx.Client(auth=options.get("auth"), headers=options.get("headers"), verify=tls_context())

    def __enter__(self) -> _Exchange:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def left(self, url: str) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise PushError(f"{url} did not finish within {self.seconds:g} s (the whole exchange); stopped")
        return remaining

    def request(self, method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, bytes]:
        """The response and its whole body, within the deadline."""
        chunks = []
        with self.client.stream(method, url, timeout=httpx.Timeout(self.left(url)), **kwargs) as response:
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                self.left(url)
        return response, b"".join(chunks)


def _send(exchange: _Exchange, method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, bytes]:
    try:
        response, body = exchange.request(method, url, **kwargs)
    except httpx.ConnectError as err:
        raise PushError(f"cannot connect to {url} ({err})") from err
    except httpx.TimeoutException as err:
        raise PushError(f"{url} did not finish within {exchange.seconds:g} s (the whole exchange); stopped") from err
    except httpx.HTTPError as err:
        raise PushError(f"{url}: {err}") from err
    if response.status_code in (401, 403):
        raise PushError(f"{url} refused the credentials (HTTP {response.status_code}): give a user and password "
                        f"or a token (PA_GRAPH_STORE_USER/PASSWORD/TOKEN)")
    if response.is_redirect:
        raise PushError(f"{url} answered HTTP {response.status_code} (a redirect to "
                        f"{single_line(response.headers.get('location', '?'))}); nothing was stored: use the final URL")
    if not response.is_success:
        detail = " ".join(body.decode("utf-8", "replace").split())[:200]
        raise PushError(f"{url} answered HTTP {response.status_code}{': ' + detail if detail else ''}")
    return response, body


def push_graph_store(path: str | Path, endpoint: str, named_graph: str = DEFAULT_NAMED_GRAPH,
                     credentials: Credentials = Credentials(),
                     timeout: float = DEFAULT_PUSH_TIMEOUT) -> PushResult:
    """``PUT`` the file into ``named_graph`` at a Graph Store Protocol endpoint (idempotent)."""
    checked_iri(named_graph, "named_graph")
    lines = _ntriples(path)  # refuse a broken file before touching the store
    with _Exchange(credentials, timeout) as exchange:
        _send(exchange, "PUT", endpoint, params={"graph": named_graph}, content="\n".join(lines).encode() + b"\n",
              headers={"Content-Type": "application/n-triples"})
        held = _count_read_back(exchange, endpoint, named_graph)
    return PushResult(len(lines), 2, named_graph, _checked(held, len(lines), endpoint, named_graph))


def _ntriples(path: str | Path) -> list[str]:
    """The graph file's triples as sorted N-Triples lines, read from its on-disk store (not parsed again)."""
    store = open_store(Path(path))
    text = (store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph()) or b"").decode("utf-8")
    return sorted(line for line in text.split("\n") if line.strip())


def push_update(path: str | Path, update_endpoint: str, named_graph: str = DEFAULT_NAMED_GRAPH,
                credentials: Credentials = Credentials(),
                timeout: float = DEFAULT_PUSH_TIMEOUT, chunk: int = UPDATE_CHUNK,
                query_endpoint: str | None = None) -> PushResult:
    """Load the file through SPARQL Update: staging graph in chunks, then one ``MOVE`` onto ``named_graph``; then
    count the graph at ``query_endpoint`` (default: the update URL with ``/update`` replaced by ``/query``, as
    Oxigraph and Fuseki name them; not counted when neither is known)."""
    checked_iri(named_graph, "named_graph")
    lines = _ntriples(path)
    staging = f"{named_graph.rstrip('/#')}/staging-{uuid.uuid4().hex}"  # one per push: concurrent pushes never mix
    requests = 0
    with _Exchange(credentials, timeout) as exchange:
        def update(text: str) -> None:
            nonlocal requests
            requests += 1
            _send(exchange, "POST", update_endpoint, content=text.encode(),
                  headers={"Content-Type": "application/sparql-update"})

        try:
            for start in range(0, len(lines), chunk):
                update(f"INSERT DATA {{ GRAPH <{staging}> {{\n" + "\n".join(lines[start:start + chunk]) + "\n} }")
            update(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{named_graph}>")
        except PushError:
            try:  # leave no half-filled staging graph behind (a few seconds more); the target was never touched
                exchange.deadline = max(exchange.deadline, time.monotonic() + _CLEANUP_SECONDS)
                update(f"DROP SILENT GRAPH <{staging}>")
            except PushError:
                pass
            raise
        query_endpoint = query_endpoint or (update_endpoint[:-len("/update")] + "/query"
                                            if update_endpoint.rstrip("/").endswith("/update") else None)
        held = _count_by_query(exchange, query_endpoint, named_graph) if query_endpoint else None
    return PushResult(len(lines), requests + (held is not None), named_graph,
                      _checked(held, len(lines), update_endpoint, named_graph))


def _checked(held: int | None, sent: int, endpoint: str, named_graph: str) -> int | None:
    if held is not None and held != sent:
        raise PushError(f"{endpoint} answered success, but <{named_graph}> holds {held} triples after the push, not "
                        f"the {sent} sent: the store did not keep the push")
    return held


def _count_read_back(exchange: _Exchange, endpoint: str, named_graph: str) -> int | None:
    """The triples of the named graph, read back from a Graph Store endpoint as N-Triples and counted line by line
    as they stream (never held whole); ``None`` when the store does not serve the graph back."""
    try:
        with exchange.client.stream("GET", endpoint, params={"graph": named_graph},
                                    headers={"Accept": "application/n-triples"},
                                    timeout=httpx.Timeout(exchange.left(endpoint))) as response:
            if response.status_code == 404:
                return 0
            kind = response.headers.get("content-type", "")
            if not response.is_success or "n-triples" not in kind:
                return None
            count = 0
            for line in response.iter_lines():
                exchange.left(endpoint)
                count += bool(line.strip()) and not line.startswith("#")
            return count
    except httpx.HTTPError:
        return None


def _count_by_query(exchange: _Exchange, query_endpoint: str, named_graph: str) -> int | None:
    try:
        response, body = exchange.request(
            "POST", query_endpoint, data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{named_graph}> "
                                                   "{ ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"})
        return int(loads_bounded(body)["results"]["bindings"][0]["n"]["value"]) if response.is_success else None
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError):
        return None


def remote_query(endpoint: str, text: str, named_graph: str | None = None,
                 credentials: Credentials = Credentials(), timeout: float = 60.0) -> QueryResult:
    """Run a SELECT over the SPARQL protocol; ``named_graph`` becomes the query's default graph."""
    data = {"query": text}
    if named_graph:
        data["default-graph-uri"] = named_graph
    with _Exchange(credentials, timeout) as exchange:
        _, answer = _send(exchange, "POST", endpoint, data=data, headers={"Accept": "application/sparql-results+json"})
    try:
        body = loads_bounded(answer)
        columns = tuple(body["head"]["vars"])
        rows = tuple(tuple(binding.get(name, {}).get("value") for name in columns)
                     for binding in body["results"]["bindings"])
    except (ValueError, KeyError, TypeError) as err:
        raise PushError(f"{endpoint} did not answer with SPARQL JSON results") from err
    return QueryResult(columns, rows)
