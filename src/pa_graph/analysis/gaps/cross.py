"""Missing cross-citations: pairs of listed works that are close but where the later does not cite the earlier.

Advice for the authors of the listed papers, kept apart from the maintainer's report (``citations.md``). A pair
qualifies when both works share a section or a tag, the later was published in a later year, the later does not
cite the earlier, and they are close by any of :data:`THRESHOLDS`: shared references, listed works citing both, or
embedding similarity. Score = shared references + co-citations + 4 × (similarity − 0.5 when positive).

Candidate pairs come from the citation index (works sharing a reference or a listed citer), and from the pairs of
one section or tag only when embeddings are known — never from all pairs of the list. A reference cited by more
than :data:`BACKGROUND_CITERS` listed works is background (a field's classic): sharing it says nothing about two
works being close, so it neither proposes pairs nor counts as shared. That keeps the analysis linear in the number of
citation edges: each reference proposes at most ``BACKGROUND_CITERS²/2`` pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from pa_graph.analysis.gaps.base import GapAnalysis, GapInputs
from pa_graph.analysis.gaps.index import CitationIndex, cosine
from pa_graph.options import CITATIONS_LIMIT

if TYPE_CHECKING:
    from pa_graph.analysis.gaps.analysis import GapReport

__all__ = ["THRESHOLDS", "BACKGROUND_CITERS", "CITATIONS_LIMIT", "MissingCitation", "missing_citations"]

#: A pair of listed works is "close" from these values on (any one suffices).
THRESHOLDS = {"shared_references": 2, "cocitations": 2, "similarity": 0.85}
#: A reference more listed works cite than this is background, not evidence of closeness.
BACKGROUND_CITERS = 50
#: Missing cross-citations written to citations.md/json and the RDF by default (the count is always complete).


@dataclass(kw_only=True, frozen=True)
class MissingCitation:
    later: str
    earlier: str
    score: float
    shared_references: int
    cocitations: int
    similarity: float | None
    common: tuple[str, ...]  # the shared section or tag labels
    evidence: tuple[str, ...]  # titles of shared references and co-citing works
    later_node: str = ""
    earlier_node: str = ""


def _pairs(members: list[str], into: set[tuple[str, str]]) -> None:
    for i, a in enumerate(members):
        for b in members[i + 1:]:
            into.add((a, b))


def _candidate_pairs(index: CitationIndex, groups: Mapping[str, set[str]],
                     background: frozenset[str]) -> set[tuple[str, str]]:
    """Pairs (in list order) that could pass a threshold: a shared reference that is not background, a shared
    listed citer, or — when embeddings are known — a shared section or tag."""
    listed, order = index.listed_set, {w: i for i, w in enumerate(index.listed)}
    pairs: set[tuple[str, str]] = set()
    for reference, citing in index.citers.items():  # works citing one reference
        if reference not in background:
            _pairs(sorted(citing & listed, key=order.__getitem__), pairs)
    for work in index.listed:  # listed works cited by one listed work
        _pairs(sorted(index.references(work) & listed, key=order.__getitem__), pairs)
    if index.embeddings:
        by_group: dict[str, list[str]] = defaultdict(list)
        for work in index.listed:
            if work in index.embeddings:
                for group in groups[work]:
                    by_group[group].append(work)
        for members in by_group.values():
            _pairs(members, pairs)
    return pairs


def missing_citations(model: nx.MultiDiGraph[str], thresholds: Mapping[str, float] = THRESHOLDS,
                      limit: int | None = None, index: CitationIndex | None = None) -> list[MissingCitation]:
    """The pairs described in the module docstring, strongest first (ties by titles)."""
    index = index or CitationIndex.of(model)
    listed = index.listed_set
    groups = {w: set(index.sections.get(w, ())) | set(index.targets(w, "has_tag")) for w in index.listed}
    background = frozenset(ref for ref, citing in index.citers.items() if len(citing & listed) > BACKGROUND_CITERS)
    years = {w: index.year(w) for w in index.listed}
    evidence_refs = {w: index.references(w) - background for w in index.listed}
    listed_citers = {w: index.cited_by(w) & listed for w in index.listed}
    found = []
    for first, second in _candidate_pairs(index, groups, background):
        year_1, year_2 = years[first], years[second]
        if not year_1 or not year_2 or year_1 == year_2:
            continue
        earlier, later = (first, second) if year_1 < year_2 else (second, first)
        if earlier in index.references(later):
            continue
        common = groups[earlier] & groups[later]
        if not common:
            continue
        shared = evidence_refs[earlier] & evidence_refs[later]
        cociting = listed_citers[earlier] & listed_citers[later]
        vector_a, vector_b = index.embeddings.get(earlier), index.embeddings.get(later)
        similarity = cosine(vector_a, vector_b) if vector_a and vector_b else None
        if not (len(shared) >= thresholds["shared_references"] or len(cociting) >= thresholds["cocitations"]
                or (similarity is not None and similarity >= thresholds["similarity"])):
            continue
        score = len(shared) + len(cociting) + 4 * max(0.0, (similarity or 0.0) - 0.5)
        evidence = tuple(sorted(index.title(n) for n in shared)) + tuple(sorted(index.title(n) for n in cociting))
        found.append(MissingCitation(later=index.title(later), earlier=index.title(earlier), score=round(score, 4),
                                     shared_references=len(shared), cocitations=len(cociting),
                                     similarity=None if similarity is None else round(similarity, 4),
                                     common=tuple(sorted(index.label(g) for g in common)), evidence=evidence,
                                     later_node=later, earlier_node=earlier))
    found.sort(key=lambda m: (-m.score, m.later, m.earlier))
    return found[:limit]


# ----- what it adds to the report ------------------------------------------------------------------------------

def _run(inputs: GapInputs, so_far: Mapping[str, Any]) -> dict[str, Any]:
    return {} if inputs.index is None else {"missing_citations": missing_citations(inputs.model, index=inputs.index)}


def _text(report: GapReport) -> list[str]:
    if report.missing_citations is None:
        return []
    return [f"missing cross-citations: {len(report.missing_citations)} pairs (citations.md)"]


def _markdown(report: GapReport) -> list[str]:
    if report.missing_citations is None:
        return []
    return [f"Missing cross-citations between listed works: {len(report.missing_citations)} pairs, in "
            "`citations.md` (advice for the authors of the listed papers).", ""]


def _json(report: GapReport) -> dict[str, Any]:
    return {"missing_citations": None if report.missing_citations is None else {
        "count": len(report.missing_citations), "file": "citations.json"}}


#: Listed works that should cite each other and do not (needs citations; the pairs go to citations.md/json).
ANALYSIS = GapAnalysis(_run, _text, _markdown, _json)
