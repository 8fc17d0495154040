"""Counts by node and edge type, read from an exported RDF graph so ``pa-graph stats`` needs no rebuild."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph
from rdflib import RDF
from rdflib.namespace import DCTERMS, FOAF, SKOS

from pa_graph.export.vocab import CITO, FABIO, PA

__all__ = ["graph_stats", "store_stats"]

_NODE_TYPES = {
    "works": FABIO.Expression,
    "surveys": FABIO.ReviewArticle,
    "sections": PA.Category,
    "tags": PA.Tag,
    "methods": PA.Method,
    "venues": PA.Venue,
    "authors": FOAF.Person,
    "list rows": PA.ListRow,
}
_EDGE_TYPES = {
    "listed in": PA.listedIn,
    "has tag": PA.hasTag,
    "proposes method": PA.proposesMethod,
    "published in": DCTERMS.isPartOf,
    "broader": SKOS.broader,
    "creator": DCTERMS.creator,
    "cites": CITO.cites,
}


def graph_stats(graph: Iterable[tuple[Any, ...]]) -> dict[str, Any]:
    """Triples, nodes per type (plus listed works) and edges per relation, in one pass over the triples (an rdflib
    ``Graph`` or a build's :class:`~pa_graph.export.rdf.Triples`)."""
    type_names = {cls: name for name, cls in _NODE_TYPES.items()}
    edge_names = {predicate: name for name, predicate in _EDGE_TYPES.items()}
    typed: dict[str, set[Any]] = {name: set() for name in _NODE_TYPES}
    listed: set[Any] = set()
    edges = dict.fromkeys(_EDGE_TYPES, 0)
    count = 0
    for subject, predicate, obj in graph:
        count += 1
        if predicate == RDF.type and obj in type_names:
            typed[type_names[obj]].add(subject)
        elif predicate in edge_names:
            edges[edge_names[predicate]] += 1
            if predicate == PA.listedIn:
                listed.add(subject)
    nodes = {name: len(members) for name, members in typed.items()}
    nodes["listed works"] = len(listed)
    return {"triples": count, "nodes": nodes, "edges": edges}


def store_stats(store: pyoxigraph.Store) -> dict[str, Any]:
    """:func:`graph_stats` of a pyoxigraph store, counted by the store's indexes (one query a count)."""
    def count(pattern: str, distinct: str = "*") -> int:
        solutions = store.query(f"SELECT (COUNT({distinct}) AS ?n) WHERE {{ {pattern} }}",
                                use_default_graph_as_union=True)
        assert isinstance(solutions, pyoxigraph.QuerySolutions)  # a SELECT
        return int(next(iter(solutions))["n"].value)

    nodes = {name: count(f"?s a <{cls}>", "DISTINCT ?s") for name, cls in _NODE_TYPES.items()}
    nodes["listed works"] = count(f"?s <{PA.listedIn}> ?o", "DISTINCT ?s")
    edges = {name: count(f"?s <{predicate}> ?o") for name, predicate in _EDGE_TYPES.items()}
    return {"triples": count("?s ?p ?o"), "nodes": nodes, "edges": edges}
