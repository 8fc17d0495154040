"""Reading a build's graph files back — the one place that does: ``graph.ttl`` (or any RDF file) into rdflib or
pyoxigraph, ``graph.json`` into the networkx model. Every failure is a :class:`~pa_graph.errors.GraphInputError`
naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyoxigraph
from rdflib import Graph
from rdflib.util import guess_format

from pa_graph.errors import GraphInputError

__all__ = ["load_graph", "load_store", "load_model", "load_model_json"]



def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise GraphInputError(f"{path}: no such graph file (run 'pa-graph build' first, or pass --graph FILE)")
    return path


def load_graph(path: str | Path) -> Graph:
    """An RDF file as an rdflib ``Graph`` (format from its extension; Turtle by default)."""
    path = _existing(path)
    graph = Graph()
    try:
        graph.parse(path, format=guess_format(str(path)) or "turtle")
    except Exception as err:  # rdflib raises many unrelated types for bad syntax
        raise GraphInputError(f"{path}: not a readable RDF graph ({type(err).__name__}: {err})") from err
    return graph


def load_store(path: str | Path) -> pyoxigraph.Store:
    """An RDF file in a pyoxigraph in-memory store."""
    path = _existing(path)
    store = pyoxigraph.Store()
    try:
        rdf_format = pyoxigraph.RdfFormat.from_extension(path.suffix[1:]) or pyoxigraph.RdfFormat.TURTLE
        store.bulk_load(path=str(path), format=rdf_format)
    except (SyntaxError, ValueError, OSError) as err:
        raise GraphInputError(f"{path}: not a readable RDF graph ({err})") from err
    return store


def load_model_json(path: str | Path) -> nx.MultiDiGraph:
    """The model back from a build's ``graph.json`` (node-link)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as stream:
            return nx.node_link_graph(json.load(stream), directed=True, multigraph=True, edges="edges")
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise GraphInputError(f"{path}: not a graph.json a build writes ({type(err).__name__}: {err})") from err


def load_model(graph_file: str | Path) -> nx.MultiDiGraph:
    """The model of a build: ``graph.json`` itself, or the ``graph.json`` next to a ``graph.ttl``."""
    graph_file = Path(graph_file)
    source = graph_file if graph_file.suffix == ".json" else graph_file.with_name("graph.json")
    if not source.is_file():
        raise GraphInputError(f"{source}: not found; this command reads the graph.json a build writes next to "
                              "graph.ttl (run 'pa-graph build')")
    return load_model_json(source)
