"""One enrichment from several sources, merged without duplicates: the first (primary) source's, then each other
source's merged into it in turn (``both``: Semantic Scholar's, then OpenAlex's).

A listed work resolved by both keeps the primary's record and gains the other's provenance (and OpenAlex's id); a
work not in the list is the same work on both sides when they share a DOI or an arXiv id — or, only when *neither*
record has a DOI or an arXiv id (many citing papers), the same normalised title (at least 20 characters) and year —
and then keeps the primary's id. Citation
links found by either source are kept once, with the source that said so. What the two sources disagree on — a
listed work's arXiv id, year or existence; one title and year under conflicting ids; one title under other ids and
another year (a preprint and its publication, kept as two works) — becomes a :class:`SourceDisagreement` for the
audit, naming the title and both sources' ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pa_graph.records import Enrichment, LinkCheck, SourceDisagreement, SourceRecord, Work
from pa_graph.sources.common import deduplicated
from pa_graph.sources.registry import labels
from pa_graph.text import arxiv_base_id, normalize_title

__all__ = ["merge_sources"]


def merge_sources(works: Sequence[Work], enrichments: Sequence[Enrichment]) -> Enrichment:
    """The enrichments of the same works by several sources as one, the first primary, with their disagreements."""
    merged = enrichments[0]
    for other in enrichments[1:]:
        merged = _merged(works, merged, other)
    return merged


def _merged(works: Sequence[Work], ours: Enrichment, theirs: Enrichment) -> Enrichment:
    """``theirs`` merged into ``ours`` (whose first source is the primary)."""
    primary = ours.source.split("+")[0]
    we, they = labels(primary), labels(theirs.source)
    resolved: dict[str, SourceRecord] = {}
    unresolved: dict[str, str] = {}
    not_cached: list[str] = []
    disagreements = list(ours.disagreements)
    same: dict[str, str] = {}  # their id → our id of the same work
    for work in works:
        mine, yours = ours.resolved.get(work.key), theirs.resolved.get(work.key)
        if mine and yours:
            resolved[work.key] = _with_other(mine, yours)
            same[yours.paper_id] = mine.paper_id
            disagreements.extend(_compare(work, mine, yours, we, they))
        elif mine is not None or yours is not None:
            alone = mine if mine is not None else yours
            assert alone is not None
            resolved[work.key] = alone
            if mine and work.key in theirs.unresolved:
                disagreements.append(SourceDisagreement(
                    work.key, work.title, f"only-{primary}",
                    message=f"{they} does not know '{work.title}' ({theirs.unresolved[work.key]}); {we} does"))
            if yours and work.key in ours.unresolved:
                disagreements.append(SourceDisagreement(
                    work.key, work.title, f"only-{theirs.source}",
                    message=f"{we} does not know '{work.title}'; {they} does ({yours.paper_id})"))
        elif work.key in ours.unresolved or work.key in theirs.unresolved:
            unresolved[work.key] = ours.unresolved.get(work.key) or theirs.unresolved[work.key]
        else:
            not_cached.append(work.key)

    by_identifier: dict[tuple[str, str], str] = {}
    by_title: dict[str, SourceRecord] = {}
    for record in [*ours.resolved.values(), *ours.externals.values()]:  # every record merged so far, any source's
        for identifier in _identifiers(record):
            by_identifier.setdefault(identifier, record.paper_id)
        if len(title := normalize_title(record.title or "")) >= _MIN_TITLE:
            by_title.setdefault(title, record)
    externals = dict(ours.externals)
    for paper_id, record in theirs.externals.items():
        match = next((by_identifier[i] for i in _identifiers(record) if i in by_identifier), None)
        if match is None:
            externals[paper_id] = record
            twin = by_title.get(normalize_title(record.title or ""))
            if twin is not None:
                disagreements.append(_twin_disagreement(twin, record, we, they))
            continue
        same[paper_id] = match
        if match in externals and externals[match].openalex_id is None:
            externals[match] = _with_other(externals[match], record)
    translated = [replace(link, citing=same.get(link.citing, link.citing), cited=same.get(link.cited, link.cited))
                  for link in theirs.citations]
    return Enrichment(
        mode="online" if "online" in (ours.mode, theirs.mode) else ours.mode, api_url=ours.api_url,
        source=f"{ours.source}+{theirs.source}", resolved=resolved, unresolved=unresolved, not_cached=not_cached,
        externals=externals,
        citations=deduplicated([*ours.citations, *(link for link in translated if link.citing != link.cited)]),
        embeddings=dict(ours.embeddings),  # keyed by the primary's ids, as the model looks them up
        link_checks=_verdicts(ours.link_checks, theirs.link_checks),
        warnings=[*ours.warnings, *theirs.warnings], requests=ours.requests + theirs.requests,
        calls={**ours.calls, **theirs.calls}, disagreements=disagreements)


def _verdicts(ours: Sequence[LinkCheck], theirs: Sequence[LinkCheck]) -> list[LinkCheck]:
    """Every source's verdicts on the listed links, one per work, kind and listed id: the primary's first."""
    kept: dict[tuple[str, str, str | None], LinkCheck] = {}
    for check in (*ours, *theirs):
        kept.setdefault((check.work_key, check.status, check.listed_id), check)
    return list(kept.values())


def _with_other(record: SourceRecord, theirs: SourceRecord) -> SourceRecord:
    """Our record of a work, knowing the other source's answer too (and OpenAlex's id, when it is OpenAlex's)."""
    return replace(record, openalex_id=record.openalex_id or theirs.openalex_id,
                   also_from=(*record.also_from, (theirs.source, theirs.request, theirs.retrieved_at)))


_MIN_TITLE = 20  # characters of a normalised title that may identify a work without ids


def _identifiers(record: SourceRecord) -> list[tuple[str, str]]:
    """The keys two records of one work share: DOI, arXiv id; title and year only for a record with neither."""
    found = []
    if record.doi:
        found.append(("doi", record.doi.lower()))
    if record.arxiv_id:
        found.append(("arxiv", arxiv_base_id(record.arxiv_id)))
    title = normalize_title(record.title or "")
    if not found and len(title) >= _MIN_TITLE and record.year:
        found.append(("title", f"{title} {record.year}"))
    return found


def _ids(record: SourceRecord) -> str:
    named = [f"DOI {record.doi}" if record.doi else "", f"arXiv {record.arxiv_id}" if record.arxiv_id else ""]
    return ", ".join(name for name in named if name) or f"id {record.paper_id}"


def _twin_disagreement(ours: SourceRecord, theirs: SourceRecord, we: str, they: str) -> SourceDisagreement:
    """One title on both sides that the ids do not join: conflicting ids (same year) or a split work."""
    title = ours.title or theirs.title or ""
    if ours.year == theirs.year:
        return SourceDisagreement(ours.paper_id, title, "conflicting-ids",
                                  message=f"'{title}' ({ours.year}): {we} gives {_ids(ours)}, {they} "
                                  f"{_ids(theirs)} ({theirs.paper_id}); kept apart")
    return SourceDisagreement(ours.paper_id, title, "split-work",
                              message=f"'{title}': {we} knows it as {_ids(ours)} ({ours.year}), {they} as "
                              f"{_ids(theirs)} ({theirs.year}, {theirs.paper_id}); kept as two works — a preprint "
                              "and its publication?")


def _compare(work: Work, ours: SourceRecord, theirs: SourceRecord, we: str, they: str) -> list[SourceDisagreement]:
    found = []
    if ours.arxiv_id and theirs.arxiv_id and arxiv_base_id(ours.arxiv_id) != arxiv_base_id(theirs.arxiv_id):
        found.append(SourceDisagreement(
            work.key, work.title, "arxiv-id",
            message=f"{they} gives arXiv {theirs.arxiv_id} for '{work.title}', {we} {ours.arxiv_id}"))
    if ours.year and theirs.year and ours.year != theirs.year:
        found.append(SourceDisagreement(
            work.key, work.title, "year",
            message=f"{they} gives {theirs.year} as the year of '{work.title}', {we} {ours.year}"))
    return found
