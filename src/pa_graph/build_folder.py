"""A build folder read back: :func:`pa_graph.session.open_build` gives the graph, the store, the audit, the gap report, the build
record and the ignore file of a folder ``pa-graph build`` wrote. Every command that reads outputs (``view``,
``gaps``, ``query``, ``stats``, ``push``) goes through it, and so can a notebook."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph

from pa_graph.analysis.audit import AuditReport, findings_of_json, flags_by_work
from pa_graph.analysis.gaps import GapOptions, GapReport, Suggestion, analyse, read_ignore_file
from pa_graph.analysis.gaps.apply import chosen_for_apply
from pa_graph.analysis.gaps.ignore import ignore_file_beside
from pa_graph.analysis.gaps.report import report_files, suggestions_of_json
from pa_graph.analysis.stats import store_stats
from pa_graph.errors import ApplyError, MissingGraphError
from pa_graph.export.html import render_html, select_view
from pa_graph.export.sparql import QueryResult, run_query
from pa_graph.export.store import load_model, open_store
from pa_graph.lists.fetch import ListFetcher
from pa_graph.lists.load import bundled_list, load_lists, read_peer
from pa_graph.lists.write import ApplyPlan, plan_apply, write_apply
from pa_graph.options import DEFAULT_GRAPH, DEFAULT_OUT, DEFAULT_TOP_EXTERNAL, DEFAULT_VIEW
from pa_graph.outputs import write_all
from pa_graph.text import loads_bounded

__all__ = ["DEFAULT_OUT", "DEFAULT_GRAPH", "DEFAULT_VIEW", "Build", "GapRun", "locate_graph"]



def locate_graph(out: str | Path = DEFAULT_OUT) -> Path:
    """The graph file of the build in folder ``out``, or ``out`` itself when it is a graph file."""
    path = Path(out)
    graph_file = path / "graph.ttl" if path.is_dir() else path
    if not graph_file.is_file():
        raise MissingGraphError(f"{graph_file}: no such graph file")
    return graph_file


@dataclass(frozen=True)
class GapRun:
    """What a gap analysis of a build gave: the report, the ignore file it used, the files it wrote."""

    report: GapReport
    ignore_file: Path | None
    written: list[Path] = field(default_factory=list)

    @property
    def suggestions(self) -> list[Suggestion]:
        """The missing papers, ranked (as ``KnowledgeGraph.gaps().suggestions``)."""
        return self.report.suggestions


@dataclass
class Build:
    """One build's outputs, each read on first use (open one with :func:`pa_graph.session.open_build` or
    :meth:`pa_graph.session.Session.open`). ``cache_dir`` holds its SPARQL store; ``fetcher`` reads the peer lists
    and lists to compare that are given by URL."""

    graph_file: Path
    cache_dir: Path | None = None
    fetcher: ListFetcher | None = None

    @property
    def folder(self) -> Path:
        return self.graph_file.parent

    @cached_property
    def model(self) -> nx.MultiDiGraph[str]:
        """The networkx model (``graph.json``)."""
        return load_model(self.graph_file)

    def store(self) -> pyoxigraph.Store:
        """The graph in the on-disk Oxigraph store, opened read-only (loaded once per version of the file)."""
        return open_store(self.graph_file, self.cache_dir)

    def recorded_cache_dir(self) -> Path | None:
        """The cache folder the build used (``build.json``), when it is still there."""
        folder = (self.record or {}).get("cache_dir")
        return Path(folder) if isinstance(folder, str) and Path(folder).is_dir() else None

    @cached_property
    def record(self) -> dict[str, Any] | None:
        """``build.json``: when, with what, from which lists (``None`` when the folder has none)."""
        document = self._beside("build.json")
        return document if isinstance(document, dict) else None

    @cached_property
    def audit(self) -> AuditReport | None:
        """The build's audit (``audit.json``) — the same record :attr:`KnowledgeGraph.audit` is; ``None`` when the
        folder has none."""
        document = self._beside("audit.json")
        if not isinstance(document, dict):
            return None
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
    def gaps_document(self) -> dict[str, Any] | None:
        document = self._beside("gaps.json")
        return document if isinstance(document, dict) else None

    @property
    def lists(self) -> list[Path]:
        """The list files the build read, as its record names them (lists read by URL have no file)."""
        items = (self.record or {}).get("lists")
        files = [item.get("file") for item in items if isinstance(item, dict)] if isinstance(items, list) else []
        return [Path(file) for file in files if isinstance(file, str) and file]

    @property
    def ignore_file(self) -> Path | None:
        """``.pa-graph-ignore`` beside the first list the build read, when there is one."""
        return ignore_file_beside(self.lists[0]) if self.lists else None

    def audit_flags(self, model: nx.MultiDiGraph[str] | None = None) -> dict[str, list[str]]:
        """The audit's findings as flags on the works of ``model`` (default: the whole model)."""
        if self.audit is None:
            return {}
        return flags_by_work(self.model if model is None else model, self.audit.findings)

    def suggestions(self) -> dict[str, str]:
        """The missing-paper suggestions of ``gaps.json`` (node → note): the nodes the view rings."""
        return suggestions_of_json(self.gaps_document) if self.gaps_document is not None else {}

    def stats(self) -> dict[str, Any]:
        """Triples, nodes per type and edges per relation."""
        return store_stats(self.store())

    def query(self, query: str, engine: str = "oxigraph", bindings: dict[str, str] | None = None,
              allow_service: bool = False) -> QueryResult:
        """A SELECT query (cookbook name, ``.rq`` file or text) over the graph."""
        return run_query(self.graph_file, query, engine, bindings, allow_service, self.cache_dir)

    def title(self) -> str:
        """The lists' titles, joined: the page's title."""
        lists = self.model.graph.get("lists", [])
        return " + ".join(item.get("title") or item.get("name", "") for item in lists) or "pa-graph"

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

    def gaps(self, options: GapOptions = GapOptions(), compare: Sequence[str | Path] = (), evaluate: bool = False,
             beside: Path | None = None, out_dir: Path | None = None, write: bool = True) -> GapRun:
        """The gap analysis of the build with ``options``; the ignore file is ``options.ignore_file``, else the one
        beside ``beside`` (the list being changed), else the one beside the build's first list. Writes
        gaps.md/json and citations.md/json into ``out_dir`` (default: the build's folder) unless ``write`` is off."""
        if options.ignore_file is not None:
            ignore_file: Path | None = options.ignore_file
        else:
            ignore_file = ignore_file_beside(beside) if beside is not None else self.ignore_file
        report = analyse(self.model, options.min_citers, options.top,
                         compare=load_lists(compare, self.fetcher) if compare else None, evaluate=evaluate,
                         peers=[read_peer(path, self.fetcher) for path in options.peers],
                         ignore=read_ignore_file(ignore_file) if ignore_file else None,
                         citations_limit=options.citations_limit, min_lists=options.min_lists)
        written = write_all(out_dir or self.folder, report_files(report)) if write else []
        return GapRun(report, ignore_file, written)

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

    def _beside(self, name: str) -> object:
        """A JSON file beside the graph, ``None`` when it is missing or unreadable (a view without audit flags is
        still a view)."""
        try:
            return loads_bounded(self.graph_file.with_name(name).read_bytes())
        except (OSError, ValueError):
            return None
