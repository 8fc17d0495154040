"""The whole pipeline in one call: lists → works → (enrichment from the sources) → model → audit and gaps, held
in a :class:`~pa_graph.build_folder.Build`; and the audit's baseline, the lists as a Git commit has them."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field, replace
from pathlib import Path
from typing import Any

from pa_graph.analysis.atlas import DEFAULT_CORE_MIN
from pa_graph.analysis.audit import (
    AllowList,
    AuditReport,
    Baseline,
    Verdict,
    audit,
    judge,
)
from pa_graph.analysis.gaps import GapOptions, IgnoreList, analyse, has_citations, read_ignore_file
from pa_graph.analysis.gaps.ignore import ignore_file_beside
from pa_graph.build_folder import Assembled, Build
from pa_graph.errors import ListInputError, NoPapersError
from pa_graph.export.rdf import DEFAULT_BASE_IRI, Triples
from pa_graph.export.validate import ValidationReport
from pa_graph.lists.diff import commit_of, git, repository_top
from pa_graph.lists.fetch import ListFetcher
from pa_graph.lists.load import bundled_list, load_lists, read_any, read_peer, without_papers
from pa_graph.lists.read import MAX_LIST_BYTES, parse_list_data
from pa_graph.model import add_enrichment, build_model
from pa_graph.options import DEFAULT_SOURCE, SourceChoice
from pa_graph.records import ParsedList
from pa_graph.resolve import resolve_works
from pa_graph.sources.common import EnrichOptions, Progress
from pa_graph.sources.driver import Sources, enrich_from
from pa_graph.sources.openalex import OpenAlexSettings
from pa_graph.sources.s2 import S2Settings
from pa_graph.sources.service import ServiceClient, ServiceSettings

__all__ = ["BuildOptions", "GapOptions", "KnowledgeGraph", "BuildResult", "bundled_list", "load_lists", "read_any",
           "read_peer", "assemble_lists", "gap_inputs", "version_at", "file_at", "AuditRun", "EnrichOptions"]


@dataclass(frozen=True, kw_only=True)
class BuildOptions:
    """What a build does beyond reading the lists. ``source``: ``s2``, ``openalex``, ``both``, ``arxiv`` or names
    joined by ``+``; settings left ``None`` are read from the environment at build time (``S2_API_KEY``,
    ``S2_API_URL``, ``OPENALEX_…``, ``ARXIV_API_URL``)."""

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
    core_min: int = DEFAULT_CORE_MIN  # a build of several lists: the atlas's core is the works this many lists hold


#: The older name of :class:`~pa_graph.build_folder.Build`, what a build made (in memory or read back).
KnowledgeGraph = Build


@dataclass(frozen=True)
class BuildResult:
    graph: KnowledgeGraph
    _: KW_ONLY
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
        gap_report = analyse(model, gaps, peers=peers, ignore=ignore)
    return Build.of(Assembled(lists=lists, works=works, model=model, audit=report, enrichment=enrichment,
                              gap_report=gap_report), fetcher)


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
    return replace(parsed, url=spec), data if data is not None and (b"\n" in data or b"\r" not in data) else None
