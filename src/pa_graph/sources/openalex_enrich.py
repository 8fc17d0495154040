"""Enrich stage from OpenAlex: listed works → OpenAlex records, citation links and verdicts on arXiv links.

Economy first, by OpenAlex's 2026 prices (singletons free, list calls and searches charged): each listed DOI — arXiv
links become DOIs ``10.48550/arXiv.<id>``, ``doi.org`` links are taken as written — is one free singleton lookup,
and a hit counts only when its title matches the listed title; each work left over gets one title search (the first
five results, the first whose title matches), the dearest call, last. References come with every record
(``referenced_works``); the records of the referenced works not in the list come 100 to a list call, with their own
references (bibliographic coupling). ``--citations`` pages through ``filter=cites:W…``. When the day's allowance is
spent, one warning names ``OPENALEX_API_KEY`` and what was left unresolved. OpenAlex has no citation contexts and no
embeddings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz

from pa_graph.records import CitationLink, LinkCheck, SourceRecord, Work
from pa_graph.sources.common import EnrichOptions, Progress, source_text, title_fits
from pa_graph.sources.openalex import OpenAlexClient, OpenAlexSettings, work_id
from pa_graph.sources.response_cache import Cached
from pa_graph.sources.source import Draft, Source
from pa_graph.text import ARXIV_ID, DOI, arxiv_base_id, normalize_title

__all__ = ["OpenAlexSource", "arxiv_doi"]

_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.IGNORECASE)
_ARXIV_PAGE = re.compile(r"https?://arxiv\.org/(?:abs|pdf)/([^?#\s]+?)(?:\.pdf)?/?$")
_DOI_LINK = re.compile(r"https?://(?:dx\.)?doi\.org/(10\.\S+)", re.IGNORECASE)
_AUTHOR_ID = re.compile(r"(?:https://openalex\.org/)?(A[1-9]\d{0,14})")


def arxiv_doi(arxiv_id: str) -> str:
    """The DOI arXiv registers for a paper.

    >>> arxiv_doi("2305.11451v2")
    '10.48550/arxiv.2305.11451'
    """
    return f"10.48550/arxiv.{arxiv_base_id(arxiv_id)}".lower()



class OpenAlexSource(Source):
    """OpenAlex as a :class:`~pa_graph.sources.source.Source` (see the module docstring)."""

    NAME = "openalex"
    CLIENT = OpenAlexClient
    SETTINGS = OpenAlexSettings
    client: OpenAlexClient

    def resolve(self, works: Sequence[Work], draft: Draft, report: Progress) -> list[Work]:
        """Listed DOIs (arXiv links as arXiv DOIs), free singletons; a hit counts when its title matches."""
        dois_of = draft.raw["dois"] = {work.key: _dois(work) for work in works}
        report("resolving DOIs on OpenAlex", 0, 1)
        by_doi = draft.raw["by_doi"] = self.client.works_by_doi(doi for dois in dois_of.values() for doi in dois)
        report("resolving DOIs on OpenAlex", 1, 1)
        pending: list[Work] = []
        for work in works:
            answers = [by_doi.get(doi) for doi in dois_of[work.key]]
            fitting = [a for a in answers if a and isinstance(a.value, dict) and title_fits(work, a.value.get("title"))
                       and work_id(a.value.get("id"))]
            if fitting:
                draft.resolved[work.key] = _kept(draft, fitting[0], fitting[0].value)
            elif None in answers:
                draft.not_cached.append(work.key)
            else:
                pending.append(work)
        return pending

    def match_titles(self, pending: Sequence[Work], draft: Draft, report: Progress) -> None:
        """One title search per remaining work (the dearest call, last)."""
        report("searching titles on OpenAlex", 0, len(pending))
        for done, work in enumerate(pending, 1):
            answer = self.client.search_title(work.title)
            report("searching titles on OpenAlex", done, len(pending))
            if answer is None:
                draft.not_cached.append(work.key)
                continue
            found = [item for item in answer.value or [] if isinstance(item, dict)]
            closest = _closest(work, [item for item in found
                                      if title_fits(work, item.get("title")) and work_id(item.get("id"))])
            if closest is not None:
                draft.resolved[work.key] = _kept(draft, answer, closest)
            elif not found:
                draft.unresolved[work.key] = "OpenAlex found no work with this title"
            else:
                draft.unresolved[work.key] = f"OpenAlex's best title match is another work: {found[0].get('title')!r}"

    def check_links(self, works: Sequence[Work], draft: Draft) -> list[LinkCheck]:
        return _check_links(works, draft.raw["dois"], draft.raw["by_doi"], draft.resolved)

    def add_citations(self, draft: Draft, options: EnrichOptions, report: Progress) -> None:
        """References of listed works; the records of the referenced works not in the list, with their own
        references; with ``citations``, the works citing each listed work."""
        listed_ids = draft.listed_ids
        referenced: dict[str, None] = {}
        for record in draft.resolved.values():
            for cited in _references(draft.raw[record.paper_id]):
                draft.citations.append(_link(record.paper_id, cited, record))
                if cited not in listed_ids:
                    referenced[cited] = None
        report("fetching referenced works on OpenAlex", 0, 1)
        referenced_answers = self.client.works_by_id(referenced)
        report("fetching referenced works on OpenAlex", 1, 1)
        for paper_id, answer in referenced_answers.items():
            if isinstance(answer.value, dict):
                draft.externals[paper_id] = _record(answer.value, answer, paper_id)
        known = listed_ids | set(draft.externals)
        for paper_id, answer in referenced_answers.items():
            if paper_id in draft.externals:
                for cited in _references(answer.value):
                    if cited in known and cited != paper_id:
                        draft.citations.append(_link(paper_id, cited, draft.externals[paper_id]))
        if options.citations:
            self._add_citing(draft, listed_ids, options.max_citations, report)

    def _add_citing(self, draft: Draft, listed_ids: set[str], cap: int, report: Progress) -> None:
        ordered = sorted(listed_ids)
        report("reading citations on OpenAlex", 0, len(ordered))
        for done, cited in enumerate(ordered, 1):
            citations = self.client.citing(cited, cap)
            report("reading citations on OpenAlex", done, len(ordered))
            if citations is None:
                continue
            for item in citations.value or []:
                citing = work_id(item.get("id"))
                if citing is None or citing == cited:
                    continue
                if citing not in listed_ids and citing not in draft.externals:
                    draft.externals[citing] = _record(item, citations, citing)
                draft.citations.append(_link(citing, cited, citations))

    def closing_warnings(self, works: Sequence[Work], draft: Draft, options: EnrichOptions) -> list[str]:
        return [*(f"OpenAlex: has no {what}; they need Semantic Scholar" for flag, what in (
                    (options.contexts, "citation contexts and intents"), (options.embeddings, "embeddings")) if flag),
                *([_allowance_spent(works, draft, self.client)] if self.client.allowance_spent else [])]

    def calls(self) -> dict[str, int | float]:
        return {"requests": self.client.requests_sent, "singletons": self.client.singletons,
                "list_calls": self.client.list_calls, "searches": self.client.searches,
                "cost_usd": self.client.cost_usd()}


def _kept(draft: Draft, answer: Cached, item: dict[str, Any]) -> SourceRecord:
    """A listed work's record; its raw work (with its references) is kept for the citations step."""
    paper_id = work_id(item.get("id")) or ""
    draft.raw[paper_id] = item
    return _record(item, answer, paper_id)


def _allowance_spent(works: Sequence[Work], result: Draft, client: OpenAlexClient) -> str:
    """The one message when OpenAlex's daily allowance ran out: what was left undone, and the key that helps."""
    left = [work for work in works if work.key not in result.resolved and work.key not in result.unresolved]
    example = f" (the first: {left[0].title!r})" if left else ""
    remedy = ("the key's allowance renews tomorrow, or raise it with OpenAlex" if client.settings.api_key else
              "set OPENALEX_API_KEY: a free key gives $1 of calls a day")
    return (f"OpenAlex: the daily allowance for charged calls ran out (HTTP 429) after {client.list_calls} list calls "
            f"and {client.searches} searches; {len(left)} of {len(works)} listed works left unresolved{example}, and "
            f"works not in the list may lack their records; {remedy} (lookups by DOI stay free)")


def _closest(work: Work, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The result whose title is nearest the listed one (search ranks by relevance, not by title equality)."""
    listed = normalize_title(work.title)
    return max(items, key=lambda item: fuzz.ratio(listed, normalize_title(item["title"])), default=None)


def _dois(work: Work) -> list[str]:
    """The DOIs to look a work up by: its arXiv links as arXiv DOIs, then its doi.org links."""
    dois = [arxiv_doi(listed) for listed in work.listed_arxiv_ids]
    for row in work.rows:
        for link in row.links:
            found = _DOI_LINK.fullmatch(link.strip())
            if found and DOI.fullmatch(found.group(1)):
                dois.append(found.group(1).lower())
    return list(dict.fromkeys(dois))


def _references(item: dict[str, Any]) -> list[str]:
    references = item.get("referenced_works") if isinstance(item, dict) else None
    if not isinstance(references, list):
        return []
    return list(dict.fromkeys(w for w in (work_id(ref) for ref in references) if w))


def _link(citing: str, cited: str, source: SourceRecord | Cached) -> CitationLink:
    return CitationLink(citing, cited, request=source.request, retrieved_at=source.retrieved_at, source="openalex")


def _arxiv_id(item: dict[str, Any]) -> str | None:
    """The work's arXiv id: from an arXiv DOI, else from an arxiv.org location."""
    doi = _doi(item)
    found = _ARXIV_DOI.fullmatch(doi) if doi else None
    candidates = [found.group(1)] if found else []
    for location in item.get("locations") or []:
        page = location.get("landing_page_url") if isinstance(location, dict) else None
        matched = _ARXIV_PAGE.match(page) if isinstance(page, str) else None
        if matched:
            candidates.append(matched.group(1))
    return next((arxiv_base_id(c) for c in candidates if ARXIV_ID.fullmatch(c)), None)


def _doi(item: dict[str, Any]) -> str | None:
    doi = item.get("doi")
    if not isinstance(doi, str):
        return None
    doi = doi.removeprefix("https://doi.org/")
    return doi if DOI.fullmatch(doi) else None


def _record(item: dict[str, Any], answer: Cached, paper_id: str) -> SourceRecord:
    """What pa-graph keeps of an OpenAlex work (``paper_id``: its checked W id), every field checked as for S2."""
    year = item.get("publication_year")
    count = item.get("cited_by_count")
    location = item.get("primary_location") if isinstance(item.get("primary_location"), dict) else {}
    source = location.get("source") if isinstance(location, dict) else None
    venue = source.get("display_name") if isinstance(source, dict) else None
    authors: list[tuple[str | None, str]] = []
    for authorship in item.get("authorships") or []:
        author = authorship.get("author") if isinstance(authorship, dict) else None
        name = source_text(author.get("display_name")) if isinstance(author, dict) else None
        if isinstance(author, dict) and name:
            found = _AUTHOR_ID.fullmatch(author["id"]) if isinstance(author.get("id"), str) else None
            authors.append((found.group(1) if found else None, name))
    references = item.get("referenced_works")
    return SourceRecord(
        paper_id=paper_id,
        title=source_text(item.get("title")),
        year=year if isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 2200 else None,
        doi=_doi(item),
        arxiv_id=_arxiv_id(item),
        venue=source_text(venue),
        authors=tuple(authors),
        citation_count=count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else None,
        reference_count=len(references) if isinstance(references, list) else None,
        request=answer.request,
        retrieved_at=answer.retrieved_at,
        source="openalex",
        openalex_id=paper_id,
    )


def _check_links(works: Sequence[Work], dois_of: dict[str, list[str]], by_doi: dict[str, Cached],
                 resolved: dict[str, SourceRecord]) -> list[LinkCheck]:
    """Verdicts OpenAlex can give: a listed arXiv id whose DOI is another work (``wrong``), and an arXiv id OpenAlex
    knows for a work listed without one (``missing``). An arXiv DOI OpenAlex does not know says nothing: it files
    many preprints under their publisher's DOI."""
    checks = []
    for work in works:
        record = resolved.get(work.key)
        correct = record.arxiv_id if record else None
        sources = tuple(row.source for row in work.rows)
        if not work.listed_arxiv_ids:
            if correct:
                checks.append(LinkCheck(work.key, work.title, "missing", listed_id=None, points_to=None,
                                        correct_id=correct, sources=sources, by="OpenAlex"))
            continue
        for listed in work.listed_arxiv_ids:
            answer = by_doi.get(arxiv_doi(listed))
            if answer is None or not isinstance(answer.value, dict):
                continue
            if record and work_id(answer.value.get("id")) == record.paper_id:
                continue
            if title_fits(work, answer.value.get("title")):
                continue
            checks.append(LinkCheck(work.key, work.title, "wrong", listed_id=listed,
                                    points_to=source_text(answer.value.get("title")), correct_id=correct,
                                    sources=tuple(row.source for row in work.rows if row.arxiv_id == listed),
                                    by="OpenAlex"))
    return checks
