"""The gap report as files: ``gaps.md`` / ``gaps.json`` for the maintainer, ``citations.md`` / ``citations.json``
for the authors of listed papers. Every value from a list or a service is escaped for Markdown."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from pa_graph.analysis.gaps.analysis import GapReport
from pa_graph.analysis.gaps.cross import CITATIONS_LIMIT, THRESHOLDS
from pa_graph.analysis.gaps.missing import BACKGROUND_PENALTY, CONCENTRATION_Z, SIGNALS, SPECIFICITY_PRIOR, WEIGHTS
from pa_graph.analysis.gaps.other_lists import how_many_lists
from pa_graph.analysis.gaps.registry import ANALYSES
from pa_graph.text import markdown_text as cell

__all__ = ["render_text", "how_many_lists", "render_markdown", "render_json", "render_citations_markdown",
           "render_citations_json", "report_files", "rdf_findings", "view_suggestions", "REPORT_FILES",
           "suggestions_of_json", "GAPS_SCHEMA", "CITATIONS_SCHEMA", "CITATIONS_LIMIT"]

GAPS_SCHEMA = "https://w3id.org/pa-graph/gaps/v2"
CITATIONS_SCHEMA = "https://w3id.org/pa-graph/citations/v1"
def render_text(report: GapReport) -> str:
    """What ``pa-graph gaps`` prints: the ignore file's removals, then each analysis in a few lines."""
    lines = [f"ignore file line {line} ({entry}): removed {count}" for line, entry, count in report.ignore_counts]
    for analysis in ANALYSES.values():
        lines += analysis.text(report)
    return "".join(line + "\n" for line in lines)


def render_markdown(report: GapReport) -> str:
    """``gaps.md``: each analysis's section, in the registry's order (the works in other lists, the missing papers
    at most ``top``, cross-citations, survey coverage, section flows, comparisons, the evaluation)."""
    lines = ["# Citation gaps", ""]
    for analysis in ANALYSES.values():
        lines += analysis.markdown(report)
    return "\n".join(lines) + "\n"


def render_json(report: GapReport) -> str:
    """``gaps.json`` (schema ``docs/gaps.schema.json``): the options, then each analysis's fields."""
    document: dict[str, Any] = {
        "schema": GAPS_SCHEMA,
        "min_citers": report.min_citers,
        "top": report.top,
        "weights": WEIGHTS,
        "ranking": {"background_penalty": BACKGROUND_PENALTY, "specificity_prior": SPECIFICITY_PRIOR,
                    "concentration_z": CONCENTRATION_Z, "min_lists": report.min_lists},
        "signals": list(SIGNALS),
        "peer_lists": list(report.peer_names),
    }
    for analysis in ANALYSES.values():
        document.update(analysis.json(report))
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"  # compact: read by programs


def render_citations_markdown(report: GapReport, limit: int) -> str:
    """``citations.md``: for each later listed work, the earlier close works it does not cite."""
    pairs = (report.missing_citations or [])[:limit]
    thresholds = ", ".join(f"{k} ≥ {v:g}" for k, v in THRESHOLDS.items())
    lines = ["# Missing cross-citations", "",
             f"Pairs of listed works in one section or tag, the later published after the earlier, close by one of: "
             f"{thresholds}; the later does not cite the earlier. For the authors of the listed papers. "
             f"{len(report.missing_citations or [])} pairs" + (f", the strongest {limit} shown" if
                                                               len(report.missing_citations or []) > limit else ""),
             "", "| later work | does not cite | score | shared references | co-cited by | similarity | in common |",
             "|---|---|---|---|---|---|---|"]
    for gap in pairs:
        similarity = "" if gap.similarity is None else f"{gap.similarity:.2f}"
        lines.append(f"| {cell(gap.later)} | {cell(gap.earlier)} | {gap.score:.2f} | {gap.shared_references} | "
                     f"{gap.cocitations} | {similarity} | {cell(', '.join(gap.common))} |")
    return "\n".join(lines) + "\n"


def render_citations_json(report: GapReport, limit: int) -> str:
    pairs = report.missing_citations or []
    return json.dumps({"schema": CITATIONS_SCHEMA, "thresholds": THRESHOLDS, "count": len(pairs), "limit": limit,
                       "missing_citations": [asdict(m) for m in pairs[:limit]]}, ensure_ascii=False,
                      separators=(",", ":")) + "\n"


REPORT_FILES = ("gaps.md", "gaps.json", "citations.md", "citations.json")


def report_files(report: GapReport, citations_limit: int | None = None) -> dict[str, str]:
    """gaps.md/json and citations.md/json; at most ``citations_limit`` (default: the report's) pairs written."""
    citations_limit = report.citations_limit if citations_limit is None else citations_limit
    """Every file of the report, rendered: the names a build and ``pa-graph gaps`` write."""
    return {"gaps.md": render_markdown(report), "gaps.json": render_json(report),
            "citations.md": render_citations_markdown(report, citations_limit),
            "citations.json": render_citations_json(report, citations_limit)}


def rdf_findings(report: GapReport, citations_limit: int | None = None) -> list[dict[str, Any]]:
    """The findings the RDF carries as ``pa:GapFinding``: the ``top`` missing papers, the strongest missing
    cross-citations, and each survey's coverage (its count as the score, its examples as ``shouldCite``)."""
    citations_limit = report.citations_limit if citations_limit is None else citations_limit
    findings = [{"kind": "missing-paper", "rank": s.rank, "score": s.score, "about": s.node,
                 "evidence": list(s.citing_nodes), "section": s.section_node} for s in report.suggestions]
    for rank, gap in enumerate((report.missing_citations or [])[:citations_limit], 1):
        findings.append({"kind": "missing-citation", "rank": rank, "score": gap.score, "about": gap.later_node,
                         "should_cite": [gap.earlier_node], "evidence": []})
    for survey in report.surveys:
        if survey.has_references and survey.not_cited:
            findings.append({"kind": "survey-gap", "rank": None, "score": float(survey.not_cited),
                             "about": survey.node, "should_cite": list(survey.example_nodes), "evidence": []})
    return findings


def view_suggestions(report: GapReport) -> dict[str, str]:
    """Node → the note the HTML view shows for each missing-paper suggestion (the ringed nodes)."""
    return {s.node: f"missing paper #{s.rank}" + (f" for {s.section}" if s.section else "") + f": {s.why}"
            for s in report.suggestions}


def suggestions_of_json(document: dict[str, Any]) -> dict[str, str]:
    """:func:`view_suggestions` read back from a ``gaps.json``."""
    notes = {}
    for item in document.get("missing_papers") or []:
        if isinstance(item, dict) and isinstance(item.get("node"), str):
            section = f" for {item['section']}" if item.get("section") else ""
            notes[item["node"]] = f"missing paper #{item.get('rank')}{section}: {item.get('why', '')}"
    return notes
