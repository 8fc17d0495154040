"""A fake arXiv API on a loopback port, answering as arXiv's API user manual documents it.

``GET /api/query?id_list=ID,ID,…&max_results=N`` answers an Atom feed (``opensearch:totalResults``, one ``entry``
per known paper, at most ``max_results`` — arXiv's default is 10). An id arXiv never had has no entry. An id that
breaks arXiv's grammar makes the whole request an error: HTTP 400 and a feed whose one entry is titled ``Error``,
its id under ``http://arxiv.org/api/errors`` and its summary "incorrect id format for …". ``Faults.rate_exceeded``
answers the next N requests with a 503 whose body is ``Rate exceeded.``, as arXiv does. Every request is logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from loopback import serve_in_background

_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")


@dataclass
class Paper:
    title: str
    authors: list[str]
    published: str  # first version, YYYY-MM-DD
    version: int = 1
    doi: str | None = None
    journal_ref: str | None = None


@dataclass
class Faults:
    rate_exceeded: int = 0


@dataclass
class Logged:
    ids: list[str]
    max_results: int
    status: int = 200


@dataclass
class FakeArxiv:
    papers: dict[str, Paper]
    faults: Faults = field(default_factory=Faults)
    log: list[Logged] = field(default_factory=list)

    def __post_init__(self) -> None:
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeArxiv:
        serve_in_background(self.server)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def feed(self, ids: list[str], max_results: int) -> tuple[int, str]:
        wrong = next((i for i in ids if not _ID.fullmatch(i)), None)
        if wrong is not None:
            return 400, _feed([_error(f"incorrect id format for {wrong}")], 1)
        found = [(i.split("v")[0] if re.search(r"v\d+$", i) else i) for i in ids]
        entries = [_entry(base, self.papers[base]) for base in found if base in self.papers][:max_results]
        return 200, _feed(entries, len(entries))


def _feed(entries: list[str], total: int) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">'
            '<link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>'
            '<title type="html">ArXiv Query</title><id>http://arxiv.org/api/fake</id>'
            f'<opensearch:totalResults>{total}</opensearch:totalResults>'
            '<opensearch:startIndex>0</opensearch:startIndex>' + "".join(entries) + "</feed>")


def _error(message: str) -> str:
    return (f'<entry><id>http://arxiv.org/api/errors#{escape(message.replace(" ", "_"))}</id><title>Error</title>'
            f'<summary>{escape(message)}</summary><author><name>arXiv api core</name></author></entry>')


def _entry(base: str, paper: Paper) -> str:
    words = escape(paper.title).split(" ")
    wrapped = " ".join(words[:3]) + ("\n  " + " ".join(words[3:]) if len(words) > 3 else "")  # arXiv wraps titles
    extras = (f"<arxiv:doi>{escape(paper.doi)}</arxiv:doi>" if paper.doi else "") + \
        (f"<arxiv:journal_ref>{escape(paper.journal_ref)}</arxiv:journal_ref>" if paper.journal_ref else "")
    return (f"<entry><id>http://arxiv.org/abs/{base}v{paper.version}</id>"
            f"<updated>{paper.published}T12:00:00Z</updated><published>{paper.published}T12:00:00Z</published>"
            f"<title>{wrapped}</title><summary>An abstract.</summary>"
            + "".join(f"<author><name>{escape(name)}</name></author>" for name in paper.authors) + extras
            + f'<link href="http://arxiv.org/abs/{base}v{paper.version}" rel="alternate" type="text/html"/>'
            + '<arxiv:primary_category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/></entry>')


class _Handler(BaseHTTPRequestHandler):
    fake: FakeArxiv
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        ids = [i for i in ",".join(query.get("id_list", [])).split(",") if i]
        logged = Logged(ids, int((query.get("max_results") or ["10"])[0]))
        self.fake.log.append(logged)
        if url.path != "/api/query":
            status, body, kind = 404, "Not Found", "text/plain"
        elif self.fake.faults.rate_exceeded > 0:
            self.fake.faults.rate_exceeded -= 1
            status, body, kind = 503, "Rate exceeded.", "text/plain"
        else:
            status, body = self.fake.feed(ids, logged.max_results)
            kind = "application/atom+xml; charset=utf-8"
        logged.status = status
        data = body.encode()
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
