"""The whole pipeline in one call: lists → works → model → audit and exports, written atomically to ``out_dir``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import networkx as nx
from rdflib import Graph

from pa_graph import __version__
from pa_graph.audit import AuditReport, audit, render_json, render_markdown
from pa_graph.errors import ListInputError
from pa_graph.html_view import render_html
from pa_graph.model import build_model
from pa_graph.outputs import write_all
from pa_graph.parse import read_list
from pa_graph.rdf import DEFAULT_BASE_IRI, to_rdf, to_turtle
from pa_graph.records import ParsedList, Work
from pa_graph.resolve import resolve_works
from pa_graph.stats import graph_stats

__all__ = ["BuildOptions", "KnowledgeGraph", "BuildResult", "bundled_list", "load_lists", "assemble", "build"]

BUNDLED_LIST = "awesome-personalized-alignment.md"


@dataclass(frozen=True)
class BuildOptions:
    """What a build does beyond reading the lists."""

    out_dir: Path = Path("outputs")
    base_iri: str = DEFAULT_BASE_IRI
    enrich: bool = True
    offline: bool = False


@dataclass(frozen=True)
class KnowledgeGraph:
    """The in-memory result of the pipeline, before anything is written."""

    lists: list[ParsedList]
    works: list[Work]
    model: nx.MultiDiGraph
    audit: AuditReport


@dataclass(frozen=True)
class BuildResult:
    graph: KnowledgeGraph
    rdf: Graph
    stats: dict
    written: list[Path] = field(default_factory=list)


def bundled_list() -> Path:
    """The Awesome-Personalized-Alignment list shipped with the package, bytes as received."""
    return Path(str(resources.files("pa_graph") / "data" / BUNDLED_LIST))


def load_lists(paths: Sequence[str | Path] = ()) -> list[ParsedList]:
    """Parse each list (the bundled list when none is given); file names must differ, since sources cite them."""
    parsed = [read_list(path) for path in (paths or [bundled_list()])]
    seen: dict[str, Path] = {}
    for item in parsed:
        if item.name in seen:
            raise ListInputError(
                f"{item.path}: has the same file name as {seen[item.name]}; sources are cited by file name, rename one"
            )
        seen[item.name] = item.path
    return parsed


def assemble(paths: Sequence[str | Path] = ()) -> KnowledgeGraph:
    """Parse, resolve, model and audit the lists, without writing anything (for notebooks and tests)."""
    lists = load_lists(paths)
    works = resolve_works(row for parsed in lists for row in parsed.rows)
    return KnowledgeGraph(lists, works, build_model(works, lists), audit(lists, works))


def build(paths: Sequence[str | Path] = (), options: BuildOptions = BuildOptions()) -> BuildResult:
    """Run the pipeline and write every output; all are rendered before the first is written."""
    graph = assemble(paths)
    rdf = to_rdf(graph.model, options.base_iri)
    stats = graph_stats(rdf)
    record = {
        "tool": "pa-graph",
        "version": __version__,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "lists": [{"file": str(p.path), "name": p.name, "sha256": p.sha256, "rows": len(p.rows)} for p in graph.lists],
        "base_iri": options.base_iri,
        "enrichment": "none: Semantic Scholar enrichment is not implemented yet; the graph holds the lists alone",
        "stats": stats,
        "audit": graph.audit.counts(),
    }
    files = {
        "graph.ttl": to_turtle(rdf),
        "graph.json": json.dumps(nx.node_link_data(graph.model, edges="edges"), ensure_ascii=False, indent=1) + "\n",
        "graph.html": render_html(graph.model),
        "audit.md": render_markdown(graph.audit),
        "audit.json": render_json(graph.audit),
        "build.json": json.dumps(record, ensure_ascii=False, indent=2) + "\n",
    }
    written = write_all(Path(options.out_dir), files)
    return BuildResult(graph, rdf, stats, written)
