"""The gap report of one graph: what every analysis found, the record a build writes and ``pa-graph gaps`` prints
(the analyses run in :mod:`pa_graph.analysis.gaps.registry`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pa_graph.analysis.gaps.base import GapOptions
from pa_graph.analysis.gaps.compare import CrossListEntry
from pa_graph.analysis.gaps.coverage import SectionFlows, SurveyCoverage
from pa_graph.analysis.gaps.cross import CITATIONS_LIMIT, MissingCitation
from pa_graph.analysis.gaps.missing import DEFAULT_MIN_LISTS, DEFAULT_TOP, MissingPapers, Suggestion
from pa_graph.analysis.gaps.other_lists import OtherLists
from pa_graph.options import DEFAULT_MIN_CITERS

__all__ = ["GapOptions", "GapReport"]


@dataclass(frozen=True, kw_only=True)
class GapReport:
    """Every gap analysis of one graph (built once, by :func:`~pa_graph.analysis.gaps.registry.analyse`): the
    options it ran with and each analysis's result (``None``: that analysis did not run)."""

    min_citers: int = DEFAULT_MIN_CITERS
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
    extras: dict[str, Any] = field(default_factory=dict)  # what analyses registered after these found

    @property
    def warnings(self) -> list[str]:
        return self.other_lists.warnings if self.other_lists is not None else []

    @property
    def suggestions(self) -> list[Suggestion]:
        """The missing-paper suggestions shown (at most ``top``)."""
        return self.missing.suggestions if self.missing is not None else []
