"""Indexes over the model that every gap analysis reads: who cites whom, which works are listed and where.

Built once per analysis; :meth:`CitationIndex.hiding` derives the index the evaluation needs (one listed work taken
off the list) without copying the graph.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, replace
from functools import cached_property
from typing import Any

import networkx as nx

from pa_graph.model import nodes_of_kind

__all__ = ["CitationIndex", "has_citations", "cosine", "mean_vector"]

def has_citations(model: nx.MultiDiGraph[str]) -> bool:
    return any(key == "cites" for _, _, key in model.edges(keys=True))


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def mean_vector(vectors: Sequence[Sequence[float]]) -> list[float]:
    return [sum(values) / len(vectors) for values in zip(*vectors, strict=False)]


@dataclass(frozen=True)
class CitationIndex:
    """Citations and listings of a model, as sets.

    ``refs`` and ``citers`` hold every ``cites`` edge; ``listed`` keeps the list's order; ``sections`` maps each
    listed work to the section nodes it is listed in; ``embeddings`` the SPECTER vectors known.
    """

    model: nx.MultiDiGraph[str]
    _: KW_ONLY
    listed: tuple[str, ...]
    refs: Mapping[str, frozenset[str]]
    citers: Mapping[str, frozenset[str]]
    sections: Mapping[str, tuple[str, ...]]
    embeddings: Mapping[str, Sequence[float]]

    @classmethod
    def of(cls, model: nx.MultiDiGraph[str]) -> CitationIndex:
        refs: dict[str, set[str]] = defaultdict(set)
        citers: dict[str, set[str]] = defaultdict(set)
        sections: dict[str, list[str]] = defaultdict(list)
        for u, v, key in model.edges(keys=True):
            if key == "cites":
                refs[u].add(v)
                citers[v].add(u)
            elif key == "listed_in":
                sections[u].append(v)
        listed = tuple(n for n in nodes_of_kind(model, "work") if model.nodes[n].get("listed"))
        embeddings = {n: d["embedding"] for n, d in model.nodes(data=True) if d.get("embedding")}
        return cls(model, listed=listed, refs={k: frozenset(v) for k, v in refs.items()},
                   citers={k: frozenset(v) for k, v in citers.items()},
                   sections={work: tuple(sections.get(work, ())) for work in listed}, embeddings=embeddings)

    @cached_property
    def listed_set(self) -> frozenset[str]:
        return frozenset(self.listed)

    @cached_property
    def order(self) -> dict[str, int]:
        """Each listed work's place in the list."""
        return {work: position for position, work in enumerate(self.listed)}

    @cached_property
    def section_sizes(self) -> Counter[str]:
        """Listed works per section."""
        return Counter(section for sections in self.sections.values() for section in sections)

    @cached_property
    def centroids(self) -> dict[str, list[float]]:
        """Each section's mean embedding over its listed works that have one."""
        members: dict[str, list[Any]] = {}
        for work, sections in self.sections.items():
            vector = self.embeddings.get(work)
            if vector:
                for section in sections:
                    members.setdefault(section, []).append(vector)
        return {section: mean_vector(vectors) for section, vectors in members.items()}

    @cached_property
    def literature(self) -> frozenset[str]:
        """The list's literature: listed works and everything they cite."""
        found = set(self.listed)
        for work in self.listed:
            found |= self.references(work)
        return frozenset(found)

    @cached_property
    def listed_references(self) -> dict[str, frozenset[str]]:
        """Each listed work's references that are listed works."""
        return {work: self.references(work) & self.listed_set for work in self.listed}

    def data(self, node: str) -> dict[str, Any]:
        return self.model.nodes[node]

    def title(self, node: str) -> str:
        return str(self.data(node).get("title", node))

    def year(self, node: str) -> int | None:
        return self.data(node).get("year")

    def label(self, node: str) -> str:
        return str(self.data(node).get("label", node))

    def references(self, node: str) -> frozenset[str]:
        return self.refs.get(node, frozenset())

    def cited_by(self, node: str) -> frozenset[str]:
        return self.citers.get(node, frozenset())

    def listed_citers(self, node: str) -> frozenset[str]:
        return self.cited_by(node) & self.listed_set

    def targets(self, node: str, relation: str) -> list[str]:
        return [v for _, v, k in self.model.out_edges(node, keys=True) if k == relation]

    def reference_count(self, node: str) -> int | None:
        """How many references the work has in all, when its reference list is known (listed works, and works
        whose references were fetched); ``None`` otherwise."""
        count = self.data(node).get("reference_count")
        if count is None and self.data(node).get("listed") and self.references(node):
            return len(self.references(node))
        return count

    def hiding(self, work: str, keep_references: bool, keep_embedding: bool) -> CitationIndex:
        """The index as if the list did not have ``work``: not listed, no sections; its references and embedding
        stay only when enrichment would have fetched them for a work not in the list."""
        refs, citers = dict(self.refs), dict(self.citers)
        if not keep_references:
            for cited in self.references(work):
                citers[cited] = citers[cited] - {work}
            refs[work] = frozenset()
        embeddings = self.embeddings if keep_embedding else {k: v for k, v in self.embeddings.items() if k != work}
        listed = tuple(w for w in self.listed if w != work)
        sections = {w: s for w, s in self.sections.items() if w != work}
        return replace(self, listed=listed, refs=refs, citers=citers, sections=sections, embeddings=embeddings)
