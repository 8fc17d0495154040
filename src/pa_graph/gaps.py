"""Gap analysis: what the list is missing, which listed works should cite each other, what surveys miss, how
sections cite each other — pure functions of the model graph, plus an honest evaluation of the ranking.

Missing-paper score (documented in the README too). For each candidate ``c`` — a work not in the list that at least
``min_citers`` listed works cite — five signals, each divided by its maximum over all candidates (so in [0, 1]):

* ``citations``: how many listed works cite ``c`` (what Local Citation Network ranks by);
* ``cocitation``: for each listed work citing ``c``, how many other listed works it also cites, summed — ``c`` sits
  among the list's own references;
* ``coupling``: references ``c`` shares with listed works, summed over listed works (needs ``c``'s references,
  known when ``c`` also cites: with ``--citations``);
* ``recency``: ``(year - oldest) / (newest - oldest)`` over the candidates (0.5 when the year is unknown);
* ``similarity``: cosine of ``c``'s SPECTER v2 embedding with the mean embedding of the works citing it (when
  stored with ``--embeddings``).

``score = 0.45 citations + 0.25 cocitation + 0.10 coupling + 0.10 recency + 0.10 similarity``; signals with no data
for any candidate (no embeddings, no coupling) drop out and the other weights are rescaled to sum to 1. Ties break
on more citing listed works, then the newer year, then the title. The likely section is the one most of the citing
listed works are listed in; a tie goes to the section whose works cite ``c`` earliest in the list's order.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import networkx as nx

from pa_graph.errors import PaGraphError
from pa_graph.records import ParsedList
from pa_graph.resolve import same_title

__all__ = [
    "WEIGHTS",
    "SIGNALS",
    "CROSS_CITATION_THRESHOLDS",
    "GapError",
    "MissingPaper",
    "MissingCitation",
    "SurveyCoverage",
    "SectionFlows",
    "CrossListEntry",
    "ListEntry",
    "entries_of_lists",
    "entries_of_model",
    "GapReport",
    "missing_papers",
    "missing_citations",
    "survey_coverage",
    "section_flows",
    "compare_lists",
    "evaluate_ranking",
    "analyse",
    "has_citations",
    "render_markdown",
]

SIGNALS = ("citations", "cocitation", "coupling", "recency", "similarity")
WEIGHTS = {"citations": 0.45, "cocitation": 0.25, "coupling": 0.10, "recency": 0.10, "similarity": 0.10}
#: A pair of listed works is "close" from these values on (any one suffices).
CROSS_CITATION_THRESHOLDS = {"shared_references": 2, "cocitations": 2, "similarity": 0.85}


class GapError(PaGraphError):
    """The graph cannot support the requested analysis (e.g. it holds no citations)."""


# ----- reading the model ---------------------------------------------------------------------------------------

@dataclass
class _View:
    """Indexes over the model that every analysis needs, built once."""

    model: nx.MultiDiGraph
    listed: list[str]
    refs: dict[str, set[str]]
    citers: dict[str, set[str]]

    @classmethod
    def of(cls, model: nx.MultiDiGraph, hidden: str | None = None) -> _View:
        refs: dict[str, set[str]] = defaultdict(set)
        citers: dict[str, set[str]] = defaultdict(set)
        for u, v, key in model.edges(keys=True):
            if key == "cites" and u != hidden:
                refs[u].add(v)
                citers[v].add(u)
        listed = [n for n, d in model.nodes(data=True) if d["kind"] == "work" and d.get("listed") and n != hidden]
        return cls(model, listed, refs, citers)

    def data(self, node: str) -> dict:
        return self.model.nodes[node]

    def year(self, node: str) -> int | None:
        return self.data(node).get("year")

    def title(self, node: str) -> str:
        return self.data(node).get("title", node)

    def targets(self, node: str, relation: str) -> list[str]:
        return [v for _, v, k in self.model.out_edges(node, keys=True) if k == relation]


def has_citations(model: nx.MultiDiGraph) -> bool:
    return any(key == "cites" for _, _, key in model.edges(keys=True))


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _mean(vectors: list[Sequence[float]]) -> list[float]:
    return [sum(values) / len(vectors) for values in zip(*vectors)]


# ----- 1. missing papers ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MissingPaper:
    node: str
    title: str
    year: int | None
    score: float
    signals: dict[str, float]  # raw values before normalisation
    cited_by: tuple[str, ...]  # titles of the citing listed works
    section: str | None
    row: str  # ready to paste, in the list's layout for that section


def _scores(view: _View, candidates: list[str], weights: dict[str, float]) -> dict[str, tuple[float, dict]]:
    listed = set(view.listed)
    listed_refs = {node: view.refs[node] for node in view.listed}
    raw: dict[str, dict[str, float]] = {}
    years = [y for y in (view.year(c) for c in candidates) if y]
    oldest, newest = (min(years), max(years)) if years else (0, 0)
    for c in candidates:
        citing = view.citers[c] & listed
        vectors = [view.data(p)["embedding"] for p in citing if view.data(p).get("embedding")]
        own = view.data(c).get("embedding")
        year = view.year(c)
        raw[c] = {
            "citations": len(citing),
            "cocitation": sum(len((view.refs[p] & listed) - {c}) for p in citing),
            "coupling": sum(len(view.refs[c] & refs) for refs in listed_refs.values()) if view.refs.get(c) else 0,
            "recency": (year - oldest) / (newest - oldest) if year and newest > oldest else 0.5,
            "similarity": _cosine(own, _mean(vectors)) if own and vectors else 0.0,
        }
    active = {s: w for s, w in weights.items() if w and any(values[s] for values in raw.values())}
    total = sum(active.values()) or 1.0
    maxima = {s: max(values[s] for values in raw.values()) or 1.0 for s in active} if raw else {}
    return {c: (sum(w / total * raw[c][s] / maxima[s] for s, w in active.items()), raw[c]) for c in candidates}


def _ranked(view: _View, min_citers: int, weights: dict[str, float]) -> list[tuple[str, float, dict]]:
    listed = set(view.listed)
    candidates = [n for n, d in view.model.nodes(data=True)
                  if d["kind"] == "work" and n not in listed and len(view.citers[n] & listed) >= min_citers]
    scored = _scores(view, candidates, weights)
    return sorted(((c, s, raw) for c, (s, raw) in scored.items()),
                  key=lambda item: (-item[1], -item[2]["citations"], -(view.year(item[0]) or 0), view.title(item[0])))


def _likely_section(view: _View, citing: Iterable[str]) -> str | None:
    votes: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    order = {node: position for position, node in enumerate(view.listed)}
    for work in sorted(citing, key=lambda n: order.get(n, 0)):
        for section in view.targets(work, "listed_in"):
            votes[section] += 1
            first_seen.setdefault(section, order.get(work, 0))
    if not votes:
        return None
    return min(votes, key=lambda s: (-votes[s], first_seen[s]))


def missing_papers(model: nx.MultiDiGraph, min_citers: int = 2, weights: dict[str, float] = WEIGHTS,
                   limit: int | None = None) -> list[MissingPaper]:
    """Works cited by at least ``min_citers`` listed works but not listed, ranked (see the module docstring)."""
    view = _View.of(model)
    found = []
    for node, score, raw in _ranked(view, min_citers, weights)[:limit]:
        citing = sorted(view.citers[node] & set(view.listed), key=view.title)
        section = _likely_section(view, citing)
        found.append(MissingPaper(node, view.title(node), view.year(node), round(score, 4), raw,
                                  tuple(view.title(c) for c in citing),
                                  view.data(section)["label"] if section else None, _paste_row(view, node, section)))
    return found


def _paste_row(view: _View, node: str, section: str | None) -> str:
    """A table row for the section's table, in its column layout (or the list's usual layout)."""
    from pa_graph.parse import column_roles

    layouts = {}
    for listed in view.model.graph.get("lists", []):
        layouts.update(listed.get("layouts", {}))
    header = layouts.get(section) or ["Paper", "Abbr.", "Year", "Source", "Tag", "PDF"]
    roles = {position: role for role, position in column_roles(header).items()}
    data = view.data(node)
    arxiv = data.get("arxiv_id")
    title = data.get("title", "").replace("|", "\\|")
    venues = [view.data(v)["label"] for v in view.targets(node, "published_in")]
    cells = []
    for position in range(len(header)):
        role = roles.get(position)
        if role == "title":
            cells.append(f"[{title}](https://arxiv.org/abs/{arxiv})" if arxiv else title)
        elif role == "year":
            cells.append(str(data.get("year") or ""))
        elif role == "venue":
            cells.append(venues[0] if venues else ("arxiv" if arxiv else ""))
        elif role == "link":
            cells.append(f"[PDF](https://arxiv.org/pdf/{arxiv})" if arxiv else "")
        else:
            cells.append("")
    return "| " + " | ".join(cells) + " |"


# ----- 2. missing cross-citations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class MissingCitation:
    later: str
    earlier: str
    score: float
    shared_references: int
    cocitations: int
    similarity: float | None
    common: tuple[str, ...]  # the shared section or tag labels
    evidence: tuple[str, ...]  # titles of shared references and co-citing works


def missing_citations(model: nx.MultiDiGraph, thresholds: dict[str, float] = CROSS_CITATION_THRESHOLDS,
                      limit: int | None = None) -> list[MissingCitation]:
    """Pairs of listed works sharing a section or tag, the later published after the earlier and close by the
    thresholds (shared references, co-citations by listed works, embedding similarity), where the later does not
    cite the earlier. Score: shared references + co-citations + 4 × similarity above 0.5; ties by title."""
    view = _View.of(model)
    if not has_citations(model):
        return []
    listed = set(view.listed)
    groups = {n: set(view.targets(n, "listed_in")) | set(view.targets(n, "has_tag")) for n in view.listed}
    found = []
    for a in view.listed:
        for b in view.listed:
            year_a, year_b = view.year(a), view.year(b)
            if a == b or not year_a or not year_b or year_b <= year_a or a in view.refs[b]:
                continue
            common = groups[a] & groups[b]
            if not common:
                continue
            shared = view.refs[a] & view.refs[b]
            cociting = view.citers[a] & view.citers[b] & listed
            vectors = (view.data(a).get("embedding"), view.data(b).get("embedding"))
            similarity = _cosine(*vectors) if all(vectors) else None
            if not (len(shared) >= thresholds["shared_references"] or len(cociting) >= thresholds["cocitations"]
                    or (similarity is not None and similarity >= thresholds["similarity"])):
                continue
            score = len(shared) + len(cociting) + 4 * max(0.0, (similarity or 0.0) - 0.5)
            evidence = tuple(sorted(view.title(n) for n in shared)) + tuple(sorted(view.title(n) for n in cociting))
            found.append(MissingCitation(view.title(b), view.title(a), round(score, 4), len(shared), len(cociting),
                                         None if similarity is None else round(similarity, 4),
                                         tuple(sorted(view.data(g)["label"] for g in common)), evidence))
    found.sort(key=lambda m: (-m.score, m.later, m.earlier))
    return found[:limit]


# ----- 3. survey coverage ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SurveyCoverage:
    survey: str
    year: int | None
    cites_listed: int
    earlier_listed: int
    missing: tuple[str, ...]  # listed works published before the survey that it does not cite
    has_references: bool


def survey_coverage(model: nx.MultiDiGraph) -> list[SurveyCoverage]:
    """For each listed survey: the listed works published in an earlier year that it does not cite. A survey whose
    references are unknown (unresolved, or an offline build) is reported with ``has_references=False``."""
    view = _View.of(model)
    found = []
    for survey in view.listed:
        if view.data(survey).get("work_type") != "survey":
            continue
        year = view.year(survey)
        earlier = [w for w in view.listed if w != survey and year and view.year(w) and view.year(w) < year]
        cited = view.refs[survey]
        missing = tuple(sorted(view.title(w) for w in earlier if w not in cited))
        found.append(SurveyCoverage(view.title(survey), year, len(cited & set(view.listed)), len(earlier),
                                    missing, bool(cited)))
    return found


# ----- 4. section flows ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SectionFlows:
    matrix: dict[str, dict[str, int]]  # citing section → cited section → citations between listed works
    isolated: tuple[str, ...]  # listed works with no in-list citation either way
    silent_pairs: tuple[tuple[str, str], ...]  # section pairs with no citation in either direction


def section_flows(model: nx.MultiDiGraph) -> SectionFlows:
    view = _View.of(model)
    listed = set(view.listed)
    label = lambda node: view.data(node)["label"]  # noqa: E731
    sections = sorted({s for w in view.listed for s in view.targets(w, "listed_in")}, key=label)
    matrix = {label(a): {label(b): 0 for b in sections} for a in sections}
    for citing in view.listed:
        for cited in view.refs[citing] & listed:
            for a in view.targets(citing, "listed_in"):
                for b in view.targets(cited, "listed_in"):
                    matrix[label(a)][label(b)] += 1
    isolated = tuple(sorted(view.title(w) for w in view.listed
                            if not (view.refs[w] & listed) and not (view.citers[w] & listed)))
    names = [label(s) for s in sections]
    silent = tuple((a, b) for i, a in enumerate(names) for b in names[i + 1:]
                   if matrix[a][b] == 0 and matrix[b][a] == 0)
    return SectionFlows(matrix, isolated, silent)


# ----- 5. cross-list coverage ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CrossListEntry:
    title: str
    source: str  # file:line in the list it comes from
    section: str | None  # where it would go in the other list
    reason: str


_STOP = {"a", "an", "the", "of", "for", "and", "in", "on", "with", "via", "to", "by", "from", "is", "are", "large",
         "language", "models", "model", "llm", "llms"}


def _words(title: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", title.casefold()) if w not in _STOP and len(w) > 2}


@dataclass(frozen=True)
class ListEntry:
    """What cross-list comparison needs of a listed work."""

    title: str
    sections: tuple[str, ...]  # most specific first
    tags: tuple[str, ...]
    source: str


def entries_of_lists(lists: Sequence[ParsedList]) -> list[ListEntry]:
    return [ListEntry(row.title, tuple(s for s in (row.section.sub, row.section.top) if s), row.tags, str(row.source))
            for parsed in lists for row in parsed.rows]


def entries_of_model(model: nx.MultiDiGraph) -> list[ListEntry]:
    view = _View.of(model)
    entries = []
    for work in view.listed:
        sections = view.targets(work, "listed_in")
        labels = [view.data(s)["label"] for s in sections]
        labels += [view.data(t)["label"] for s in sections for t in view.targets(s, "broader")]
        source = (view.data(work).get("sources") or [{}])[0]
        entries.append(ListEntry(view.title(work), tuple(labels),
                                 tuple(view.data(t)["label"] for t in view.targets(work, "has_tag")),
                                 f"{source.get('file', '?')}:{source.get('line', '?')}"))
    return entries


def compare_lists(ours: Sequence[ListEntry], theirs: Sequence[ListEntry]) -> dict[str, list[CrossListEntry]]:
    """Works of each side missing from the other, each with the section it would go to: a section with the same
    label; else the section whose works share most of its tags; else the one whose titles share most words."""
    return {"missing_here": _absent(theirs, ours), "missing_there": _absent(ours, theirs)}


def _absent(entries: Sequence[ListEntry], others: Sequence[ListEntry]) -> list[CrossListEntry]:
    from pa_graph.text import label_key, normalize_title

    by_label: dict[str, str] = {}
    tag_votes: dict[str, Counter] = defaultdict(Counter)
    words: dict[str, Counter] = defaultdict(Counter)
    for other in others:
        home = other.sections[0] if other.sections else None
        if home is None:
            continue
        for label in other.sections:
            by_label.setdefault(label_key(label), label)
        for tag in other.tags:
            tag_votes[label_key(tag)][home] += 1
        words[home].update(_words(other.title))
    found, seen = [], set()
    for entry in entries:
        key = normalize_title(entry.title)
        if key in seen or any(same_title(entry.title, other.title) for other in others):
            continue
        seen.add(key)
        section, reason = None, "no section fits"
        for label in entry.sections:
            if label_key(label) in by_label:
                section, reason = by_label[label_key(label)], f"same section name ({label})"
                break
        if section is None:
            votes: Counter = Counter()
            for tag in entry.tags:
                votes.update(tag_votes.get(label_key(tag), Counter()))
            if votes:
                section = min(votes, key=lambda s: (-votes[s], s))
                reason = f"its tags ({', '.join(entry.tags)}) are most used there"
        if section is None:
            mine = _words(entry.title)
            overlap = {s: sum(counts[w] for w in mine) for s, counts in words.items()}
            if overlap and max(overlap.values()) > 0:
                section = min(overlap, key=lambda s: (-overlap[s], s))
                reason = "its title shares the most words with works there"
        found.append(CrossListEntry(entry.title, entry.source, section, reason))
    return found


# ----- 6. measured quality ---------------------------------------------------------------------------------------

def evaluate_ranking(model: nx.MultiDiGraph, min_hidden_citers: int = 2, ks: Sequence[int] = (10, 20)) -> dict:
    """Hide, one at a time, each listed work at least ``min_hidden_citers`` listed works cite: it loses its listing,
    its references, its sections and its embedding, as if the list did not have it. Rank the candidates again (``min_citers=1``)
    and record where it comes back. Returns recall@k and MRR for our score, each signal alone, and the baselines
    (in-degree = citations alone, co-citation alone, coupling alone)."""
    view = _View.of(model)
    listed = set(view.listed)
    hidden = [w for w in view.listed if len(view.citers[w] & listed) >= min_hidden_citers]
    variants = {"ours": WEIGHTS, **{f"{signal} only": {signal: 1.0} for signal in SIGNALS}}
    ranks: dict[str, list[int | None]] = {name: [] for name in variants}
    for work in hidden:
        trial = model.copy()
        trial.nodes[work]["listed"] = False
        trial.nodes[work].pop("embedding", None)  # pa-graph fetches embeddings for listed works only: no leak
        trial.remove_edges_from([(u, v, k) for u, v, k in list(trial.out_edges(work, keys=True))])
        trial_view = _View.of(trial)
        for name, weights in variants.items():
            order = [node for node, _, _ in _ranked(trial_view, 1, weights)]
            ranks[name].append(order.index(work) + 1 if work in order else None)
    results = {}
    for name, values in ranks.items():
        results[name] = {**{f"recall@{k}": _share(values, k) for k in ks},
                         "mrr": round(statistics.fmean(1 / r if r else 0.0 for r in values), 4) if values else 0.0}
    return {"hidden": len(hidden), "results": results}


def _share(ranks: list[int | None], k: int) -> float:
    return round(sum(1 for r in ranks if r and r <= k) / len(ranks), 4) if ranks else 0.0


# ----- all together ----------------------------------------------------------------------------------------------

@dataclass
class GapReport:
    min_citers: int
    missing_papers: list[MissingPaper] = field(default_factory=list)
    missing_citations: list[MissingCitation] = field(default_factory=list)
    surveys: list[SurveyCoverage] = field(default_factory=list)
    flows: SectionFlows | None = None
    comparison: dict[str, list[CrossListEntry]] | None = None
    evaluation: dict | None = None

    def to_json(self) -> dict:
        return {
            "schema": "https://w3id.org/pa-graph/gaps/v1",
            "min_citers": self.min_citers,
            "weights": WEIGHTS,
            "cross_citation_thresholds": CROSS_CITATION_THRESHOLDS,
            "missing_papers": [asdict(m) for m in self.missing_papers],
            "missing_citations": [asdict(m) for m in self.missing_citations],
            "survey_coverage": [asdict(s) for s in self.surveys],
            "section_flows": None if self.flows is None else {
                "matrix": self.flows.matrix, "isolated": list(self.flows.isolated),
                "silent_pairs": [list(pair) for pair in self.flows.silent_pairs]},
            "comparison": None if self.comparison is None else
            {side: [asdict(e) for e in entries] for side, entries in self.comparison.items()},
            "evaluation": self.evaluation,
        }


def analyse(model: nx.MultiDiGraph, min_citers: int = 2, compare: Sequence[ParsedList] | None = None,
            evaluate: bool = False) -> GapReport:
    """Every analysis the graph supports: the citation-based ones need citations (an enriched build)."""
    report = GapReport(min_citers)
    if has_citations(model):
        report.missing_papers = missing_papers(model, min_citers)
        report.missing_citations = missing_citations(model)
        report.surveys = survey_coverage(model)
        report.flows = section_flows(model)
        if evaluate:
            report.evaluation = evaluate_ranking(model)
    elif evaluate:
        raise GapError("--evaluate needs citations: build with Semantic Scholar data first")
    if compare is not None:
        report.comparison = compare_lists(entries_of_model(model), entries_of_lists(compare))
    return report


# ----- rendering -------------------------------------------------------------------------------------------------

def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _some(titles: Sequence[str], shown: int = 5) -> str:
    more = f" … (+{len(titles) - shown})" if len(titles) > shown else ""
    return "; ".join(titles[:shown]) + more


def render_markdown(report: GapReport, top: int = 30) -> str:
    """``gaps.md``: the findings a maintainer can act on, strongest first."""
    lines = ["# Citation gaps", ""]
    if report.flows is None and report.comparison is None:
        lines += ["No citation data: build with Semantic Scholar enrichment (or from a cache that has it) to find "
                  "missing papers, missing cross-citations, survey gaps and section flows.", ""]
    if report.flows is not None:
        weights = ", ".join(f"{w:g} {s}" for s, w in WEIGHTS.items())
        lines += [f"## Missing papers ({len(report.missing_papers)}, cited by at least {report.min_citers} listed works)",
                  "", f"Score = {weights} (each signal divided by its maximum; see README).", "",
                  "| # | paper | year | score | cited by listed works | likely section | row to paste |",
                  "|---|---|---|---|---|---|---|"]
        for rank, paper in enumerate(report.missing_papers[:top], 1):
            lines.append(f"| {rank} | {_cell(paper.title)} | {paper.year or ''} | {paper.score:.3f} | "
                         f"{len(paper.cited_by)}: {_cell(_some(paper.cited_by))} | {_cell(paper.section or '')} | "
                         f"`{_cell(paper.row)}` |")
        thresholds = ", ".join(f"{k} ≥ {v:g}" for k, v in CROSS_CITATION_THRESHOLDS.items())
        lines += ["", f"## Missing cross-citations ({len(report.missing_citations)})", "",
                  f"Pairs in one section or tag, the later published after the earlier, close by one of: {thresholds}; "
                  "the later does not cite the earlier.", "",
                  "| later work | should it cite | score | shared refs | co-cited | similarity | in common |",
                  "|---|---|---|---|---|---|---|"]
        for gap in report.missing_citations[:top]:
            similarity = "" if gap.similarity is None else f"{gap.similarity:.2f}"
            lines.append(f"| {_cell(gap.later)} | {_cell(gap.earlier)} | {gap.score:.2f} | {gap.shared_references} | "
                         f"{gap.cocitations} | {similarity} | {_cell(', '.join(gap.common))} |")
        lines += ["", "## Survey coverage", "", "| survey | year | cites listed | listed before it | not cited |",
                  "|---|---|---|---|---|"]
        for survey in report.surveys:
            missing = _some(survey.missing) if survey.has_references else "(no reference data for this survey)"
            lines.append(f"| {_cell(survey.survey)} | {survey.year or ''} | {survey.cites_listed} | "
                         f"{survey.earlier_listed} | {_cell(missing)} |")
        flows = report.flows
        names = list(flows.matrix)
        lines += ["", "## Section flows", "", "Citations between listed works, citing section (row) → cited section.", "",
                  "| | " + " | ".join(_cell(n) for n in names) + " |", "|---" * (len(names) + 1) + "|"]
        for name in names:
            lines.append(f"| {_cell(name)} | " + " | ".join(str(flows.matrix[name][other]) for other in names) + " |")
        lines += ["", f"Isolated listed works (no in-list citation either way): {len(flows.isolated)}"
                  + (f": {_cell(_some(flows.isolated, 20))}" if flows.isolated else ""), "",
                  "Section pairs that never cite each other: "
                  + (", ".join(f"{a} / {b}" for a, b in flows.silent_pairs) or "none"), ""]
    if report.comparison is not None:
        for side, title in (("missing_here", "In the other list, missing from this one"),
                            ("missing_there", "In this list, missing from the other")):
            entries = report.comparison[side]
            lines += [f"## {title} ({len(entries)})", "", "| work | from | would go to | why |", "|---|---|---|---|"]
            lines += [f"| {_cell(e.title)} | {e.source} | {_cell(e.section or '?')} | {_cell(e.reason)} |" for e in entries]
            lines.append("")
    if report.evaluation is not None:
        lines += [f"## Measured quality ({report.evaluation['hidden']} listed works hidden one at a time)", "",
                  "| ranking | recall@10 | recall@20 | MRR |", "|---|---|---|---|"]
        for name, values in report.evaluation["results"].items():
            lines.append(f"| {name} | {values['recall@10']:.3f} | {values['recall@20']:.3f} | {values['mrr']:.3f} |")
        lines.append("")
    return "\n".join(lines) + "\n"
