"""The whole pipeline in one call: lists → works → (enrichment from Semantic Scholar and/or OpenAlex) → model →
audit, gaps and exports, written atomically."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph

from pa_graph.analysis.audit import (
    AllowList,
    AuditReport,
    Baseline,
    Verdict,
    audit,
    flags_by_work,
    judge,
    render_json,
    render_markdown,
)
from pa_graph.analysis.gaps import GapOptions, GapReport, IgnoreList, analyse, has_citations, read_ignore_file
from pa_graph.analysis.gaps.ignore import ignore_file_beside
from pa_graph.analysis.gaps.report import rdf_findings, report_files, view_suggestions
from pa_graph.analysis.stats import graph_stats
from pa_graph.errors import InvalidFormatError, ListInputError, NoPapersError
from pa_graph.export.formats import FORMATS, render_format
from pa_graph.export.html import pyvis_network
from pa_graph.export.rdf import DEFAULT_BASE_IRI, Triples, describe_dataset, to_rdf, to_triples, to_turtle
from pa_graph.export.validate import ValidationReport
from pa_graph.lists.diff import commit_of, git, path_in_repository, repository_top
from pa_graph.lists.fetch import ListFetcher
from pa_graph.lists.load import bundled_list, load_lists, read_any, read_peer, without_papers
from pa_graph.lists.read import MAX_LIST_BYTES, parse_list_data
from pa_graph.model import add_enrichment, build_model
from pa_graph.options import DEFAULT_SOURCE, DEFAULT_TOP_EXTERNAL, SourceChoice
from pa_graph.outputs import replace_folder
from pa_graph.records import Enrichment, ParsedList, Work
from pa_graph.resolve import resolve_works
from pa_graph.sources.common import EnrichOptions, Progress
from pa_graph.sources.driver import Sources, enrich_from
from pa_graph.sources.openalex import OpenAlexSettings
from pa_graph.sources.registry import SOURCES
from pa_graph.sources.s2 import S2Settings
from pa_graph.sources.service import ServiceClient, ServiceSettings
from pa_graph.version import __version__

__all__ = ["BuildOptions", "GapOptions", "KnowledgeGraph", "BuildResult", "bundled_list", "load_lists", "read_any",
           "read_peer", "assemble_lists", "gap_inputs", "version_at", "file_at", "AuditRun", "EnrichOptions"]


@dataclass(frozen=True)
class BuildOptions:
    """What a build does beyond reading the lists. ``source``: ``s2``, ``openalex`` or ``both``; settings left
    ``None`` are read from the environment at build time (``S2_API_KEY``, ``S2_API_URL``, ``OPENALEX_…``)."""

    out_dir: Path = Path("outputs")
    base_iri: str = DEFAULT_BASE_IRI
    enrich: bool = True
    offline: bool = False
    refresh: bool = False
    cache_dir: Path | None = None
    source: SourceChoice = DEFAULT_SOURCE
    s2: S2Settings | None = None
    openalex: OpenAlexSettings | None = None
    services: Mapping[str, ServiceSettings] = field(default_factory=dict)  # any source's settings, by name
    rate: float | None = None  # requests per second to every source, over each one's default
    extras: EnrichOptions = EnrichOptions()
    formats: tuple[str, ...] = ()  # more than graph.ttl: see pa_graph.export.formats.FORMATS
    validate: bool = False
    gaps: GapOptions = GapOptions()


@dataclass(frozen=True)
class KnowledgeGraph:
    """The in-memory result of the pipeline: the lists, their works, the networkx model (the single source of
    truth), the audit and — when the graph has citations — the gap report. Its methods render it; nothing is
    written until :meth:`write`."""

    lists: list[ParsedList]
    works: list[Work]
    model: nx.MultiDiGraph[str]
    audit: AuditReport
    enrichment: Enrichment | None = None
    gap_report: GapReport | None = None  # None: no citations in the graph
    fetcher: ListFetcher | None = field(default=None, repr=False, compare=False)  # the session's, for lists by URL

    def gaps(self, top: int | None = None, min_citers: int | None = None, peers: Sequence[str | Path] = (),
             ignore: str | Path | None = None, compare: Sequence[str | Path] = (), evaluate: bool = False,
             min_lists: int | None = None) -> GapReport:
        """The gap report: the one the graph was assembled with, or a new analysis with other options (peer
        lists, an ignore file, lists to compare with, the evaluation)."""
        if top is None and min_citers is None and min_lists is None and not (peers or ignore or compare or evaluate) \
                and self.gap_report:
            return self.gap_report
        base = self.gap_report or GapReport()
        return analyse(self.model, min_citers or base.min_citers, top or base.top,
                       compare=[read_any(given, self.fetcher) for given in compare] or None, evaluate=evaluate,
                       peers=[read_peer(given, self.fetcher) for given in peers],
                       ignore=read_ignore_file(ignore) if ignore else None,
                       min_lists=min_lists)

    def to_rdf(self, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
        """The graph as RDF (an rdflib ``Graph``), gap findings included."""
        return to_rdf(self.model, base_iri, rdf_findings(self.gap_report or GapReport()))

    def to_html(self, title: str | None = None, top_external: int | None = DEFAULT_TOP_EXTERNAL) -> str:
        """The interactive page (one self-contained HTML string), missing-paper suggestions ringed."""
        page: str = self.to_pyvis(top_external, title).generate_html()
        return page

    def title(self) -> str:
        """The lists' titles (their first level-1 heading, else the file name), joined: the page's title."""
        return " + ".join(parsed.title or parsed.name for parsed in self.lists)

    def to_pyvis(self, top_external: int | None = DEFAULT_TOP_EXTERNAL, title: str | None = None) -> Any:
        """The graph the page draws as a ``pyvis.network.Network`` (nodes, positions, styles, edges, options) with
        pa-graph's offline template: ``generate_html()`` is :meth:`to_html`, ``show()`` works in Jupyter."""
        return pyvis_network(self.model, top_external, view_suggestions(self.gap_report or GapReport()),
                             self.audit_flags(), title or self.title())

    def audit_flags(self) -> dict[str, list[str]]:
        """Node → the audit's findings about that work, as the view shows them."""
        return flags_by_work(self.model, self.audit.findings)

    def files(self, base_iri: str = DEFAULT_BASE_IRI, formats: Sequence[str] = (),
              cache_dir: Path | None = None) -> tuple[dict[str, str], Triples]:
        """Every output file of a build, rendered (name → text), and the triples they were rendered from;
        ``build.json`` names ``cache_dir``, where the build left its SPARQL store."""
        unknown = [name for name in formats if name not in FORMATS]
        if unknown:
            raise InvalidFormatError(f"unknown export format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
        gap_report = self.gap_report or GapReport()
        findings = rdf_findings(gap_report)
        rdf = to_triples(self.model, base_iri, findings)
        built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        files = {FORMATS[name].file: render_format(name, self.model, rdf, base_iri, findings)
                 for name in dict.fromkeys(("ttl", *formats))}  # graph.ttl always: other commands read it
        files.update({
            "graph.json": json.dumps(nx.node_link_data(self.model, edges="edges"), ensure_ascii=False,
                                     separators=(",", ":")) + "\n",
            "graph.html": self.to_html(),
            "audit.md": render_markdown(self.audit, self._repository_paths()),
            "audit.json": render_json(self.audit),
            **report_files(gap_report),
            "build.json": json.dumps(self._record(base_iri, built_at, graph_stats(rdf), cache_dir),
                                     ensure_ascii=False, indent=2) + "\n",
        })
        description = describe_dataset(self.model, len(rdf), base_iri, __version__, built_at, sorted(files))
        files["dataset.ttl"] = to_turtle(description)
        return files, rdf

    def write(self, out_dir: str | Path, formats: Sequence[str] = (), base_iri: str = DEFAULT_BASE_IRI) -> list[Path]:
        """Write the files a build writes into ``out_dir`` (each atomically, after all are rendered)."""
        files, _ = self.files(base_iri, formats)
        return replace_folder(Path(out_dir), files)

    def _repository_paths(self) -> dict[str, str]:
        """Each list file's path in its Git repository (the bundled list and lists read by URL keep their names)."""
        bundled = bundled_list().resolve()
        return {parsed.name: path_in_repository(parsed.path) for parsed in self.lists
                if not parsed.url and parsed.path.resolve() != bundled}

    def _record(self, base_iri: str, built_at: str, stats: dict[str, Any], cache_dir: Path | None) -> dict[str, Any]:
        """``build.json``: everything that changes between runs, kept out of the byte-stable graph."""
        return {
            "tool": "pa-graph",
            "version": __version__,
            "built_at": built_at,
            "lists": [{"file": str(p.path), "name": p.name, "sha256": p.sha256, "rows": len(p.rows),
                       **({"url": p.url, "fetched_at": p.fetched_at} if p.url else {}),
                       "list_items": sum(row.from_list_item for row in p.rows), "skipped": p.skipped_counts(),
                       "problems": len(p.malformed)} for p in self.lists],
            "base_iri": base_iri,
            "enrichment": _enrichment_record(self.enrichment),
            "stats": stats,
            "audit": self.audit.counts(),
            **({"cache_dir": str(cache_dir.resolve())} if cache_dir else {}),
        }


@dataclass(frozen=True)
class BuildResult:
    graph: KnowledgeGraph
    rdf: Triples  # the build's triples; ``rdf.graph()`` is them as an rdflib Graph
    stats: dict[str, Any]
    written: list[Path] = field(default_factory=list)
    validation: ValidationReport | None = None


def gap_inputs(lists: Sequence[ParsedList], gaps: GapOptions,
               fetcher: ListFetcher) -> tuple[GapOptions, list[ParsedList], IgnoreList | None]:
    """Peer lists and the ignore file, read before any request so that bad input fails first."""
    peers = [read_peer(path, fetcher) for path in gaps.peers]
    ignore_file = gaps.ignore_file
    if ignore_file is None and lists and not lists[0].url and lists[0].path.parent != bundled_list().parent:
        ignore_file = ignore_file_beside(lists[0].path)
    return gaps, peers, read_ignore_file(ignore_file) if ignore_file else None


def assemble_lists(lists: list[ParsedList], client: ServiceClient | Sources | None = None,
                   extras: EnrichOptions = EnrichOptions(), progress: Progress | None = None,
                   gaps: GapOptions = GapOptions(), peers: Sequence[ParsedList] = (),
                   ignore: IgnoreList | None = None, fetcher: ListFetcher | None = None) -> KnowledgeGraph:
    """:func:`~pa_graph.session.assemble` for lists already parsed (and peer lists and the ignore file already
    read); ``fetcher`` reads the lists a later :meth:`KnowledgeGraph.gaps` is given by URL."""
    works = resolve_works(row for parsed in lists for row in parsed.rows)
    model = build_model(works, lists)
    enrichment = None
    if client is not None:
        sources = client if isinstance(client, Sources) else Sources.around(client)
        enrichment = enrich_from(works, sources, extras, progress)
        add_enrichment(model, enrichment)
    report = audit(lists, works, enrichment)
    gap_report = None
    if has_citations(model) or peers:
        gap_report = analyse(model, gaps.min_citers, gaps.top, peers=peers, ignore=ignore,
                             citations_limit=gaps.citations_limit, min_lists=gaps.min_lists)
    return KnowledgeGraph(lists, works, model, report, enrichment, gap_report, fetcher)


@dataclass(frozen=True)
class AuditRun:
    """An audit of lists: what was read, what was found, and (with ``since``) what the change is compared with."""

    lists: list[ParsedList]
    report: AuditReport
    baseline: Baseline | None = None

    def verdict(self, allow: AllowList | None = None) -> Verdict:
        """How a check stands on each finding (see :func:`pa_graph.analysis.audit.judge`)."""
        return judge(self.report, allow, self.baseline)


def file_at(path: Path, ref: str, follow: bool = True) -> bytes | None:
    """The bytes of file ``path`` as commit ``ref`` has them, or ``None`` when that commit has no such regular file.
    With ``follow`` (a list: what the change did to its path is the change's own business) the path is also looked
    up through a symbolic link the working tree has and back through a rename since ``ref``; without it (an allow
    file, which the change must not choose) only the path itself, as it was at ``ref``. A ref that names no commit
    is an error (:class:`~pa_graph.errors.ListInputError`)."""
    given = Path(os.path.abspath(path))
    commit = commit_of(ref, given.parent, str(path))
    top = repository_top(given.parent, str(path))
    try:
        names: list[str | None] = [given.relative_to(top).as_posix()]
        if follow:
            real = path.resolve().relative_to(top).as_posix()
            names = [real, *names, _renamed_from(commit, real, top)]
    except ValueError:
        return None  # outside the repository: no version at any commit
    for name in dict.fromkeys(name for name in names if name):
        listed = str(git(["ls-tree", "-z", commit, "--", name], top, f"git:{commit}:{name}"))
        if not listed.startswith(("100644 blob ", "100755 blob ")):
            continue  # none there, or a symbolic link (whose text is no list), or a folder
        data: bytes = git(["show", f"{commit}:{name}"], top, f"git:{commit}:{name}", binary=True)
        return data
    return None


def _renamed_from(commit: str, name: str, top: Path) -> str | None:
    """The path ``name`` had at ``commit``, when the change since renamed it (Git's rename detection)."""
    try:
        status = git(["diff", "--find-renames", "--name-status", "-z", commit, "--"], top, name)
    except ListInputError:
        return None
    parts: list[str] = str(status).split("\0")
    for position, part in enumerate(parts):
        if part.startswith("R") and position + 2 < len(parts) and parts[position + 2] == name:
            return parts[position + 1]
    return None


def version_at(path: Path, ref: str) -> tuple[ParsedList, bytes | None] | None:
    """The list file as commit ``ref`` has it, parsed, and its bytes when they are text Git numbers by lines as the
    reader does (``None`` for a version that cannot be read — binary, not UTF-8, over the size a list may have — or
    that ends its lines with CR alone: then the whole file counts as changed). ``None`` when that commit has no such
    file. A version that cannot be read is an empty one, so the change that mends it is judged on every line."""
    data = file_at(path, ref)
    if data is None:
        return None
    spec = f"git:{ref}:{path.name}"
    try:
        if len(data) > MAX_LIST_BYTES:
            raise ListInputError(f"{spec}: larger than {MAX_LIST_BYTES:,} bytes")
        parsed = parse_list_data(data, path.name, path, spec)
    except NoPapersError as err:
        parsed = without_papers(err)
    except ListInputError as err:
        parsed = without_papers(NoPapersError(f"{err} (read as a version with no papers)", path, path.name))
        data = None
    parsed.url = spec
    return parsed, data if data is not None and (b"\n" in data or b"\r" not in data) else None


def _enrichment_record(enrichment: Enrichment | None) -> dict[str, Any]:
    if enrichment is None:
        return {"mode": "none", "note": "built without enrichment: the lists alone, no Semantic Scholar or OpenAlex data"}
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
