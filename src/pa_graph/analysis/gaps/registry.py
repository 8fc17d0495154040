"""Every gap analysis, in the order they run and are rendered — the one place a new analysis is added (like
``export/formats.py``'s ``FORMATS``): a module with a :class:`~pa_graph.analysis.gaps.base.GapAnalysis` entry
(what it adds to the report and to each renderer) and one line here. :func:`analyse` runs them all; what an analysis
finds that the report has no field for is kept in ``GapReport.extras``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx

from pa_graph.analysis.gaps import compare, coverage, cross, evaluate, missing, other_lists
from pa_graph.analysis.gaps.analysis import GapReport
from pa_graph.analysis.gaps.base import GapAnalysis, GapInputs, GapOptions
from pa_graph.analysis.gaps.ignore import IgnoreList
from pa_graph.analysis.gaps.index import CitationIndex, has_citations
from pa_graph.analysis.gaps.missing import min_lists_for
from pa_graph.analysis.gaps.peers import PeerLists
from pa_graph.records import ParsedList

__all__ = ["ANALYSES", "analyse"]

#: Name → analysis. Order matters: an analysis reads what the ones before it found (the missing papers count the
#: ignore file's removals among the works in other lists).
ANALYSES: dict[str, GapAnalysis] = {
    "other_lists": other_lists.ANALYSIS,
    "missing": missing.ANALYSIS,
    "cross": cross.ANALYSIS,
    "coverage": coverage.ANALYSIS,
    "comparison": compare.ANALYSIS,
    "evaluation": evaluate.ANALYSIS,
}


def analyse(model: nx.MultiDiGraph[str], options: GapOptions = GapOptions(), *,
            compare: Sequence[ParsedList] | None = None, evaluate: bool = False, peers: Sequence[ParsedList] = (),
            ignore: IgnoreList | None = None) -> GapReport:
    """Every analysis the graph supports; the citation-based ones need citations (an enriched build).

    ``peers`` are other curated lists of the field (already read; ``options.peers`` names them for a build):
    the works at least ``options.min_lists`` of them include and this list lacks (no citations needed), and a
    signal of the ranking; ``ignore`` names works never to suggest; ``compare`` lists are compared work by work
    (offline); ``evaluate`` measures the ranking. ``min_lists`` left out is 2, or 1 with one peer list.
    """
    inputs = GapInputs(model=model, options=options, min_lists=min_lists_for(len(peers), options.min_lists),
                       peers=peers, peer_lists=PeerLists.of_parsed(peers) if peers else None, ignore=ignore,
                       compare=compare, evaluate=evaluate,
                       index=CitationIndex.of(model) if has_citations(model) else None)
    found: dict[str, Any] = {}
    for analysis in ANALYSES.values():
        found.update(analysis.run(inputs, found))
    fields = {name for name in GapReport.__dataclass_fields__ if name != "extras"}
    return GapReport(min_citers=options.min_citers, top=options.top, peer_names=tuple(p.name for p in peers),
                     ignore_source=ignore.source if ignore else None, citations_limit=options.citations_limit,
                     min_lists=inputs.min_lists, **{name: value for name, value in found.items() if name in fields},
                     extras={name: value for name, value in found.items() if name not in fields})
