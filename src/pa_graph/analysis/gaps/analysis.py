"""All gap analyses of one graph together: the report a build writes and ``pa-graph gaps`` prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from pa_graph.analysis.gaps.compare import CrossListEntry, compare_lists, entries_of_lists, entries_of_model
from pa_graph.analysis.gaps.coverage import SectionFlows, SurveyCoverage, section_flows, survey_coverage
from pa_graph.analysis.gaps.cross import CITATIONS_LIMIT, MissingCitation, missing_citations
from pa_graph.analysis.gaps.evaluate import evaluate_ranking
from pa_graph.analysis.gaps.ignore import IgnoreList
from pa_graph.analysis.gaps.index import CitationIndex, has_citations
from pa_graph.analysis.gaps.missing import (
    DEFAULT_MIN_LISTS,
    DEFAULT_TOP,
    MissingPapers,
    Suggestion,
    candidates_of,
    min_lists_for,
    missing_papers,
)
from pa_graph.analysis.gaps.other_lists import OtherLists, in_other_lists
from pa_graph.analysis.gaps.peers import PeerLists
from pa_graph.errors import GapError
from pa_graph.options import DEFAULT_MIN_CITERS
from pa_graph.records import ParsedList

__all__ = ["GapOptions", "GapReport", "analyse"]


@dataclass(frozen=True)
class GapOptions:
    """How the gap analysis of a build runs: ``top`` missing papers, ``peers`` (other lists of the field), and
    the ignore file (``None``: ``.pa-graph-ignore`` beside the first list, when there is one)."""

    top: int = DEFAULT_TOP
    min_citers: int = DEFAULT_MIN_CITERS
    peers: tuple[str | Path, ...] = ()  # files or URLs
    ignore_file: Path | None = None
    citations_limit: int = CITATIONS_LIMIT  # missing cross-citations written to citations.md/json and the RDF
    min_lists: int | None = None  # "in other lists": works this many peer lists include (None: 2, or 1 with one)


@dataclass
class GapReport:
    min_citers: int = 2
    top: int = DEFAULT_TOP
    missing: MissingPapers | None = None  # None: the graph has no citations
    missing_citations: list[MissingCitation] | None = None
    surveys: list[SurveyCoverage] = field(default_factory=list)
    flows: SectionFlows | None = None
    comparison: dict[str, list[CrossListEntry]] | None = None
    evaluation: dict[str, Any] | None = None
    peer_names: tuple[str, ...] = ()
    ignore_source: str | None = None
    citations_limit: int = CITATIONS_LIMIT  # missing cross-citations written out (the count stays complete)
    other_lists: OtherLists | None = None  # None: no peer lists given
    ignore_counts: list[tuple[int, str, int]] = field(default_factory=list)  # (line, entry, suggestions removed)
    min_lists: int = DEFAULT_MIN_LISTS

    @property
    def warnings(self) -> list[str]:
        return self.other_lists.warnings if self.other_lists is not None else []

    @property
    def suggestions(self) -> list[Suggestion]:
        """The missing-paper suggestions shown (at most ``top``)."""
        return self.missing.suggestions if self.missing is not None else []


def analyse(model: nx.MultiDiGraph[str], min_citers: int = 2, top: int = DEFAULT_TOP,
            compare: Sequence[ParsedList] | None = None, evaluate: bool = False,
            peers: Sequence[ParsedList] = (), ignore: IgnoreList | None = None,
            citations_limit: int = CITATIONS_LIMIT, min_lists: int | None = None) -> GapReport:
    """Every analysis the graph supports; the citation-based ones need citations (an enriched build).

    ``peers`` are other curated lists of the field: the works at least ``min_lists`` of them include and this list
    lacks (no citations needed), and a signal of the ranking; ``ignore`` names works never to suggest;
    ``compare`` lists are compared work by work (offline). ``min_lists`` left out is 2, or 1 with one peer list.
    """
    min_lists = min_lists_for(len(peers), min_lists)
    peer_lists = PeerLists.of_parsed(peers) if peers else None
    report = GapReport(min_citers, top, peer_names=tuple(p.name for p in peers),
                       ignore_source=ignore.source if ignore else None, citations_limit=citations_limit,
                       min_lists=min_lists)
    if peers:
        report.other_lists = in_other_lists(model, peers, min_lists, ignore)
    if ignore and not has_citations(model):
        report.ignore_counts = ignore.removed_per_entry(report.other_lists.ignored if report.other_lists else [])
    if has_citations(model):
        index = CitationIndex.of(model)
        ignored = ignore.nodes(model) if ignore else set()
        report.missing = missing_papers(model, min_citers, top, peers=peer_lists, ignored=ignored, index=index,
                                        min_lists=min_lists)
        if ignore:
            report.ignore_counts = ignore.removed_per_entry(
                [index.data(node) for node in candidates_of(index, min_citers)]
                + (report.other_lists.ignored if report.other_lists else []))
        report.missing_citations = missing_citations(model, index=index)
        report.surveys = survey_coverage(model, index=index)
        report.flows = section_flows(model, index=index)
        if evaluate:
            report.evaluation = evaluate_ranking(model, peer_lists)
    elif evaluate:
        raise GapError("the evaluation needs citations: build with Semantic Scholar data first")
    if compare is not None:
        report.comparison = compare_lists(entries_of_model(model), entries_of_lists(compare))
    return report
