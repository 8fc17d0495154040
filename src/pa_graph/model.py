"""Model stage: works → one networkx ``MultiDiGraph``, the single source of truth every exporter and analysis reads.

Node ids are readable, deterministic paths that double as IRI suffixes (``work/lamp-when-…-3fa2c1``,
``section/test-time-personalized-alignment/rag``, ``tag/rag``, ``method/lamp``, ``venue/sigir``). Every node has a
``kind`` (see :data:`NODE_KINDS`); every edge's key is its relation (see :data:`RELATIONS`). Attribute values are
plain JSON types so the graph round-trips through ``graph.json``.

Semantic Scholar data is added by :func:`add_enrichment`: identifiers and S2's title and year on listed works,
works known only from S2 (``work/s2/<paperId>``, ``listed=False``), authors (``author/<authorId>``), S2 venues,
and ``cites`` edges carrying intents, contexts and influence where S2 gave them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from pa_graph.records import Enrichment, ParsedList, Section, SourceRecord, Work, section_id
from pa_graph.sources.registry import SOURCES
from pa_graph.text import arxiv_base_id, is_author_label, label_key, redacted_url, short_hash, slugify

__all__ = ["build_model", "add_enrichment", "list_ids", "list_index", "lists_of", "NODE_KINDS", "RELATIONS", "section_id",
           "nodes_of_kind", "work_id"]

NODE_KINDS = ("work", "section", "tag", "method", "venue", "author")
RELATIONS = ("listed_in", "has_tag", "proposes_method", "published_in", "broader", "creator", "cites")


def work_id(key: str) -> str:
    """Node id of a listed work."""
    return f"work/{key}"


def nodes_of_kind(graph: nx.MultiDiGraph[str], kind: str) -> list[str]:
    """Node ids of one kind, in insertion (list) order."""
    return [node for node, data in graph.nodes(data=True) if data.get("kind") == kind]


class _Vocabulary:
    """Concepts of one kind keyed by spelling-insensitive label; the first spelling is the preferred label."""

    def __init__(self, graph: nx.MultiDiGraph[str], kind: str) -> None:
        self.graph, self.kind = graph, kind
        self.ids: dict[str, str] = {
            label_key(label): node
            for node, data in graph.nodes(data=True)
            if data.get("kind") == kind
            for label in (data["label"], *data.get("alt_labels", []))
        }

    def node_for(self, label: str, origin: str = "lists") -> str:
        key = label_key(label)
        node = self.ids.get(key)
        if node is None:
            node = self.ids[key] = f"{self.kind}/{slugify(label)}"
            self.graph.add_node(node, kind=self.kind, label=label, alt_labels=[], origin=origin)
        elif label != self.graph.nodes[node]["label"] and label not in self.graph.nodes[node]["alt_labels"]:
            self.graph.nodes[node]["alt_labels"].append(label)
        return node


def list_ids(names: Iterable[str]) -> list[str]:
    """Each list's id: its file name as a slug, numbered when two would be the same (stable for the same inputs).

    >>> list_ids(["README.md", "readme.md", "papers.md"])
    ['readme-md', 'readme-md-2', 'papers-md']
    """
    ids: list[str] = []
    for name in names:
        base = slugify(name) or "list"
        candidate, n = base, 1
        while candidate in ids:
            n += 1
            candidate = f"{base}-{n}"
        ids.append(candidate)
    return ids


def list_index(graph: nx.MultiDiGraph[str]) -> dict[str, str]:
    """The model's lists, file name → id (ids made again for a model written before lists had them)."""
    listed = graph.graph.get("lists", [])
    made = list_ids([item["name"] for item in listed])
    return {item["name"]: item.get("id") or fallback for item, fallback in zip(listed, made, strict=True)}


def lists_of(data: dict[str, Any], ids_by_name: dict[str, str]) -> list[str]:
    """The ids of the lists that hold a work (its rows' files), in the order the build read the lists."""
    named = {source.get("file") for source in data.get("sources", [])}
    return [list_id for name, list_id in ids_by_name.items() if name in named]


def build_model(works: Iterable[Work], lists: Iterable[ParsedList]) -> nx.MultiDiGraph[str]:
    """The knowledge graph of the listed works, their sections, tags, methods and venues."""
    lists = list(lists)
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(lists=[
        {"name": parsed.name, "title": parsed.title, "sha256": parsed.sha256, "id": list_id,
         # as typed (a URL without its credentials); the bundled list by its name
         "source": redacted_url(parsed.given) if parsed.given and "://" in parsed.given else parsed.given or parsed.name,
         **({"fetched_at": parsed.fetched_at} if parsed.fetched_at else {}),
         "layouts": {section_id(section): header for section, header in parsed.layouts.items()}}
        for parsed, list_id in zip(lists, list_ids([parsed.name for parsed in lists]), strict=True)])
    tags, methods, venues = (_Vocabulary(graph, kind) for kind in ("tag", "method", "venue"))
    for work in works:
        node = work_id(work.key)
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
            sources=[  # each row: where, and what it says that joins it to the others (the atlas checks merges)
                {"file": row.source.file, "line": row.source.line, "section": section_id(row.section),
                 "title": row.title, **({"arxiv": arxiv_base_id(row.arxiv_id)} if row.arxiv_id else {})}
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


def _add_section(graph: nx.MultiDiGraph[str], section: Section) -> str:
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


def source_names(enriched_from: str) -> str:
    """The APIs an enrichment came from (``s2+openalex``), as the model's provenance names them."""
    apis = [SOURCES[name].api if name in SOURCES else name for name in enriched_from.split("+")]
    return apis[0] if len(apis) == 1 else f"{', '.join(apis[:-1])} and {apis[-1]}"


def add_enrichment(graph: nx.MultiDiGraph[str], enrichment: Enrichment) -> None:
    """Add the sources' records, authors, venues and citations to a model built by :func:`build_model`."""
    venues, node_of_paper = _Vocabulary(graph, "venue"), {}
    graph.graph["enrichment"] = {"source": source_names(enrichment.source), "api_url": enrichment.api_url,
                                 "mode": enrichment.mode}
    for key, record in enrichment.resolved.items():
        node = node_of_paper[record.paper_id] = work_id(key)
        _add_record(graph, node, record, venues)
    for key, reason in enrichment.unresolved.items():
        graph.nodes[work_id(key)]["unresolved"] = reason
    for check in enrichment.link_checks:
        graph.nodes[work_id(check.work_key)].setdefault("link_checks", []).append(
            {"status": check.status, "listed_id": check.listed_id, "points_to": check.points_to,
             "correct_id": check.correct_id})
    for paper_id, record in sorted(enrichment.externals.items()):
        node = node_of_paper[paper_id] = f"work/{record.source}/{paper_id}"
        graph.add_node(node, kind="work", work_type="paper", listed=False, origin=record.source,
                       title=record.title or "(untitled)")
        _add_record(graph, node, record, venues)
    for paper_id, vector in enrichment.embeddings.items():
        if paper_id in node_of_paper:
            graph.nodes[node_of_paper[paper_id]]["embedding"] = vector
    for link in enrichment.citations:
        if link.citing in node_of_paper and link.cited in node_of_paper:
            citing = node_of_paper[link.citing]
            details: dict[str, Any] = {name: value for name, value in (
                ("intents", list(link.intents)), ("contexts", list(link.contexts)), ("influential", link.influential))
                if value not in ([], None)}
            if graph.nodes[citing].get(f"{link.source}_request") != link.request:  # else the citing work's answer
                details |= {f"{link.source}_request": link.request, f"{link.source}_retrieved_at": link.retrieved_at}
            graph.add_edge(citing, node_of_paper[link.cited], key="cites", origin=link.source, **details)


def _add_record(graph: nx.MultiDiGraph[str], node: str, record: SourceRecord, venues: _Vocabulary) -> None:
    """The record's fields on the work's node; ``s2_…`` and ``openalex_…`` keys say which source answered."""
    data = graph.nodes[node]
    data.update(doi=record.doi, arxiv_id=record.arxiv_id, citation_count=record.citation_count,
                source_title=record.title)
    if record.source == "s2":
        data.update(s2_paper_id=record.paper_id, s2_corpus_id=record.corpus_id)
    if record.openalex_id:
        data["openalex_id"] = record.openalex_id
    for source, request, retrieved_at in ((record.source, record.request, record.retrieved_at), *record.also_from):
        data[f"{source}_request"], data[f"{source}_retrieved_at"] = request, retrieved_at
    if record.year is not None:
        data["year"] = record.year
    if record.reference_count is not None:
        data["reference_count"] = record.reference_count
    for author_id, name in record.authors:
        author = f"author/{author_id}" if author_id else f"author/name-{slugify(name)}-{short_hash(name, 6)}"
        if author not in graph:
            graph.add_node(author, kind="author", origin=record.source, label=name,
                           **{f"{record.source}_author_id": author_id})
        graph.add_edge(node, author, key="creator", origin=record.source)
    if record.venue:
        venue = venues.node_for(record.venue, origin=record.source)
        if not graph.has_edge(node, venue, key="published_in"):
            graph.add_edge(node, venue, key="published_in", origin=record.source)
