"""Reading a build's graph files back — the one place that does: ``graph.ttl`` (or any RDF file) into rdflib or
pyoxigraph, ``graph.json`` into the networkx model. Every failure is a :class:`~pa_graph.errors.GraphInputError`
naming the file."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import networkx as nx
import pyoxigraph
from rdflib import Graph
from rdflib.util import guess_format

from pa_graph.errors import GraphInputError, MissingGraphError
from pa_graph.sources.response_cache import cache_dir_from
from pa_graph.text import short_hash

__all__ = ["store_location", "load_graph", "load_store", "open_store", "load_model", "load_model_json"]


def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise MissingGraphError(f"{path}: no such graph file")
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


def open_store(path: str | Path, cache_dir: str | Path | None = None) -> pyoxigraph.Store:
    """The graph file in an on-disk Oxigraph store, opened read-only: loaded once per version of the file (its
    path, size and modification time) into ``<cache>/stores/``, so every later query starts at once instead of
    parsing the file again. A new version is loaded beside the old store and swapped in; concurrent readers are
    safe. Where no store can be written (a read-only cache folder), the file is loaded in memory instead."""
    folder = store_location(path, cache_dir)
    if folder is None:
        return load_store(path)
    try:
        return pyoxigraph.Store.read_only(str(folder))
    except (OSError, RuntimeError, ValueError):
        return load_store(path)


def store_location(path: str | Path, cache_dir: str | Path | None = None) -> Path | None:
    """The folder of the on-disk store holding this version of the graph file (loaded into it first when it is
    not there yet); ``None`` when the cache folder cannot hold one."""
    path = _existing(path).resolve()
    stat = path.stat()
    stamp = {"file": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    root = cache_dir_from(cache_dir) / "stores" / short_hash(str(path), 16)
    folder, stamp_file = root / "store", root / "source.json"
    try:
        if folder.is_dir() and stamp_file.is_file() and json.loads(stamp_file.read_text(encoding="utf-8")) == stamp:
            return folder
        root.mkdir(parents=True, exist_ok=True)
        fresh = root / f"store.tmp-{uuid.uuid4().hex}"
        store = pyoxigraph.Store(str(fresh))
        try:
            rdf_format = pyoxigraph.RdfFormat.from_extension(path.suffix[1:]) or pyoxigraph.RdfFormat.TURTLE
            store.bulk_load(path=str(path), format=rdf_format)
            store.flush()
        except (SyntaxError, ValueError) as err:
            shutil.rmtree(fresh, ignore_errors=True)
            raise GraphInputError(f"{path}: not a readable RDF graph ({err})") from err
        del store  # closes it
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(fresh, folder)
        written = root / f"source.json.tmp-{uuid.uuid4().hex}"
        written.write_text(json.dumps(stamp), encoding="utf-8")
        os.replace(written, stamp_file)
        return folder
    except (OSError, RuntimeError, ValueError):
        return None


def load_model_json(path: str | Path) -> nx.MultiDiGraph[str]:
    """The model back from a build's ``graph.json`` (node-link)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as stream:
            model = nx.node_link_graph(json.load(stream), directed=True, multigraph=True, edges="edges")
        if not isinstance(model, nx.MultiDiGraph):
            raise TypeError("not a directed multigraph")
        return model
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise GraphInputError(f"{path}: not a graph.json a build writes ({type(err).__name__}: {err})") from err


def load_model(graph_file: str | Path) -> nx.MultiDiGraph[str]:
    """The model of a build: ``graph.json`` itself, or the ``graph.json`` next to a ``graph.ttl``."""
    graph_file = Path(graph_file)
    source = graph_file if graph_file.suffix == ".json" else graph_file.with_name("graph.json")
    if not source.is_file():
        raise MissingGraphError(f"{source}: not found; the model is the graph.json a build writes next to graph.ttl")
    return load_model_json(source)
