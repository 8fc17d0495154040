"""Enrich stage: listed works → Semantic Scholar records, citation links and verdicts on the list's arXiv links.

Economy first: one ``POST /paper/batch`` per 500 listed arXiv ids, with the nested references; a hit counts only when
its title matches the listed title. Works left over get one title-match call each (punctuation stripped; ids, title
and year only), then one more batch fetches the full records of every matched id. The references of the works not in
the list that listed works cite most (gap candidates) come in one more batch. Optional extras: ``/references`` for
citation intents and contexts, ``/citations`` for incoming citations, and SPECTER v2 embeddings. Every answer goes
through the cache, so a second build asks nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pa_graph.records import CitationLink, LinkCheck, SourceRecord, Work
from pa_graph.sources.common import EnrichOptions, Progress, deduplicated, fetch_candidates, source_text, title_fits
from pa_graph.sources.response_cache import Cached
from pa_graph.sources.s2 import S2Client, S2Settings
from pa_graph.sources.source import Draft, Source
from pa_graph.text import ARXIV_ID, DOI, S2_PAPER_ID, arxiv_base_id

__all__ = [
    "EnrichOptions",
    "Progress",
    "S2Source",
    "title_fits",
    "deduplicated",
    "PAPER_FIELDS",
    "MATCH_FIELDS",
]

PAPER_FIELDS = ("title,year,venue,publicationVenue,authors,externalIds,citationCount,"
                "references.paperId,references.title,references.year,references.venue,references.publicationVenue,"
                "references.externalIds,references.citationCount")
#: For the works not in the list most cited by listed works: their own references (bibliographic coupling).
CANDIDATE_FIELDS = "title,year,venue,publicationVenue,externalIds,citationCount,references.paperId"
MATCH_FIELDS = "title,year,externalIds"
REFERENCE_FIELDS = "contexts,intents,isInfluential,title,year,venue,publicationVenue,externalIds"
CITATION_FIELDS = "title,year,externalIds,authors"
EMBEDDING_FIELDS = "embedding.specter_v2"




class S2Source(Source):
    """Semantic Scholar as a :class:`~pa_graph.sources.source.Source` (see the module docstring)."""

    NAME = "s2"
    CLIENT = S2Client
    SETTINGS = S2Settings
    client: S2Client

    def resolve(self, works: Sequence[Work], draft: Draft, report: Progress) -> list[Work]:
        """Listed arXiv ids, one batch per 500; a hit counts when its title matches."""
        answers = _batched(self.client, [f"ARXIV:{arxiv_base_id(i)}" for w in works for i in w.listed_arxiv_ids],
                           "resolving arXiv ids", report)
        draft.raw["arxiv"] = answers
        pending: list[Work] = []
        for work in works:
            found = [answers.get(f"ARXIV:{arxiv_base_id(listed)}") for listed in work.listed_arxiv_ids]
            fitting = [a for a in found if a and a.value and title_fits(work, a.value.get("title"))]
            if fitting:
                draft.resolved[work.key] = _kept(draft, fitting[0])
            elif None in found:
                draft.not_cached.append(work.key)  # the batch failed or was not sent: no title match either
            else:
                pending.append(work)
        return pending

    def match_titles(self, pending: Sequence[Work], draft: Draft, report: Progress) -> None:
        """One title match per remaining work, then one batch for all matched ids."""
        matched: dict[str, str] = {}
        report("matching titles", 0, len(pending))
        for done, work in enumerate(pending, 1):
            answer = self.client.match_title(work.title, MATCH_FIELDS)
            report("matching titles", done, len(pending))
            if answer is None:
                draft.not_cached.append(work.key)
            elif not answer.value:
                draft.unresolved[work.key] = "Semantic Scholar found no paper with this title"
            elif not title_fits(work, answer.value.get("title")):
                draft.unresolved[work.key] = ("Semantic Scholar's best title match is another paper: "
                                              f"{answer.value.get('title')!r}")
            else:
                matched[work.key] = answer.value["paperId"]
        by_id = _batched(self.client, list(matched.values()), "fetching matched papers", report)
        for key, paper_id in matched.items():
            answer = by_id.get(paper_id)
            if answer and answer.value:
                draft.resolved[key] = _kept(draft, answer)
            elif answer is None:
                draft.not_cached.append(key)
            else:
                draft.unresolved[key] = "Semantic Scholar matched the title but has no record for its id"

    def check_links(self, works: Sequence[Work], draft: Draft) -> list[LinkCheck]:
        return _check_links(works, draft.raw["arxiv"], draft.resolved)

    def add_citations(self, draft: Draft, options: EnrichOptions, report: Progress) -> None:
        """The nested references; with the extras, /references, /citations and embeddings; the references of the
        candidates."""
        Paper = _paper_model()
        listed_ids = draft.listed_ids
        for record in draft.resolved.values():
            for reference in Paper(draft.raw[record.paper_id]).references or []:
                if isinstance(reference.paperId, str) and S2_PAPER_ID.fullmatch(reference.paperId):
                    _note_external(draft, listed_ids, reference, record)
                    draft.citations.append(CitationLink(record.paper_id, reference.paperId, request=record.request,
                                                        retrieved_at=record.retrieved_at))
        if options.contexts:
            _add_connected(draft, self.client, listed_ids, "references", options, report)
        if options.citations:
            _add_connected(draft, self.client, listed_ids, "citations", options, report)
        candidates = _add_candidate_references(draft, self.client, listed_ids, report)
        if options.embeddings:
            embedded = _batched(self.client, sorted(listed_ids) + candidates, "fetching embeddings", report,
                                EMBEDDING_FIELDS, "embedding")
            for paper_id, answer in embedded.items():
                vector = ((answer.value or {}).get("embedding") or {}).get("vector")
                if isinstance(vector, list):
                    draft.embeddings[paper_id] = vector


def _kept(draft: Draft, answer: Cached) -> SourceRecord:
    """A listed work's record; its raw answer (with the nested references) is kept for the citations step."""
    paper = _paper_model()(answer.value)
    draft.raw[paper.paperId] = answer.value
    return _record(paper, answer)


def _add_candidate_references(result: Draft, client: S2Client, listed_ids: set[str], report: Progress) -> list[str]:
    """Fetch the references of the works not in the list that listed works cite most (gap candidates), in batches:
    their reference counts, and citation links to the works the graph already has."""
    Paper = _paper_model()
    citers: Counter[str] = Counter(link.cited for link in result.citations
                                   if link.citing in listed_ids and link.cited not in listed_ids)
    candidates = fetch_candidates(citers)
    answers = _batched(client, candidates, "fetching references of candidates", report, CANDIDATE_FIELDS, "candidate")
    known = listed_ids | set(result.externals)
    for paper_id in candidates:
        answer = answers.get(paper_id)
        if answer is None or not isinstance(answer.value, dict) or paper_id not in result.externals:
            continue
        paper = Paper(answer.value)
        if not isinstance(paper.references, list):
            continue
        current = result.externals[paper_id]
        count = paper.citationCount if isinstance(paper.citationCount, int) and paper.citationCount >= 0 else None
        result.externals[paper_id] = replace(current, reference_count=len(paper.references),
                                             citation_count=current.citation_count if current.citation_count
                                             is not None else count)
        for reference in paper.references:
            if isinstance(reference.paperId, str) and reference.paperId in known and reference.paperId != paper_id \
                    and S2_PAPER_ID.fullmatch(reference.paperId):
                result.citations.append(CitationLink(paper_id, reference.paperId, request=answer.request,
                                                     retrieved_at=answer.retrieved_at))
    return candidates


def _paper_model() -> Any:
    """The ``semanticscholar`` package's data model, which reads every S2 answer, null fields included; imported
    when an enrichment runs, not when pa-graph starts (0.2 s)."""
    from semanticscholar.Paper import Paper

    return Paper


def _batched(client: S2Client, ids: list[str], stage: str, report: Progress,
             fields: str = PAPER_FIELDS, kind: str = "paper") -> dict[str, Cached]:
    report(stage, 0, 1)
    answers = client.papers(ids, fields, kind)
    report(stage, 1, 1)
    return answers


def _record(paper: Any, answer: Cached) -> SourceRecord:
    """What pa-graph keeps of an S2 paper, every field checked: values of the wrong type or out of range (a year
    that is no year, an id that breaks its grammar) are left out rather than trusted."""
    external = paper.externalIds if isinstance(paper.externalIds, dict) else {}
    venue = paper.publicationVenue.name if paper.publicationVenue and paper.publicationVenue.name else paper.venue
    arxiv, doi, corpus = external.get("ArXiv"), external.get("DOI"), external.get("CorpusId")
    return SourceRecord(
        paper_id=paper.paperId,
        title=source_text(paper.title),
        year=paper.year if isinstance(paper.year, int) and 1000 <= paper.year <= 2200 else None,
        corpus_id=corpus if isinstance(corpus, int) and corpus >= 0 else None,
        doi=doi if isinstance(doi, str) and DOI.fullmatch(doi) else None,
        arxiv_id=arxiv if isinstance(arxiv, str) and ARXIV_ID.fullmatch(arxiv) else None,
        venue=source_text(venue),
        authors=tuple((author.authorId if isinstance(author.authorId, str) and author.authorId.isdigit() else None, name)
                      for author in (paper.authors or []) if (name := source_text(author.name))),
        citation_count=paper.citationCount if isinstance(paper.citationCount, int) and paper.citationCount >= 0 else None,
        reference_count=len(paper.references) if answer.value is not None and "references" in answer.value
        and isinstance(paper.references, list) else None,
        request=answer.request,
        retrieved_at=answer.retrieved_at,
    )


def _note_external(result: Draft, listed_ids: set[str], paper: Any, source: SourceRecord | Cached) -> None:
    if paper.paperId in listed_ids or paper.paperId in result.externals:
        return
    result.externals[paper.paperId] = _record(paper, Cached(None, source.request, source.retrieved_at))


def _add_connected(result: Draft, client: S2Client, listed_ids: set[str], direction: str,
                   options: EnrichOptions, report: Progress) -> None:
    Paper = _paper_model()
    wrapper = "citedPaper" if direction == "references" else "citingPaper"
    fields = REFERENCE_FIELDS if direction == "references" else CITATION_FIELDS
    cap = options.max_citations if direction == "citations" else 9_999
    ordered = sorted(listed_ids)
    report(f"reading {direction}", 0, len(ordered))
    for done, paper_id in enumerate(ordered, 1):
        answer = client.connected(paper_id, direction, fields, cap)
        report(f"reading {direction}", done, len(ordered))
        if answer is None:
            continue
        for item in answer.value or []:
            other = item.get(wrapper)
            if not isinstance(other, dict) or not isinstance(other.get("paperId"), str) \
                    or not S2_PAPER_ID.fullmatch(other["paperId"]):
                continue  # an unresolved reference (no paper id), or an id that is no S2 id
            _note_external(result, listed_ids, Paper(other), answer)
            citing, cited = (paper_id, other["paperId"]) if direction == "references" else (other["paperId"], paper_id)
            result.citations.append(CitationLink(
                citing, cited,
                intents=tuple(i for i in item.get("intents") or [] if isinstance(i, str)),
                influential=item.get("isInfluential") if isinstance(item.get("isInfluential"), bool) else None,
                contexts=tuple(c for c in item.get("contexts") or [] if isinstance(c, str)),
                request=answer.request, retrieved_at=answer.retrieved_at,
            ))


def _check_links(works: Sequence[Work], arxiv_answers: dict[str, Cached],
                 resolved: dict[str, SourceRecord]) -> list[LinkCheck]:
    checks = []
    for work in works:
        record = resolved.get(work.key)
        correct = record.arxiv_id if record else None
        if not work.listed_arxiv_ids:
            if correct:
                sources = tuple(row.source for row in work.rows)
                checks.append(LinkCheck(work.key, work.title, "missing", listed_id=None, points_to=None,
                                        correct_id=correct, sources=sources, by="Semantic Scholar"))
            continue
        for listed in work.listed_arxiv_ids:
            answer = arxiv_answers.get(f"ARXIV:{arxiv_base_id(listed)}")
            if answer is None:
                continue  # not asked (offline, S2 unreachable): no verdict
            if answer.value and record and answer.value.get("paperId") == record.paper_id:
                continue
            sources = tuple(row.source for row in work.rows if row.arxiv_id == listed)
            points_to = answer.value.get("title") if answer.value else None
            checks.append(LinkCheck(work.key, work.title, "wrong", listed_id=listed, points_to=points_to,
                                    correct_id=correct, sources=sources, by="Semantic Scholar"))
    return checks
