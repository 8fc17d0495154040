"""One enrichment from two sources: Semantic Scholar's (primary) and OpenAlex's, merged without duplicates.

A listed work resolved by both keeps S2's record and gains its OpenAlex id; a work not in the list is the same work
on both sides when they share a DOI or an arXiv id — or, only when *neither* record has a DOI or an arXiv id (many
citing papers), the same normalised title (at least 20 characters) and year — and then keeps S2's id. Citation
links found by either source are kept once, with the source that said so. What the two sources disagree on — a
listed work's arXiv id, year or existence; one title and year under conflicting ids; one title under other ids and
another year (a preprint and its publication, kept as two works) — becomes a :class:`SourceDisagreement` for the
audit, naming the title and both sources' ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pa_graph.records import Enrichment, SourceDisagreement, SourceRecord, Work
from pa_graph.sources.common import deduplicated
from pa_graph.text import arxiv_base_id, normalize_title

__all__ = ["merge_sources"]


def merge_sources(works: Sequence[Work], s2: Enrichment, openalex: Enrichment) -> Enrichment:
    """``s2`` and ``openalex`` (of the same works) as one enrichment, with the sources' disagreements."""
    merged = Enrichment(mode="online" if "online" in (s2.mode, openalex.mode) else s2.mode, api_url=s2.api_url,
                        source="s2+openalex", embeddings=dict(s2.embeddings),
                        link_checks=list(s2.link_checks), warnings=[*s2.warnings, *openalex.warnings],
                        requests=s2.requests + openalex.requests, calls={**s2.calls, **openalex.calls})
    same: dict[str, str] = {}  # OpenAlex id → the S2 id of the same work
    for work in works:
        ours, theirs = s2.resolved.get(work.key), openalex.resolved.get(work.key)
        if ours and theirs:
            merged.resolved[work.key] = _with_openalex(ours, theirs)
            same[theirs.paper_id] = ours.paper_id
            merged.disagreements.extend(_compare(work, ours, theirs))
        elif ours is not None or theirs is not None:
            alone = ours if ours is not None else theirs
            assert alone is not None
            merged.resolved[work.key] = alone
            if ours and work.key in openalex.unresolved:
                merged.disagreements.append(SourceDisagreement(
                    work.key, work.title, "only-s2",
                    f"OpenAlex does not know '{work.title}' ({openalex.unresolved[work.key]}); Semantic Scholar does"))
            if theirs and work.key in s2.unresolved:
                merged.disagreements.append(SourceDisagreement(
                    work.key, work.title, "only-openalex",
                    f"Semantic Scholar does not know '{work.title}'; OpenAlex does ({theirs.paper_id})"))
        elif work.key in s2.unresolved or work.key in openalex.unresolved:
            merged.unresolved[work.key] = s2.unresolved.get(work.key) or openalex.unresolved[work.key]
        else:
            merged.not_cached.append(work.key)

    by_identifier: dict[tuple[str, str], str] = {}
    by_title: dict[str, SourceRecord] = {}
    for record in [*merged.resolved.values(), *s2.externals.values()]:
        if record.source == "s2":
            for identifier in _identifiers(record):
                by_identifier.setdefault(identifier, record.paper_id)
            if len(title := normalize_title(record.title or "")) >= _MIN_TITLE:
                by_title.setdefault(title, record)
    merged.externals = dict(s2.externals)
    for paper_id, record in openalex.externals.items():
        match = next((by_identifier[i] for i in _identifiers(record) if i in by_identifier), None)
        if match is None:
            merged.externals[paper_id] = record
            twin = by_title.get(normalize_title(record.title or ""))
            if twin is not None:
                merged.disagreements.append(_twin_disagreement(twin, record))
            continue
        same[paper_id] = match
        if match in merged.externals and merged.externals[match].openalex_id is None:
            merged.externals[match] = _with_openalex(merged.externals[match], record)
    translated = [replace(link, citing=same.get(link.citing, link.citing), cited=same.get(link.cited, link.cited))
                  for link in openalex.citations]
    merged.citations = deduplicated([*s2.citations, *(link for link in translated if link.citing != link.cited)])
    if not s2.link_checks and not s2.resolved:
        merged.link_checks = list(openalex.link_checks)
    return merged


def _with_openalex(record: SourceRecord, theirs: SourceRecord) -> SourceRecord:
    return replace(record, openalex_id=theirs.paper_id,
                   also_from=(*record.also_from, ("openalex", theirs.request, theirs.retrieved_at)))


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


def _twin_disagreement(ours: SourceRecord, theirs: SourceRecord) -> SourceDisagreement:
    """One title on both sides that the ids do not join: conflicting ids (same year) or a split work."""
    title = ours.title or theirs.title or ""
    if ours.year == theirs.year:
        return SourceDisagreement(ours.paper_id, title, "conflicting-ids",
                                  f"'{title}' ({ours.year}): Semantic Scholar gives {_ids(ours)}, OpenAlex "
                                  f"{_ids(theirs)} ({theirs.paper_id}); kept apart")
    return SourceDisagreement(ours.paper_id, title, "split-work",
                              f"'{title}': Semantic Scholar knows it as {_ids(ours)} ({ours.year}), OpenAlex as "
                              f"{_ids(theirs)} ({theirs.year}, {theirs.paper_id}); kept as two works — a preprint "
                              "and its publication?")


def _compare(work: Work, ours: SourceRecord, theirs: SourceRecord) -> list[SourceDisagreement]:
    found = []
    if ours.arxiv_id and theirs.arxiv_id and arxiv_base_id(ours.arxiv_id) != arxiv_base_id(theirs.arxiv_id):
        found.append(SourceDisagreement(
            work.key, work.title, "arxiv-id",
            f"OpenAlex gives arXiv {theirs.arxiv_id} for '{work.title}', Semantic Scholar {ours.arxiv_id}"))
    if ours.year and theirs.year and ours.year != theirs.year:
        found.append(SourceDisagreement(
            work.key, work.title, "year",
            f"OpenAlex gives {theirs.year} as the year of '{work.title}', Semantic Scholar {ours.year}"))
    return found
