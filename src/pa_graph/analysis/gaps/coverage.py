"""Survey coverage and section flows: what each listed survey leaves out, and who cites whom across the taxonomy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, asdict, dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from pa_graph.analysis.gaps.base import GapAnalysis, GapInputs, some_titles
from pa_graph.analysis.gaps.index import CitationIndex
from pa_graph.text import markdown_text as cell

if TYPE_CHECKING:
    from pa_graph.analysis.gaps.analysis import GapReport

__all__ = ["SurveyCoverage", "survey_coverage", "SectionFlows", "section_flows", "EXAMPLES"]

#: Titles shown per survey; the count is always complete.
EXAMPLES = 10


@dataclass(frozen=True)
class SurveyCoverage:
    survey: str
    _: KW_ONLY
    year: int | None
    cites_listed: int
    earlier_listed: int
    not_cited: int  # listed works published in an earlier year that the survey does not cite
    examples: tuple[str, ...]  # at most EXAMPLES of them, the most cited by listed works first
    has_references: bool
    node: str = ""
    example_nodes: tuple[str, ...] = ()


def survey_coverage(model: nx.MultiDiGraph[str], examples: int = EXAMPLES,
                    index: CitationIndex | None = None) -> list[SurveyCoverage]:
    """For each listed survey: the listed works published in an earlier year that it does not cite. A survey whose
    references are unknown (unresolved, or an offline build) is reported with ``has_references=False``."""
    index = index or CitationIndex.of(model)
    listed = index.listed_set
    found = []
    for survey in index.listed:
        if index.data(survey).get("work_type") != "survey":
            continue
        year = index.year(survey)
        earlier = [w for w in index.listed if w != survey and year and (index.year(w) or year) < year]
        cited = index.references(survey)
        missing = sorted((w for w in earlier if w not in cited),
                         key=lambda w: (-len(index.listed_citers(w)), index.title(w)))
        found.append(SurveyCoverage(index.title(survey), year=year, cites_listed=len(cited & listed),
                                    earlier_listed=len(earlier), not_cited=len(missing),
                                    examples=tuple(index.title(w) for w in missing[:examples]),
                                    has_references=bool(cited), node=survey, example_nodes=tuple(missing[:examples])))
    return found


@dataclass(frozen=True)
class SectionFlows:
    matrix: dict[str, dict[str, int]]  # citing section → cited section → citations between listed works
    isolated: tuple[str, ...]  # listed works with no in-list citation either way
    silent_pairs: tuple[tuple[str, str], ...]  # section pairs with no citation in either direction


def section_flows(model: nx.MultiDiGraph[str], index: CitationIndex | None = None) -> SectionFlows:
    index = index or CitationIndex.of(model)
    listed = index.listed_set
    sections = sorted({s for w in index.listed for s in index.sections[w]}, key=index.label)
    matrix = {index.label(a): {index.label(b): 0 for b in sections} for a in sections}
    for citing in index.listed:
        for cited in index.references(citing) & listed:
            for a in index.sections[citing]:
                for b in index.sections[cited]:
                    matrix[index.label(a)][index.label(b)] += 1
    isolated = tuple(sorted(index.title(w) for w in index.listed
                            if not (index.references(w) & listed) and not index.listed_citers(w)))
    names = [index.label(s) for s in sections]
    silent = tuple((a, b) for i, a in enumerate(names) for b in names[i + 1:]
                   if matrix[a][b] == 0 and matrix[b][a] == 0)
    return SectionFlows(matrix, isolated, silent)


# ----- what it adds to the report ------------------------------------------------------------------------------

def _run(inputs: GapInputs, so_far: Mapping[str, Any]) -> dict[str, Any]:
    if inputs.index is None:
        return {}
    return {"surveys": survey_coverage(inputs.model, index=inputs.index),
            "flows": section_flows(inputs.model, index=inputs.index)}


def _text(report: GapReport) -> list[str]:
    flows = report.flows
    if flows is None:
        return []
    uncovered = sum(s.not_cited for s in report.surveys if s.has_references)
    return [f"surveys: {len(report.surveys)}, listed works they miss: {uncovered}; isolated listed works: "
            f"{len(flows.isolated)}; section pairs that never cite each other: {len(flows.silent_pairs)}"]


def _markdown(report: GapReport) -> list[str]:
    lines: list[str] = []
    if report.surveys:
        lines += ["## Survey coverage", "",
                  "Listed works published in an earlier year that each listed survey does not cite (the most cited "
                  "by listed works first).", "",
                  "| survey | year | cites listed works | listed works before it | not cited | examples |",
                  "|---|---|---|---|---|---|"]
        for survey in report.surveys:
            if survey.has_references:
                examples = cell(some_titles(survey.examples, len(survey.examples)))
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
                  + (f": {cell(some_titles(flows.isolated, 20))}" if flows.isolated else ""), "",
                  "Section pairs that never cite each other: "
                  + (", ".join(f"{cell(a)} / {cell(b)}" for a, b in flows.silent_pairs) or "none"), ""]
    return lines


def _json(report: GapReport) -> dict[str, Any]:
    flows = report.flows
    return {"survey_coverage": [asdict(s) for s in report.surveys],
            "section_flows": None if flows is None else {
                "matrix": flows.matrix, "isolated": list(flows.isolated),
                "silent_pairs": [list(pair) for pair in flows.silent_pairs]}}


#: What each listed survey misses, and how the list's sections cite each other (needs citations).
ANALYSIS = GapAnalysis(_run, _text, _markdown, _json)
