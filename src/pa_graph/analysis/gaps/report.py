"""The gap report as files: ``gaps.md`` / ``gaps.json`` for the maintainer, ``citations.md`` / ``citations.json``
for the authors of listed papers. Every value from a list or a service is escaped for Markdown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from pa_graph.analysis.gaps.analysis import GapReport
from pa_graph.analysis.gaps.cross import CITATIONS_LIMIT, THRESHOLDS
from pa_graph.analysis.gaps.missing import BACKGROUND_PENALTY, CONCENTRATION_Z, SIGNALS, SPECIFICITY_PRIOR, WEIGHTS
from pa_graph.analysis.gaps.other_lists import OtherLists, OtherListWork
from pa_graph.text import counted
from pa_graph.text import markdown_text as cell

__all__ = ["render_text", "how_many_lists", "render_markdown", "render_json", "render_citations_markdown",
           "render_citations_json", "report_files", "rdf_findings", "view_suggestions", "REPORT_FILES",
           "suggestions_of_json", "GAPS_SCHEMA", "CITATIONS_SCHEMA", "CITATIONS_LIMIT"]

GAPS_SCHEMA = "https://w3id.org/pa-graph/gaps/v2"
CITATIONS_SCHEMA = "https://w3id.org/pa-graph/citations/v1"
_LINK_NAMES = {"semantic_scholar": "Semantic Scholar", "openalex": "OpenAlex", "arxiv": "arXiv", "doi": "DOI"}


def _some(titles: Sequence[str], shown: int = 5) -> str:
    more = f" … (+{len(titles) - shown})" if len(titles) > shown else ""
    return "; ".join(titles[:shown]) + more


def _links(links: dict[str, str]) -> str:
    return " · ".join(f"[{_LINK_NAMES.get(kind, kind)}]({url})" for kind, url in links.items()) or "—"


def render_text(report: GapReport, ignore_source: str | None = None) -> str:
    """What ``pa-graph gaps`` prints: the suggestions one a line, then the other analyses in counts."""
    lines = [f"ignore file line {line} ({entry}): removed {count}" for line, entry, count in report.ignore_counts]
    if report.other_lists is not None:
        works = report.other_lists.works
        lines.append(f"in other lists: {counted(len(works), 'work')} in "
                     f"{how_many_lists(report.min_lists, len(report.other_lists.lists))} and not in this one")
        lines += [f"  {w.rank:>2}. {w.title} ({w.year or '?'}) [{w.id}] -> {w.section or '?'}: in "
                  f"{', '.join(w.lists)}" for w in works[:report.top]]
    if report.missing is not None:
        ignored = f", {len(report.missing.ignored)} ignored ({ignore_source})" if report.missing.ignored else ""
        lines.append(f"missing papers: top {len(report.suggestions)} of {report.missing.candidates} cited by >= "
                     f"{report.min_citers} listed works{ignored}")
        lines += [f"  {s.rank:>2}. {s.title} ({s.year or '?'}) [{s.id}] -> {s.section or '?'}: {s.why}"
                  for s in report.suggestions]
        lines.append(f"missing cross-citations: {len(report.missing_citations or [])} pairs (citations.md)")
        uncovered = sum(s.not_cited for s in report.surveys if s.has_references)
        flows = report.flows
        lines.append(f"surveys: {len(report.surveys)}, listed works they miss: {uncovered}; isolated listed works: "
                     f"{len(flows.isolated) if flows else 0}; section pairs that never cite each other: "
                     f"{len(flows.silent_pairs) if flows else 0}")
    if report.comparison is not None:
        for side, what in (("missing_here", "in the other list(s), missing here"),
                           ("missing_there", "here, missing from the other list(s)")):
            entries = report.comparison[side]
            lines.append(f"{what}: {len(entries)}")
            lines += [f"  {e.title} [{e.source}] -> {e.section or '?'}" for e in entries[:report.top]]
    if report.evaluation is not None:
        lines.append(f"evaluation ({report.evaluation['hidden']} hidden works): ranking  recall@10  recall@20  MRR")
        lines += [f"  {name:<20} {v['recall@10']:.3f}  {v['recall@20']:.3f}  {v['mrr']:.3f}"
                  for name, v in report.evaluation["results"].items()]
        if report.evaluation["no_data"]:
            lines.append(f"  no data in this graph for: {', '.join(report.evaluation['no_data'])}")
    return "".join(line + "\n" for line in lines)


def render_markdown(report: GapReport) -> str:
    """``gaps.md``: missing papers first (at most ``top``), then survey coverage, section flows, comparisons."""
    lines = ["# Citation gaps", ""]
    missing = report.missing
    if report.other_lists is not None:
        lines += _other_lists_markdown(report.other_lists, report.min_lists)
    if missing is None and report.comparison is None:
        lines += ["No citation data: build with Semantic Scholar enrichment (or from a cache that has it) to find "
                  "missing papers, survey gaps and section flows.", ""]
    if missing is not None:
        shown = missing.suggestions
        ignored = f"; {len(missing.ignored)} ignored by {report.ignore_source}" if missing.ignored else ""
        lines += [f"## Missing papers (top {len(shown)} of {missing.candidates} works cited by at least "
                  f"{report.min_citers} listed works{ignored})", "",
                  "| # | paper | likely section | why it ranks | cited by (listed works) | links |",
                  "|---|---|---|---|---|---|"]
        for s in shown:
            year = f" ({s.year})" if s.year else ""
            lines.append(f"| {s.rank} | {cell(s.title)}{year} | {cell(s.section or '?')} | {cell(s.why)} | "
                         f"{cell(_some(s.cited_by))} | {_links(s.links)} |")
        lines += ["", "Ranked by how specific each work is to this list (share of its citations that come from "
                  "listed works), how concentrated its citing works are in one section, and the other signals in "
                  "`gaps.json` (weights and formulas in the README). Add the rows below by hand, or with "
                  "`pa-graph gaps --apply LIST.md` (`--only ID`, `--dry-run`); say no once in "
                  "`.pa-graph-ignore` beside the list.", ""]
        by_section: dict[str, list[Any]] = {}
        for s in shown:
            by_section.setdefault(s.section or "(no section)", []).append(s)
        if shown:
            lines += ["### Rows to paste, by section", ""]
        for section, items in by_section.items():
            lines += [f"{cell(section)} (suggestions {', '.join(f'#{s.rank}' for s in items)}):", "", "```markdown"]
            lines += [s.row for s in items] + ["```", ""]
    if report.missing_citations is not None:
        lines += [f"Missing cross-citations between listed works: {len(report.missing_citations)} pairs, in "
                  "`citations.md` (advice for the authors of the listed papers).", ""]
    if report.surveys:
        lines += ["## Survey coverage", "",
                  "Listed works published in an earlier year that each listed survey does not cite (the most cited "
                  "by listed works first).", "",
                  "| survey | year | cites listed works | listed works before it | not cited | examples |",
                  "|---|---|---|---|---|---|"]
        for survey in report.surveys:
            if survey.has_references:
                examples = cell(_some(survey.examples, len(survey.examples)))
                if survey.not_cited > len(survey.examples):
                    examples += f" … (+{survey.not_cited - len(survey.examples)})"
                not_cited = str(survey.not_cited)
            else:
                examples, not_cited = "(no reference data for this survey)", "?"
            lines.append(f"| {cell(survey.survey)} | {survey.year or ''} | {survey.cites_listed} | "
                         f"{survey.earlier_listed} | {not_cited} | {examples} |")
        lines.append("")
    if report.flows is not None:
        flows = report.flows
        names = list(flows.matrix)
        lines += ["## Section flows", "", "Citations between listed works, citing section (row) → cited section.", "",
                  "| | " + " | ".join(cell(n) for n in names) + " |", "|---" * (len(names) + 1) + "|"]
        for name in names:
            lines.append(f"| {cell(name)} | " + " | ".join(str(flows.matrix[name][other]) for other in names) + " |")
        lines += ["", f"Isolated listed works (no in-list citation either way): {len(flows.isolated)}"
                  + (f": {cell(_some(flows.isolated, 20))}" if flows.isolated else ""), "",
                  "Section pairs that never cite each other: "
                  + (", ".join(f"{cell(a)} / {cell(b)}" for a, b in flows.silent_pairs) or "none"), ""]
    if report.comparison is not None:
        for side, title in (("missing_here", "In the other list, missing from this one"),
                            ("missing_there", "In this list, missing from the other")):
            entries = report.comparison[side]
            lines += [f"## {title} ({len(entries)})", "", "| work | from | would go to | why |", "|---|---|---|---|"]
            lines += [f"| {cell(e.title)} | {cell(e.source)} | {cell(e.section or '?')} | {cell(e.reason)} |"
                      for e in entries]
            lines.append("")
    if report.evaluation is not None:
        lines += [f"## Measured quality ({report.evaluation['hidden']} listed works hidden one at a time)", "",
                  "| ranking | recall@10 | recall@20 | MRR |", "|---|---|---|---|"]
        for name, values in report.evaluation["results"].items():
            lines.append(f"| {name} | {values['recall@10']:.3f} | {values['recall@20']:.3f} | {values['mrr']:.3f} |")
        if report.evaluation.get("no_data"):
            lines += ["", f"No data in this graph for: {', '.join(report.evaluation['no_data'])}."]
        lines.append("")
    return "\n".join(lines) + "\n"


def how_many_lists(least: int, given: int) -> str:
    """``the 1 peer list``, ``at least 2 of the 3 peer lists``."""
    return "the 1 peer list" if given == 1 else f"at least {least} of the {given} peer lists"


def _other_lists_markdown(other: OtherLists, min_lists: int) -> list[str]:
    works = other.works
    lines = ["## In other lists", "",
             f"{counted(len(works), 'work')} that {how_many_lists(min_lists, len(other.lists))} "
             f"({cell(', '.join(other.lists))}) include and this list does not — no citation data needed. Most lists "
             "first, then the nearest fit to a section of this list (its works' titles), then the newest.", ""]
    if not works:
        return lines
    lines += ["| # | paper | in lists | likely section | links |", "|---|---|---|---|---|"]
    for w in works:
        year = f" ({w.year})" if w.year else ""
        lines.append(f"| {w.rank} | {cell(w.title)}{year} | {cell(', '.join(w.lists))} | {cell(w.section or '?')} | "
                     f"{_links(w.links)} |")
    lines += ["", "Add one with `pa-graph gaps --apply LIST.md --only ID` (its arXiv id, DOI or title), or paste:", ""]
    by_section: dict[str, list[Any]] = {}
    for w in works:
        by_section.setdefault(w.section or "(no section)", []).append(w)
    for section, items in by_section.items():
        lines += [f"{cell(section)} (works {', '.join(f'#{w.rank}' for w in items)}):", "", "```markdown"]
        lines += [w.row for w in items] + ["```", ""]
    return lines


def _other_list_json(work: OtherListWork) -> dict[str, Any]:
    return {"rank": work.rank, "id": work.id, "title": work.title, "arxiv": work.arxiv_id, "doi": work.doi,
            "year": work.year, "venue": work.venue, "lists": list(work.lists), "likely_section": work.section,
            "section_node": work.section_node, "fit": work.fit, "links": work.links, "row": work.row}


def render_json(report: GapReport) -> str:
    """``gaps.json`` (schema ``docs/gaps.schema.json``)."""
    missing = report.missing
    document = {
        "schema": GAPS_SCHEMA,
        "min_citers": report.min_citers,
        "top": report.top,
        "weights": WEIGHTS,
        "ranking": {"background_penalty": BACKGROUND_PENALTY, "specificity_prior": SPECIFICITY_PRIOR,
                    "concentration_z": CONCENTRATION_Z, "min_lists": report.min_lists},
        "signals": list(SIGNALS),
        "peer_lists": list(report.peer_names),
        "candidates": None if missing is None else missing.candidates,
        "ignored": None if missing is None else missing.ignored,
        "missing_papers": [] if missing is None else [asdict(s) for s in missing.suggestions],
        "in_other_lists": None if report.other_lists is None else [_other_list_json(w) for w in report.other_lists.works],
        "missing_citations": None if report.missing_citations is None else {
            "count": len(report.missing_citations), "file": "citations.json"},
        "survey_coverage": [asdict(s) for s in report.surveys],
        "section_flows": None if report.flows is None else {
            "matrix": report.flows.matrix, "isolated": list(report.flows.isolated),
            "silent_pairs": [list(pair) for pair in report.flows.silent_pairs]},
        "comparison": None if report.comparison is None else
        {side: [asdict(e) for e in entries] for side, entries in report.comparison.items()},
        "evaluation": report.evaluation,
    }
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
