"""What every gap analysis is to the report: the options a user sets, the inputs all analyses read, and the entry
each analysis module registers (:data:`pa_graph.analysis.gaps.registry.ANALYSES`) — what it adds to the
:class:`~pa_graph.analysis.gaps.analysis.GapReport` and to each renderer (``pa-graph gaps``' text, ``gaps.md``,
``gaps.json``). A new analysis is one module with one such entry, and one line in the registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from pa_graph.analysis.gaps.ignore import IgnoreList
from pa_graph.analysis.gaps.index import CitationIndex
from pa_graph.analysis.gaps.peers import PeerLists
from pa_graph.options import CITATIONS_LIMIT, DEFAULT_MIN_CITERS, DEFAULT_TOP
from pa_graph.records import ParsedList

if TYPE_CHECKING:  # the report is made of the analyses' results: they name it in annotations only
    from pa_graph.analysis.gaps.analysis import GapReport

__all__ = ["GapOptions", "GapInputs", "GapAnalysis", "some_titles", "links_cell"]


@dataclass(frozen=True, kw_only=True)
class GapOptions:
    """How the gap analysis of a build runs: ``top`` missing papers, ``peers`` (other lists of the field), and
    the ignore file (``None``: ``.pa-graph-ignore`` beside the first list, when there is one)."""

    top: int = DEFAULT_TOP
    min_citers: int = DEFAULT_MIN_CITERS
    peers: tuple[str | Path, ...] = ()  # files or URLs
    ignore_file: Path | None = None
    citations_limit: int = CITATIONS_LIMIT  # missing cross-citations written to citations.md/json and the RDF
    min_lists: int | None = None  # "in other lists": works this many peer lists include (None: 2, or 1 with one)


@dataclass(frozen=True, kw_only=True)
class GapInputs:
    """What the analyses of one graph read: the model, the options, the peer lists and ignore file already read,
    the lists to compare with, and the citation index (``None``: the graph has no citations)."""

    model: nx.MultiDiGraph[str]
    options: GapOptions
    min_lists: int  # options.min_lists, or its default for the number of peer lists
    peers: Sequence[ParsedList] = ()
    peer_lists: PeerLists | None = None
    ignore: IgnoreList | None = None
    compare: Sequence[ParsedList] | None = None
    evaluate: bool = False
    index: CitationIndex | None = None


def _no_lines(report: GapReport) -> list[str]:
    return []


def _no_fields(report: GapReport) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class GapAnalysis:
    """One analysis: ``run`` gives the report's fields it fills (from the inputs and the fields the analyses before
    it filled); ``text``, ``markdown`` and ``json`` give what it adds to each rendering of the report."""

    run: Callable[[GapInputs, Mapping[str, Any]], dict[str, Any]]
    text: Callable[[GapReport], list[str]] = _no_lines
    markdown: Callable[[GapReport], list[str]] = _no_lines
    json: Callable[[GapReport], dict[str, Any]] = _no_fields


_LINK_NAMES = {"semantic_scholar": "Semantic Scholar", "openalex": "OpenAlex", "arxiv": "arXiv", "doi": "DOI"}


def some_titles(titles: Sequence[str], shown: int = 5) -> str:
    """The first ``shown`` titles and how many more.

    >>> some_titles(["a", "b", "c"], 2)
    'a; b … (+1)'
    """
    more = f" … (+{len(titles) - shown})" if len(titles) > shown else ""
    return "; ".join(titles[:shown]) + more


def links_cell(links: Mapping[str, str]) -> str:
    """A work's links as a Markdown cell (the URLs were made safe where they were built)."""
    return " · ".join(f"[{_LINK_NAMES.get(kind, kind)}]({url})" for kind, url in links.items()) or "—"
