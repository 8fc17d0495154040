"""Survey coverage and section flows: what each listed survey leaves out, and who cites whom across the taxonomy."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from pa_graph.analysis.gaps.index import CitationIndex

__all__ = ["SurveyCoverage", "survey_coverage", "SectionFlows", "section_flows", "EXAMPLES"]

#: Titles shown per survey; the count is always complete.
EXAMPLES = 10


@dataclass(frozen=True)
class SurveyCoverage:
    survey: str
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
        found.append(SurveyCoverage(index.title(survey), year, len(cited & listed), len(earlier), len(missing),
                                    tuple(index.title(w) for w in missing[:examples]), bool(cited), survey,
                                    tuple(missing[:examples])))
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
