"""A fake OpenAlex API on a loopback port, enforcing the limits and prices OpenAlex documents since 13 February 2026.

Singletons, free: ``GET /works/W…`` and ``GET /works/doi:<doi>`` (404 when unknown; a merged work answers 301 to
the work it was merged into). Prices (``Faults.allowance_usd``; no key: $0.01 a day, a free key $1): a list or
filter call costs $0.0001, a search $0.001; a charged call the day's allowance cannot pay answers 429 "daily limit
exceeded" (and so does every charged call after it), with ``x-ratelimit-remaining-usd: 0``; every answer carries
``x-ratelimit-cost-usd`` and ``x-ratelimit-remaining-usd``. 403 is "rate limit exceeded; slow down".

``GET /works`` with ``filter=`` (``doi:``, ``openalex:``/``ids.openalex:``, ``cites:``; values OR-ed with ``|``),
``search=``, ``select=``, ``per_page``/``per-page``, ``page`` or ``cursor``. Answers are shaped like the real API's
(``meta`` with ``count``, ``page``, ``per_page``, ``next_cursor``; ``results``; ids and DOIs as URLs). Limits, answered
with a 400 as OpenAlex does: more than 100 values OR-ed in a filter, more than 100 results a page, page paging past
10,000 results; cursor paging without an API key (or with ``Faults.refuse_cursor``) answers 401. Every request is
logged.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from loopback import serve_in_background

from fake_openalex.world import OAWork, OpenAlexWorld

LIMIT = 100
MAX_PAGED = 10_000


@dataclass
class Faults:
    api_key: str | None = None  # when set, any other key gets 401
    refuse_cursor: bool = False  # cursor paging answers 401 even with a key
    rate_limited: int = 0  # the next N requests answer 429 (Retry-After 0.05)
    forbidden: int = 0  # the next N requests answer 403 ("rate limit exceeded", as OpenAlex documents it)
    server_errors: int = 0  # the next N requests answer 500
    delay: float = 0.0
    refuse_after: int | None = None  # every request after the first N answers 401 (a build cut short)
    allowance_usd: float | None = None  # the day's allowance for charged calls (None: unlimited)
    merged: dict[str, str] | None = None  # W id → the W id it was merged into (its singleton answers 301)


#: What a call costs, by price class (developers.openalex.org, Authentication & Pricing).
PRICES = {"singleton": 0.0, "list": 0.0001, "search": 0.001}
NO_KEY_ALLOWANCE = 0.01


@dataclass
class Logged:
    path: str
    query: dict[str, list[str]]
    status: int = 0
    price: str = "singleton"  # the call's price class
    charged: float = 0.0  # what it cost (nothing when refused)


class FakeOpenAlex:
    def __init__(self, world: OpenAlexWorld, faults: Faults | None = None) -> None:
        self.world = world
        self.faults = faults or Faults()
        self.log: list[Logged] = []
        self.spent = 0.0
        self._lock = threading.Lock()
        self.title_words = {w.work_id: set(_words(w.title)) for w in world.works.values()}
        self.with_word: dict[str, list[OAWork]] = {}
        for work in world.works.values():
            for word in self.title_words[work.work_id]:
                self.with_word.setdefault(word, []).append(work)
        self.ordered = sorted(world.works.values(), key=lambda w: int(w.work_id[1:]))
        self.citing: dict[str, list[OAWork]] = {}
        for work in self.ordered:
            for cited in work.referenced:
                self.citing.setdefault(cited, []).append(work)
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeOpenAlex:
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


def shape(work: OAWork, select: list[str] | None) -> dict:
    full = {
        "id": f"https://openalex.org/{work.work_id}",
        "doi": f"https://doi.org/{work.doi}" if work.doi else None,
        "title": work.title,
        "display_name": work.title,
        "publication_year": work.year,
        "ids": {"openalex": f"https://openalex.org/{work.work_id}",
                **({"doi": f"https://doi.org/{work.doi}"} if work.doi else {})},
        "authorships": [{"author_position": "first" if n == 0 else "middle",
                         "author": {"id": f"https://openalex.org/{aid}", "display_name": name, "orcid": None}}
                        for n, (aid, name) in enumerate(work.authors)],
        "primary_location": {"source": {"display_name": work.venue, "type": "conference"}} if work.venue else
        {"source": {"display_name": "arXiv (Cornell University)", "type": "repository"}} if work.arxiv_id else None,
        "locations": ([{"landing_page_url": f"https://arxiv.org/abs/{work.arxiv_id}",
                        "source": {"display_name": "arXiv (Cornell University)"}}] if work.arxiv_id else []),
        "cited_by_count": work.cited_by_count,
        "referenced_works": [f"https://openalex.org/{w}" for w in work.referenced],
        "referenced_works_count": len(work.referenced),
    }
    return {k: v for k, v in full.items() if k in select} if select else full


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w]+", " ", text.casefold()).split()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAlex
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:
        pass

    def _reply(self, entry: Logged, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        entry.status = status
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 429 and self.fake.faults.allowance_usd is None:
            self.send_header("Retry-After", "0.05")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _charge(self, entry: Logged, key: str | None) -> dict[str, str] | None:
        """The price headers of a charged call, or ``None`` when the day's allowance cannot pay for it."""
        fake = self.fake
        entry.price = "search" if "search" in entry.query else "list"
        if fake.faults.allowance_usd is None:
            return {}
        with fake._lock:
            cost = PRICES[entry.price]
            if fake.spent + cost > fake.faults.allowance_usd + 1e-12:
                return None
            fake.spent += cost
            entry.charged = cost
            left = fake.faults.allowance_usd - fake.spent
        return {"x-ratelimit-cost-usd": f"{cost:.4f}", "x-ratelimit-remaining-usd": f"{left:.4f}"}

    def _singleton(self, entry: Logged, path: str, select: list[str] | None) -> None:
        fake = self.fake
        name = path.removeprefix("/works/")
        if name.lower().startswith("doi:"):
            doi = name[4:].lower().removeprefix("https://doi.org/")
            work = next((w for w in fake.ordered if w.doi == doi), None)
        else:
            moved = (fake.faults.merged or {}).get(name)
            if moved is not None:
                entry.status = 301
                self.send_response(301)
                self.send_header("Location", f"/works/{moved}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            work = fake.world.works.get(name)
        if work is None:
            return self._reply(entry, 404, {"error": "Not Found", "message": f"{name} not found"})
        return self._reply(entry, 200, shape(work, select), {"x-ratelimit-cost-usd": "0.0000"})

    def do_GET(self) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        entry = Logged(parts.path, query)
        with fake._lock:
            fake.log.append(entry)
        if fake.faults.delay:
            time.sleep(fake.faults.delay)
        key = query.get("api_key", [None])[0]
        if fake.faults.refuse_after is not None and len(fake.log) > fake.faults.refuse_after:
            return self._reply(entry, 401, {"error": "Invalid API key"})
        if fake.faults.api_key is not None and key != fake.faults.api_key:
            return self._reply(entry, 401, {"error": "Invalid API key"})
        if fake.take("rate_limited"):
            return self._reply(entry, 429, {"error": "Too Many Requests"})
        if fake.take("forbidden"):
            return self._reply(entry, 403, {"error": "Rate limit exceeded"})
        if fake.take("server_errors"):
            return self._reply(entry, 500, {"error": "Internal Server Error"})
        select = query.get("select", [""])[0].split(",") if query.get("select") else None
        if parts.path.startswith("/works/"):
            return self._singleton(entry, parts.path, select)
        if parts.path != "/works":
            return self._reply(entry, 404, {"error": "Not Found"})
        price_headers = self._charge(entry, key)
        if price_headers is None:
            return self._reply(entry, 429, {"error": "Too Many Requests",
                                            "message": "Daily limit exceeded: add an api_key, or try again tomorrow"},
                               {"x-ratelimit-remaining-usd": "0.0000", "x-ratelimit-reset": "3600"})
        per_page = int((query.get("per_page") or query.get("per-page") or ["25"])[0])
        if not 1 <= per_page <= LIMIT:
            return self._reply(entry, 400, {"error": "Invalid query parameters",
                                            "message": f"per_page must be between 1 and {LIMIT}"})
        found, error = self._select(query)
        if error:
            return self._reply(entry, 400, {"error": "Invalid query parameters", "message": error})
        meta: dict = {"count": len(found), "db_response_time_ms": 3, "per_page": per_page}
        if "cursor" in query:
            if key is None or fake.faults.refuse_cursor:
                return self._reply(entry, 401, {"error": "API key required for cursor paging"})
            cursor = query["cursor"][0]
            offset = 0 if cursor == "*" else int(base64.urlsafe_b64decode(cursor.encode()).decode())
            chunk = found[offset:offset + per_page]
            following = offset + per_page
            meta |= {"page": None, "next_cursor": base64.urlsafe_b64encode(str(following).encode()).decode()
                     if chunk and following < len(found) else None}
        else:
            page = int(query.get("page", ["1"])[0])
            if page * per_page > MAX_PAGED:
                return self._reply(entry, 400, {"error": "Invalid query parameters",
                                                "message": "page paging is limited to the first 10,000 results; "
                                                           "use cursor paging"})
            chunk = found[(page - 1) * per_page:page * per_page]
            meta |= {"page": page, "next_cursor": None}
        return self._reply(entry, 200, {"meta": meta, "results": [shape(w, select) for w in chunk], "group_by": []},
                           price_headers)

    def _select(self, query: dict[str, list[str]]) -> tuple[list[OAWork], str | None]:
        works = self.fake.ordered
        if "search" in query:
            wanted = _words(query["search"][0])
            scores: dict[str, int] = {}
            for word in wanted:
                for work in self.fake.with_word.get(word, []):
                    scores[work.work_id] = scores.get(work.work_id, 0) + 1
            ranked = sorted(scores, key=lambda w: (-scores[w], len(self.fake.title_words[w]), int(w[1:])))
            # relevance: more of the words, then shorter titles
            return [self.fake.world.works[w] for w in ranked if scores[w] >= 0.6 * len(wanted)], None
        for clause in query.get("filter", [""])[0].split(","):
            if not clause:
                continue
            name, _, value = clause.partition(":")
            values = value.split("|")
            if len(values) > LIMIT:
                return [], f"at most {LIMIT} values may be OR-ed in one filter"
            if name == "doi":
                dois = {v.lower().removeprefix("https://doi.org/") for v in values}
                works = [w for w in works if w.doi and w.doi in dois]
            elif name in ("openalex", "ids.openalex"):
                ids = {v.removeprefix("https://openalex.org/") for v in values}
                works = [w for w in works if w.work_id in ids]
            elif name == "cites":
                citing = {id(w) for w in self.fake.citing.get(value.removeprefix("https://openalex.org/"), [])}
                works = [w for w in works if id(w) in citing]
            else:
                return [], f"unknown filter {name}"
        return works, None
