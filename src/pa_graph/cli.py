"""The ``pa-graph`` command: parses options, calls one library function, prints. No pipeline logic lives here.

Exit codes: 0 success (warnings allowed); 1 the requested work failed or found problems (``audit --strict``);
2 bad usage or unusable input (a list that is missing, unreadable or has no paper rows).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from pathlib import Path

import click

from pa_graph import __version__
from pa_graph.errors import AllowFileError, GraphInputError, ListInputError, PaGraphError

_INPUT_ERRORS = (ListInputError, GraphInputError, AllowFileError)
_LISTS = click.argument("lists", nargs=-1, type=click.Path(path_type=Path, dir_okay=True))


def _reported(command):
    """Turn library errors into one-line messages and exit codes; never show a traceback unless PA_GRAPH_DEBUG=1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except _INPUT_ERRORS as err:
            click.echo(f"Error: {err}", err=True)
            sys.exit(2)
        except PaGraphError as err:
            click.echo(f"Error: {err}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as err:  # a bug: say so in one line, keep the traceback for those who ask
            if os.environ.get("PA_GRAPH_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"Error: internal error ({type(err).__name__}: {err}); rerun with PA_GRAPH_DEBUG=1 for details", err=True
            )
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pa-graph")
def main() -> None:
    """Turn curated awesome lists of research papers into a knowledge graph.

    With no LIST.md, commands read the bundled Awesome-Personalized-Alignment list.
    """


@main.command()
@_LISTS
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("outputs"),
              show_default=True, help="Folder for graph.ttl, graph.json, graph.html, audit.md/json and build.json.")
@click.option("--offline", is_flag=True, help="Never touch the network (Semantic Scholar enrichment is not implemented "
              "yet, so every build is offline for now).")
@click.option("--no-enrich", is_flag=True, help="Use the lists alone, no Semantic Scholar data at all.")
@click.option("--base-iri", default=None, metavar="IRI", help="Base IRI for minted resources "
              "(default https://w3id.org/pa-graph/id/).")
@_reported
def build(lists: tuple[Path, ...], out_dir: Path, offline: bool, no_enrich: bool, base_iri: str | None) -> None:
    """Build the knowledge graph of LIST.md files (default: the bundled list) into --out."""
    from pa_graph.build import BuildOptions, build as run_build
    from pa_graph.rdf import DEFAULT_BASE_IRI

    options = BuildOptions(out_dir=out_dir, base_iri=base_iri or DEFAULT_BASE_IRI, enrich=not no_enrich, offline=offline)
    result = run_build(lists, options)
    kg = result.graph
    for parsed in kg.lists:
        for finding in parsed.malformed:
            click.echo(f"warning: {finding.message}", err=True)
        for note in parsed.notes:
            click.echo(f"note: {note}", err=True)
        if parsed.repairs:
            click.echo(f"note: {parsed.name}: repaired mojibake on {len(parsed.repairs)} lines (listed in audit.md)", err=True)
    surveys = sum(work.is_survey for work in kg.works)
    rows = sum(len(parsed.rows) for parsed in kg.lists)
    click.echo(
        f"{rows} rows → {len(kg.works)} works ({surveys} surveys, {len(kg.works) - surveys} papers); "
        f"{result.stats['triples']} triples; {len(kg.audit.findings)} audit findings"
    )
    click.echo("wrote " + ", ".join(str(path) for path in result.written))


@main.command()
@_LISTS
@click.option("--strict", is_flag=True, help="Exit 1 when there are findings the --allow file does not accept.")
@click.option("--allow", "allow_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File of accepted finding ids or glob patterns (one a line, '#' comments), e.g. 'mojibake:*'.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON instead of text.")
@_reported
def audit(lists: tuple[Path, ...], strict: bool, allow_file: Path | None, as_json: bool) -> None:
    """Check LIST.md files (default: the bundled list) for wrong links, repeats, malformed rows and mojibake."""
    from pa_graph.audit import read_allow_file, render_json, unaccepted
    from pa_graph.build import assemble

    report = assemble(lists).audit
    patterns = read_allow_file(allow_file) if allow_file else []
    open_findings = unaccepted(report, patterns)
    if as_json:
        click.echo(render_json(report), nl=False)
    else:
        for finding in report.findings:
            mark = "" if finding in open_findings else " (accepted)"
            click.echo(f"{finding.kind}: {finding.message} [{finding.id}]{mark}")
        for note in report.notes:
            click.echo(f"note: {note}")
        click.echo(f"{len(report.findings)} findings, {len(report.findings) - len(open_findings)} accepted")
    if strict and open_findings:
        click.echo(f"audit failed: {len(open_findings)} findings not accepted by the allow file", err=True)
        sys.exit(1)


@main.command()
@click.option("--graph", "graph_file", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("outputs/graph.ttl"), show_default=True, help="RDF graph to count.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@_reported
def stats(graph_file: Path, as_json: bool) -> None:
    """Count nodes by type and edges by relation in a built graph."""
    from pa_graph.stats import graph_stats, load_graph

    counts = graph_stats(load_graph(graph_file))
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    click.echo(f"{graph_file}: {counts['triples']} triples")
    for group in ("nodes", "edges"):
        click.echo(f"{group}:")
        for name, count in counts[group].items():
            click.echo(f"  {name:<16} {count:>6}")
