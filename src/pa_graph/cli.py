"""The ``pa-graph`` command: parses options, calls one library function, prints. No pipeline logic lives here, and
no library is loaded before a command runs (each loads what it calls), so ``pa-graph audit`` in a pull request's
check starts without the RDF and view stack.

Exit codes: 0 success (warnings allowed); 1 the requested work failed or found problems (``audit --strict``);
2 bad usage or unusable input (a list that is missing, unreadable or has no paper rows).
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TextIO, TypeVar

import click
from click._termui_impl import ProgressBar

from pa_graph.errors import (
    AllowFileError,
    ApplyError,
    AtlasError,
    GraphInputError,
    IgnoreFileError,
    InvalidFormatError,
    InvalidIRIError,
    ListInputError,
    MissingGraphError,
    PaGraphError,
    QueryError,
    ServeError,
    SiteError,
    ViewError,
)
from pa_graph.options import (
    CITATIONS_LIMIT,
    DEFAULT_BASE_IRI,
    DEFAULT_CORE_MIN,
    DEFAULT_GRAPH,
    DEFAULT_HOST,
    DEFAULT_MAX_CITATIONS,
    DEFAULT_MIN_CITERS,
    DEFAULT_NAMED_GRAPH,
    DEFAULT_OUT,
    DEFAULT_PORT,
    DEFAULT_PUSH_TIMEOUT,
    DEFAULT_SOURCE,
    DEFAULT_TIMEOUT,
    DEFAULT_TOP,
    DEFAULT_TOP_EXTERNAL,
    DEFAULT_VIEW,
    ENGINES,
    FIX_KINDS,
    SourceChoice,
    __version__,
)

if TYPE_CHECKING:  # for annotations only: each command loads the library it calls when it runs
    from pa_graph.session import AuditReport, Enrichment, ParsedList, ValidationReport

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])

_INPUT_ERRORS = (ServeError, SiteError, AtlasError, ListInputError, GraphInputError, AllowFileError, IgnoreFileError, ApplyError,
                 ViewError, QueryError, InvalidIRIError, InvalidFormatError)
_LISTS = click.argument("lists", nargs=-1, metavar="[LIST]...")  # a file, an http(s) URL or github:owner/repo[@ref][:path]
_PEERS = click.option("--peers", multiple=True, metavar="LIST",
                      help="Another curated list of the field, a file or URL (repeatable): gaps.md lists the works in "
                           "--min-lists of them and not in this list, and a missing paper in them ranks higher.")
_IGNORE = click.option("--ignore", "ignore_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
                       help="Works never to suggest: one arXiv id, DOI, S2 id, OpenAlex id or title a line, '#' "
                            "comments (default: .pa-graph-ignore beside the first list).")
_MIN_LISTS = click.option("--min-lists", type=click.IntRange(min=1), default=None, metavar="K",
                          help="With --peers: list under 'In other lists' the works at least K peer lists include "
                               "and this list does not (works offline, no enrichment; default: 2, or 1 with one peer "
                               "list).")
_TOP = click.option("--top", type=click.IntRange(min=1), default=DEFAULT_TOP, show_default=True, metavar="N",
                    help="Missing-paper suggestions: rows of gaps.md, ringed nodes of the view, findings in the RDF.")
_CROSS = click.option("--max-cross-citations", "citations_limit", type=click.IntRange(min=0), default=CITATIONS_LIMIT,
                      show_default=True, metavar="N",
                      help="Missing cross-citations written to citations.md/json and the RDF (the count is complete).")


def _graph_option(meaning: str) -> Callable[[F], F]:
    """``--graph FILE``, the same for every command that reads a build (default ``outputs/graph.ttl``)."""
    return click.option("--graph", "graph_file", type=click.Path(path_type=Path, dir_okay=False),
                        default=DEFAULT_GRAPH, show_default=True, help=meaning)


_CACHE_DIR = click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                          help="The cache folder: every answer of Semantic Scholar, OpenAlex, arXiv and list URLs, and the "
                               "SPARQL store of each build (default: $PA_GRAPH_CACHE_DIR, else — for a command "
                               "reading a build — the folder its build used, else the user cache folder, e.g. "
                               "~/.cache/pa-graph).")
_OFFLINE_LISTS = click.option("--offline", is_flag=True,
                              help="Never touch the network: lists given by URL come from the cache.")


class _Progress:
    """Shows the library's (stage, done, total) reports: progress bars on a terminal; elsewhere (CI, a pipe, a
    notebook) plain lines ``STAGE: DONE/TOTAL, T left`` at each stage's start and end and at most every
    ``PA_GRAPH_PROGRESS_SECONDS`` (default 10) seconds in between; nothing with ``--quiet``."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.interval = float(os.environ.get("PA_GRAPH_PROGRESS_SECONDS") or 10)
        self.stage: str | None = None
        self.bar: ProgressBar[int] | None = None
        self.shown = 0
        self.started = self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if stage != self.stage:
            self.close()
            self.stage, self.shown, self.started, self.last = stage, 0, now, now
            if self.tty and total > 1:
                self.bar = click.progressbar(length=total, label=stage, file=self.stream, show_eta=True, show_pos=True)
                self.bar.__enter__()
            elif not self.tty:
                self._line(stage, done, total, now)
        if self.bar is not None:
            self.bar.update(done - self.shown)
        elif not self.tty and (done >= total or now - self.last >= self.interval) and done != self.shown:
            self._line(stage, done, total, now)
        self.shown = done

    def _line(self, stage: str, done: int, total: int, now: float) -> None:
        left = ""
        if 0 < done < total:
            seconds = (now - self.started) / done * (total - done)
            left = f", {seconds / 60:.0f} min left" if seconds >= 90 else f", {seconds:.0f} s left"
        _echo(f"{stage}: {done}/{total}{left}", file=self.stream)
        self.last = now

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _one_line(err: Exception | str, limit: int = 2000) -> str:
    """An error as one line a person reads (a parser's multi-line message folded and cut)."""
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[:limit] + " …"


_INERT = "pa_graph.inert"  # set in the click context by commands whose output a runner reads (audit --github)


def _echo(message: object = None, **kwargs: Any) -> None:
    """``click.echo`` for every line pa-graph prints: in a CI context (``GITHUB_ACTIONS`` or ``CI`` set, or a
    command run with ``--github``) text from lists, services and caches is made inert for the runner's
    workflow-command parser (:func:`~pa_graph.text.inert`)."""
    context = click.get_current_context(silent=True)
    if message is not None and (os.environ.get("GITHUB_ACTIONS") or os.environ.get("CI")
                                or (context is not None and context.meta.get(_INERT))):
        from pa_graph.session import inert

        message = inert(str(message))
    click.echo(message, **kwargs)


#: The option a user typed for each library parameter an error can be about.
_OPTIONS = {"sparql_wasm": "--sparql-wasm", "to": "--to", "out": "OUT", "ego": "--ego", "category": "--category",
            "bindings": "--bind", "named_graph": "--named-graph", "base_iri": "--base-iri",
            "allow_service": "--allow-service", "yasgui": "--yasgui"}
#: What to do next, for the errors whose remedy is an option or a command.
_HINTS: dict[type[PaGraphError], str] = {MissingGraphError: "run 'pa-graph build' first, or pass --graph FILE"}


def _for_the_command_line(err: PaGraphError) -> str:
    """The library's message in the command line's words: the parameter it starts with as the option typed, and a
    hint naming the option or command that helps."""
    message = str(err)
    option = _OPTIONS.get(err.parameter or "")
    if option and err.parameter and message.startswith(err.parameter):
        message = option + message[len(err.parameter):]
    hint = next((text for kind, text in _HINTS.items() if isinstance(err, kind)), None)
    return f"{message} ({hint})" if hint else message


def _reported(command: Callable[P, R]) -> Callable[P, R]:
    """Turn library errors into one-line messages and exit codes; never show a traceback unless PA_GRAPH_DEBUG=1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except _INPUT_ERRORS as err:
            _echo(f"Error: {_one_line(_for_the_command_line(err))}", err=True)
            sys.exit(2)
        except PaGraphError as err:
            _echo(f"Error: {_one_line(_for_the_command_line(err))}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # `pa-graph stats | head -3`: the reader has what it wanted
            sys.stderr.close()
            sys.exit(0)
        except Exception as err:  # a bug: say so in one line, keep the traceback for those who ask
            if os.environ.get("PA_GRAPH_DEBUG"):
                traceback.print_exc()
            _echo(
                f"Error: internal error ({type(err).__name__}: {err}); rerun with PA_GRAPH_DEBUG=1 for details", err=True
            )
            sys.exit(1)

    return wrapper


class _SourceNames(click.ParamType):  # type: ignore[type-arg]
    """``--source``: checked against the registry of sources when the command runs."""

    name = "source"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "NAME[+NAME]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from pa_graph.session import source_plan

        try:
            source_plan(str(value))
        except PaGraphError as err:
            self.fail(str(err), param, ctx)
        return str(value)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pa-graph")
def main() -> None:
    """Turn curated awesome lists of research papers into a knowledge graph.

    With no LIST.md, commands read the bundled Awesome-Personalized-Alignment list.
    """


@main.command()
@_LISTS
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_OUT,
              show_default=True, help="Folder for graph.ttl, graph.json, graph.html, audit.md/json and build.json.")
@click.option("--offline", is_flag=True, help="Never touch the network: use what the cache holds.")
@click.option("--no-enrich", is_flag=True, help="Use the lists alone, no data from any source at all.")
@click.option("--source", type=_SourceNames(), default=DEFAULT_SOURCE, show_default=True,
              help="Where the data comes from: s2 = Semantic Scholar (falling back to OpenAlex with a warning when "
                   "S2 cannot be reached or refuses the key), openalex, arxiv (titles, authors and dates of the listed "
                   "arXiv links; no key, no citations), both (s2+openalex), or names joined by '+' (merged, the "
                   "first primary, and cross-checked in the audit).")
@_CACHE_DIR
@click.option("--refresh", is_flag=True, help="Ask the sources again for everything, replacing cached answers.")
@click.option("--rate", type=click.FloatRange(min=0.01), default=None, metavar="R",
              help="Requests per second to each source (default 0.9 for Semantic Scholar: under its limit of 1 with "
                   "an API key; 10 for OpenAlex, which allows 100; arXiv stays at one request every 3 s, as it asks). "
                   "A 429 slows a source further for the rest of the build.")
@click.option("--citations", is_flag=True, help="Also fetch incoming citations of every listed work (paginated).")
@click.option("--max-citations", type=click.IntRange(min=1), default=DEFAULT_MAX_CITATIONS, show_default=True,
              help="Cap on incoming citations per work with --citations.")
@click.option("--contexts", is_flag=True, help="Also read /references for citation intents, contexts and influence.")
@click.option("--embeddings", is_flag=True, help="Also fetch SPECTER v2 embeddings (for the gap analysis).")
@click.option("--base-iri", default=None, metavar="IRI", help="Base IRI for minted resources "
              "(default https://w3id.org/pa-graph/id/).")
@click.option("--formats", default="ttl", show_default=True, metavar="LIST",
              help="Comma-separated exports besides graph.json/html and the audit: ttl, nt, jsonld, trig, graphml, "
                   "bibtex, csv (graph.ttl is always written).")
@click.option("--validate", is_flag=True, help="Check the graph against the SHACL shapes; exit 1 on violations.")
@click.option("--core-min", type=click.IntRange(min=1), default=DEFAULT_CORE_MIN, show_default=True, metavar="K",
              help="With two lists or more (the atlas): the consensus core is the works at least K lists hold.")
@_PEERS
@_MIN_LISTS
@_IGNORE
@_TOP
@_CROSS
@click.option("--quiet", is_flag=True, help="No progress output (bars on a terminal, plain lines elsewhere).")
@_reported
def build(lists: tuple[str, ...], out_dir: Path, offline: bool, no_enrich: bool, source: SourceChoice, cache_dir: Path | None,
          refresh: bool, rate: float | None, citations: bool, max_citations: int, contexts: bool, embeddings: bool,
          base_iri: str | None, formats: str, validate: bool, core_min: int, peers: tuple[str, ...], min_lists: int | None,
          ignore_file: Path | None,
          top: int, citations_limit: int, quiet: bool) -> None:
    """Build the knowledge graph of lists (default: the bundled list) into --out.

    A LIST is a Markdown file, an http(s) URL of one, a GitHub blob/ URL, or github:owner/repo[@ref][:path]
    (default branch, README.md); lists by URL are cached, so --offline rebuilds read them from the cache.
    By default Semantic Scholar enriches the graph when it answers (S2_API_KEY is sent when set; S2_API_URL
    replaces https://api.semanticscholar.org; OPENALEX_API_URL and ARXIV_API_URL do the same for the other
    sources), and every answer is cached: when S2 cannot be reached the build warns once and completes from the
    cache.
    """
    from pa_graph.session import BuildOptions, EnrichOptions, GapOptions, Session, counted, how_many_lists, list_summary

    options = BuildOptions(
        out_dir=out_dir, base_iri=base_iri or DEFAULT_BASE_IRI, enrich=not no_enrich, offline=offline,
        refresh=refresh, cache_dir=cache_dir, source=source, rate=rate,
        extras=EnrichOptions(citations=citations, contexts=contexts, embeddings=embeddings,
                             max_citations=max_citations),
        formats=tuple(name.strip() for name in formats.split(",") if name.strip()),
        validate=validate, core_min=core_min,
        gaps=GapOptions(top=top, peers=peers, ignore_file=ignore_file, citations_limit=citations_limit,
                        min_lists=min_lists),
    )
    bars = _Progress(quiet)
    try:
        with Session.for_build(options) as session:
            result = session.build(lists, options, progress=bars)
    finally:
        bars.close()
    kg = result.graph
    for parsed in kg.lists:
        for finding in parsed.malformed:
            _echo(f"warning: {finding.message}", err=True)
        for note in parsed.notes:
            _echo(f"note: {note}", err=True)
        if parsed.repairs:
            _echo(f"note: {parsed.name}: repaired mojibake on {len(parsed.repairs)} lines (listed in audit.md)", err=True)
        _echo(f"{parsed.name}: {list_summary(parsed)}", err=True)
    surveys = sum(work.is_survey for work in kg.works)
    rows = sum(len(parsed.rows) for parsed in kg.lists)
    _echo(
        f"{rows} rows → {len(kg.works)} works ({surveys} surveys, {len(kg.works) - surveys} papers); "
        f"{result.stats['triples']} triples; {len(kg.audit.findings)} audit findings"
    )
    if kg.enrichment is not None:
        _report_enrichment(kg.enrichment)
    if kg.gap_report is not None:
        for warning in kg.gap_report.warnings:
            _echo(f"warning: {warning}", err=True)
        for line, entry, count in kg.gap_report.ignore_counts:
            _echo(f"ignore file line {line} ({entry}): removed {count}")
        if kg.gap_report.other_lists is not None:
            other = kg.gap_report.other_lists
            _echo(f"in other lists: {counted(len(other.works), 'work')} in "
                  f"{how_many_lists(kg.gap_report.min_lists, len(other.lists))} and not in this one, in "
                  f"{out_dir / 'gaps.md'}")
    if kg.gap_report is not None and kg.gap_report.missing is not None:
        _echo(f"missing papers: top {len(kg.gap_report.suggestions)} of {kg.gap_report.missing.candidates} candidates "
                   f"in {out_dir / 'gaps.md'}")
    _echo("wrote " + ", ".join(str(path) for path in result.written))
    if result.validation is not None:
        _report_validation(result.validation, out_dir / "graph.ttl")


def _report_validation(report: ValidationReport, graph_file: Path) -> None:
    if report.conforms:
        _echo(f"{graph_file}: conforms to the SHACL shapes")
        return
    for violation in report.violations:
        _echo(f"violation: {violation}", err=True)
    _echo(f"{graph_file}: {len(report.violations)} SHACL violations", err=True)
    sys.exit(1)


@main.command()
@click.argument("graph_file", required=False, type=click.Path(path_type=Path, dir_okay=False),
                default=DEFAULT_GRAPH)
@_reported
def validate(graph_file: Path) -> None:
    """Check a built graph (default outputs/graph.ttl) against ontology/shapes.ttl; exit 1 on violations."""
    from pa_graph.session import load_graph, validate_graph

    _report_validation(validate_graph(load_graph(graph_file)), graph_file)


@main.command()
@click.argument("query")
@_graph_option("The RDF graph to query (Turtle, N-Triples, TriG or JSON-LD).")
@click.option("--engine", type=click.Choice(ENGINES), default=ENGINES[0], show_default=True,
              help="Embedded SPARQL engine.")
@click.option("--format", "style", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
@click.option("--bind", "bindings", multiple=True, metavar="NAME=VALUE",
              help="Set a cookbook parameter ($NAME): <iri>, a number, or text. Repeatable.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Ask a SPARQL 1.1 endpoint instead of the local file (e.g. after 'pa-graph push').")
@click.option("--named-graph", default=None, metavar="IRI", help="With --endpoint: query this graph as the default graph.")
@click.option("--allow-service", is_flag=True, help="Let the embedded engine run SERVICE and LOAD, which fetch from "
              "the network (refused by default).")
@_CACHE_DIR
@_reported
def query(query: str, graph_file: Path, engine: str, style: str, bindings: tuple[str, ...], endpoint: str | None,
          named_graph: str | None, allow_service: bool, cache_dir: Path | None) -> None:
    """Run QUERY: a cookbook name, a .rq file or SPARQL text. 'pa-graph query list' shows the cookbook."""
    from pa_graph.session import (
        Credentials,
        Session,
        bind,
        cookbook,
        cookbook_needs,
        format_result,
        load_query,
        remote_query,
        with_prefixes,
    )

    if query == "list":
        for name, what in cookbook().items():
            _echo(f"{name:<26} {what}")
        return
    values = {}
    for item in bindings:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--bind")
        values[name.strip()] = value
    if endpoint:

        result = remote_query(endpoint, with_prefixes(bind(load_query(query), values)), named_graph,
                              Credentials.from_environment())
    else:
        result = Session(cache_dir).open(graph_file).query(query, engine, values, allow_service=allow_service)
    _echo(format_result(result, style), nl=False)
    needs = cookbook_needs(query)
    if not result.rows and needs:
        _echo(f"no rows: '{query}' needs {needs}", err=True)


@main.command()
@click.argument("graph_argument", metavar="[FILE]", required=False, type=click.Path(path_type=Path, dir_okay=False),
                default=None)
@_graph_option("The RDF graph to push (the FILE argument is the older form of this option).")
@click.option("--endpoint", default=None, metavar="URL",
              help="Graph Store Protocol endpoint (e.g. http://localhost:7878/store): one idempotent PUT.")
@click.option("--update-endpoint", default=None, metavar="URL",
              help="SPARQL Update endpoint instead: chunks into a staging graph, then one MOVE.")
@click.option("--named-graph", default=DEFAULT_NAMED_GRAPH, show_default=True, metavar="IRI")
@click.option("--query-endpoint", default=None, metavar="URL",
              help="With --update-endpoint: where to count the pushed graph afterwards (default: the update URL "
                   "with /update replaced by /query).")
@click.option("--user", default=None, help="HTTP Basic user (or PA_GRAPH_STORE_USER).")
@click.option("--password", default=None, help="HTTP Basic password (or PA_GRAPH_STORE_PASSWORD).")
@click.option("--token", default=None, help="Bearer token (or PA_GRAPH_STORE_TOKEN).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_PUSH_TIMEOUT,
              show_default=True, metavar="SECONDS", help="One deadline for the whole push, every answer included.")
@_reported
def push(graph_argument: Path | None, graph_file: Path, endpoint: str | None, update_endpoint: str | None,
         named_graph: str, query_endpoint: str | None, user: str | None, password: str | None, token: str | None,
         timeout: float) -> None:
    """Load a built graph (default outputs/graph.ttl) into a named graph of a SPARQL 1.1 triple store, then count
    what the store holds there (exit 1 if it did not keep the push)."""
    from pa_graph.session import Credentials, locate_graph, push_graph_store, push_update
    if graph_argument is not None:
        _echo("warning: 'pa-graph push FILE' is the older form of 'pa-graph push --graph FILE', as query, stats and "
              "gaps take it", err=True)
        graph_file = graph_argument

    if bool(endpoint) == bool(update_endpoint):
        raise click.UsageError("give either --endpoint (Graph Store Protocol) or --update-endpoint (SPARQL Update)")
    for option, url in (("--endpoint", endpoint), ("--update-endpoint", update_endpoint),
                        ("--query-endpoint", query_endpoint)):
        if url and not re.match(r"https?://[^\s/]+", url):
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint=option)
    credentials = Credentials.from_environment(user=user, password=password, token=token)
    graph = locate_graph(graph_file)
    if endpoint:
        result = push_graph_store(graph, endpoint, named_graph, credentials, timeout)
    else:
        assert update_endpoint is not None  # one of the two, checked above
        result = push_update(graph, update_endpoint, named_graph, credentials, timeout, query_endpoint=query_endpoint)
    held = "" if result.verified is None else f"; the store holds {result.verified} there"
    _echo(f"pushed {result.triples} triples into <{result.named_graph}> in {result.requests} requests{held}")
    if result.verified is None:
        _echo("warning: the store's count of the graph could not be read, so the push is not verified"
                   + ("" if endpoint else " (give --query-endpoint)"), err=True)


@main.command()
@_graph_option("A build's graph.ttl (its graph.json beside it is read) or graph.json.")
@click.option("--category", default=None, metavar="C", help="Only the works of this section (top or sub).")
@click.option("--ego", default=None, metavar="WORK", help="Only this work (title, abbreviation or id) and its neighbours.")
@click.option("--min-citers", type=click.IntRange(min=0), default=1, show_default=True, metavar="K",
              help="Papers not in the list only when at least K listed works cite them or are cited by them.")
@click.option("--top-external", default=str(DEFAULT_TOP_EXTERNAL), show_default=True, metavar="K|all",
              help="Show the K papers not in the list most connected to listed works; the rest start hidden.")
@click.option("--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_VIEW,
              show_default=True)
@_CACHE_DIR
@_reported
def view(graph_file: Path, category: str | None, ego: str | None, min_citers: int, top_external: str,
         out_file: Path, cache_dir: Path | None) -> None:
    """Write a focused, self-contained HTML page of a built graph."""
    from pa_graph.session import Session, nodes_of_kind

    if top_external != "all" and not top_external.isdigit():
        raise click.BadParameter(f"{top_external!r} is neither a number nor 'all'", param_hint="--top-external")
    model = Session(cache_dir).open(graph_file).write_view(out_file, category, ego, min_citers,
                                                           None if top_external == "all" else int(top_external))
    works = len(nodes_of_kind(model, "work"))
    _echo(f"wrote {out_file}: {model.number_of_nodes()} nodes ({works} works), {model.number_of_edges()} edges")


@main.command()
@_graph_option("A build's graph.ttl (its graph.json beside it is read) or graph.json.")
@click.option("--min-citers", type=click.IntRange(min=1), default=DEFAULT_MIN_CITERS, show_default=True, metavar="K",
              help="Missing papers: works cited by at least K listed works.")
@_TOP
@_PEERS
@_MIN_LISTS
@_IGNORE
@click.option("--compare", "compare_lists", multiple=True, metavar="LIST",
              help="Another list, a file or URL: its works missing from this graph's lists, and the reverse.")
@click.option("--evaluate", is_flag=True, help="Measure the ranking: hide each listed work cited by >= 2 listed works "
              "and report recall@10/20 and MRR of the default, each signal alone and in-degree.")
@click.option("--apply", "apply_to", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="LIST.md",
              help="Insert the suggested rows at the end of their sections' tables in LIST.md (every other byte "
                   "unchanged; undo with 'git checkout LIST.md').")
@click.option("--only", "only", multiple=True, metavar="ID",
              help="With --apply: only this suggestion (its arXiv id, DOI, S2 id or title; repeatable).")
@click.option("--dry-run", is_flag=True, help="With --apply: print the unified diff instead of changing the file.")
@click.option("--describe", "describe_to", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="FILE", help="With --apply: also write the rows added, each with its section and why it ranks, "
                                   "as Markdown for a pull request's body.")
@_CROSS
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for gaps.md/json and citations.md/json (default: the graph's folder).")
@_OFFLINE_LISTS
@_CACHE_DIR
@_reported
def gaps(graph_file: Path, min_citers: int, top: int, peers: tuple[str, ...], min_lists: int | None, ignore_file: Path | None,
         compare_lists: tuple[str, ...], evaluate: bool, apply_to: Path | None, only: tuple[str, ...],
         dry_run: bool, describe_to: Path | None, citations_limit: int, out_dir: Path | None, offline: bool,
         cache_dir: Path | None) -> None:
    """Find what the list is missing: papers (ranked, explained, ready to paste), survey coverage, section flows,
    other lists; missing cross-citations between listed works go to citations.md.

    \b
    Typical loop for a maintainer:
      pa-graph gaps                                 # read outputs/gaps.md
      echo "2401.01234  # not for this list" >> .pa-graph-ignore
      pa-graph gaps --apply README.md --top 5 --dry-run
      pa-graph gaps --apply README.md --only 2401.04321
    """
    from pa_graph.session import GapOptions, Session, write_atomic
    from pa_graph.session import render_gaps_text as render_text

    if (only or dry_run or describe_to) and apply_to is None:
        raise click.UsageError("--only, --dry-run and --describe go with --apply LIST.md")
    built = Session(cache_dir, offline=offline).open(graph_file)
    options = GapOptions(top=top, min_citers=min_citers, peers=peers, ignore_file=ignore_file,
                         citations_limit=citations_limit, min_lists=min_lists)
    report = built.gaps(options, compare=compare_lists, evaluate=evaluate, beside=apply_to)
    written = [] if dry_run else built.write_gaps(report, out_dir)  # a dry run changes no file, reports included
    for warning in report.warnings:
        _echo(f"warning: {warning}", err=True)
    if report.missing is None and report.other_lists is None:
        _echo("no citations in this graph: only --compare and --peers can run (build with Semantic Scholar "
              "data first)", err=True)
    _echo(render_text(report), nl=False)
    if written:
        _echo(f"wrote {', '.join(str(path) for path in written)}")
    if apply_to is None:
        return
    try:
        plan = built.plan_apply(report, apply_to, only)
    except ApplyError as err:
        raise click.UsageError(f"--only {err}" if only else str(err)) from err
    for suggestion, reason in plan.skipped:
        _echo(f"skipped {suggestion.title}: {reason}", err=True)
    if dry_run:
        _echo(plan.diff(), nl=False)
        return
    if plan.inserted:
        built.apply(plan)
    if describe_to is not None:
        write_atomic(describe_to, plan.description())
    for insertion in plan.inserted:
        _echo(f"added {insertion.suggestion.title} to {insertion.section.label} after line "
              f"{insertion.after_line}: {insertion.row}")
    _echo(f"{apply_to}: {len(plan.inserted)} rows added" +
          (f"; review with 'git diff {apply_to}', undo with 'git checkout {apply_to}'" if plan.inserted else ""))


def _report_enrichment(enrichment: Enrichment) -> None:
    for warning in enrichment.warnings:
        _echo(f"warning: {warning}", err=True)
    from pa_graph.session import source_calls, source_labels

    name = source_labels(enrichment.source)
    if enrichment.mode == "unreachable":
        _echo(f"warning: {name} could not be used; built from the cache "
                   f"({len(enrichment.resolved)} works found there)", err=True)
    priced = "; ".join(f"{source_labels(source)}: {said}" for source, calls in enrichment.calls.items()
                       if (said := source_calls(source, calls)))
    _echo(
        f"{name} ({enrichment.mode}): {len(enrichment.resolved)} works resolved, "
        f"{len(enrichment.unresolved)} unresolved, {len(enrichment.not_cached)} not in the cache; "
        f"{len(enrichment.externals)} works not in the lists; {len(enrichment.citations)} citations; "
        f"{enrichment.requests} requests" + (f" ({priced})" if priced else "")
    )


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "style", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True,
              help="markdown: a pull-request comment; json: lists added, removed, renamed, moved, links_changed …")
@click.option("--old-gaps", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="GAPS.json",
              help="The gaps.json of OLD's build (with --new-gaps: which suggestions the change resolved).")
@click.option("--new-gaps", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="GAPS.json",
              help="The gaps.json of NEW's build.")
@_OFFLINE_LISTS
@_CACHE_DIR
@_reported
def diff(old: str, new: str, style: str, old_gaps: Path | None, new_gaps: Path | None, offline: bool,
         cache_dir: Path | None) -> None:
    """What changed between two versions of a list: works added, removed, renamed, moved, relinked, duplicated.

    OLD and NEW are list files, URLs, or git:REF[:PATH] read from the current repository (PATH defaults to the
    other side's path): pa-graph diff git:v1.0 README.md
    """
    from pa_graph.session import Session, render_diff_json, render_diff_markdown

    with Session(cache_dir, offline=offline) as session:
        result = session.diff(old, new, old_gaps, new_gaps)
    _echo(render_diff_json(result) if style == "json" else render_diff_markdown(result), nl=False)


@main.command()
@click.argument("list_file", metavar="LIST", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--since", default=None, metavar="REF", help="Only the commits after REF (a tag, branch or commit).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_OUT,
              show_default=True, help="Folder for history.json and history.html.")
@_reported
def history(list_file: Path, since: str | None, out_dir: Path) -> None:
    """The list over its commits: works per section and additions per month (history.json, history.html)."""
    from pa_graph.session import Session

    bars = _Progress()
    try:
        versions = Session.history(list_file, since, out_dir, progress=bars)
    finally:
        bars.close()
    readable = [v for v in versions if v.works is not None]
    _echo(f"{list_file}: {len(versions)} commits, {readable[0].works if readable else '?'} → "
               f"{readable[-1].works if readable else '?'} works; wrote {out_dir / 'history.json'} and "
               f"{out_dir / 'history.html'}")


@main.command()
@_LISTS
@click.option("--strict", is_flag=True, help="Exit 1 when an error is neither accepted by the --allow file nor, "
              "with --since, already at REF (notices, such as a paper cross-listed in several sections, never fail).")
@click.option("--allow", "allow_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File of accepted finding ids or glob patterns (one a line, '#' comments), e.g. 'mojibake:*'; "
                   "a missing file accepts nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON instead of text.")
@click.option("--fix", is_flag=True, help="Rewrite each list with its verified-wrong arXiv links corrected and the "
              "venues of preprints a source knows as published written in (nothing else changes); needs answers in "
              "the cache (run 'pa-graph build' first).")
@click.option("--fix-only", type=click.Choice(FIX_KINDS), default=None,
              help="With --fix: write only the verified arXiv links, or only the venues (default: both).")
@click.option("--dry-run", is_flag=True, help="With --fix: print the unified diff instead of changing the files.")
@click.option("--github", is_flag=True, help="Also print each finding as a GitHub Actions annotation on its list line "
              "and append a summary to $GITHUB_STEP_SUMMARY (for a list repository's CI). Every other line printed "
              "is made inert for the runner.")
@click.option("--since", default=None, metavar="REF",
              help="A Git ref (a pull request's base): findings compared row by row with the lists there; what was "
                   "already there, or lies only on lines the change did not touch, is a notice, and only what the "
                   "change introduced fails --strict — annotated on the lines it added or modified.")
@click.option("--source", type=_SourceNames(), default=DEFAULT_SOURCE, show_default=True,
              help="Whose cached answers verify the links: the --source the build used (s2, openalex, arxiv, both, "
                   "or names joined by '+').")
@_CACHE_DIR
@_reported
def audit(lists: tuple[str, ...], strict: bool, allow_file: Path | None, as_json: bool, fix: bool, fix_only: str | None,
          dry_run: bool, github: bool, since: str | None, source: str, cache_dir: Path | None) -> None:
    """Check LIST.md files (default: the bundled list) for wrong links, repeats, malformed rows and mojibake.

    Never touches the network: links are verified with the answers the cache holds from the sources a build asked
    (--source, as the build was given it).
    """
    from pa_graph.session import (
        Session,
        github_annotations,
        github_summary,
        is_remote,
        path_in_repository,
        render_audit_text,
        verdict_line,
    )
    from pa_graph.session import render_audit_json as render_json

    if github:  # the runner reads every line: only the annotations below may be workflow commands
        click.get_current_context().meta[_INERT] = True
    if fix and not lists:
        raise click.UsageError("--fix rewrites list files: name them (the bundled list is not rewritten)")
    if fix and any(is_remote(given) for given in lists):
        raise click.UsageError("--fix rewrites list files: a list given by URL cannot be rewritten (clone it first)")
    with Session(cache_dir, offline=True) as session:
        allow = session.allow_list(allow_file, since)
        run = session.audit(lists, since, source)
    parsed, report = run.lists, run.report
    if (dry_run or fix_only) and not fix:
        raise click.UsageError(f"{'--dry-run' if dry_run else '--fix-only'} goes with --fix")
    if fix:
        _fix_lists(parsed, report, dry_run, fix_only)
    verdict = run.verdict(allow)
    if as_json:
        _echo(render_json(report), nl=False)
    else:
        _echo(render_audit_text(report, verdict), nl=False)
    if github:
        paths = {item.name: path_in_repository(item.path) for item in parsed if not item.url}
        for line in github_annotations(verdict, paths):
            click.echo(line)  # workflow commands on purpose; their values are escaped by github_annotations
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8") as stream:
                stream.write(github_summary(report, verdict))
    if strict and verdict.failures:
        _echo(f"audit failed: {verdict_line(report, verdict)}", err=True)
        sys.exit(1)


def _fix_lists(parsed: Sequence[ParsedList], report: AuditReport, dry_run: bool, only: str | None) -> None:
    from pa_graph.session import counted, fix_list_files

    if not report.venue_updates and not any(check.status == "wrong" and check.correct_id for check in report.link_checks):
        _echo("nothing to fix: no verified wrong links with a known right id and no preprint known as published "
              "(run 'pa-graph build' with a source reachable first, and give audit the build's --source)", err=True)
        return
    fixed = fix_list_files(parsed, report.link_checks, report.venue_updates, write=not dry_run,
                           kinds=(only,) if only else FIX_KINDS)
    if not fixed:
        _echo(f"nothing to fix{f' of kind {only}' if only else ''}", err=True)
    for done in fixed:
        if dry_run:
            _echo(done.diff, nl=False)
        else:
            words = {"links": "arXiv link", "venues": "venue"}
            _echo(f"fixed {done.path}: " + "; ".join(
                f"{counted(len(lines), words[kind])} (line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})"
                for kind, lines in done.lines.items()), err=True)


@main.command()
@_graph_option("The RDF graph to count.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@_CACHE_DIR
@_reported
def stats(graph_file: Path, as_json: bool, cache_dir: Path | None) -> None:
    """Count nodes by type and edges by relation in a built graph."""
    from pa_graph.session import Session

    counts = Session(cache_dir).open(graph_file).stats()
    if as_json:
        _echo(json.dumps(counts, indent=2))
        return
    _echo(f"{graph_file}: {counts['triples']} triples")
    for group in ("nodes", "edges"):
        _echo(f"{group}:")
        for name, count in counts[group].items():
            _echo(f"  {name:<16} {count:>6}")


@main.command()
@click.argument("out", required=False, type=click.Path(path_type=Path), default=DEFAULT_OUT)
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on; another than 127.0.0.1 (e.g. 0.0.0.0) lets others on the network in.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=DEFAULT_PORT, show_default=True)
@click.option("--yasgui", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="YASGUI's build folder (node_modules/@zazuko/yasgui/build after 'npm install @zazuko/yasgui'): "
                   "the query page is YASGUI, served from here. Without it, pa-graph's own query page.")
@click.option("--allow-service", is_flag=True, help="Let served queries use SERVICE, which makes this machine fetch "
              "what they name (refused by default, for every client).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT, show_default=True,
              metavar="SECONDS", help="How long a query may run; a query whose client hangs up is stopped at once.")
@_CACHE_DIR
@_reported
def serve(out: Path, host: str, port: int, yasgui: Path | None, allow_service: bool, timeout: float,
          cache_dir: Path | None) -> None:
    """Serve a build (default outputs/) on a SPARQL server: Oxigraph's, read-only, with the map, the reports and a
    query page with the cookbook ready to run. Ctrl-C stops it."""
    from pa_graph.session import Session, run_until_stopped, serve_build, stop_signals

    if host not in ("127.0.0.1", "localhost", "::1"):
        _echo(f"warning: listening on {host}: anyone who can reach this machine can read the graph", err=True)
    with stop_signals() as stopped:
        running = serve_build(Session(cache_dir).open(out), host, port, yasgui, allow_service, timeout)
        _echo(f"SPARQL endpoint: {running.endpoint}")
        _echo(f"Open: {running.url}")
        run_until_stopped(running, stopped)


@main.command()
@click.argument("out", required=False, type=click.Path(path_type=Path), default=DEFAULT_OUT)
@click.option("--core-min", type=click.IntRange(min=1), default=None, metavar="K",
              help="The consensus core: the works at least K lists hold (default: the build's --core-min, else "
                   f"{DEFAULT_CORE_MIN}; all of them when fewer lists were given).")
@_CACHE_DIR
@_reported
def atlas(out: Path, core_min: int | None, cache_dir: Path | None) -> None:
    """The field atlas of a build of several lists (default outputs/): which list holds which work, how much two
    lists share, the consensus core, each list's exclusives — atlas.json, atlas.md and atlas.html beside the build
    (a build of two lists or more writes them itself)."""
    from pa_graph.session import Session, counted

    found, written = Session(cache_dir).atlas(out, core_min)
    for cover in found.lists:
        _echo(f"{cover.id}: {counted(cover.works, 'work')}, {len(cover.exclusive)} in no other list")
    _echo(f"core: {counted(len(found.core), 'work')} in at least {counted(found.core_min, 'list')}; "
          f"{counted(len(found.doubtful), 'merge')} to check (atlas.md); wrote {', '.join(map(str, written))}")


@main.command()
@click.argument("out", required=False, type=click.Path(path_type=Path), default=DEFAULT_OUT)
@click.option("--to", "to", type=click.Path(path_type=Path, file_okay=False), required=True, metavar="DIR",
              help="The folder the site is written to, replaced whole (new, empty, or a site made before).")
@click.option("--sparql-wasm", type=click.Path(path_type=Path, file_okay=False), default=None, metavar="DIR",
              help="Oxigraph's WebAssembly build (node_modules/oxigraph after 'npm install oxigraph@0.5'): the site "
                   "gains a query page answering SPARQL in the browser. Without it, no query page.")
@_CACHE_DIR
@_reported
def site(out: Path, to: Path, sparql_wasm: Path | None, cache_dir: Path | None) -> None:
    """A build (default outputs/) as a static website in --to, for GitHub Pages or any static host, from any path:
    a landing page, the map (graph.html#work/… opens one work), the gap report and audit with rows linked to the
    map, the history when built, graph.ttl, and with --sparql-wasm a query page. No server; nothing is asked of
    another host."""
    from pa_graph.session import Session

    written = Session(cache_dir).site(out, to, sparql_wasm)
    pages = sorted(path.name for path in written if path.suffix == ".html")
    _echo(f"{to}: {len(written)} files, pages {', '.join(pages)}; open {to / 'index.html'} through a web server "
          f"(python -m http.server -d {to}): a page opened from the disk cannot load the graph")


@main.group()
def cache() -> None:
    """Inspect or empty the response cache (the sources' answers and the lists read by URL)."""


@cache.command("info")
@_CACHE_DIR
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@_reported
def cache_info(cache_dir: Path | None, as_json: bool) -> None:
    """Where the cache is, how big, and what it holds."""
    from pa_graph.session import Session

    info = Session(cache_dir).cache.info()
    if as_json:
        _echo(json.dumps(info, indent=2))
        return
    _echo(f"{info['path']}: {info['answers']} answers, {info['bytes']:,} bytes")
    for kind, count in info["by_kind"].items():
        _echo(f"  {kind:<12} {count:>7}")
    if info["answers"]:
        _echo(f"retrieved from {info['oldest']} to {info['newest']}")


@cache.command("clear")
@_CACHE_DIR
@_reported
def cache_clear(cache_dir: Path | None) -> None:
    """Delete every cached answer."""
    from pa_graph.session import Session

    _echo(f"deleted {Session(cache_dir).cache.clear()} cached answers")


@cache.command("expire")
@_CACHE_DIR
@click.option("--older-than", type=click.FloatRange(min=0), default=30, show_default=True, metavar="DAYS",
              help="Delete answers retrieved more than this many days ago.")
@_reported
def cache_expire(cache_dir: Path | None, older_than: float) -> None:
    """Delete old answers, so the next build asks the sources again for them."""
    from pa_graph.session import Session


    removed = Session(cache_dir).cache.expire(timedelta(days=older_than))
    _echo(f"deleted {removed} cached answers older than {older_than:g} days")
