"""One session, one owner: the settings of a piece of work (cache folder, offline, refresh), the one response cache,
the fetcher of lists given by URL and the sources all come from a :class:`Session`, so every part of a run reads
and writes the same folder and follows the same offline rule. Every command of the CLI turns its flags into one
session and calls one of its methods; ``pa_graph.build``, ``assemble``, ``audit_lists``, ``open_build``,
``s2_session`` and ``source_session`` are calls on a session made for them."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from pa_graph.analysis.atlas import DEFAULT_CORE_MIN, Atlas, warm_up
from pa_graph.analysis.audit import (
    MAX_ALLOW_FILE_BYTES,
    AllowList,
    AuditReport,
    Baseline,
    allow_list,
    no_allow_file,
    read_allow_file,
)
from pa_graph.analysis.gaps import GapOptions
from pa_graph.analysis.stats import graph_stats
from pa_graph.build_folder import DEFAULT_OUT, Build, locate_graph
from pa_graph.errors import AllowFileError, InvalidFormatError
from pa_graph.export.formats import FORMATS
from pa_graph.export.store import open_store
from pa_graph.export.validate import validate_graph
from pa_graph.lists.diff import changed_lines
from pa_graph.lists.fetch import ListFetcher
from pa_graph.lists.load import load_lists
from pa_graph.options import DEFAULT_SOURCE, SourceChoice
from pa_graph.outputs import replace_folder
from pa_graph.pipeline import (
    AuditRun,
    BuildOptions,
    BuildResult,
    KnowledgeGraph,
    assemble_lists,
    file_at,
    gap_inputs,
    version_at,
)
from pa_graph.records import ParsedList, Progress
from pa_graph.settings import Settings
from pa_graph.sources.common import EnrichOptions
from pa_graph.sources.driver import Sources, open_sources
from pa_graph.sources.openalex import OpenAlexClient, OpenAlexSettings
from pa_graph.sources.registry import calls_text as source_calls
from pa_graph.sources.registry import labels as source_labels
from pa_graph.sources.registry import plan as source_plan
from pa_graph.sources.response_cache import ResponseCache
from pa_graph.sources.s2 import S2Client, S2Settings
from pa_graph.sources.service import ServiceSettings
from pa_graph.text import checked_iri

if TYPE_CHECKING:  # what the command line uses from the library, loaded on first use (see __getattr__ below)
    import pa_graph.analysis.audit
    import pa_graph.analysis.gaps.report
    import pa_graph.lists.diff
    import pa_graph.serve
    from pa_graph.analysis.audit import AuditReport as AuditReport
    from pa_graph.analysis.audit import github_annotations as github_annotations
    from pa_graph.analysis.audit import github_summary as github_summary
    from pa_graph.analysis.audit import verdict_line as verdict_line
    from pa_graph.analysis.gaps.report import how_many_lists as how_many_lists
    from pa_graph.export.sparql import bind as bind
    from pa_graph.export.sparql import cookbook as cookbook
    from pa_graph.export.sparql import cookbook_needs as cookbook_needs
    from pa_graph.export.sparql import format_result as format_result
    from pa_graph.export.sparql import load_query as load_query
    from pa_graph.export.sparql import with_prefixes as with_prefixes
    from pa_graph.export.store import load_graph as load_graph
    from pa_graph.export.triplestore import Credentials as Credentials
    from pa_graph.export.triplestore import push_graph_store as push_graph_store
    from pa_graph.export.triplestore import push_update as push_update
    from pa_graph.export.triplestore import remote_query as remote_query
    from pa_graph.export.validate import ValidationReport as ValidationReport
    from pa_graph.lists.diff import ListDiff
    from pa_graph.lists.diff import path_in_repository as path_in_repository
    from pa_graph.lists.fetch import is_remote as is_remote
    from pa_graph.lists.history import Version
    from pa_graph.lists.read import list_summary as list_summary
    from pa_graph.lists.write import fix_list_files as fix_list_files
    from pa_graph.model import nodes_of_kind as nodes_of_kind
    from pa_graph.outputs import write_atomic as write_atomic
    from pa_graph.records import Enrichment as Enrichment
    from pa_graph.serve import run_until_stopped as run_until_stopped
    from pa_graph.serve import stop_signals as stop_signals
    from pa_graph.text import counted as counted
    from pa_graph.text import inert as inert

    render_audit_json = pa_graph.analysis.audit.render_json
    render_audit_text = pa_graph.analysis.audit.render_text
    render_gaps_text = pa_graph.analysis.gaps.report.render_text
    render_diff_json = pa_graph.lists.diff.render_json
    render_diff_markdown = pa_graph.lists.diff.render_markdown
    serve_build = pa_graph.serve.serve

#: The library as the command line sees it — name → (module, name there). The command line imports the session
#: alone; each of these loads when a command first asks for it, so a command loads only what it runs.
_FOR_THE_COMMAND_LINE = {
    "AuditReport": ("pa_graph.analysis.audit", "AuditReport"),
    "github_annotations": ("pa_graph.analysis.audit", "github_annotations"),
    "github_summary": ("pa_graph.analysis.audit", "github_summary"),
    "render_audit_json": ("pa_graph.analysis.audit", "render_json"),
    "render_audit_text": ("pa_graph.analysis.audit", "render_text"),
    "verdict_line": ("pa_graph.analysis.audit", "verdict_line"),
    "how_many_lists": ("pa_graph.analysis.gaps.report", "how_many_lists"),
    "render_gaps_text": ("pa_graph.analysis.gaps.report", "render_text"),
    "bind": ("pa_graph.export.sparql", "bind"),
    "cookbook": ("pa_graph.export.sparql", "cookbook"),
    "cookbook_needs": ("pa_graph.export.sparql", "cookbook_needs"),
    "format_result": ("pa_graph.export.sparql", "format_result"),
    "load_query": ("pa_graph.export.sparql", "load_query"),
    "with_prefixes": ("pa_graph.export.sparql", "with_prefixes"),
    "load_graph": ("pa_graph.export.store", "load_graph"),
    "Credentials": ("pa_graph.export.triplestore", "Credentials"),
    "push_graph_store": ("pa_graph.export.triplestore", "push_graph_store"),
    "push_update": ("pa_graph.export.triplestore", "push_update"),
    "remote_query": ("pa_graph.export.triplestore", "remote_query"),
    "ValidationReport": ("pa_graph.export.validate", "ValidationReport"),
    "path_in_repository": ("pa_graph.lists.diff", "path_in_repository"),
    "render_diff_json": ("pa_graph.lists.diff", "render_json"),
    "render_diff_markdown": ("pa_graph.lists.diff", "render_markdown"),
    "is_remote": ("pa_graph.lists.fetch", "is_remote"),
    "list_summary": ("pa_graph.lists.read", "list_summary"),
    "fix_list_files": ("pa_graph.lists.write", "fix_list_files"),
    "nodes_of_kind": ("pa_graph.model", "nodes_of_kind"),
    "write_atomic": ("pa_graph.outputs", "write_atomic"),
    "Enrichment": ("pa_graph.records", "Enrichment"),
    "run_until_stopped": ("pa_graph.serve", "run_until_stopped"),
    "serve_build": ("pa_graph.serve", "serve"),
    "stop_signals": ("pa_graph.serve", "stop_signals"),
    "counted": ("pa_graph.text", "counted"),
    "inert": ("pa_graph.text", "inert"),
}


def __getattr__(name: str) -> object:
    if name in _FOR_THE_COMMAND_LINE:
        module, attribute = _FOR_THE_COMMAND_LINE[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'pa_graph.session' has no attribute {name!r}")

__all__ = ["source_plan", "source_labels", "source_calls", "BuildOptions", "GapOptions", "EnrichOptions", "ParsedList",
           "validate_graph", "locate_graph", "Session", "build", "assemble", "audit_lists", "open_build",
           "s2_session", "source_session", "AuditReport", "github_annotations", "github_summary",
           "render_audit_json", "render_audit_text", "verdict_line", "how_many_lists", "render_gaps_text", "bind",
           "cookbook", "cookbook_needs", "format_result", "load_query", "with_prefixes", "load_graph", "Credentials",
           "push_graph_store", "push_update", "remote_query", "ValidationReport", "path_in_repository",
           "render_diff_json", "render_diff_markdown", "is_remote", "list_summary", "fix_list_files",
           "nodes_of_kind", "write_atomic", "Enrichment", "run_until_stopped", "serve_build", "stop_signals",
           "counted", "inert"]


class Session:
    """The settings of one piece of work and everything made from them, each made once, on first use: the
    response cache (``read_only`` offline), the list fetcher, the sources. Close it (or use it in a ``with``
    block) to close the clients and the cache.

    >>> with Session("/tmp/pa-graph-doc-cache", offline=True) as session:
    ...     session.settings.offline, session.fetcher.offline
    (True, True)
    """

    def __init__(self, cache_dir: str | Path | None = None, *, offline: bool = False, refresh: bool = False,
                 s2: S2Settings | None = None, openalex: OpenAlexSettings | None = None,
                 services: Mapping[str, ServiceSettings] | None = None, rate: float | None = None) -> None:
        self.settings = Settings.resolve(cache_dir, offline, refresh)
        self._rate = rate
        given = {"s2": s2, "openalex": openalex, **(services or {})}
        self._services = {name: settings for name, settings in given.items() if settings is not None}
        self._opened: list[Sources | S2Client] = []

    @classmethod
    def for_build(cls, options: BuildOptions) -> Session:
        return cls(options.cache_dir, offline=options.offline, refresh=options.refresh, s2=options.s2,
                   openalex=options.openalex, services=options.services, rate=options.rate)

    @cached_property
    def cache(self) -> ResponseCache:
        """The one response cache of the session (made on first use: a command that never fetches writes nothing)."""
        return ResponseCache(self.settings.cache_dir, read_only=self.settings.offline)

    @cached_property
    def fetcher(self) -> ListFetcher:
        """Lists given by URL or ``github:``, through the session's cache and offline rule."""
        return ListFetcher(self.cache, offline=self.settings.offline)

    def has_cache(self) -> bool:
        return (self.settings.cache_dir / ResponseCache.FILE_NAME).is_file()

    def sources(self, choice: SourceChoice = DEFAULT_SOURCE) -> Sources:
        """The sources ``choice`` names (see :mod:`pa_graph.sources.registry`) on the session's cache, each opened
        on first use and closed with the session."""
        source_plan(choice)  # an unknown name fails before the cache is opened
        opened = open_sources(choice, self.cache, self.settings.offline, self.settings.refresh, self._services,
                              self._rate)
        self._opened.append(opened)
        return opened

    def s2(self, api_key: str | None = None, api_url: str | None = None, rate: float | None = None) -> S2Client:
        """A Semantic Scholar client on the session's cache; settings not given come from the environment."""
        given = self._services.get("s2")
        settings = (given if isinstance(given, S2Settings) else S2Settings.from_environment()).overridden(
            {"api_key": api_key, "api_url": api_url, "rate": rate})
        client = S2Client(settings, self.cache, offline=self.settings.offline, refresh=self.settings.refresh)
        self._opened.append(client)
        return client

    def lists(self, paths: Sequence[str | Path] = (), empty_ok: bool = False) -> list[ParsedList]:
        """The lists (the bundled one when none is given); those given by URL through :attr:`fetcher`."""
        return load_lists(paths, self.fetcher, empty_ok)

    def assemble(self, paths: Sequence[str | Path] = (), client: S2Client | OpenAlexClient | Sources | None = None,
                 source: SourceChoice | None = None, extras: EnrichOptions = EnrichOptions(),
                 progress: Progress | None = None, gaps: GapOptions = GapOptions()) -> KnowledgeGraph:
        """See :func:`assemble`."""
        if source is not None:
            source_plan(source)
        parsed = self.lists(paths)
        inputs = gap_inputs(parsed, gaps, self.fetcher)
        if client is None and source is not None:
            client = self.sources(source)
        return assemble_lists(parsed, client, extras, progress, *inputs, fetcher=self.fetcher)

    def build(self, paths: Sequence[str | Path] = (), options: BuildOptions = BuildOptions(),
              progress: Progress | None = None) -> BuildResult:
        """Run the pipeline and write every output into ``options.out_dir``; all are rendered before the first is
        written, and the SPARQL store the reading commands open is loaded into the session's cache folder."""
        unknown = [name for name in options.formats if name not in FORMATS]
        if unknown:  # before any request
            raise InvalidFormatError(f"unknown export format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
        checked_iri(options.base_iri, "base_iri")
        lists = self.lists(paths)  # unusable input fails before any request to a source
        if len(lists) >= 2:
            warm_up()  # the atlas's charts: their renderer starts while the graph is made
        inputs = gap_inputs(lists, options.gaps, self.fetcher)
        sources = self.sources(options.source) if options.enrich else None
        graph = assemble_lists(lists, sources, options.extras, progress, *inputs, fetcher=self.fetcher)
        files, rdf = graph.files(options.base_iri, options.formats, self.settings.cache_dir, options.core_min)
        validation = validate_graph(rdf.graph()) if options.validate else None
        written = replace_folder(Path(options.out_dir), files)
        open_store(Path(options.out_dir) / "graph.ttl", self.settings.cache_dir)  # loaded now, not by the first query
        return BuildResult(graph, rdf=rdf, stats=graph_stats(rdf), written=written, validation=validation)

    def open(self, out: str | Path = DEFAULT_OUT) -> Build:
        """The build in folder ``out`` (or the build a graph file belongs to). Its SPARQL store lives in the
        session's cache folder — or, when no folder was chosen, in the one the build itself used."""
        build = Build.open(out, self.settings.cache_dir if self.settings.chosen else None, self.fetcher)
        return build if build.cache_dir else Build(build.written_graph, self.settings.cache_dir, self.fetcher)

    def audit(self, paths: Sequence[str | Path] = (), since: str | None = None,
              source: SourceChoice = DEFAULT_SOURCE) -> AuditRun:
        """See :func:`audit_lists`."""
        source_plan(source)
        lists = self.lists(paths, empty_ok=True)
        report = self._audited(lists, source)
        if since is None:
            return AuditRun(lists, report)
        earlier: list[ParsedList] = []
        changed: dict[str, frozenset[int] | None] = {}
        for parsed in lists:
            if parsed.url:
                continue  # a list given by URL is not part of the change
            version = version_at(parsed.path, since)
            # lines Git can compare: the ones the change added or modified; else (no version at the base, one that
            # cannot be read, lines ended by CR alone, which Git counts as one line) the whole file is new
            changed[parsed.name] = None
            if version is not None:
                earlier.append(version[0])
                base, head = version[1], parsed.path.read_bytes()
                if base is not None and (b"\n" in head or b"\r" not in head):
                    changed[parsed.name] = changed_lines(base, parsed.path)
        return AuditRun(lists, report, Baseline.of(since, self._audited(earlier, source), changed))

    def diff(self, old: str, new: str, old_gaps: Path | None = None, new_gaps: Path | None = None) -> ListDiff:
        """What changed between two versions of a list (files, URLs through the session's fetcher, or
        ``git:REF[:PATH]``); with both builds' gaps.json, which suggestions the change resolved."""
        from pa_graph.lists import diff as list_diff

        before, after = (list_diff.read_side(old, new, fetcher=self.fetcher),
                         list_diff.read_side(new, old, fetcher=self.fetcher))
        result = list_diff.diff_lists([before], [after], old, new)
        if old_gaps and new_gaps:
            result.gaps = list_diff.gap_changes(list_diff.read_gaps_json(old_gaps),
                                                list_diff.read_gaps_json(new_gaps), result)
        return result

    @staticmethod
    def history(list_file: Path, since: str | None = None, out_dir: Path | None = None,
                progress: Progress | None = None) -> list[Version]:
        """The list over its commits (works per section, additions per month); written as history.json and
        history.html into ``out_dir`` when given."""
        from pa_graph.lists import history as list_history

        versions = list_history.history(list_file, since, progress=progress)
        if out_dir is not None:
            list_history.write_history(versions, out_dir, list_file.name)
        return versions

    def atlas(self, out: str | Path, core_min: int | None = None) -> tuple[Atlas, list[Path]]:
        """The atlas of the build in ``out`` (of two lists or more) and its files, written beside it; the core at
        ``core_min`` lists, else at the build's own (``--core-min``, kept in graph.json)."""
        build = self.open(out)
        chosen = core_min if core_min is not None else int(build.model.graph.get("core_min", DEFAULT_CORE_MIN))
        written = build.write_atlas(chosen)
        return build.atlas(chosen), written

    def site(self, out: str | Path, to: Path, sparql_wasm: Path | None = None) -> list[Path]:
        """The build in ``out`` as a static website in ``to`` (see :mod:`pa_graph.site`)."""
        from pa_graph.site import build_site

        return build_site(self.open(out), to, sparql_wasm)

    @staticmethod
    def allow_list(path: Path | None, since: str | None = None) -> AllowList:
        """The allow file; with ``since``, as that commit has it — a change cannot accept its own findings (its
        edits to the allow file count once they are merged)."""
        if path is None:
            return AllowList()
        if since is None:
            return read_allow_file(path)
        data = file_at(path, since, follow=False)
        if data is None:
            return no_allow_file(f"{path} at {since}")
        try:
            accepted = allow_list(data[:MAX_ALLOW_FILE_BYTES + 1], f"{path} at {since}")
        except AllowFileError as err:  # the change that mends it must be able to pass
            return AllowList(notes=(f"{err}; no finding is accepted",))
        if path.is_file() and path.read_bytes() != data:
            accepted = replace(accepted, notes=(*accepted.notes, f"{path}: read as {since} has it; this change's "
                                                "edits to it count once merged"))
        return accepted

    def _audited(self, lists: list[ParsedList], source: SourceChoice) -> AuditReport:
        if not lists:
            return AuditReport((), ())
        return assemble_lists(lists, self.sources(source) if self.has_cache() else None).audit

    def close(self) -> None:
        for opened in self._opened:
            opened.close()
        self._opened.clear()
        if "cache" in self.__dict__:
            self.__dict__.pop("cache").close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def build(paths: Sequence[str | Path] = (), options: BuildOptions = BuildOptions(),
          progress: Progress | None = None) -> BuildResult:
    """Run the pipeline and write every output (:meth:`Session.build` on a session of ``options``)."""
    with Session.for_build(options) as session:
        return session.build(paths, options, progress)


def assemble(lists: Sequence[str | Path] = (), client: S2Client | OpenAlexClient | Sources | None = None,
             source: SourceChoice | None = None, offline: bool = False, extras: EnrichOptions = EnrichOptions(),
             progress: Progress | None = None, gaps: GapOptions = GapOptions(),
             cache_dir: str | Path | None = None) -> KnowledgeGraph:
    """Parse, resolve, (enrich,) model, audit and analyse the lists without writing anything (for notebooks and
    tests). Without a ``client`` or ``source`` the graph holds the lists alone (no network, no cache);
    ``source="s2"``, ``"openalex"``, ``"arxiv"``, ``"both"`` or names joined by ``+`` opens those sources for the
    call (``offline`` = the cache only).
    """
    with Session(cache_dir, offline=offline) as session:
        return session.assemble(lists, client, source, extras, progress, gaps)


def audit_lists(paths: Sequence[str | Path] = (), cache_dir: str | Path | None = None,
                since: str | None = None, source: SourceChoice = DEFAULT_SOURCE) -> AuditRun:
    """The lists and their audit, never touching the network: links are verified with the answers the cache holds
    (none when there is no cache yet). A list with no paper rows is a finding, not an error. ``since`` (a Git ref,
    a pull request's base): the lists as that commit has them form the baseline, and the lines the change added or
    modified are where its findings are told — what a change did not introduce does not fail, the way linters check
    only what a diff added. ``source``: whose cached answers verify the links (the ``--source`` of the build)."""
    with Session(cache_dir, offline=True) as session:
        return session.audit(paths, since, source)


def open_build(out: str | Path = DEFAULT_OUT, cache_dir: str | Path | None = None) -> Build:
    """The build in folder ``out`` — or the build a graph file belongs to (``graph.ttl``, or any RDF file, with the
    ``graph.json``, ``audit.json``, ``gaps.json`` and ``build.json`` beside it when they are there). Nothing is read
    until it is asked for."""
    return Session(cache_dir).open(out)


@contextmanager
def s2_session(offline: bool = False, cache_dir: str | Path | None = None, api_key: str | None = None,
               api_url: str | None = None, rate: float | None = None, refresh: bool = False) -> Iterator[S2Client]:
    """A Semantic Scholar client that owns its cache and closes both when the ``with`` block ends. Settings not
    given come from the environment as the CLI reads them (``S2_API_KEY``, ``S2_API_URL``, ``PA_GRAPH_CACHE_DIR``).
    """
    with Session(cache_dir, offline=offline, refresh=refresh) as session:
        yield session.s2(api_key, api_url, rate)


@contextmanager
def source_session(source: SourceChoice = "s2", offline: bool = False, cache_dir: str | Path | None = None,
                   refresh: bool = False) -> Iterator[Sources]:
    """The sources ``source`` names (``s2`` with its OpenAlex fallback, ``openalex``, ``arxiv``, ``both``, names
    joined by ``+``) on one cache, closed when the ``with`` block ends; settings come from the environment as the
    CLI reads them."""
    with Session(cache_dir, offline=offline, refresh=refresh) as session:
        yield session.sources(source)


