"""A fake Semantic Scholar Graph API on a loopback port, with fault injection.

Real HTTP (``http.server`` in a thread), answers shaped like the recorded responses in ``tests/fixtures/s2/``:
``POST /graph/v1/paper/batch`` (``null`` for unknown ids), ``GET /paper/search/match`` (404 "Title match not found",
400 on punctuation as users report), ``GET /paper/{id}/references`` and ``/citations`` (``offset``/``limit``/``next``
pagination, items wrapping ``citedPaper``/``citingPaper``). Every request is logged with its headers and status.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from loopback import serve_in_background

from fake_s2.world import Paper, World


@dataclass
class Faults:
    """What to break. Counters are consumed as requests arrive."""

    api_key: str | None = None  # when set, any other key (or none) gets 403
    rate_limited: int = 0  # the next N requests answer 429 with Retry-After
    retry_after: str | None = "0.05"
    server_errors: int = 0  # the next N requests answer 500
    page_503: dict[tuple[str, int], int] = field(default_factory=dict)  # (direction, offset) → 503s for each paper
    malformed_json: int = 0  # the next N batch answers are not JSON
    delay: float = 0.0  # seconds before every answer
    punctuation_400: bool = True  # /search/match answers 400 when the query has & + # % : ?
    nested_batch_limit: int | None = None  # batches asking for references.* with more ids answer 504 (as S2 does)
    min_interval: float | None = None  # a strict limiter: a request sooner than this after the last one gets 429
    drip: float | None = None  # every answer's body is sent one byte per this many seconds, for ever (a slow drip)
    gzip_bomb: int | None = None  # batch answers are this many bytes of JSON whitespace, gzip-compressed


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    body: str
    headers: dict[str, str]
    status: int = 0


class FakeS2:
    def __init__(self, world: World, faults: Faults | None = None) -> None:
        self.world = world
        self.faults = faults or Faults()
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        self._503_served: dict[tuple[str, str, int], int] = {}
        self._last_request = float("-inf")
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeS2:
        serve_in_background(self.server)
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def take(self, counter: str) -> bool:
        with self._lock:
            left = getattr(self.faults, counter)
            if left > 0:
                setattr(self.faults, counter, left - 1)
                return True
            return False

    def take_page_503(self, paper_id: str, direction: str, offset: int) -> bool:
        with self._lock:
            served = self._503_served.get((paper_id, direction, offset), 0)
            if served < self.faults.page_503.get((direction, offset), 0):
                self._503_served[(paper_id, direction, offset)] = served + 1
                return True
            return False

    def successful(self) -> list[Logged]:
        return [entry for entry in self.log if entry.status == 200 or entry.status == 404]


def shape(paper: Paper, fields: list[str], world: World) -> dict:
    """The paper as S2 returns it for ``fields`` (nested ``references.x`` included)."""
    out: dict = {"paperId": paper.paper_id}
    nested = [f.split(".", 1)[1] for f in fields if f.startswith("references.")]
    for name in fields:
        if name == "title":
            out["title"] = paper.title
        elif name == "year":
            out["year"] = paper.year
        elif name == "externalIds":
            ids: dict = {"CorpusId": paper.corpus_id}
            if paper.arxiv_id:
                ids["ArXiv"] = paper.arxiv_id
            if paper.doi:
                ids["DOI"] = paper.doi
            out["externalIds"] = ids
        elif name == "venue":
            out["venue"] = paper.venue or ""
        elif name == "publicationVenue":
            out["publicationVenue"] = None if not paper.venue else {
                "id": hashlib.md5(paper.venue.encode()).hexdigest(), "name": paper.venue, "type": "conference",
                "alternate_names": [], "url": None}
        elif name == "authors":
            out["authors"] = [{"authorId": aid, "name": name} for aid, name in paper.authors]
        elif name == "citationCount":
            out["citationCount"] = paper.citation_count
        elif name == "embedding.specter_v2":
            rng = random.Random(paper.paper_id)
            out["embedding"] = {"model": "specter_v2", "vector": [round(rng.uniform(-1, 1), 4) for _ in range(16)]}
    if nested:
        out["references"] = []
        for ref in paper.references:
            if ref is None:
                out["references"].append({"paperId": None, "title": "An Unresolved Reference"})
            else:
                out["references"].append(shape(world.papers[ref], nested, world))
    return out


class _Handler(BaseHTTPRequestHandler):
    fake: FakeS2
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stalls

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _reply(self, entry: Logged, status: int, body: object, raw: bytes | None = None, headers: dict | None = None):
        entry.status = status
        data = raw if raw is not None else json.dumps(body).encode()
        if self.fake.faults.drip is not None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(10 ** 9))
            self.end_headers()
            try:
                for _ in range(10 ** 6):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(self.fake.faults.drip)
            except OSError:  # the client gave up
                pass
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        entry = Logged(method, parts.path, parse_qs(parts.query), body, {k.lower(): v for k, v in self.headers.items()})
        with fake._lock:
            fake.log.append(entry)
        if fake.faults.delay:
            time.sleep(fake.faults.delay)
        if fake.faults.api_key is not None and entry.headers.get("x-api-key") != fake.faults.api_key:
            return self._reply(entry, 403, {"message": "Forbidden"})
        if fake.take("rate_limited"):
            headers = {"Retry-After": fake.faults.retry_after} if fake.faults.retry_after else {}
            return self._reply(entry, 429, {"message": "Too Many Requests"}, headers=headers)
        if fake.take("server_errors"):
            return self._reply(entry, 500, {"message": "Internal Server Error"})
        if fake.faults.min_interval is not None:
            with fake._lock:
                now = time.monotonic()
                too_soon = now - fake._last_request < fake.faults.min_interval
                fake._last_request = now
            if too_soon:
                return self._reply(entry, 429, {"message": "Too Many Requests"})
        path = parts.path.removeprefix("/graph/v1")
        fields = [f for f in ",".join(entry.query.get("fields", [""])).split(",") if f]
        if method == "POST" and path == "/paper/batch":
            if fake.take("malformed_json"):
                return self._reply(entry, 200, None, raw=b'[{"paperId": "trunc')
            if fake.faults.gzip_bomb is not None:
                return self._reply(entry, 200, None, raw=_gzip_bomb(fake.faults.gzip_bomb),
                                   headers={"Content-Encoding": "gzip"})
            ids = json.loads(body)["ids"]
            limit = fake.faults.nested_batch_limit
            if limit is not None and len(ids) > limit and any(f.startswith("references.") for f in fields):
                return self._reply(entry, 504, {"message": "Endpoint request timed out"})
            return self._reply(entry, 200, [self._lookup(i, fields) for i in ids])
        if method == "GET" and path == "/paper/search/match":
            query = entry.query.get("query", [""])[0]
            if fake.faults.punctuation_400 and re.search(r"[&+#%:?]", query):
                return self._reply(entry, 400, {"error": "Unacceptable query"})
            wanted = " ".join(re.sub(r"[^\w]+", " ", query.casefold()).split())
            for paper in fake.world.papers.values():
                if " ".join(re.sub(r"[^\w]+", " ", paper.title.casefold()).split()) == wanted:
                    return self._reply(entry, 200, {"data": [shape(paper, fields, fake.world) | {"matchScore": 120.5}]})
            return self._reply(entry, 404, {"error": "Title match not found"})
        found = re.fullmatch(r"/paper/([^/]+)/(references|citations)", path)
        if method == "GET" and found:
            paper = fake.world.papers.get(found.group(1))
            if paper is None:
                return self._reply(entry, 404, {"error": "Paper not found"})
            direction = found.group(2)
            offset = int(entry.query.get("offset", ["0"])[0])
            limit = int(entry.query.get("limit", ["100"])[0])
            if fake.take_page_503(paper.paper_id, direction, offset):
                return self._reply(entry, 503, {"message": "Service Unavailable"})
            items = self._connected(paper, direction, fields)
            page = {"offset": offset, "data": items[offset : offset + limit]}
            if offset + limit < len(items):
                page["next"] = offset + limit
            return self._reply(entry, 200, page)
        return self._reply(entry, 404, {"error": f"no such endpoint {path}"})

    def _lookup(self, paper_id: str, fields: list[str]):
        world = self.fake.world
        if paper_id.startswith("ARXIV:"):
            paper_id = world.by_arxiv.get(paper_id[6:], "")
        paper = world.papers.get(paper_id)
        return shape(paper, fields, world) if paper else None

    def _connected(self, paper: Paper, direction: str, fields: list[str]) -> list[dict]:
        world = self.fake.world
        paper_fields = [f for f in fields if f not in ("contexts", "intents", "isInfluential")]
        if direction == "references":
            items = []
            for n, ref in enumerate(paper.references):
                cited = {"paperId": None, "title": "An Unresolved Reference"} if ref is None else \
                    shape(world.papers[ref], paper_fields, world)
                items.append({"contexts": [f"as shown by [{n + 1}]"], "isInfluential": n % 3 == 0,
                              "intents": ["methodology"] if n % 2 else ["background"], "citedPaper": cited})
            return items
        return [{"citingPaper": shape(world.papers[c], paper_fields, world)} for c in paper.citations]


@functools.lru_cache(maxsize=2)
def _gzip_bomb(size: int) -> bytes:
    """A JSON array of ``size`` spaces as one valid gzip member, made without compressing them all (400 MB took
    two seconds): a 1 MiB block of spaces is deflated once after a full flush, which resets the compressor, so the
    block's bytes are the same wherever it stands and are repeated; the trailer's CRC-32 and length cover the whole."""
    block = b" " * (1 << 20)
    count, rest = divmod(size, len(block))
    deflate = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    opening = deflate.compress(b"[") + deflate.flush(zlib.Z_FULL_FLUSH)
    repeated = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    closing = deflate.compress(b" " * rest + b"]") + deflate.flush()
    crc = zlib.crc32(b"[")
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(b" " * rest + b"]", crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # gzip, deflate, no name, no time, unknown OS
    return header + opening + repeated * count + closing + struct.pack("<II", crc, (size + 2) & 0xFFFFFFFF)
