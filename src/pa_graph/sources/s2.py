"""All access to the Semantic Scholar Graph API: its endpoints, its batch sizes, its settings (HTTP, throttle,
retries and the cache come from :mod:`pa_graph.sources.service`).

Tests pass an ``httpx`` transport (respx) or point ``S2_API_URL`` at a local fake server; nothing here is patched.

Why requests are sent here rather than through the ``semanticscholar`` package (0.12), whose ``Paper`` model
:mod:`pa_graph.sources.s2_enrich` still uses to read answers: its ``ApiRequester`` is verifiably wrong for a batch tool —
references/citations calls omit the API key; the query string is not escaped (``&``, ``+``, ``#`` in titles break
it); a 503 on a later page makes pagination request the same page forever; 502/503 answers silently become empty
results; it retries 429 up to 10 times with waits up to 60 s and ignores ``Retry-After``; it has no throttle and
opens a new connection per request; and it accepts no transport. Every one of those is handled below instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pa_graph.errors import ServiceError, ServiceRequestError
from pa_graph.sources.common import title_query
from pa_graph.sources.response_cache import Cached
from pa_graph.sources.service import Overloaded, ServiceClient, ServiceSettings
from pa_graph.text import S2_PAPER_ID

__all__ = ["S2Settings", "S2Client", "DEFAULT_API_URL", "BATCH_LIMIT"]

DEFAULT_API_URL = "https://api.semanticscholar.org"
BATCH_LIMIT = 500
PAGE_LIMIT = 1000
MAX_OFFSET = 10_000  # offset + limit must stay below this on /references and /citations


@dataclass(frozen=True)
class S2Settings(ServiceSettings):
    """How to talk to Semantic Scholar. ``from_environment`` reads ``S2_API_KEY`` and ``S2_API_URL``."""

    api_url: str = DEFAULT_API_URL
    rate: float = 0.9  # under S2's 1/s with a key, with headroom
    nested_batch_size: int = 100  # ids per batch that asks for nested references (S2 times out on larger ones)
    page_size: int = PAGE_LIMIT  # items per /references or /citations page (S2 allows up to 1000)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ, **overrides: Any) -> S2Settings:
        settings = cls(api_key=environ.get("S2_API_KEY") or None, api_url=environ.get("S2_API_URL") or DEFAULT_API_URL)
        return settings.overridden(overrides)


@dataclass
class S2Client(ServiceClient):
    """Cached, throttled, retrying access to the endpoints pa-graph needs.

    Each public method returns :class:`Cached` answers (value ``None`` = S2 says there is no such thing) and leaves
    out what it could not get; failures become ``warnings``. Once S2 proves unreachable or refuses the key, the
    client stops asking for the rest of the build (``unavailable`` says why) and answers from the cache alone.
    """

    SERVICE: ClassVar[str] = "Semantic Scholar"
    KEY_VARIABLE: ClassVar[str] = "S2_API_KEY"
    URL_VARIABLE: ClassVar[str] = "S2_API_URL"

    settings: S2Settings

    def __post_init__(self) -> None:
        super().__post_init__()
        self._batch = _BatchSize(min(self.settings.nested_batch_size, BATCH_LIMIT))

    def _base_url(self) -> str:
        return self.settings.api_url.rstrip("/") + "/graph/v1"

    def _headers(self) -> dict[str, str]:
        return {"x-api-key": self.settings.api_key} if self.settings.api_key else {}  # on every request, unlike the package

    # ----- endpoints ---------------------------------------------------------------------------------------------

    def papers(self, ids: Iterable[str], fields: str, kind: str) -> dict[str, Cached]:
        """``POST /paper/batch`` for the ids the cache lacks, ≤ 500 a request; cached as ``kind:id``."""
        answers: dict[str, Cached | None] = {}
        missing = []
        for paper_id in dict.fromkeys(ids):
            hit = self.cached(f"{kind}:{paper_id}")
            if hit is not None and not _is_item(hit.value):
                self.warnings.append(f"Semantic Scholar: the cached answer for {paper_id} is no paper; dropped")
                hit = None
            if hit is None:
                missing.append(paper_id)
            else:
                answers[paper_id] = Cached(shaped(hit.value), hit.request, hit.retrieved_at)
        nested = "references." in fields or "citations." in fields
        queue = [missing[i:i + BATCH_LIMIT] for i in range(0, len(missing), BATCH_LIMIT)]
        while queue:
            chunk = queue.pop(0)
            if nested and len(chunk) > self._batch.size:  # a nested batch goes in pieces the service can answer
                queue[:0] = [chunk[i:i + self._batch.size] for i in range(0, len(chunk), self._batch.size)]
                continue
            params = {"fields": fields}
            request = self._describe("POST", "/paper/batch", params)
            try:
                body = self._send("POST", "/paper/batch", params=params, json={"ids": chunk},
                                  split_on_overload=nested and len(chunk) > 1)
            except Overloaded:
                self._batch.failed(len(chunk))
                half = len(chunk) // 2
                queue[:0] = [chunk[:half], chunk[half:]]
                continue
            except ServiceError as err:
                self._warn(err)
                break
            if nested:
                self._batch.worked(len(chunk))
            if not isinstance(body, list) or len(body) != len(chunk):
                self._warn(ServiceRequestError(f"{request}: malformed answer (expected a list of {len(chunk)} items)"))
                continue
            entries = {}
            for paper_id, item in zip(chunk, body, strict=False):
                if _is_item(item):
                    entries[f"{kind}:{paper_id}"] = shaped(item)
                else:
                    self.warnings.append(f"Semantic Scholar: malformed item for {paper_id} in {request}; skipped")
            self._store(entries, request)
            answers.update({key.split(":", 1)[1]: self.cache.get(key) for key in entries})
        return {paper_id: answer for paper_id, answer in answers.items() if answer is not None}

    def match_title(self, title: str, fields: str) -> Cached | None:
        """``GET /paper/search/match`` (best title match, or ``None`` value for "Title match not found")."""
        query = title_query(title)
        key = f"match:{query.casefold()}"
        hit = self.cached(key)
        if hit is not None:
            return hit
        params = {"query": query, "fields": fields}
        try:
            body = self._send("GET", "/paper/search/match", params=params, not_found=_TITLE_NOT_FOUND)
        except ServiceError as err:
            self._warn(err)
            return None
        if body is not None:
            data = body.get("data") if isinstance(body, dict) else None
            body = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) \
                and isinstance(data[0].get("paperId"), str) and S2_PAPER_ID.fullmatch(data[0]["paperId"]) else None
        self._store({key: body}, self._describe("GET", "/paper/search/match", params))
        return self.cache.get(key)

    def connected(self, paper_id: str, direction: str, fields: str, cap: int) -> Cached | None:
        """All pages of ``/paper/{id}/references`` or ``/citations`` (at most ``cap`` items), cached as one answer.

        Each page is also cached as it arrives (``page:…``), so a build killed or failed part-way through a long
        list resumes at the first page it lacks. Pagination always ends: at the last page (no ``next``), at ``cap``,
        at S2's offset limit, on an empty or non-advancing page, or when a page fails for good (a 503 that outlasts
        the retries) — then the partial list is kept for this build but not cached as a whole, so a later build
        completes it.
        """
        key = f"{direction}:{cap}:{paper_id}"
        hit = self.cached(key)
        if hit is not None:
            return hit
        path = f"/paper/{paper_id}/{direction}"
        items: list[Any] = []
        offset, complete = 0, True
        pages_left = 2 * -(-cap // self.settings.page_size) + 2  # full pages need half of these; short ones end it
        while len(items) < cap and pages_left > 0:
            pages_left -= 1
            limit = min(self.settings.page_size, cap - len(items), MAX_OFFSET - 1 - offset)
            if limit <= 0:
                break
            params = {"fields": fields, "offset": offset, "limit": limit}
            page_key = f"page:{direction}:{cap}:{paper_id}:{offset}:{limit}"
            stored = self.cached(page_key)
            if stored is not None:
                page = stored.value
            else:
                try:
                    page = self._send("GET", path, params=params, not_found=_PAPER_NOT_FOUND)
                except ServiceError as err:
                    self._warn(err)
                    complete = False
                    break
                if isinstance(page, dict) and isinstance(page.get("data"), list):
                    self._store({page_key: {"data": page["data"], "next": page.get("next")}},
                                self._describe("GET", path, params))
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                break
            items.extend(shaped(item) for item in data if isinstance(item, dict))
            following = page.get("next")
            if not data or not isinstance(following, int) or following <= offset:
                break
            offset = following
        request = self._describe("GET", path, {"fields": fields})
        if not complete:
            return Cached(items[:cap], request, "")
        self._store({key: items[:cap]}, request)
        return self.cache.get(key)


#: Semantic Scholar's own "no such thing" answers (HTTP 404 with these error texts; recorded in tests/fixtures/s2).
_TITLE_NOT_FOUND = re.compile(r"title match not found", re.IGNORECASE)
_PAPER_NOT_FOUND = re.compile(r"paper (with id .* )?not found", re.IGNORECASE)


def _is_item(value: object) -> bool:
    """An answer for one paper: ``None`` (unknown to S2) or an object with a valid paper id."""
    return value is None or (isinstance(value, dict) and isinstance(value.get("paperId"), str)
                             and bool(S2_PAPER_ID.fullmatch(value["paperId"])))


_LIST_FIELDS = ("references", "citations", "authors")
_OBJECT_FIELDS = ("externalIds", "publicationVenue", "embedding", "journal", "citedPaper", "citingPaper")
_TEXT_FIELDS = ("title", "venue", "paperId", "authorId", "name")


def shaped(item: object) -> object:
    """An S2 object with every field of the wrong type made null, and lists holding only objects — so that no
    value of the wrong shape (``references`` as an object, a list of strings) reaches the package's data model,
    whether it came from the service or from the cache.

    >>> shaped({"paperId": "a", "references": {"x": 1}, "authors": ["A", {"name": "B"}], "title": 3})
    {'paperId': 'a', 'references': None, 'authors': [{'name': 'B'}], 'title': None}
    """
    if not isinstance(item, dict):
        return item
    out = dict(item)
    for name in _LIST_FIELDS:
        if name in out:
            value = out[name]
            out[name] = [shaped(x) for x in value if isinstance(x, dict)] if isinstance(value, list) else None
    for name in _OBJECT_FIELDS:
        if name in out:
            out[name] = shaped(out[name]) if isinstance(out[name], dict) else None
    for name in _TEXT_FIELDS:
        if name in out and out[name] is not None and not isinstance(out[name], str):
            out[name] = None
    return out


@dataclass
class _BatchSize:
    """The size of nested batches for this build: halved on an overloaded batch; a success lets it grow back
    (doubling), but never past half the smallest size that failed — so it settles on a size that works and keeps
    it for the rest of the build instead of failing every other request at the edge."""

    size: int
    too_big: int | None = None  # the smallest size that failed

    def failed(self, size: int) -> None:
        self.too_big = size if self.too_big is None else min(self.too_big, size)
        self.size = max(1, size // 2)

    def worked(self, size: int) -> None:
        ceiling = max(1, self.too_big // 2) if self.too_big else BATCH_LIMIT
        self.size = max(self.size, min(size * 2, ceiling, BATCH_LIMIT))
