"""Cross-list coverage: the works of another list missing from this one and the reverse, each with the section it
would go to. Works offline, from the lists alone."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from pa_graph.analysis.gaps.base import GapAnalysis, GapInputs
from pa_graph.analysis.gaps.index import CitationIndex
from pa_graph.records import ParsedList
from pa_graph.resolve import same_title
from pa_graph.text import label_key, normalize_title
from pa_graph.text import markdown_text as cell

if TYPE_CHECKING:
    from pa_graph.analysis.gaps.analysis import GapReport

__all__ = ["CrossListEntry", "ListEntry", "entries_of_lists", "entries_of_model", "compare_lists"]


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


def entries_of_model(model: nx.MultiDiGraph[str]) -> list[ListEntry]:
    index = CitationIndex.of(model)
    entries = []
    for work in index.listed:
        sections = index.sections[work]
        labels = [index.label(s) for s in sections]
        labels += [index.label(t) for s in sections for t in index.targets(s, "broader")]
        source = (index.data(work).get("sources") or [{}])[0]
        entries.append(ListEntry(index.title(work), tuple(labels),
                                 tuple(index.label(t) for t in index.targets(work, "has_tag")),
                                 f"{source.get('file', '?')}:{source.get('line', '?')}"))
    return entries


def compare_lists(ours: Sequence[ListEntry], theirs: Sequence[ListEntry]) -> dict[str, list[CrossListEntry]]:
    """Works of each side missing from the other, each with the section it would go to: a section with the same
    label; else the section whose works share most of its tags; else the one whose titles share most words."""
    return {"missing_here": _absent(theirs, ours), "missing_there": _absent(ours, theirs)}


def _absent(entries: Sequence[ListEntry], others: Sequence[ListEntry]) -> list[CrossListEntry]:
    by_label: dict[str, str] = {}
    tag_votes: dict[str, Counter[str]] = defaultdict(Counter)
    words: dict[str, Counter[str]] = defaultdict(Counter)
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
            votes: Counter[str] = Counter()
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


# ----- what it adds to the report ------------------------------------------------------------------------------

def _run(inputs: GapInputs, so_far: Mapping[str, Any]) -> dict[str, Any]:
    if inputs.compare is None:
        return {}
    return {"comparison": compare_lists(entries_of_model(inputs.model), entries_of_lists(inputs.compare))}


def _text(report: GapReport) -> list[str]:
    lines: list[str] = []
    if report.comparison is None:
        return lines
    for side, what in (("missing_here", "in the other list(s), missing here"),
                       ("missing_there", "here, missing from the other list(s)")):
        entries = report.comparison[side]
        lines.append(f"{what}: {len(entries)}")
        lines += [f"  {e.title} [{e.source}] -> {e.section or '?'}" for e in entries[:report.top]]
    return lines


def _markdown(report: GapReport) -> list[str]:
    lines: list[str] = []
    if report.comparison is None:
        return lines
    for side, title in (("missing_here", "In the other list, missing from this one"),
                        ("missing_there", "In this list, missing from the other")):
        entries = report.comparison[side]
        lines += [f"## {title} ({len(entries)})", "", "| work | from | would go to | why |", "|---|---|---|---|"]
        lines += [f"| {cell(e.title)} | {cell(e.source)} | {cell(e.section or '?')} | {cell(e.reason)} |"
                  for e in entries]
        lines.append("")
    return lines


def _json(report: GapReport) -> dict[str, Any]:
    return {"comparison": None if report.comparison is None else
            {side: [asdict(e) for e in entries] for side, entries in report.comparison.items()}}


#: This list against other lists given with ``--compare``, work by work (offline).
ANALYSIS = GapAnalysis(_run, _text, _markdown, _json)
