"""Missing papers: works the list lacks that belong in it, ranked so that topical gaps come before background.

Candidates are the works not in the list that at least ``min_citers`` listed works cite (ignored works left out).
For a candidate ``c`` cited by the set ``C`` of listed works (``n = |C|``), with ``s`` its likely section — the
section most of ``C`` is listed in, a tie going to the section of the earliest of them in the list:

============== ========================================================================================= =============
signal         raw value                                                                                 unknown when
============== ========================================================================================= =============
citations      ``n``, the listed works citing ``c`` (what Local Citation Network ranks by)
specificity    ``(n + m·p) / (max(g, n) + m)``: the share of everything citing ``c`` that is on the list   ``g`` unknown
               (``g`` = S2 ``citationCount``), shrunk toward the base rate ``p = Σn / Σg`` of all candidates
               by a Beta prior worth ``m`` = :data:`SPECIFICITY_PRIOR` citing papers
concentration  the Wilson lower bound (95%) of ``n_s / n``, ``n_s`` = works of ``C`` listed in ``s``: 2 of 2
               counts for less than 7 of 7
section_share  ``n_s / |s|``: the share of the likely section's works that cite ``c``
cocitation     ``Σ_{l ∈ C} |refs(l) ∩ L − {c}|``: how many listed works the works citing ``c`` also cite
coupling       ``|refs(c) ∩ R| / r``, ``R`` = listed works and everything they cite, ``r`` = ``c``'s        ``c``'s references
               reference count: the share of ``c``'s own references inside the list's literature           not fetched
similarity     cosine of ``c``'s SPECTER v2 embedding with the mean embedding of ``s``'s listed works        no embedding
recency        ``c``'s year                                                                                no year
peers          in how many of the ``--peers`` lists ``c`` is (matched like rows are merged)               no peer lists
============== ========================================================================================= =============

Each signal is normalised to [0, 1] over the candidates as its percentile (the lowest 0, the highest 1, ties sharing
their mean place): a signal then orders candidates the same way in every list, whatever its scale there; ``peers``
is divided by the number of peer lists instead. A value unknown for a candidate counts as the mean of the known
ones; a signal unknown for every candidate drops out.

The default ranking (:data:`DEFAULT_RANKER`) is a score with two rules on top, so that its order can be explained
and does not hinge on one world's quirks::

    score = EVIDENCE · log2(n) + Σ w · percentile − BACKGROUND_PENALTY · background

* ``background`` = ``max(0, 1 − 2 × the specificity percentile)``: 0 from the median up, 1 for the least specific
  candidate — a work most of whose citations come from outside the list;
* **peer tier**: a work in at least ``min_lists`` peer lists ranks above every candidate in none (the works in
  enough lists are raised together, keeping their order, just above the best candidate in none; the rest keep
  their scores);
* **dominance**, within each of those three groups: a candidate that at least twice as many listed works cite, with at least the
  same concentration (raw ``n_s / n``) and not background (specificity at least the median), ranks above — whatever
  the years, embeddings or references. The relation is transitive, so the rule is kept by lowering each candidate
  just below the lowest-placed candidate that dominates it (:func:`dominance_repaired`), a linear extension of the
  rule nearest to the score's own order;
* the weights, the evidence weight and the penalty are chosen by ``benchmarks/bench_gaps.py --fit`` on training
  seeds of four synthetic worlds with different assumptions, and checked world by world on held-out seeds (leave
  one world out: see ``benchmarks/README.md``).

Ties: more citing listed works, then the newer year, then the title.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import KW_ONLY, asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import networkx as nx
import numpy as np

from pa_graph.analysis.gaps.base import GapAnalysis, GapInputs, links_cell, some_titles
from pa_graph.analysis.gaps.index import CitationIndex, cosine
from pa_graph.analysis.gaps.peers import PeerLists
from pa_graph.lists.rows import DEFAULT_HEADER, NewEntry, table_row
from pa_graph.options import DEFAULT_MIN_LISTS, DEFAULT_TOP
from pa_graph.text import ARXIV_ID, DOI, OPENALEX_ID, S2_PAPER_ID, arxiv_base_id, counted
from pa_graph.text import markdown_text as cell

if TYPE_CHECKING:
    from pa_graph.analysis.gaps.analysis import GapReport

__all__ = ["SIGNALS", "WEIGHTS", "BACKGROUND_PENALTY", "EVIDENCE_WEIGHT", "SPECIFICITY_PRIOR", "dominance_repaired",
           "CONCENTRATION_Z", "wilson_lower_bound", "DEFAULT_MIN_LISTS", "min_lists_for",
           "Ranker", "DEFAULT_RANKER", "SignalTable", "signal_table", "scores", "ranking", "Suggestion",
           "MissingPapers", "missing_papers", "candidates_of", "DEFAULT_TOP", "shrunk_share"]

SIGNALS = ("citations", "specificity", "concentration", "section_share", "cocitation", "coupling", "similarity",
           "recency", "peers")
#: Weights of the signals' percentiles, of ``log2(n)`` and of background; chosen by
#: ``python benchmarks/bench_gaps.py --fit`` on the training seeds of four worlds.
WEIGHTS: dict[str, float] = {"citations": 0.74, "specificity": 2.493, "concentration": 4.297, "section_share": 0.0,
                             "cocitation": 0.0, "coupling": 0.504, "similarity": 1.027, "recency": 0.0, "peers": 1.708}
EVIDENCE_WEIGHT = 0.0
BACKGROUND_PENALTY = 123.9
#: Beta prior strength for specificity: a work's own share outweighs the list's base rate only once it has about
#: this many citing papers.
SPECIFICITY_PRIOR = 50.0
#: The normal quantile of the Wilson lower bound of concentration (95%, one-sided 97.5%).
CONCENTRATION_Z = 1.96
#: A work in at least this many peer lists is "in other lists" and ranks above every candidate in fewer.


def min_lists_for(peers: int, given: int | None = None) -> int:
    """How many peer lists must hold a work for "in other lists": ``given``, else 2 — or 1 when there is one peer
    list, with which a threshold of 2 could never be met.

    >>> min_lists_for(1), min_lists_for(3), min_lists_for(1, 1), min_lists_for(3, 3)
    (1, 2, 1, 3)
    """
    return given if given else (1 if peers == 1 else DEFAULT_MIN_LISTS)
_STEP = 1e-6  # how far below its lowest dominator a dominated candidate is placed


@dataclass(frozen=True)
class Ranker:
    """How candidates are ordered: the default, or a baseline the benchmark compares it with.

    ``weights``: of each signal's percentile; ``evidence``: of ``log2(n)``; ``background``: the penalty for being
    background (``graded``: times how far below the median its specificity is, else all or nothing);
    ``peer_tier``: works in at least ``min_lists`` peer lists above works in none; ``dominance``: keep the doubling
    rule.
    """

    weights: Mapping[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    _: KW_ONLY
    background: float = BACKGROUND_PENALTY
    evidence: float = EVIDENCE_WEIGHT
    peer_tier: bool = True
    graded: bool = True
    dominance: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(SIGNALS)
        if unknown:
            raise ValueError(f"unknown signals: {', '.join(sorted(unknown))}")
        if any(w < 0 for w in self.weights.values()) or self.background < 0 or self.evidence < 0:
            raise ValueError("weights, the evidence weight and the background penalty must not be negative")

    @classmethod
    def alone(cls, signal: str) -> Ranker:
        """One signal and nothing else."""
        return cls({signal: 1.0}, background=0.0, evidence=0.0, peer_tier=False, dominance=False)

    @classmethod
    def in_degree(cls, background: float = 0.0) -> Ranker:
        """Listed citers alone; with a large ``background``, background works after all others."""
        return cls({}, background=background, evidence=1.0, peer_tier=False, graded=False, dominance=False)


DEFAULT_RANKER = Ranker()


@dataclass(frozen=True, kw_only=True)
class SignalTable:
    """Every candidate's signals: ``raw[signal][i]`` as measured (``None`` unknown), ``values[i, j]`` normalised."""

    candidates: list[str]
    raw: dict[str, list[float | None]]
    values: np.ndarray
    active: np.ndarray  # per signal: known for at least one candidate
    tiebreak: np.ndarray  # each candidate's place in the tie order
    citers: np.ndarray  # n
    specificity_known: np.ndarray
    in_peer_lists: np.ndarray  # in at least min_lists peer lists
    in_no_peer_list: np.ndarray  # peer lists given and in none of them
    sections: list[str | None]  # likely section node
    in_section: list[int]  # n_s
    section_size: list[int]  # |s|
    citation_count: list[int | None]  # g
    reference_count: list[int | None]  # r
    in_literature: list[int]  # |refs(c) ∩ R|
    peer_lists: int = 0

    @property
    def background_depth(self) -> np.ndarray:
        """How far below the median of the candidates' specificity each candidate is: 0 at or above it, 1 for the
        least specific; 0 when its specificity is unknown."""
        percentile = self.values[:, SIGNALS.index("specificity")]
        return np.where(self.specificity_known, np.clip(1 - 2 * percentile, 0, 1), 0.0)

    @property
    def background(self) -> np.ndarray:
        """Background candidates: specificity known and below the candidates' median."""
        return self.specificity_known & (self.values[:, SIGNALS.index("specificity")] < 0.5)


def shrunk_share(hits: float, trials: float, base_rate: float, prior: float) -> float:
    """The posterior mean of a share under a Beta prior of mean ``base_rate`` worth ``prior`` observations.

    >>> round(shrunk_share(2, 2, 0.02, 50), 4), round(shrunk_share(7, 54, 0.02, 50), 4)
    (0.0577, 0.0769)
    """
    return (hits + prior * base_rate) / (trials + prior)


def wilson_lower_bound(hits: float, trials: float, z: float = CONCENTRATION_Z) -> float:
    """The lower end of the Wilson score interval of a share: small counts are weak evidence, and for a given
    share it only rises with the count.

    >>> round(wilson_lower_bound(2, 2), 3), round(wilson_lower_bound(7, 7), 3), round(wilson_lower_bound(7, 14), 3)
    (0.342, 0.646, 0.268)
    """
    share = hits / trials
    centre = share + z * z / (2 * trials)
    spread = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    return (centre - spread) / (1 + z * z / trials)


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
                 peer_counts: dict[str, int] | None = None, min_lists: int = DEFAULT_MIN_LISTS) -> SignalTable:
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
        vector, centroid = index.embeddings.get(c), index.centroids.get(section) if section else None
        raw["citations"].append(n)
        raw["section_share"].append(n_s / size if size else None)
        raw["cocitation"].append(sum(len(index.listed_references[citer] - {c}) for citer in citing))
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
    citers = np.array(raw["citations"], dtype=float)
    known_g = [(n, max(g, n)) for n, g in zip(citers, counts, strict=False) if g is not None and n]
    base_rate = sum(n for n, _ in known_g) / sum(g for _, g in known_g) if known_g else 0.0
    raw["specificity"] = [shrunk_share(n, max(g, n), base_rate, SPECIFICITY_PRIOR) if g is not None and n else None
                          for n, g in zip(citers, counts, strict=False)]
    raw["concentration"] = [wilson_lower_bound(n_s, n, CONCENTRATION_Z) if n else None
                            for n_s, n in zip(in_section, citers, strict=False)]
    peer_lists = len(peers) if peers is not None else 0
    in_peer_lists = np.array([v is not None and v >= min_lists for v in raw["peers"]], dtype=bool)
    in_no_peer_list = np.array([v is not None and v == 0 for v in raw["peers"]], dtype=bool)
    values = np.zeros((len(candidates), len(SIGNALS)))
    active = np.zeros(len(SIGNALS), dtype=bool)
    for j, signal in enumerate(SIGNALS):
        column, known = _normalised(signal, raw[signal], peer_lists)
        values[:, j] = column
        active[j] = known
    specificity_known = np.array([v is not None for v in raw["specificity"]], dtype=bool)
    order = sorted(range(len(candidates)), key=lambda i: (-(raw["citations"][i] or 0), -(raw["recency"][i] or 0),
                                                          index.title(candidates[i])))
    tiebreak = np.empty(len(candidates), dtype=np.int64)
    tiebreak[order] = np.arange(len(candidates))
    return SignalTable(candidates=list(candidates), raw=raw, values=values, active=active, tiebreak=tiebreak,
                       citers=citers, specificity_known=specificity_known, in_peer_lists=in_peer_lists,
                       in_no_peer_list=in_no_peer_list, sections=sections, in_section=in_section, section_size=sizes,
                       citation_count=counts, reference_count=ref_counts, in_literature=in_literature,
                       peer_lists=peer_lists)


def _normalised(signal: str, raw: list[float | None], peer_lists: int) -> tuple[np.ndarray, bool]:
    """Peers as a share of the peer lists; every other signal as its percentile among the candidates (ties share
    their mean place), so each uses [0, 1] whatever its scale in this list; unknown values get the mean."""
    known = np.array([value for value in raw if value is not None], dtype=float)
    if not len(known):
        return np.zeros(len(raw)), False
    if signal == "peers":
        scaled = known / peer_lists if peer_lists else np.zeros(len(known))
    elif len(known) == 1:
        scaled = np.full(1, 0.5)
    else:
        ordered = np.sort(known)
        below, through = np.searchsorted(ordered, known, "left"), np.searchsorted(ordered, known, "right")
        scaled = (below + through - 1) / 2 / (len(known) - 1)
    column = np.full(len(raw), float(scaled.mean()))
    column[[i for i, value in enumerate(raw) if value is not None]] = scaled
    return column, True


def _as_ranker(weights: Mapping[str, float] | Ranker) -> Ranker:
    return weights if isinstance(weights, Ranker) else Ranker(dict(weights))


def scores(table: SignalTable, weights: Mapping[str, float] | Ranker = DEFAULT_RANKER) -> np.ndarray:
    """Each candidate's score under ``weights`` (a :class:`Ranker`, or signal weights for the default shape), with
    the peer tier added and the dominance rule kept when the ranker asks for them."""
    ranker = _as_ranker(weights)
    if not len(table.candidates):
        return np.zeros(0)
    w = np.array([ranker.weights.get(signal, 0.0) for signal in SIGNALS]) * table.active
    score: np.ndarray = table.values @ w
    if ranker.evidence:
        score = score + ranker.evidence * np.log2(np.maximum(table.citers, 1))
    if ranker.background:
        score = score - ranker.background * (table.background_depth if ranker.graded else table.background)
    groups = table.in_peer_lists * 2 + table.in_no_peer_list if ranker.peer_tier else np.zeros(len(score), int)
    if ranker.dominance:
        score = dominance_repaired(score, table.citers, np.array(table.in_section) / table.citers,
                                   table.background, groups)
    if ranker.peer_tier and table.in_peer_lists.any() and table.in_no_peer_list.any():
        # every work in min_lists peer lists above every work in none: the former raised together (their order
        # kept) just above the best of the latter; the rest keep their scores
        lowest, highest = score[table.in_peer_lists].min(), score[table.in_no_peer_list].max()
        if lowest < highest + _STEP:
            score = np.where(table.in_peer_lists, score + (highest - lowest + _STEP), score)
    return score


def dominance_repaired(score: np.ndarray, citers: np.ndarray, concentration: np.ndarray, background: np.ndarray,
                       groups: np.ndarray) -> np.ndarray:
    """The scores lowered just enough that, within each group, every candidate ranks below each one that has at
    least twice its citers, at least its concentration and is not background.

    Candidates are taken by citers, most first, so a dominator's final score is known before the works it
    dominates; the lowest final score among a candidate's dominators (those with at least its concentration) is
    read from a Fenwick tree over concentration ranks: O(n log n).

    >>> dominance_repaired(np.array([0.0, 5.0, 9.0]), np.array([8, 4, 2]), np.array([1.0, 1.0, 1.0]),
    ...                    np.array([False, False, False]), np.zeros(3, dtype=bool)).round(6).tolist()
    [0.0, -1e-06, -2e-06]
    """
    repaired: np.ndarray = score.astype(float).copy()
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        order = members[np.argsort(-citers[members], kind="stable")]
        levels = np.unique(concentration[members])  # ascending; a dominator has a level at least the candidate's
        tree = np.full(len(levels) + 1, np.inf)  # prefix minima over levels counted from the highest

        def position(value: float, levels: np.ndarray = levels) -> int:
            return len(levels) - int(np.searchsorted(levels, value))  # 1 for the highest level

        added = 0
        for candidate in order:
            while added < len(order) and citers[order[added]] >= 2 * citers[candidate]:
                dominator = order[added]
                added += 1
                if not background[dominator]:
                    i = position(concentration[dominator])
                    while i < len(tree):
                        tree[i] = min(tree[i], repaired[dominator])
                        i += i & -i
            lowest, i = np.inf, position(concentration[candidate])
            while i > 0:
                lowest = min(lowest, tree[i])
                i -= i & -i
            if lowest < np.inf:
                repaired[candidate] = min(repaired[candidate], lowest - _STEP)
    return repaired


def ranking(table: SignalTable, weights: Mapping[str, float] | Ranker = DEFAULT_RANKER) -> np.ndarray:
    """Candidate positions in ranked order: higher score first, then the tie order."""
    rounded = np.round(scores(table, weights), 12)
    return np.lexsort((table.tiebreak, -rounded))


@dataclass(kw_only=True, frozen=True)
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
        return NewEntry(self.title, self.year, venue=self.venue, arxiv_id=self.arxiv_id, url=url)


@dataclass(frozen=True)
class MissingPapers:
    suggestions: list[Suggestion]
    candidates: int  # cited by at least min_citers listed works, ignored ones excluded
    ignored: list[str] = field(default_factory=list)  # titles of candidates the ignore file removed


def missing_papers(model: nx.MultiDiGraph[str], min_citers: int = 2, top: int | None = DEFAULT_TOP,
                   weights: Mapping[str, float] | Ranker = DEFAULT_RANKER, peers: PeerLists | None = None,
                   ignored: Collection[str] = (), index: CitationIndex | None = None,
                   min_lists: int = DEFAULT_MIN_LISTS) -> MissingPapers:
    """The ``top`` missing papers (all when ``None``); ``ignored`` are node ids never suggested."""
    index = index or CitationIndex.of(model)
    every = candidates_of(index, min_citers)
    dropped = [node for node in every if node in ignored]
    candidates = [node for node in every if node not in ignored]
    table = signal_table(index, candidates, peers, min_lists=min_lists)
    score = scores(table, weights)
    ranked = ranking(table, weights)
    order = ranked[:top]
    layouts: dict[str, list[str]] = {}
    for listed in model.graph.get("lists", []):
        for section, header in listed.get("layouts", {}).items():
            layouts.setdefault(section, header)
    reasons = _reasons(index, table, ranked, peers, len(order), _as_ranker(weights))
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
            why=reasons[rank - 1], section=index.label(section) if section else None,
            section_node=section, cited_by=tuple(index.title(w) for w in citing), citing_nodes=tuple(citing), links=links,
            arxiv_id=arxiv, row="")
        header = layouts.get(section) or DEFAULT_HEADER
        suggestions.append(_with_row(suggestion, header))
    return MissingPapers(suggestions, len(candidates), [index.title(node) for node in dropped])


def _with_row(suggestion: Suggestion, header: Sequence[str]) -> Suggestion:
    return replace(suggestion, row=table_row(header, suggestion.entry()))


def _identifier(data: dict[str, Any], arxiv: str | None, node: str) -> str:
    if arxiv:
        return arxiv_base_id(arxiv)
    doi = data.get("doi")
    if isinstance(doi, str) and DOI.fullmatch(doi):
        return doi
    for key, grammar in (("s2_paper_id", S2_PAPER_ID), ("openalex_id", OPENALEX_ID)):
        value = data.get(key)
        if isinstance(value, str) and grammar.fullmatch(value):
            return value
    return node


def _links(data: dict[str, Any], arxiv: str | None) -> dict[str, str]:
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


def _reasons(index: CitationIndex, table: SignalTable, ranked: np.ndarray, peers: PeerLists | None,
             shown: int, ranker: Ranker) -> list[str]:
    """Why each of the first ``shown`` ranks where it does: its evidence, and what puts it above the suggestions
    below it that more listed works cite."""
    citers = table.citers[ranked]
    # the most listed citers of any candidate from each place on (the suggestions below it)
    below_best = np.append(np.maximum.accumulate(citers[::-1])[::-1][1:], 0)
    reasons = []
    for place in range(shown):
        i = int(ranked[place])
        parts = [_evidence(index, table, i)]
        n = int(table.citers[i])
        if place + 1 < len(ranked):
            if n > below_best[place]:
                parts.append("more than any suggestion below it")
            elif n < below_best[place]:
                parts.append(_above(table, i, ranked[place + 1:], ranker))
        in_peers, citation_count, year = table.raw["peers"][i], table.citation_count[i], table.raw["recency"][i]
        if in_peers is not None and peers is not None:
            parts.append(f"in {int(in_peers)} of {len(peers)} other lists")
        if citation_count is not None:
            parts.append(f"{n} of {max(citation_count, n)} papers citing it are in this list")
        if table.raw["coupling"][i] is not None:
            parts.append(f"{table.in_literature[i]} of its {table.reference_count[i]} references are listed works "
                         "or works the list cites")
        if table.raw["similarity"][i] is not None and table.sections[i]:
            parts.append(f"embedding similarity {table.raw['similarity'][i]:.2f} to the section")
        if year is not None:
            parts.append(f"published {int(year)}")
        reasons.append("; ".join(p for p in parts if p))
    return reasons


def _evidence(index: CitationIndex, table: SignalTable, i: int) -> str:
    n, section = int(table.citers[i]), table.sections[i]
    if not section:
        return f"cited by {n} listed works"
    where = f"cited by {table.in_section[i]} of the {table.section_size[i]} {index.label(section)} works"
    return where + (f" ({n} listed works in all)" if n > table.in_section[i] else "")


_SAID = {"citations": "more cited by listed works", "concentration": "more concentrated in one section",
         "cocitation": "more co-cited with listed works", "coupling": "more of its references in the list's literature",
         "similarity": "closer to the section", "section_share": "cited by more of its section",
         "specificity": "more specific to this list", "recency": "newer", "peers": "in more other lists"}


def _above(table: SignalTable, i: int, below: np.ndarray, ranker: Ranker) -> str:
    """Why ``i`` ranks above the suggestions below it that more listed works cite: other lists, background, or
    the signals that weigh most where it beats them."""
    more = [int(j) for j in below if table.citers[j] > table.citers[i]]
    works = f"ahead of {counted(len(more), 'suggestion')} that more listed works cite"
    if table.in_peer_lists[i] and any(table.in_no_peer_list[j] for j in more):
        return f"{works}, because other lists include it and not them"
    background = table.background
    if ranker.background and not background[i] and all(background[j] for j in more):
        return f"{works}, because most of what cites them is outside the list (background)"
    first = next(j for j in more if not background[j]) if not background[i] else more[0]
    ahead = sorted((signal for signal in SIGNALS if table.active[SIGNALS.index(signal)]
                    and ranker.weights.get(signal, 0) and table.values[i, SIGNALS.index(signal)]
                    > table.values[first, SIGNALS.index(signal)]),
                   key=lambda signal: -ranker.weights[signal] * (table.values[i, SIGNALS.index(signal)]
                                                                  - table.values[first, SIGNALS.index(signal)]))
    return f"{works}, because it is {' and '.join(_SAID[s] for s in ahead[:2])}" if ahead else ""


# ----- what it adds to the report ------------------------------------------------------------------------------

def _run(inputs: GapInputs, so_far: Mapping[str, Any]) -> dict[str, Any]:
    """The ranked missing papers, and how many suggestions each line of the ignore file removed (from the missing
    papers and from the works in other lists)."""
    ignore, index, options = inputs.ignore, inputs.index, inputs.options
    other = so_far.get("other_lists")
    from_other_lists = list(other.ignored) if other is not None else []
    if index is None:
        return {"ignore_counts": ignore.removed_per_entry(from_other_lists)} if ignore else {}
    found = missing_papers(inputs.model, options.min_citers, options.top, peers=inputs.peer_lists,
                           ignored=ignore.nodes(inputs.model) if ignore else set(), index=index,
                           min_lists=inputs.min_lists)
    counts = ignore.removed_per_entry([index.data(node) for node in candidates_of(index, options.min_citers)]
                                      + from_other_lists) if ignore else []
    return {"missing": found, "ignore_counts": counts}


def _text(report: GapReport) -> list[str]:
    missing = report.missing
    if missing is None:
        return []
    ignored = f", {len(missing.ignored)} ignored ({report.ignore_source})" if missing.ignored else ""
    return [f"missing papers: top {len(report.suggestions)} of {missing.candidates} cited by >= "
            f"{report.min_citers} listed works{ignored}",
            *(f"  {s.rank:>2}. {s.title} ({s.year or '?'}) [{s.id}] -> {s.section or '?'}: {s.why}"
              for s in report.suggestions)]


def _markdown(report: GapReport) -> list[str]:
    missing = report.missing
    if missing is None:
        return [] if report.comparison is not None else [
            "No citation data: build with Semantic Scholar enrichment (or from a cache that has it) to find missing "
            "papers, survey gaps and section flows.", ""]
    shown = missing.suggestions
    ignored = f"; {len(missing.ignored)} ignored by {report.ignore_source}" if missing.ignored else ""
    lines = [f"## Missing papers (top {len(shown)} of {missing.candidates} works cited by at least "
             f"{report.min_citers} listed works{ignored})", "",
             "| # | paper | likely section | why it ranks | cited by (listed works) | links |",
             "|---|---|---|---|---|---|"]
    for s in shown:
        year = f" ({s.year})" if s.year else ""
        lines.append(f"| {s.rank} | {cell(s.title)}{year} | {cell(s.section or '?')} | {cell(s.why)} | "
                     f"{cell(some_titles(s.cited_by))} | {links_cell(s.links)} |")
    lines += ["", "Ranked by how specific each work is to this list (share of its citations that come from "
              "listed works), how concentrated its citing works are in one section, and the other signals in "
              "`gaps.json` (weights and formulas in the README). Add the rows below by hand, or with "
              "`pa-graph gaps --apply LIST.md` (`--only ID`, `--dry-run`); say no once in "
              "`.pa-graph-ignore` beside the list.", ""]
    by_section: dict[str, list[Any]] = {}
    for s in shown:
        by_section.setdefault(s.section or "(no section)", []).append(s)
    if shown:
        lines += ["### Rows to paste, by section", ""]
    for section, items in by_section.items():
        lines += [f"{cell(section)} (suggestions {', '.join(f'#{s.rank}' for s in items)}):", "", "```markdown"]
        lines += [s.row for s in items] + ["```", ""]
    return lines


def _json(report: GapReport) -> dict[str, Any]:
    missing = report.missing
    return {"candidates": None if missing is None else missing.candidates,
            "ignored": None if missing is None else missing.ignored,
            "missing_papers": [] if missing is None else [asdict(s) for s in missing.suggestions]}


#: The works listed works cite that the list lacks, ranked and explained (needs citations).
ANALYSIS = GapAnalysis(_run, _text, _markdown, _json)
