"""One built graph, one class: :class:`Build` is what a build made — held in memory after the pipeline ran
(``pa_graph.assemble``; ``KnowledgeGraph`` is its older name) or read back from the folder ``pa-graph build`` wrote
(:func:`pa_graph.session.open_build`): the model, the audit, the gap report, the exports, the page, and for a folder
the store and the build record. Every command that reads outputs (``view``, ``gaps``, ``query``, ``stats``,
``push``) goes through it, and so can a notebook."""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph
from rdflib import Graph

from pa_graph.analysis.atlas import DEFAULT_CORE_MIN, Atlas, atlas, atlas_files
from pa_graph.analysis.audit import AuditReport, findings_of_json, flags_by_work
from pa_graph.analysis.audit import render_json as render_audit_json
from pa_graph.analysis.audit import render_markdown as render_audit_markdown
from pa_graph.analysis.gaps import GapOptions, GapReport, analyse, read_ignore_file
from pa_graph.analysis.gaps.apply import chosen_for_apply
from pa_graph.analysis.gaps.ignore import ignore_file_beside
from pa_graph.analysis.gaps.report import rdf_findings, report_files, suggestions_of_json, view_suggestions
from pa_graph.analysis.stats import graph_stats, store_stats
from pa_graph.errors import ApplyError, AtlasError, InvalidFormatError, ListInputError, MissingGraphError
from pa_graph.export.formats import FORMATS, render_format
from pa_graph.export.html import pyvis_network, render_html, select_view
from pa_graph.export.rdf import DEFAULT_BASE_IRI, Triples, describe_dataset, to_rdf, to_triples, to_turtle
from pa_graph.export.sparql import QueryResult, run_query
from pa_graph.export.store import load_model, open_store
from pa_graph.lists.diff import commit_of, path_in_repository
from pa_graph.lists.fetch import ListFetcher
from pa_graph.lists.load import bundled_list, load_lists, read_peer
from pa_graph.lists.write import ApplyPlan, plan_apply, write_apply
from pa_graph.options import DEFAULT_GRAPH, DEFAULT_OUT, DEFAULT_TOP_EXTERNAL, DEFAULT_VIEW
from pa_graph.outputs import replace_folder, write_all
from pa_graph.records import Enrichment, ParsedList, Work
from pa_graph.resolve import resolve_works
from pa_graph.sources.registry import SOURCES
from pa_graph.text import loads_bounded
from pa_graph.version import __version__

__all__ = ["DEFAULT_OUT", "DEFAULT_GRAPH", "DEFAULT_VIEW", "Build", "Assembled", "build_record", "locate_graph"]



def locate_graph(out: str | Path = DEFAULT_OUT) -> Path:
    """The graph file of the build in folder ``out``, or ``out`` itself when it is a graph file."""
    path = Path(out)
    graph_file = path / "graph.ttl" if path.is_dir() else path
    if not graph_file.is_file():
        raise MissingGraphError(f"{graph_file}: no such graph file")
    return graph_file


class Build:
    """One built graph: held in memory after a build (:func:`pa_graph.session.assemble`, ``BuildResult.graph``) or
    read back from a build folder (:func:`pa_graph.session.open_build`), with one set of methods either way. A
    folder's files are read on first use; ``cache_dir`` holds its SPARQL store; ``fetcher`` reads the peer lists and
    lists to compare that are given by URL.

    In memory it also has the parsed ``lists``, the ``works`` and the ``enrichment``; read back, the ``record``
    (``build.json``) and the SPARQL store (:meth:`store`, :meth:`query`, :meth:`stats`)."""

    def __init__(self, graph_file: str | Path | None = None, cache_dir: Path | None = None,
                 fetcher: ListFetcher | None = None, *, assembled: Assembled | None = None) -> None:
        if graph_file is None and assembled is None:
            raise TypeError("a Build is read from a graph file or made from an assembled graph")
        self.graph_file = Path(graph_file) if graph_file is not None else None
        self.cache_dir = cache_dir
        self.fetcher = fetcher
        self._assembled = assembled

    @classmethod
    def open(cls, out: str | Path = DEFAULT_OUT, cache_dir: Path | None = None,
             fetcher: ListFetcher | None = None) -> Build:
        """The build in folder ``out`` (or the build a graph file belongs to); its SPARQL store lives in
        ``cache_dir`` — or, when none is given, in the cache folder the build itself recorded."""
        graph_file = locate_graph(out)
        return cls(graph_file, cache_dir or cls(graph_file).recorded_cache_dir(), fetcher)

    @classmethod
    def of(cls, assembled: Assembled, fetcher: ListFetcher | None = None) -> Build:
        """The build a pipeline run gave, held in memory."""
        return cls(assembled=assembled, fetcher=fetcher)

    # ----- what a build holds ------------------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        return self.written_graph.parent

    @property
    def written_graph(self) -> Path:
        """The graph file; a build held in memory has none until it is written (a clear error says so)."""
        if self.graph_file is None:
            raise MissingGraphError("this graph is held in memory: write it first (kg.write(folder)) and open the "
                                    "folder with pa_graph.open_build(folder)")
        return self.graph_file

    @cached_property
    def model(self) -> nx.MultiDiGraph[str]:
        """The networkx model (the single source of truth; ``graph.json`` in a folder)."""
        return self._assembled.model if self._assembled else load_model(self.written_graph)

    @property
    def lists(self) -> list[ParsedList]:
        """The lists as read (in memory); read back, the list files the record names, read again."""
        if self._assembled:
            return self._assembled.lists
        files = [path for path in self.list_files if path.is_file()]
        return load_lists(files, self.fetcher, empty_ok=True) if files else []  # none: never the bundled list

    @property
    def works(self) -> list[Work]:
        return self._assembled.works if self._assembled else resolve_works(
            row for parsed in self.lists for row in parsed.rows)

    @property
    def enrichment(self) -> Enrichment | None:
        """What the sources added (in memory; a folder keeps it in the model and ``build.json``)."""
        return self._assembled.enrichment if self._assembled else None

    @property
    def gap_report(self) -> GapReport | None:
        """The gap report the build was made with (``None``: no citations, or read back — see :meth:`gaps`)."""
        return self._assembled.gap_report if self._assembled else None

    @cached_property
    def audit(self) -> AuditReport:
        """The build's audit (``audit.json`` in a folder; an empty one when the folder has none)."""
        if self._assembled:
            return self._assembled.audit
        document = self._beside("audit.json")
        if not isinstance(document, dict):
            return AuditReport((), ())
        notes = document.get("notes")
        return AuditReport(tuple(findings_of_json(document)),
                           tuple(str(note) for note in notes) if isinstance(notes, list) else ())

    @property
    def audit_document(self) -> dict[str, Any] | None:
        """``audit.json`` as read (the older name of what :attr:`audit` gives as a record)."""
        warnings.warn("Build.audit_document is the older form: use Build.audit, the audit as a record",
                      DeprecationWarning, stacklevel=2)
        document = self._beside("audit.json")
        return document if isinstance(document, dict) else None

    @cached_property
    def record(self) -> dict[str, Any] | None:
        """``build.json``: when, with what, from which lists (``None`` in memory or when the folder has none)."""
        document = self._beside("build.json")
        return document if isinstance(document, dict) else None

    @cached_property
    def gaps_document(self) -> dict[str, Any] | None:
        document = self._beside("gaps.json")
        return document if isinstance(document, dict) else None

    def recorded_cache_dir(self) -> Path | None:
        """The cache folder the build used (``build.json``), when it is still there."""
        folder = (self.record or {}).get("cache_dir")
        return Path(folder) if isinstance(folder, str) and Path(folder).is_dir() else None

    @property
    def list_files(self) -> list[Path]:
        """The list files the build read (lists read by URL have no file)."""
        if self._assembled:
            return [parsed.path for parsed in self._assembled.lists if not parsed.url]
        items = (self.record or {}).get("lists")
        files = [item.get("file") for item in items if isinstance(item, dict)] if isinstance(items, list) else []
        return [Path(file) for file in files if isinstance(file, str) and file]

    @property
    def ignore_file(self) -> Path | None:
        """``.pa-graph-ignore`` beside the first list the build read, when there is one (never beside the bundled
        list)."""
        files = self.list_files
        if not files or files[0].parent == bundled_list().parent:
            return None
        return ignore_file_beside(files[0])

    def title(self) -> str:
        """The lists' titles (their first level-1 heading, else the file name), joined: the page's title."""
        lists = self.model.graph.get("lists", [])
        return " + ".join(item.get("title") or item.get("name", "") for item in lists) or "pa-graph"

    def audit_flags(self, model: nx.MultiDiGraph[str] | None = None) -> dict[str, list[str]]:
        """Node → the audit's findings about that work, as the view shows them (default: the whole model)."""
        return flags_by_work(self.model if model is None else model, self.audit.findings)

    def suggestions(self) -> dict[str, str]:
        """The missing-paper suggestions the view rings (node → note)."""
        if self._assembled:
            return view_suggestions(self._assembled.gap_report or GapReport())
        return suggestions_of_json(self.gaps_document) if self.gaps_document is not None else {}

    # ----- what a build gives ------------------------------------------------------------------------------------

    def gaps(self, options: GapOptions | None = None, *, top: int | None = None, min_citers: int | None = None,
             peers: Sequence[str | Path] = (), ignore: str | Path | None = None, compare: Sequence[str | Path] = (),
             evaluate: bool = False, min_lists: int | None = None, beside: Path | None = None) -> GapReport:
        """The gap report: the one the build was made with, or a new analysis with ``options`` (or the same given
        as keywords, not both). The ignore file is ``options.ignore_file`` (or ``ignore``), else the one beside
        ``beside`` (the list being changed), else the one beside the build's first list."""
        keywords = any(value is not None for value in (top, min_citers, ignore, min_lists)) or bool(peers)
        if options is not None and keywords:
            raise TypeError("gaps() takes GapOptions or its settings as keywords, not both")
        if options is None and not (keywords or compare or evaluate or beside) and self.gap_report is not None:
            return self.gap_report
        if options is None:
            base = self.gap_report or GapReport()
            options = GapOptions(top=base.top if top is None else top,
                                 min_citers=base.min_citers if min_citers is None else min_citers, peers=tuple(peers),
                                 ignore_file=Path(ignore) if ignore else None, citations_limit=base.citations_limit,
                                 min_lists=min_lists)
        ignore_file = options.ignore_file or (ignore_file_beside(beside) if beside is not None else self.ignore_file)
        return analyse(self.model, options, compare=load_lists(compare, self.fetcher) if compare else None,
                       evaluate=evaluate, peers=[read_peer(path, self.fetcher) for path in options.peers],
                       ignore=read_ignore_file(ignore_file) if ignore_file else None)

    def atlas(self, core_min: int = DEFAULT_CORE_MIN) -> Atlas:
        """The field atlas of the build's lists: who holds what, the overlaps, the core, the exclusives."""
        return atlas(self.model, core_min)

    def write_atlas(self, core_min: int = DEFAULT_CORE_MIN, out_dir: Path | None = None) -> list[Path]:
        """atlas.json, atlas.md and atlas.html into ``out_dir`` (default: the build's folder); an error for a build
        of one list, which has no atlas."""
        files = atlas_files(self.model, core_min)
        if not files:
            raise AtlasError(f"{self.graph_file or 'this graph'}: a build of one list has no atlas; build two lists or "
                             "more (pa-graph build A.md B.md)")
        if out_dir is None and self.graph_file is None:
            raise MissingGraphError("this graph is held in memory: give write_atlas an out_dir")
        return write_all(out_dir or self.folder, files)

    def write_gaps(self, report: GapReport, out_dir: Path | None = None) -> list[Path]:
        """gaps.md/json and citations.md/json of ``report`` written into ``out_dir`` (default: the build's folder;
        a build held in memory has none: give ``out_dir``)."""
        if out_dir is None and self.graph_file is None:
            raise MissingGraphError("this graph is held in memory: give write_gaps an out_dir")
        return write_all(out_dir or self.folder, report_files(report))

    def store(self) -> pyoxigraph.Store:
        """The graph in the on-disk Oxigraph store, opened read-only (loaded once per version of the file)."""
        return open_store(self.written_graph, self.cache_dir)

    def stats(self) -> dict[str, Any]:
        """Triples, nodes per type and edges per relation."""
        return store_stats(self.store())

    def query(self, query: str, engine: str = "oxigraph", bindings: dict[str, str] | None = None,
              allow_service: bool = False) -> QueryResult:
        """A SELECT query (cookbook name, ``.rq`` file or text) over the graph."""
        return run_query(self.written_graph, query, engine, bindings, allow_service, self.cache_dir)

    def to_rdf(self, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
        """The graph as RDF (an rdflib ``Graph``); in memory, the gap findings included (read back, graph.ttl
        holds them already)."""
        return to_rdf(self.model, base_iri, rdf_findings(self.gap_report or GapReport()))

    def to_pyvis(self, top_external: int | None = DEFAULT_TOP_EXTERNAL, title: str | None = None) -> Any:
        """The graph the page draws as a ``pyvis.network.Network`` (nodes, positions, styles, edges, options) with
        pa-graph's offline template: ``generate_html()`` is :meth:`to_html`, ``show()`` works in Jupyter."""
        return pyvis_network(self.model, top_external, self.suggestions(), self.audit_flags(), title or self.title())

    def to_html(self, title: str | None = None, top_external: int | None = DEFAULT_TOP_EXTERNAL) -> str:
        """The interactive page (one self-contained HTML string), missing-paper suggestions ringed."""
        page: str = self.to_pyvis(top_external, title).generate_html()
        return page

    def view(self, category: str | None = None, ego: str | None = None, min_citers: int = 1,
             top_external: int | None = DEFAULT_TOP_EXTERNAL) -> tuple[str, nx.MultiDiGraph[str]]:
        """A focused page (one section, or one work and its neighbours) and the part of the model it shows."""
        model = select_view(self.model, category=category, ego=ego, min_citers=min_citers)
        title = self.title() + (f": {category}" if category else "") + (f": around {ego}" if ego else "")
        return render_html(model, title, top_external, self.suggestions(), self.audit_flags(model)), model

    def write_view(self, out_file: str | Path = DEFAULT_VIEW, category: str | None = None, ego: str | None = None,
                   min_citers: int = 1, top_external: int | None = DEFAULT_TOP_EXTERNAL) -> nx.MultiDiGraph[str]:
        """:meth:`view` written to ``out_file`` atomically; returns the model it shows."""
        out_file = Path(out_file)
        page, model = self.view(category, ego, min_citers, top_external)
        write_all(out_file.parent, {out_file.name: page})
        return model

    def files(self, base_iri: str = DEFAULT_BASE_IRI, formats: Sequence[str] = (), cache_dir: Path | None = None,
              core_min: int = DEFAULT_CORE_MIN) -> tuple[dict[str, str], Triples]:
        """Every output file of a build, rendered (name → text), and the triples they were rendered from;
        ``build.json`` names ``cache_dir``, where the build left its SPARQL store; a build of two lists or more
        adds the atlas (its core: works in ``core_min`` lists or more)."""
        assembled = self._in_memory("render its files")
        unknown = [name for name in formats if name not in FORMATS]
        if unknown:
            raise InvalidFormatError(f"unknown export format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
        gap_report = assembled.gap_report or GapReport()
        self.model.graph["core_min"] = core_min  # the map's "core" is the atlas's
        findings = rdf_findings(gap_report)
        rdf = to_triples(self.model, base_iri, findings)
        built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        files = {FORMATS[name].file: render_format(name, self.model, rdf, base_iri, findings)
                 for name in dict.fromkeys(("ttl", *formats))}  # graph.ttl always: other commands read it
        files.update({
            "graph.json": json.dumps(nx.node_link_data(self.model, edges="edges"), ensure_ascii=False,
                                     separators=(",", ":")) + "\n",
            "graph.html": self.to_html(),
            "audit.md": render_audit_markdown(assembled.audit, self._repository_paths()),
            "audit.json": render_audit_json(assembled.audit),
            **report_files(gap_report),
            **atlas_files(self.model, core_min),
            "build.json": json.dumps(build_record(assembled, base_iri, built_at, graph_stats(rdf), cache_dir),
                                     ensure_ascii=False, indent=2) + "\n",
        })
        description = describe_dataset(self.model, len(rdf), base_iri, __version__, built_at, sorted(files))
        files["dataset.ttl"] = to_turtle(description)
        return files, rdf

    def write(self, out_dir: str | Path, formats: Sequence[str] = (), base_iri: str = DEFAULT_BASE_IRI) -> list[Path]:
        """Write the files a build writes into ``out_dir`` (each atomically, after all are rendered)."""
        files, _ = self.files(base_iri, formats)
        return replace_folder(Path(out_dir), files)

    def plan_apply(self, report: GapReport, list_file: str | Path, only: Sequence[str] = ()) -> ApplyPlan:
        """What writing the suggestions (those ``only`` names, else all shown) into ``list_file`` would change."""
        chosen = chosen_for_apply(report, self.model, only)
        if not chosen:
            raise ApplyError(f"{' '.join(only)}: names none of the {len(report.suggestions)} suggestions or works in "
                             "other lists" if only else "there are no suggestions to apply")
        return plan_apply(list_file, chosen, bundled_list())

    @staticmethod
    def apply(plan: ApplyPlan) -> None:
        """Write a plan of :meth:`plan_apply` (only if the list still holds the bytes planned on)."""
        write_apply(plan)

    def _repository_paths(self) -> dict[str, str]:
        """Each list file's path in its Git repository (the bundled list and lists read by URL keep their names)."""
        bundled = bundled_list().resolve()
        return {parsed.name: path_in_repository(parsed.path) for parsed in self.lists
                if not parsed.url and parsed.path.resolve() != bundled}

    def _in_memory(self, what: str) -> Assembled:
        if self._assembled is None:
            raise MissingGraphError(f"{self.graph_file}: a build read back from its folder cannot {what}; build again")
        return self._assembled

    def _beside(self, name: str) -> object:
        """A JSON file beside the graph, ``None`` when it is missing or unreadable, or the build is in memory (a view
        without audit flags is still a view)."""
        if self.graph_file is None:
            return None
        try:
            return loads_bounded(self.graph_file.with_name(name).read_bytes())
        except (OSError, ValueError):
            return None


@dataclass(frozen=True, kw_only=True)
class Assembled:
    """What one run of the pipeline made: the lists, their works, the model, the audit, what the sources added and
    the gap report (``None``: no citations in the graph)."""

    lists: list[ParsedList]
    works: list[Work]
    model: nx.MultiDiGraph[str]
    audit: AuditReport
    enrichment: Enrichment | None = None
    gap_report: GapReport | None = None


def build_record(assembled: Assembled, base_iri: str, built_at: str, stats: dict[str, Any],
                 cache_dir: Path | None) -> dict[str, Any]:
    """``build.json``: everything that changes between runs, kept out of the byte-stable graph."""
    return {
        "tool": "pa-graph",
        "version": __version__,
        "built_at": built_at,
        "lists": [{"file": str(p.path), "name": p.name, "sha256": p.sha256, "rows": len(p.rows),
                   **({"url": p.url, "fetched_at": p.fetched_at} if p.url else _commit_of(p.path)),
                   "list_items": sum(row.from_list_item for row in p.rows), "skipped": p.skipped_counts(),
                   "problems": len(p.malformed)} for p in assembled.lists],
        "base_iri": base_iri,
        "enrichment": _enrichment_record(assembled.enrichment),
        "stats": stats,
        "audit": assembled.audit.counts(),
        **({"cache_dir": str(cache_dir.resolve())} if cache_dir else {}),
    }


def _commit_of(path: Path) -> dict[str, str]:
    """``{"commit": HEAD}`` of the Git work tree a list file is in (what a site says it was built from); nothing
    for a file outside one, or for the bundled list."""
    if path.resolve() == bundled_list().resolve():
        return {}
    try:
        return {"commit": commit_of("HEAD", path.resolve().parent, str(path))}
    except (ListInputError, OSError):
        return {}


def _enrichment_record(enrichment: Enrichment | None) -> dict[str, Any]:
    if enrichment is None:
        return {"mode": "none", "note": "built without enrichment: the lists alone, no data from any source"}
    return {
        "mode": enrichment.mode,
        "source": " / ".join(SOURCES[name].credit for name in enrichment.source.split("+") if name in SOURCES),
        "api_url": enrichment.api_url,
        "requests": enrichment.requests,
        "calls": enrichment.calls,
        "resolved": len(enrichment.resolved),
        "unresolved": len(enrichment.unresolved),
        "not_in_cache": len(enrichment.not_cached),
        "works_not_in_the_lists": len(enrichment.externals),
        "citations": len(enrichment.citations),
        "warnings": enrichment.warnings,
    }
