"""Model stage: works → one networkx ``MultiDiGraph``, the single source of truth every exporter and analysis reads.

Node ids are readable, deterministic paths that double as IRI suffixes (``work/lamp-when-…-3fa2c1``,
``section/test-time-personalized-alignment/rag``, ``tag/rag``, ``method/lamp``, ``venue/sigir``). Every node has a
``kind`` (see :data:`NODE_KINDS`); every edge's key is its relation (see :data:`RELATIONS`). Attribute values are
plain JSON types so the graph round-trips through ``graph.json``.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from pa_graph.records import ParsedList, Section, Work
from pa_graph.text import is_author_label, label_key, slugify

__all__ = ["build_model", "NODE_KINDS", "RELATIONS", "section_id", "nodes_of_kind"]

NODE_KINDS = ("work", "section", "tag", "method", "venue")
RELATIONS = ("listed_in", "has_tag", "proposes_method", "published_in", "broader")


def section_id(section: Section) -> str:
    """Node id of a section: its top level, and the sub-category under it when there is one."""
    top = f"section/{slugify(section.top)}"
    return f"{top}/{slugify(section.sub)}" if section.sub else top


def nodes_of_kind(graph: nx.MultiDiGraph, kind: str) -> list[str]:
    """Node ids of one kind, in insertion (list) order."""
    return [node for node, data in graph.nodes(data=True) if data.get("kind") == kind]


class _Vocabulary:
    """Concepts of one kind keyed by spelling-insensitive label; the first spelling is the preferred label."""

    def __init__(self, graph: nx.MultiDiGraph, kind: str) -> None:
        self.graph, self.kind = graph, kind
        self.ids: dict[str, str] = {}

    def node_for(self, label: str) -> str:
        key = label_key(label)
        node = self.ids.get(key)
        if node is None:
            node = self.ids[key] = f"{self.kind}/{slugify(label)}"
            self.graph.add_node(node, kind=self.kind, label=label, alt_labels=[])
        elif label != self.graph.nodes[node]["label"] and label not in self.graph.nodes[node]["alt_labels"]:
            self.graph.nodes[node]["alt_labels"].append(label)
        return node


def build_model(works: Iterable[Work], lists: Iterable[ParsedList]) -> nx.MultiDiGraph:
    """The knowledge graph of the listed works, their sections, tags, methods and venues."""
    graph = nx.MultiDiGraph(lists=[{"name": parsed.name, "sha256": parsed.sha256} for parsed in lists])
    tags, methods, venues = (_Vocabulary(graph, kind) for kind in ("tag", "method", "venue"))
    for work in works:
        node = f"work/{work.key}"
        graph.add_node(
            node,
            kind="work",
            work_type="survey" if work.is_survey else "paper",
            listed=True,
            title=work.title,
            alternative_titles=list(work.alternative_titles),
            listed_year=work.listed_year,
            year=work.listed_year,
            listed_arxiv_ids=list(work.listed_arxiv_ids),
            links=list(dict.fromkeys(link for row in work.rows for link in row.links)),
            abbreviations=list(dict.fromkeys(row.abbreviation for row in work.rows if row.abbreviation)),
            sources=[
                {"file": row.source.file, "line": row.source.line, "section": section_id(row.section)}
                for row in work.rows
            ],
        )
        for section in work.sections:
            graph.add_edge(node, _add_section(graph, section), key="listed_in")
        for row in work.rows:
            for tag in row.tags:
                graph.add_edge(node, tags.node_for(tag), key="has_tag")
            if row.abbreviation and not is_author_label(row.abbreviation):
                graph.add_edge(node, methods.node_for(row.abbreviation), key="proposes_method")
            if row.venue:
                graph.add_edge(node, venues.node_for(row.venue), key="published_in")
    return graph


def _add_section(graph: nx.MultiDiGraph, section: Section) -> str:
    top = section_id(Section(section.top))
    if top not in graph:
        graph.add_node(top, kind="section", label=section.top, level=1)
    if not section.sub:
        return top
    sub = section_id(section)
    if sub not in graph:
        graph.add_node(sub, kind="section", label=section.sub, level=2)
        graph.add_edge(sub, top, key="broader")
    return sub
