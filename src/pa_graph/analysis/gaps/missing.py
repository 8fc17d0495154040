"""Missing papers: works the list lacks that belong in it, ranked so that topical gaps come before background.

Candidates are the works not in the list that at least ``min_citers`` listed works cite (ignored works left out).
For a candidate ``c`` cited by the set ``C`` of listed works (``n = |C|``), with ``s`` its likely section — the
section most of ``C`` is listed in, a tie going to the section of the earliest of them in the list:

============== ========================================================================================= =============
signal         raw value                                                                                 unknown when
============== ========================================================================================= =============
citations      ``n``, the listed works citing ``c`` (what Local Citation Network ranks by)
specificity    ``n / max(g, n)``, ``g`` = ``c``'s global citation count (S2 ``citationCount``): the share    ``g`` unknown
               of everything citing ``c`` that is on the list
concentration  ``n_s / n``, ``n_s`` = works of ``C`` listed in ``s``: one section → 1, spread over all → low
section_share  ``n_s / |s|``: the share of the likely section's works that cite ``c``
cocitation     ``Σ_{l ∈ C} |refs(l) ∩ L − {c}|``: how many listed works the works citing ``c`` also cite
coupling       ``|refs(c) ∩ R| / r``, ``R`` = listed works and everything they cite, ``r`` = ``c``'s        ``c``'s references
               reference count: the share of ``c``'s own references inside the list's literature           not fetched
similarity     cosine of ``c``'s SPECTER v2 embedding with the mean embedding of ``s``'s listed works        no embedding
recency        ``c``'s year                                                                                no year
peers          in how many of the ``--peers`` lists ``c`` is (matched like rows are merged)               no peer lists
============== ========================================================================================= =============

Normalisation over the candidates: ``citations`` and ``cocitation`` as ``log(1 + x) / log(1 + max)``; ``recency``
as ``(year − oldest) / (newest − oldest)``; ``peers`` divided by the number of peer lists; the rest are shares
already. A value unknown for a candidate counts as the mean of the known ones; a signal unknown for every candidate
drops out. ``score = Σ w·value / Σ w`` over the signals in play, with :data:`WEIGHTS` fitted on synthetic worlds
(``benchmarks/bench_gaps.py --fit``) whose seeds are not the reported ones. Ties: more citing listed works, then
the newer year, then the title.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote

import networkx as nx
import numpy as np

from pa_graph.analysis.gaps.index import CitationIndex, cosine
from pa_graph.analysis.gaps.peers import PeerLists
from pa_graph.parse import DEFAULT_HEADER, NewEntry, table_row
from pa_graph.text import ARXIV_ID, DOI, OPENALEX_ID, S2_PAPER_ID, arxiv_base_id

__all__ = ["SIGNALS", "WEIGHTS", "SignalTable", "signal_table", "scores", "ranking", "Suggestion", "MissingPapers",
           "missing_papers", "candidates_of", "DEFAULT_TOP"]

SIGNALS = ("citations", "specificity", "concentration", "section_share", "cocitation", "coupling", "similarity",
           "recency", "peers")
#: Fitted by ``python benchmarks/bench_gaps.py --fit`` on training seeds of the field world (see the README).
WEIGHTS: dict[str, float] = {"citations": 0.05, "specificity": 0.05, "concentration": 0.12, "section_share": 0.01,
                             "cocitation": 0.17, "coupling": 0.09, "similarity": 0.23, "recency": 0.27, "peers": 0.02}
DEFAULT_TOP = 30
_LOG_SCALED = {"citations", "cocitation"}


@dataclass(frozen=True)
class SignalTable:
    """Every candidate's signals: ``raw[signal][i]`` as measured (``None`` unknown), ``values[i, j]`` normalised."""

    candidates: list[str]
    raw: dict[str, list[float | None]]
    values: np.ndarray
    active: np.ndarray  # per signal: known for at least one candidate
    tiebreak: np.ndarray  # each candidate's place in the tie order
    sections: list[str | None]  # likely section node
    in_section: list[int]  # n_s
    section_size: list[int]  # |s|
    citation_count: list[int | None]  # g
    reference_count: list[int | None]  # r
    in_literature: list[int]  # |refs(c) ∩ R|


def likely_section(index: CitationIndex, citing: Collection[str]) -> tuple[str | None, int]:
    """The section most of ``citing`` is listed in (tie: the section of the earliest of them in the list), and how
    many of them are listed there."""
    order = index.order
    votes: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for work in sorted(citing, key=lambda w: order.get(w, 0)):
        for section in index.sections.get(work, ()):
            votes[section] += 1
            first_seen.setdefault(section, order.get(work, 0))
    if not votes:
        return None, 0
    best = min(votes, key=lambda s: (-votes[s], first_seen[s]))
    return best, votes[best]


def candidates_of(index: CitationIndex, min_citers: int, ignored: Collection[str] = ()) -> list[str]:
    """Works not in the list cited by at least ``min_citers`` listed works, in graph order, minus ``ignored``."""
    listed = index.listed_set
    return [node for node, data in index.model.nodes(data=True)
            if data.get("kind") == "work" and node not in listed and node not in ignored
            and len(index.listed_citers(node)) >= min_citers]


def signal_table(index: CitationIndex, candidates: Sequence[str], peers: PeerLists | None = None,
                 peer_counts: dict[str, int] | None = None) -> SignalTable:
    """Measure and normalise every signal for every candidate (see the module docstring)."""
    raw: dict[str, list[float | None]] = {signal: [] for signal in SIGNALS}
    sections, in_section, sizes, counts, ref_counts, in_literature = [], [], [], [], [], []
    for c in candidates:
        citing = index.listed_citers(c)
        n = len(citing)
        section, n_s = likely_section(index, citing)
        size = index.section_sizes.get(section, 0) if section else 0
        data = index.data(c)
        g = data.get("citation_count")
        g = g if isinstance(g, int) and g >= 0 else None
        r = index.reference_count(c)
        own_refs = index.references(c)
        inside = len((own_refs - {c}) & index.literature)  # the small set first: never a copy of the literature
        vector, centroid = index.embeddings.get(c), index.centroids.get(section)
        raw["citations"].append(n)
        raw["specificity"].append(n / max(g, n) if g is not None and n else None)
        raw["concentration"].append(n_s / n if n else None)
        raw["section_share"].append(n_s / size if size else None)
        raw["cocitation"].append(sum(len(index.listed_references[l] - {c}) for l in citing))
        raw["coupling"].append(inside / r if r else None)
        raw["similarity"].append(cosine(vector, centroid) if vector and centroid else None)
        raw["recency"].append(data.get("year") if isinstance(data.get("year"), int) else None)
        if peers is not None and len(peers):
            if peer_counts is not None and c in peer_counts:
                found = peer_counts[c]
            else:
                found = peers.count(data.get("title", ""), data.get("arxiv_id"))
                if peer_counts is not None:
                    peer_counts[c] = found
            raw["peers"].append(found)
        else:
            raw["peers"].append(None)
        sections.append(section)
        in_section.append(n_s)
        sizes.append(size)
        counts.append(g)
        ref_counts.append(r)
        in_literature.append(inside)
    values = np.zeros((len(candidates), len(SIGNALS)))
    active = np.zeros(len(SIGNALS), dtype=bool)
    for j, signal in enumerate(SIGNALS):
        column, known = _normalised(signal, raw[signal], len(peers) if peers is not None else 0)
        values[:, j] = column
        active[j] = known
    order = sorted(range(len(candidates)), key=lambda i: (-raw["citations"][i], -(raw["recency"][i] or 0),
                                                          index.title(candidates[i])))
    tiebreak = np.empty(len(candidates), dtype=np.int64)
    tiebreak[order] = np.arange(len(candidates))
    return SignalTable(list(candidates), raw, values, active, tiebreak, sections, in_section, sizes, counts,
                       ref_counts, in_literature)


def _normalised(signal: str, raw: list[float | None], peer_lists: int) -> tuple[np.ndarray, bool]:
    known = [value for value in raw if value is not None]
    if not known:
        return np.zeros(len(raw)), False
    if signal in _LOG_SCALED:
        top = math.log1p(max(known))
        scale = (lambda x: math.log1p(x) / top) if top else (lambda x: 0.0)
    elif signal == "recency":
        oldest, newest = min(known), max(known)
        scale = (lambda x: (x - oldest) / (newest - oldest)) if newest > oldest else (lambda x: 0.5)
    elif signal == "peers":
        scale = lambda x: x / peer_lists  # noqa: E731
    else:
        scale = float
    values = [scale(value) if value is not None else None for value in raw]
    fill = sum(v for v in values if v is not None) / len(known)
    return np.array([fill if v is None else v for v in values], dtype=float), True


def scores(table: SignalTable, weights: Mapping[str, float]) -> np.ndarray:
    """``Σ w·value / Σ w`` over the signals in play (weights of signals without data drop out)."""
    w = np.array([weights.get(signal, 0.0) for signal in SIGNALS]) * table.active
    total = w.sum()
    if not len(table.candidates):
        return np.zeros(0)
    return table.values @ w / total if total else np.zeros(len(table.candidates))


def ranking(table: SignalTable, weights: Mapping[str, float]) -> np.ndarray:
    """Candidate positions in ranked order: higher score first, then the tie order."""
    rounded = np.round(scores(table, weights), 12)
    return np.lexsort((table.tiebreak, -rounded))


@dataclass(frozen=True)
class Suggestion:
    """One missing paper, ready for a maintainer: where it goes, why it ranks, links, and a row to paste."""

    rank: int
    id: str  # the arXiv id, DOI or Semantic Scholar id that names it (for --only and the ignore file)
    node: str
    title: str
    year: int | None
    venue: str | None
    score: float
    signals: dict[str, float | None]  # raw values
    why: str
    section: str | None  # label of the likely section
    section_node: str | None
    cited_by: tuple[str, ...]  # titles of the listed works citing it, in list order
    citing_nodes: tuple[str, ...]  # their node ids
    links: dict[str, str]
    arxiv_id: str | None
    row: str  # in the likely section's own table layout

    def entry(self) -> NewEntry:
        url = self.links.get("doi") or self.links.get("semantic_scholar") or self.links.get("openalex")
        return NewEntry(self.title, self.year, self.venue, self.arxiv_id, url)


@dataclass(frozen=True)
class MissingPapers:
    suggestions: list[Suggestion]
    candidates: int  # cited by at least min_citers listed works, ignored ones excluded
    ignored: list[str] = field(default_factory=list)  # titles of candidates the ignore file removed


def missing_papers(model: nx.MultiDiGraph, min_citers: int = 2, top: int | None = DEFAULT_TOP,
                   weights: Mapping[str, float] = WEIGHTS, peers: PeerLists | None = None,
                   ignored: Collection[str] = (), index: CitationIndex | None = None) -> MissingPapers:
    """The ``top`` missing papers (all when ``None``); ``ignored`` are node ids never suggested."""
    index = index or CitationIndex.of(model)
    every = candidates_of(index, min_citers)
    dropped = [node for node in every if node in ignored]
    candidates = [node for node in every if node not in ignored]
    table = signal_table(index, candidates, peers)
    score = scores(table, weights)
    order = ranking(table, weights)[:top]
    layouts = {}
    for listed in model.graph.get("lists", []):
        for section, header in listed.get("layouts", {}).items():
            layouts.setdefault(section, header)
    suggestions = []
    for rank, i in enumerate(order, 1):
        node = table.candidates[i]
        data = index.data(node)
        citing = sorted(index.listed_citers(node), key=index.order.__getitem__)
        section = table.sections[i]
        arxiv = data.get("arxiv_id") if isinstance(data.get("arxiv_id"), str) and ARXIV_ID.fullmatch(data["arxiv_id"]) else None
        links = _links(data, arxiv)
        venues = [index.label(v) for v in index.targets(node, "published_in")]
        suggestion = Suggestion(
            rank=rank, id=_identifier(data, arxiv, node), node=node, title=data.get("title", node),
            year=data.get("year"), venue=venues[0] if venues else None, score=round(float(score[i]), 4),
            signals={signal: table.raw[signal][i] for signal in SIGNALS},
            why=_why(index, table, i, peers), section=index.label(section) if section else None,
            section_node=section, cited_by=tuple(index.title(w) for w in citing), citing_nodes=tuple(citing), links=links, arxiv_id=arxiv, row="")
        header = layouts.get(section) or DEFAULT_HEADER
        suggestions.append(_with_row(suggestion, header))
    return MissingPapers(suggestions, len(candidates), [index.title(node) for node in dropped])


def _with_row(suggestion: Suggestion, header: Sequence[str]) -> Suggestion:
    return replace(suggestion, row=table_row(header, suggestion.entry()))


def _identifier(data: dict, arxiv: str | None, node: str) -> str:
    if arxiv:
        return arxiv_base_id(arxiv)
    doi = data.get("doi")
    if isinstance(doi, str) and DOI.fullmatch(doi):
        return doi
    for key, grammar in (("s2_paper_id", S2_PAPER_ID), ("openalex_id", OPENALEX_ID)):
        if isinstance(data.get(key), str) and grammar.fullmatch(data[key]):
            return data[key]
    return node


def _links(data: dict, arxiv: str | None) -> dict[str, str]:
    links = {}
    paper_id = data.get("s2_paper_id")
    if isinstance(paper_id, str) and S2_PAPER_ID.fullmatch(paper_id):
        links["semantic_scholar"] = f"https://www.semanticscholar.org/paper/{paper_id}"
    openalex_id = data.get("openalex_id")
    if isinstance(openalex_id, str) and OPENALEX_ID.fullmatch(openalex_id):
        links["openalex"] = f"https://openalex.org/{openalex_id}"
    if arxiv:
        links["arxiv"] = f"https://arxiv.org/abs/{arxiv}"
    doi = data.get("doi")
    if isinstance(doi, str) and DOI.fullmatch(doi):
        links["doi"] = "https://doi.org/" + quote(doi, safe="/:;.-_()")
    return links


def _why(index: CitationIndex, table: SignalTable, i: int, peers: PeerLists | None) -> str:
    """The candidate's signals in words, the strongest evidence first."""
    raw = table.raw
    n = int(raw["citations"][i])
    section = table.sections[i]
    parts = []
    if section:
        where = f"cited by {table.in_section[i]} of {table.section_size[i]} {index.label(section)} works"
        parts.append(where + (f" ({n} listed works in all)" if n > table.in_section[i] else ""))
    else:
        parts.append(f"cited by {n} listed works")
    if table.citation_count[i] is not None:
        parts.append(f"{n} of {max(table.citation_count[i], n)} papers citing it are in this list")
    if raw["coupling"][i] is not None:
        parts.append(f"{table.in_literature[i]} of its {table.reference_count[i]} references are listed works or "
                     "works the list cites")
    if raw["peers"][i] is not None and peers is not None:
        parts.append(f"in {int(raw['peers'][i])} of {len(peers)} peer lists")
    if raw["similarity"][i] is not None and section:
        parts.append(f"embedding similarity {raw['similarity'][i]:.2f} to the section")
    if raw["recency"][i] is not None:
        parts.append(f"published {int(raw['recency'][i])}")
    return "; ".join(parts)
