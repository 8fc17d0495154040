"""Counts by node and edge type, read from an exported RDF graph so ``pa-graph stats`` needs no rebuild."""

from __future__ import annotations

from rdflib import RDF, Graph
from rdflib.namespace import DCTERMS, FOAF, SKOS

from pa_graph.export.rdf import CITO, FABIO, PA

__all__ = ["graph_stats"]

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


def graph_stats(graph: Graph) -> dict:
    """Triples, nodes per type (plus listed works) and edges per relation."""
    nodes = {name: len(set(graph.subjects(RDF.type, cls))) for name, cls in _NODE_TYPES.items()}
    nodes["listed works"] = len(set(graph.subjects(PA.listedIn, None)))
    edges = {name: len(list(graph.triples((None, predicate, None)))) for name, predicate in _EDGE_TYPES.items()}
    return {"triples": len(graph), "nodes": nodes, "edges": edges}
