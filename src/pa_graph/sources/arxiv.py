"""arXiv as a source: the listed arXiv ids looked up on arXiv's own API, with no key and no price.

``GET /api/query?id_list=…&max_results=N`` answers an Atom feed with one entry per paper it knows (arXiv's API
user manual): its title, authors, first-version date (``published``), ``arxiv:doi`` and ``arxiv:journal_ref``. Ids
go 100 to a call, one call every 3 seconds, as arXiv asks of API users. An id arXiv does not know has no entry; a
request arXiv cannot read is answered by a feed whose one entry is titled ``Error`` (its id under
``http://arxiv.org/api/errors``). arXiv gives no references and no title search worth its load, so this source
resolves works by their listed arXiv links alone and verifies those links (``wrong-arxiv-link``, and the dates
behind ``arxiv-date-conflict``) — a list of arXiv links can be checked with no Semantic Scholar or OpenAlex access.
``ARXIV_API_URL`` replaces ``https://export.arxiv.org``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from xml.etree.ElementTree import Element

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from pa_graph.errors import ServiceError, ServiceRequestError
from pa_graph.records import LinkCheck, SourceRecord, Work
from pa_graph.sources.common import Progress, source_text, title_fits
from pa_graph.sources.response_cache import Cached
from pa_graph.sources.service import ServiceClient, ServiceSettings
from pa_graph.sources.source import Draft, Source
from pa_graph.text import ARXIV_ID, DOI, arxiv_base_id

__all__ = ["ArxivSettings", "ArxivClient", "ArxivSource", "DEFAULT_ARXIV_URL", "ID_LIST_LIMIT", "parse_feed"]

DEFAULT_ARXIV_URL = "https://export.arxiv.org"
ID_LIST_LIMIT = 100  # ids per call
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ERRORS = "http://arxiv.org/api/errors"


@dataclass(frozen=True)
class ArxivSettings(ServiceSettings):
    """How to talk to arXiv. ``from_environment`` reads ``ARXIV_API_URL``."""

    api_url: str = DEFAULT_ARXIV_URL
    rate: float = 1 / 3  # "no more than one request every three seconds"
    max_rate: float = 1 / 3  # and --rate does not change that

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ, **overrides: Any) -> ArxivSettings:
        return cls(api_url=environ.get("ARXIV_API_URL") or DEFAULT_ARXIV_URL).overridden(overrides)


class FeedError(ValueError):
    """An Atom feed whose entry is arXiv's error report."""


def parse_feed(body: bytes) -> list[dict[str, Any]]:
    """The entries of an arXiv Atom feed as plain records (``id`` with its version, ``title``, ``authors``,
    ``published``, ``doi``, ``journal_ref``); :class:`FeedError` for arXiv's error entry, ``ValueError`` for
    anything that is no such feed (DTDs and entities are refused: the answer is untrusted).

    >>> parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2305.11451v2</id>'
    ...            b'<title>A  title\\n over lines</title><published>2023-05-19T00:00:00Z</published></entry></feed>')
    [{'id': '2305.11451v2', 'title': 'A title over lines', 'authors': [], 'published': '2023-05-19', 'doi': None, \
'journal_ref': None}]
    """
    try:
        feed = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as err:
        raise ValueError(f"not an Atom feed ({err})") from err
    if feed.tag != f"{_ATOM}feed":
        raise ValueError("not an Atom feed")
    entries = []
    for entry in feed.iter(f"{_ATOM}entry"):
        found = _text(entry, f"{_ATOM}id") or ""
        if found.startswith(_ERRORS):
            raise FeedError(_text(entry, f"{_ATOM}summary") or found)
        arxiv_id = found.rsplit("/abs/", 1)[-1]
        if not ARXIV_ID.fullmatch(arxiv_id):
            continue
        published = (_text(entry, f"{_ATOM}published") or "")[:10]
        doi = _text(entry, f"{_ARXIV}doi")
        entries.append({
            "id": arxiv_id,
            "title": _text(entry, f"{_ATOM}title"),
            "authors": [name for author in entry.iter(f"{_ATOM}author") if (name := _text(author, f"{_ATOM}name"))],
            "published": published if len(published) == 10 and published[:4].isdigit() else None,
            "doi": doi if doi and DOI.fullmatch(doi) else None,
            "journal_ref": _text(entry, f"{_ARXIV}journal_ref"),
        })
    return entries


def _text(element: Element, tag: str) -> str | None:
    """An element's text as one line of single spaces (arXiv wraps titles and summaries)."""
    child = element.find(tag)
    text = " ".join((child.text or "").split()) if child is not None else ""
    return text or None


@dataclass
class ArxivClient(ServiceClient):
    """Cached, throttled access to arXiv's ``/api/query``; answers are cached per id as ``arxiv:<id>`` (``None``:
    arXiv knows no such paper)."""

    SERVICE: ClassVar[str] = "arXiv"
    URL_VARIABLE: ClassVar[str] = "ARXIV_API_URL"
    REFUSALS: ClassVar[tuple[int, ...]] = ()  # no key to refuse
    SLOW_DOWN: ClassVar[tuple[int, ...]] = (429, 503)  # arXiv says "Rate exceeded." with a 503
    ANSWER_FORMAT: ClassVar[str] = "Atom XML"

    settings: ArxivSettings

    def _parsed(self, body: bytes) -> Any:
        return parse_feed(body)

    def _final(self, status: int, response: httpx.Response, body: bytes, attempt: int) -> ServiceError | None:
        """arXiv's error entry ends the request whatever the status (it is sent with 200 and 400 alike)."""
        if _ERRORS.encode() not in body:
            return None  # the usual answer: parsed once, by _parsed
        try:
            parse_feed(body)
        except FeedError as err:
            return ServiceRequestError(f"could not read the request: {err}")
        except ValueError:
            pass
        return None

    def papers(self, ids: Iterable[str]) -> dict[str, Cached]:
        """Papers by arXiv id (versions dropped), from the cache or 100 a call; ids not answered (a failed call,
        or offline and not cached) are absent. A failure is a warning, and the calls left are not sent."""
        wanted = list(dict.fromkeys(arxiv_base_id(i) for i in ids if ARXIV_ID.fullmatch(i)))
        answers: dict[str, Cached] = {}
        missing = []
        for arxiv_id in wanted:
            hit = self.cached(f"arxiv:{arxiv_id}")
            if hit is not None:
                answers[arxiv_id] = hit
            else:
                missing.append(arxiv_id)
        for start in range(0, len(missing) if not self.offline else 0, ID_LIST_LIMIT):
            batch = missing[start:start + ID_LIST_LIMIT]
            params = {"id_list": ",".join(batch), "max_results": str(len(batch))}
            try:
                entries = self._send("GET", "/api/query", params=params)
            except ServiceError as err:
                self._warn(err)
                break
            by_id = {arxiv_base_id(entry["id"]): entry for entry in entries}
            self._store({f"arxiv:{arxiv_id}": by_id.get(arxiv_id) for arxiv_id in batch},
                        self._describe("GET", "/api/query", params))
            for arxiv_id in batch:
                hit = self.cache.get(f"arxiv:{arxiv_id}")
                if hit is not None:
                    answers[arxiv_id] = hit
        return answers


class ArxivSource(Source):
    """arXiv as a :class:`~pa_graph.sources.source.Source`: works resolved by their listed arXiv links alone."""

    NAME = "arxiv"
    CLIENT = ArxivClient
    SETTINGS = ArxivSettings
    client: ArxivClient

    def resolve(self, works: Sequence[Work], draft: Draft, report: Progress) -> list[Work]:
        report("looking up arXiv ids on arXiv", 0, 1)
        answers = draft.raw["arxiv"] = self.client.papers(i for work in works for i in work.listed_arxiv_ids)
        report("looking up arXiv ids on arXiv", 1, 1)
        for work in works:
            found = [answers.get(arxiv_base_id(listed)) for listed in work.listed_arxiv_ids]
            fitting = [a for a in found if a and isinstance(a.value, dict) and title_fits(work, a.value.get("title"))]
            if fitting:
                draft.resolved[work.key] = _record(fitting[0])
            elif work.listed_arxiv_ids and None in found:
                draft.not_cached.append(work.key)
            # a listed id that is another paper is a wrong link (check_links), not a work arXiv cannot find: arXiv
            # has no title search to say so
        return []

    def check_links(self, works: Sequence[Work], draft: Draft) -> list[LinkCheck]:
        """A listed id arXiv does not know, or knows under another title, is ``wrong``."""
        checks = []
        for work in works:
            for listed in work.listed_arxiv_ids:
                answer = draft.raw["arxiv"].get(arxiv_base_id(listed))
                if answer is None or (isinstance(answer.value, dict) and title_fits(work, answer.value.get("title"))):
                    continue  # not asked, or right
                points_to = source_text(answer.value.get("title")) if isinstance(answer.value, dict) else None
                checks.append(LinkCheck(work.key, work.title, "wrong", listed_id=listed, points_to=points_to,
                                        correct_id=None,
                                        sources=tuple(row.source for row in work.rows if row.arxiv_id == listed),
                                        by="arXiv", fix="search arXiv for its title"))
        return checks


#: A ``journal_ref`` that says the paper is not published yet (authors write what they like there).
_NOT_PUBLISHED = re.compile(r"\b(?:submitted|under review|in review|in submission|preparation|preprint|to be "
                            r"submitted|arxiv)\b", re.IGNORECASE)


def _venue(journal_ref: object) -> str | None:
    """The venue an entry's ``journal_ref`` names, unless it says the paper is not published.

    >>> _venue("NeurIPS 2024"), _venue("Submitted to ICML 2024, under review"), _venue(None)
    ('NeurIPS 2024', None, None)
    """
    text = source_text(journal_ref)
    return None if text is None or _NOT_PUBLISHED.search(text) else text


def _record(answer: Cached) -> SourceRecord:
    """What pa-graph keeps of an arXiv entry: the id is the paper's arXiv id, the year its first version's."""
    entry = answer.value
    published = entry.get("published")
    year = int(published[:4]) if isinstance(published, str) and published[:4].isdigit() else None
    arxiv_id = arxiv_base_id(entry["id"])
    return SourceRecord(
        paper_id=arxiv_id, title=source_text(entry.get("title")), year=year, doi=entry.get("doi"),
        arxiv_id=arxiv_id, venue=_venue(entry.get("journal_ref")),
        authors=tuple((None, name) for author in entry.get("authors") or [] if (name := source_text(author))),
        request=answer.request, retrieved_at=answer.retrieved_at, source="arxiv")
