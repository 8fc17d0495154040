"""In other lists: works that several sibling lists of the field include and this list does not.

First-hand evidence a maintainer trusts without any citation data: peer rows are grouped into works the way rows
are merged within a build (equal or nearly equal titles, a shared arXiv id or DOI with titles that agree), a work
counts when at least ``min_lists`` peer lists have it and this list has none of its rows, and each is placed in the
section of *this* list whose titles it is nearest to (TF-IDF over titles; the SPECTER embedding when the build has
one for the work) with a row built from the peer list's own entry in this list's layout.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import networkx as nx
from networkx.utils import UnionFind

from pa_graph.analysis.gaps.base import GapAnalysis, GapInputs, links_cell
from pa_graph.analysis.gaps.ignore import IgnoreList
from pa_graph.analysis.gaps.index import CitationIndex, cosine
from pa_graph.analysis.gaps.peers import PeerList
from pa_graph.lists.rows import DEFAULT_HEADER, NewEntry, table_row
from pa_graph.records import ListRow, ParsedList
from pa_graph.resolve import resolve_works, same_title
from pa_graph.text import DOI, arxiv_base_id, counted, normalize_title, redacted_url, safe_link
from pa_graph.text import markdown_text as cell

if TYPE_CHECKING:
    from pa_graph.analysis.gaps.analysis import GapReport

__all__ = ["OtherListWork", "OtherLists", "in_other_lists", "title_vectors"]

_DOI_LINK = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_STOPWORDS = frozenset("a an and are as at be by for from in into is it its of on or the to via with without "
                       "towards toward through using based we our".split())


@dataclass(kw_only=True, frozen=True)
class OtherListWork:
    """A work of other lists, ready for a maintainer (and for ``gaps --apply --only``)."""

    rank: int
    id: str  # its arXiv id, DOI or normalised title (for --only and the ignore file)
    title: str  # as the first peer list that has it writes it
    arxiv_id: str | None
    doi: str | None
    year: int | None
    venue: str | None
    lists: tuple[str, ...]  # the peer lists that include it (level-1 heading, else file name), in the order given
    links: dict[str, str]
    section: str | None  # label of the likely section in this list
    section_node: str | None
    fit: float  # how near the likely section's titles (or embedding) it is, 0..1
    row: str  # in this list's layout
    url: str | None = field(default=None, repr=False)  # the entry's link when it has no arXiv id

    @property
    def why(self) -> str:
        return f"in {counted(len(self.lists), 'other list')}: {', '.join(self.lists)}"

    def entry(self) -> NewEntry:
        return NewEntry(self.title, self.year, venue=self.venue, arxiv_id=self.arxiv_id, url=self.url)


@dataclass(frozen=True)
class OtherLists:
    works: list[OtherListWork]
    lists: tuple[str, ...]  # every peer list given
    warnings: list[str] = field(default_factory=list)
    ignored: list[dict[str, Any]] = field(default_factory=list)  # the works the ignore file removed (title, arxiv_id, doi)


def _doi_of(row: ListRow) -> str | None:
    for link in row.links:
        found = _DOI_LINK.match(link)
        if found and DOI.fullmatch(found.group(1)):
            return found.group(1).casefold()
    return None


def _group(peers: Sequence[ParsedList]) -> list[list[tuple[str, ListRow]]]:
    """Peer rows grouped into works (titles, shared arXiv ids — :func:`resolve_works` — then shared DOIs)."""
    rows = [(peer.title or peer.name, row) for peer in peers for row in peer.rows]
    owner = {id(row): name for name, row in rows}
    works = resolve_works(row for _, row in rows)
    groups = UnionFind(range(len(works)))
    by_doi: dict[str, list[int]] = {}
    for position, work in enumerate(works):
        for row in work.rows:
            if doi := _doi_of(row):
                by_doi.setdefault(doi, []).append(position)
    for members in by_doi.values():
        for other in members[1:]:
            if same_title(works[members[0]].title, works[other].title):
                groups.union(members[0], other)
    merged = sorted((sorted(members) for members in groups.to_sets()), key=lambda members: members[0])
    return [[(owner[id(row)], row) for position in members for row in works[position].rows] for members in merged]


def _tokens(title: str) -> list[str]:
    return [t for t in normalize_title(title).split() if t not in _STOPWORDS and len(t) > 1]


def title_vectors(documents: dict[str, list[str]]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """TF-IDF vectors (unit length) of each document — a section's titles — and the idf of each term.

    >>> vectors, idf = title_vectors({"s1": ["Reward models"], "s2": ["Reward hacking", "Prompt tuning"]})
    >>> round(idf["reward"], 3), round(idf["prompt"], 3)
    (1.0, 1.405)
    """
    counts = {name: Counter(t for title in titles for t in _tokens(title)) for name, titles in documents.items()}
    frequency = Counter(t for counter in counts.values() for t in counter)
    idf = {t: math.log((1 + len(counts)) / (1 + df)) + 1 for t, df in frequency.items()}
    return {name: _unit({t: tf * idf[t] for t, tf in counter.items()}) for name, counter in counts.items()}, idf


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


def _nearest(title: str, vectors: dict[str, dict[str, float]], idf: dict[str, float],
             order: dict[str, int]) -> tuple[str | None, float]:
    query = _unit({t: tf * idf[t] for t, tf in Counter(_tokens(title)).items() if t in idf})
    best, best_fit = None, 0.0
    for section, vector in sorted(vectors.items(), key=lambda item: order[item[0]]):
        fit = sum(v * vector.get(t, 0.0) for t, v in query.items())
        if fit > best_fit + 1e-12:
            best, best_fit = section, fit
    return best, best_fit


def _best_row(rows: Sequence[tuple[str, ListRow]]) -> ListRow:
    """The peer entry a row is built from: the first with an arXiv id, else the first."""
    return next((row for _, row in rows if row.arxiv_id), rows[0][1])


def _links(arxiv: str | None, doi: str | None, url: str | None) -> dict[str, str]:
    links = {}
    if arxiv:
        links["arxiv"] = f"https://arxiv.org/abs/{arxiv}"
    if doi:
        links["doi"] = "https://doi.org/" + quote(doi, safe="/:;.-_")  # parentheses encoded: they end a Markdown link
    if url and not links:
        links["link"] = url
    return links


def in_other_lists(model: nx.MultiDiGraph[str], peers: Sequence[ParsedList], min_lists: int = 2,
                   ignore: IgnoreList | None = None) -> OtherLists:
    """The works at least ``min_lists`` of ``peers`` include and the list(s) of ``model`` do not, most lists first,
    then the nearest fit to a section of this list, then the newer year, then the title."""
    index = CitationIndex.of(model)
    this = PeerList.of("this list", ((index.title(w), index.data(w).get("arxiv_id")) for w in index.listed))
    listed_dois = {str(index.data(w).get("doi")).casefold() for w in index.listed if index.data(w).get("doi")}
    names = tuple(peer.title or peer.name for peer in peers)  # their level-1 heading, else the name given
    warnings = [f"{peer.url or peer.path}: no paper rows found in this peer list; it counts for nothing"
                for peer in peers if not peer.rows]
    titles: dict[str, list[str]] = {}
    for work in index.listed:
        for section in index.sections.get(work, ()):
            titles.setdefault(section, []).append(index.title(work))
    vectors, idf = title_vectors(titles)
    section_order = {section: position for position, section in enumerate(titles)}
    layouts: dict[str, Sequence[str]] = {}
    for listed in model.graph.get("lists", []):
        for section, header in listed.get("layouts", {}).items():
            layouts.setdefault(section, header)
    found, ignored = [], []
    for rows in _group(peers):
        lists = tuple(name for name in names if any(owner == name for owner, _ in rows))
        if len(lists) < min_lists:
            continue
        if any(this.includes(row.title, row.arxiv_id) or (_doi_of(row) or "") in listed_dois for _, row in rows):
            continue
        row = _best_row(rows)
        arxiv = arxiv_base_id(row.arxiv_id) if row.arxiv_id else None
        doi = next((d for _, r in rows if (d := _doi_of(r))), None)
        named = [{"title": r.title, "arxiv_id": r.arxiv_id, "doi": doi} for _, r in rows]
        if ignore is not None and any(ignore.matches(work) for work in named):
            ignored.append(next(work for work in named if ignore.matches(work)))
            continue
        year = next((r.year for _, r in rows if r.year), None)
        venue = next((r.venue for _, r in rows if r.venue), None)
        likely, fit = _embedded_section(index, row, arxiv) or _nearest(row.title, vectors, idf, section_order)
        written = None if arxiv else next((link for link in row.links if link.startswith(("https://", "http://"))),
                                          None)
        url = safe_link(written) if written else None  # a peer's link never becomes Markdown, a line or a command
        if written and url != written:
            warnings.append(f"{row.source}: the link {redacted_url(written)!r} " + (
                f"is written {redacted_url(url)} (percent-encoded)" if url
                else "is not a well-formed http(s) URL; left out"))
        entry = NewEntry(row.title, year, venue=venue, arxiv_id=arxiv, url=url)
        found.append(OtherListWork(
            rank=0, id=arxiv or doi or normalize_title(row.title), title=row.title, arxiv_id=arxiv, doi=doi,
            year=year, venue=venue, lists=lists, links=_links(arxiv, doi, url),
            section=index.label(likely) if likely else None, section_node=likely, fit=round(fit, 4),
            row=table_row(layouts.get(likely or "") or DEFAULT_HEADER, entry), url=url))
    found.sort(key=lambda w: (-len(w.lists), -w.fit, -(w.year or 0), normalize_title(w.title)))
    ranked = [OtherListWork(**{**w.__dict__, "rank": rank}) for rank, w in enumerate(found, 1)]
    return OtherLists(ranked, names, warnings, ignored)


def _embedded_section(index: CitationIndex, row: ListRow, arxiv: str | None) -> tuple[str, float] | None:
    """The section whose mean SPECTER embedding is nearest, when the build holds an embedding for this work (a
    work the list's works cite, fetched with ``--embeddings``)."""
    if not index.centroids:
        return None
    key = normalize_title(row.title)
    for node, vector in index.embeddings.items():
        data = index.data(node)
        if data.get("listed"):
            continue
        same = (arxiv and isinstance(data.get("arxiv_id"), str) and arxiv_base_id(data["arxiv_id"]) == arxiv) \
            or normalize_title(str(data.get("title", ""))) == key
        if same:
            best = max(index.centroids, key=lambda s: cosine(vector, index.centroids[s]))
            return best, max(0.0, cosine(vector, index.centroids[best]))
    return None


# ----- what it adds to the report ------------------------------------------------------------------------------

def how_many_lists(least: int, given: int) -> str:
    """``the 1 peer list``, ``at least 2 of the 3 peer lists``."""
    return "the 1 peer list" if given == 1 else f"at least {least} of the {given} peer lists"


def _run(inputs: GapInputs, so_far: Mapping[str, Any]) -> dict[str, Any]:
    if not inputs.peers:
        return {}
    return {"other_lists": in_other_lists(inputs.model, inputs.peers, inputs.min_lists, inputs.ignore)}


def _text(report: GapReport) -> list[str]:
    if report.other_lists is None:
        return []
    works = report.other_lists.works
    return [f"in other lists: {counted(len(works), 'work')} in "
            f"{how_many_lists(report.min_lists, len(report.other_lists.lists))} and not in this one",
            *(f"  {w.rank:>2}. {w.title} ({w.year or '?'}) [{w.id}] -> {w.section or '?'}: in {', '.join(w.lists)}"
              for w in works[:report.top])]


def _markdown(report: GapReport) -> list[str]:
    other = report.other_lists
    if other is None:
        return []
    works = other.works
    lines = ["## In other lists", "",
             f"{counted(len(works), 'work')} that {how_many_lists(report.min_lists, len(other.lists))} "
             f"({cell(', '.join(other.lists))}) include and this list does not — no citation data needed. Most lists "
             "first, then the nearest fit to a section of this list (its works' titles), then the newest.", ""]
    if not works:
        return lines
    lines += ["| # | paper | in lists | likely section | links |", "|---|---|---|---|---|"]
    for w in works:
        year = f" ({w.year})" if w.year else ""
        lines.append(f"| {w.rank} | {cell(w.title)}{year} | {cell(', '.join(w.lists))} | {cell(w.section or '?')} | "
                     f"{links_cell(w.links)} |")
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


def _json(report: GapReport) -> dict[str, Any]:
    other = report.other_lists
    return {"in_other_lists": None if other is None else [_other_list_json(w) for w in other.works]}


#: The works other lists of the field hold and this one lacks (needs ``--peers``, no citations).
ANALYSIS = GapAnalysis(_run, _text, _markdown, _json)
