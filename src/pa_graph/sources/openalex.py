"""All access to the OpenAlex API (the second source): works by DOI (free singletons), works by id in OR-filters,
title search, incoming citations; HTTP, throttle, retries and the cache come from :mod:`pa_graph.sources.service`.

Why not pyalex, the ecosystem's client: pa-graph needs one cache, one throttle policy and one retry budget for both
sources in a build, answers bounded in time and size, a transport tests can replace, and request counts by kind;
pyalex brings its own ``requests`` session and retry settings, none of which it can share, so its calls would sit
beside the S2 path instead of inside it.

What the client respects — OpenAlex's rules since 13 February 2026 (developers.openalex.org, *Authentication &
Pricing* and *Errors*): singleton lookups (``/works/W…``, ``/works/doi:…``) are free, a list or filter call costs
$0.10 per 1,000 and a search $1 per 1,000, paid from a daily allowance ($1 with a free key, about $0.01 without);
so DOIs are looked up one by one, list calls serve only what singletons cannot (records of referenced works 100 to a
call, ``cites:`` pages), searches come last, and every call is counted by price class (``singletons``,
``list_calls``, ``searches``, ``cost_usd`` in the build record). **429 means the day's allowance is spent**: when the
answer says so (its message or ``x-ratelimit-remaining-usd: 0``), or a second 429 follows one back-off, no further
charged call is sent in the build (singletons go on). **403 means too fast**: slow down and retry. 301 (a merged
work) is followed within the API's host. At most 100 values OR-ed in a filter and 100 results a page; page paging
reaches the first 10,000 results; cursor paging answers 401 without a key (page paging then). ``mailto`` is no longer
sent as a parameter (OpenAlex deprecated it): ``OPENALEX_MAILTO`` goes into the User-Agent as a contact.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from pa_graph.errors import ServiceError, ServiceRequestError
from pa_graph.sources.common import title_query
from pa_graph.sources.response_cache import Cached
from pa_graph.sources.service import Refused, ServiceClient, ServiceSettings
from pa_graph.text import DOI, OPENALEX_ID, loads_bounded, single_line
from pa_graph.version import __version__

__all__ = ["OpenAlexSettings", "OpenAlexClient", "DEFAULT_OPENALEX_URL", "OR_LIMIT", "WORK_FIELDS", "PRICES_USD",
           "AllowanceSpent", "work_id"]

DEFAULT_OPENALEX_URL = "https://api.openalex.org"
OR_LIMIT = 100  # values OR-ed in one filter, and results on one page
MAX_PAGED_RESULTS = 10_000  # page × per_page may not pass this
WORK_FIELDS = ("id,doi,title,publication_year,ids,authorships,primary_location,locations,cited_by_count,"
               "referenced_works")
CITING_FIELDS = "id,doi,title,publication_year,ids,authorships,cited_by_count"
_WORK_ID = re.compile(r"(?:https://openalex\.org/)?(" + OPENALEX_ID.pattern + ")")
_SEARCH_RESULTS = 5
#: What one call costs, by price class (developers.openalex.org, Authentication & Pricing, 2026).
PRICES_USD = {"singletons": 0.0, "list_calls": 0.10 / 1000, "searches": 1.00 / 1000}
_SPENT_WORDS = re.compile(r"daily|allowance|budget|credits|quota|exceeded", re.IGNORECASE)


class AllowanceSpent(ServiceError):
    """OpenAlex's 429: the day's allowance of charged calls is spent; no more list calls or searches this build."""


def work_id(value: object) -> str | None:
    """``W…`` from an OpenAlex id or its URL; ``None`` for anything else.

    >>> work_id("https://openalex.org/W2741809807"), work_id("W1"), work_id("https://evil/W1"), work_id(3)
    ('W2741809807', 'W1', None, None)
    """
    found = _WORK_ID.fullmatch(value) if isinstance(value, str) else None
    return found.group(1) if found else None


@dataclass(frozen=True)
class OpenAlexSettings(ServiceSettings):
    """How to talk to OpenAlex. ``from_environment`` reads ``OPENALEX_API_URL``, ``OPENALEX_API_KEY`` and
    ``OPENALEX_MAILTO``."""

    api_url: str = DEFAULT_OPENALEX_URL
    rate: float = 10.0  # OpenAlex allows 100
    mailto: str | None = None
    per_page: int = OR_LIMIT

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ, **overrides: Any) -> OpenAlexSettings:
        settings = cls(api_key=environ.get("OPENALEX_API_KEY") or None,
                       api_url=environ.get("OPENALEX_API_URL") or DEFAULT_OPENALEX_URL,
                       mailto=environ.get("OPENALEX_MAILTO") or None)
        return settings.overridden(overrides)


#: An unknown DOI on ``/works/doi:…`` is an HTTP 404 whose text OpenAlex does not document: any 404 there is "no
#: such work" (a wrong OPENALEX_API_URL shows on the list endpoints, where a 404 is a failure).
_NOT_FOUND = re.compile("")


@dataclass
class OpenAlexClient(ServiceClient):
    """Cached, throttled, retrying access to the OpenAlex endpoints pa-graph needs. Public methods return
    :class:`Cached` answers (value ``None``: OpenAlex knows no such work) and turn failures into ``warnings``."""

    SERVICE: ClassVar[str] = "OpenAlex"
    KEY_VARIABLE: ClassVar[str] = "OPENALEX_API_KEY"
    URL_VARIABLE: ClassVar[str] = "OPENALEX_API_URL"
    REFUSALS: ClassVar[tuple[int, ...]] = (401,)
    SLOW_DOWN: ClassVar[tuple[int, ...]] = (403, 429)  # 403: "rate limit exceeded; slow down"; a first bare 429 too

    settings: OpenAlexSettings
    singletons: int = 0
    list_calls: int = 0
    searches: int = 0
    cursor_refused: bool = False
    allowance_spent: bool = False

    def _headers(self) -> dict[str, str]:
        contact = f" (mailto:{self.settings.mailto})" if self.settings.mailto else ""
        return {"user-agent": f"pa-graph/{__version__}{contact}"}

    def _final(self, status: int, response: httpx.Response, body: bytes, attempt: int) -> ServiceError | None:
        """A 429 that says the allowance is spent — or a second one after a back-off — ends every charged call."""
        if status != 429:
            return None
        remaining = response.headers.get("x-ratelimit-remaining-usd", "")
        try:
            said = loads_bounded(body)
            message = " ".join(str(said.get(name) or "") for name in ("error", "message")) if isinstance(said, dict) \
                else ""
        except ValueError:
            message = ""
        spent = remaining.strip() in ("0", "0.0", "0.00", "0.000", "0.0000") or bool(_SPENT_WORDS.search(message))
        if not spent and attempt < 2:
            return None  # a first bare 429: back off once
        self.allowance_spent = True
        key = "the key's" if self.settings.api_key else "the keyless"
        return AllowanceSpent(f"{key} daily allowance is spent (HTTP 429: {single_line(message)[:120] or 'no reason given'})")

    def _warn(self, err: ServiceError) -> None:
        if not isinstance(err, AllowanceSpent):  # said once, by the enrichment, with what it left unresolved
            super()._warn(err)

    def cost_usd(self) -> float:
        """What this build's calls cost, by OpenAlex's prices (singletons are free)."""
        return round(self.list_calls * PRICES_USD["list_calls"] + self.searches * PRICES_USD["searches"], 6)

    def _get(self, params: dict[str, Any], *, kind: str = "list", refusal_stops: bool = True) -> Any:
        """``GET /works`` (a charged call) with the key added (never to the provenance), counted by price; none is
        sent once the allowance is spent."""
        if self.allowance_spent:
            raise AllowanceSpent("the daily allowance is spent")
        sent = dict(params)
        if self.settings.api_key:
            sent["api_key"] = self.settings.api_key
        if self.sends:
            if kind == "search":
                self.searches += 1
            else:
                self.list_calls += 1
        body = self._send("GET", "/works", params=sent, refusal_stops=refusal_stops)
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list):
            raise ServiceRequestError("GET /works: malformed answer (no results list)")
        return body, [item for item in results if isinstance(item, dict) and work_id(item.get("id"))]

    # ----- endpoints ---------------------------------------------------------------------------------------------

    def works_by_doi(self, dois: Iterable[str]) -> dict[str, Cached]:
        """Works by DOI, one free singleton each (``GET /works/doi:<doi>``); cached as ``oa-doi:<doi>`` (lower
        case), ``None`` when OpenAlex knows no such DOI. A DOI that does not keep its grammar is not asked."""
        answers: dict[str, Cached] = {}
        for doi in dict.fromkeys(d.lower() for d in dois if DOI.fullmatch(d)):
            answer = self.work_by_doi(doi)
            if answer is not None:
                answers[doi] = answer
        return answers

    def work_by_doi(self, doi: str) -> Cached | None:
        """One work by DOI, a free singleton; ``None`` when it could not be asked (the failure is a warning)."""
        key = f"oa-doi:{doi}"
        hit = self.cached(key)
        if hit is not None:
            return hit
        path = f"/works/doi:{quote(doi, safe='/:;()._-')}"
        params: dict[str, Any] = {"select": WORK_FIELDS}
        if self.sends:
            self.singletons += 1
        try:
            item = self._send("GET", path, params={**params, **({"api_key": self.settings.api_key}
                                                                 if self.settings.api_key else {})}, not_found=_NOT_FOUND)
        except ServiceError as err:
            self._warn(err)
            return None
        work = item if isinstance(item, dict) and work_id(item.get("id")) else None
        self._store({key: work}, self._describe("GET", path, params))
        return self.cache.get(key)

    def works_by_id(self, ids: Iterable[str]) -> dict[str, Cached]:
        """Works by OpenAlex id, ≤ 100 a call; cached as ``oa-work:W…``."""
        wanted = [i for i in dict.fromkeys(ids) if work_id(i) == i]
        return self._by_filter("openalex", wanted, "oa-work", lambda item: work_id(item.get("id")))

    def _by_filter(self, name: str, values: list[str], kind: str,
                   key_of: Callable[[dict[str, Any]], str | None]) -> dict[str, Cached]:
        answers: dict[str, Cached | None] = {}
        missing = []
        for value in values:
            hit = self.cached(f"{kind}:{value}")
            if hit is None:
                missing.append(value)
            else:
                answers[value] = hit
        for start in range(0, len(missing), OR_LIMIT):
            chunk = missing[start:start + OR_LIMIT]
            params = {"filter": f"{name}:{'|'.join(chunk)}", "per_page": OR_LIMIT, "select": WORK_FIELDS}
            try:
                _, results = self._get(params)
            except ServiceError as err:
                self._warn(err)
                break
            found = {key_of(item): item for item in results}
            entries = {f"{kind}:{value}": found.get(value) for value in chunk}
            self._store(entries, self._describe("GET", "/works", params))
            answers.update({value: self.cache.get(f"{kind}:{value}") for value in chunk})
        return {value: answer for value, answer in answers.items() if answer is not None}

    def search_title(self, title: str) -> Cached | None:
        """``GET /works?search=`` with the title's words: the first five results (a list, maybe empty)."""
        query = title_query(title)
        key = f"oa-search:{query.casefold()}"
        hit = self.cached(key)
        if hit is not None:
            return hit
        params = {"search": query, "per_page": _SEARCH_RESULTS, "select": WORK_FIELDS}
        try:
            _, results = self._get(params, kind="search")
        except ServiceError as err:
            self._warn(err)
            return None
        self._store({key: results[:_SEARCH_RESULTS]}, self._describe("GET", "/works", params))
        return self.cache.get(key)

    def citing(self, cited: str, cap: int) -> Cached | None:
        """The works citing ``cited`` (``filter=cites:W…``), at most ``cap``, cached as one answer. With a key,
        cursor paging (no 10,000 limit); without one, or once OpenAlex refuses cursors, page paging, which ends at
        10,000 results. A page that fails for good keeps the partial list for this build, uncached."""
        key = f"oa-cites:{cap}:{cited}"
        hit = self.cached(key)
        if hit is not None:
            return hit
        base = {"filter": f"cites:{cited}", "per_page": self.settings.per_page, "select": CITING_FIELDS}
        items: list[dict[str, Any]] = []
        complete = True
        try:
            if self.settings.api_key and not self.cursor_refused:
                try:
                    items = self._cursor_pages(base, cap)
                except Refused:
                    self.cursor_refused = True
                    self.warnings.append("OpenAlex: cursor paging refused (HTTP 401); paging by page number "
                                         f"(at most {MAX_PAGED_RESULTS:,} citations a work)")
                    items = self._numbered_pages(base, cap)
            else:
                items = self._numbered_pages(base, cap)
        except _Partial as partial:
            self._warn(partial.error)
            items, complete = partial.items, False
        request = self._describe("GET", "/works", base)
        if not complete:
            return Cached(items[:cap], request, "")
        self._store({key: items[:cap]}, request)
        return self.cache.get(key)

    def _page(self, params: dict[str, Any], refusal_stops: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """One page of a list, cached as it arrives (``oa-page:…``): a build stopped part-way through a long list
        resumes at the first page it lacks."""
        key = "oa-page:" + "&".join(f"{name}={params[name]}" for name in sorted(params) if name != "select")
        stored = self.cached(key)
        if stored is not None and isinstance(stored.value, dict):
            return stored.value.get("meta") or {}, [r for r in stored.value.get("results") or [] if isinstance(r, dict)]
        body, results = self._get(params, refusal_stops=refusal_stops)
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        meta = {name: meta.get(name) for name in ("count", "next_cursor")}
        self._store({key: {"meta": meta, "results": results}}, self._describe("GET", "/works", params))
        return meta, results

    def _numbered_pages(self, base: dict[str, Any], cap: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        per_page = self.settings.per_page
        page = 1
        while len(items) < min(cap, MAX_PAGED_RESULTS) and page * per_page <= MAX_PAGED_RESULTS:
            try:
                meta, results = self._page({**base, "page": page})
            except ServiceError as err:
                raise _Partial(items, err) from err
            items.extend(results)
            count = meta.get("count")
            if len(results) < per_page or (isinstance(count, int) and page * per_page >= count):
                break
            page += 1
        return items

    def _cursor_pages(self, base: dict[str, Any], cap: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = "*"
        for _ in range(-(-cap // self.settings.per_page) + 1):
            try:
                meta, results = self._page({**base, "cursor": cursor}, refusal_stops=False)
            except ServiceError as err:
                raise _Partial(items, err) from err
            items.extend(results)
            following = meta.get("next_cursor")
            if not results or not isinstance(following, str) or following == cursor or len(items) >= cap:
                break
            cursor = following
        return items


class _Partial(Exception):
    """A page failed for good: what came before it, and why."""

    def __init__(self, items: list[dict[str, Any]], error: ServiceError) -> None:
        super().__init__(str(error))
        self.items, self.error = items, error
