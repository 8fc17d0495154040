"""``gaps --apply``: write chosen suggestions into a list file at the end of their sections — a row at the end of
the section's first table, or, in a section written as a list, an entry after its last entry.

Only lines are inserted; every other byte of the file stays as it was (line endings included), so the change is a
diff a maintainer can review and send as a pull request, and ``git checkout LIST`` undoes it. A row follows the
layout of the table it joins; a list entry the shape of the section's last entry. A suggestion whose section the
file does not have, or that the file already lists, is skipped with the reason.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import networkx as nx

from pa_graph.lists.bullets import list_entry
from pa_graph.errors import ApplyError, ListInputError
from pa_graph.analysis.gaps.analysis import GapReport
from pa_graph.analysis.gaps.ignore import IgnoreList
from pa_graph.model import section_id
from pa_graph.outputs import replace_list_file
from pa_graph.lists.read import NewEntry, parse_list_data, read_list_bytes, table_row
from pa_graph.records import ParsedList, Section
from pa_graph.resolve import same_title
from pa_graph.text import label_key

__all__ = ["Insertion", "ApplyPlan", "plan_apply", "write_apply", "chosen_for_apply", "Addable"]


class Addable(Protocol):
    """What can be written into a list: a missing-paper suggestion or a work of other lists."""

    title: str
    section: str | None
    section_node: str | None

    def entry(self) -> NewEntry: ...


def chosen_for_apply(report: GapReport, model: nx.MultiDiGraph, only: Sequence[str] = ()) -> list[Addable]:
    """What ``--apply`` writes: the shown suggestions, or those of them and of the works in other lists that
    ``only`` names (an arXiv id, DOI, S2 or OpenAlex id, or a title — matched like the ignore file)."""
    if not only:
        return list(report.suggestions)
    wanted = IgnoreList.parse(only)
    chosen: list[Addable] = [s for s in report.suggestions if wanted.matches({**model.nodes[s.node], "title": s.title})]
    if report.other_lists is not None:
        chosen += [w for w in report.other_lists.works if w.title not in {c.title for c in chosen}
                   and wanted.matches({"title": w.title, "arxiv_id": w.arxiv_id, "doi": w.doi})]
    return chosen


@dataclass(frozen=True)
class Insertion:
    after_line: int  # 1-based line the row goes after
    row: str
    suggestion: Addable
    section: Section


@dataclass(frozen=True)
class ApplyPlan:
    path: Path
    original: bytes
    updated: bytes
    inserted: list[Insertion] = field(default_factory=list)
    skipped: list[tuple[Addable, str]] = field(default_factory=list)

    def diff(self) -> str:
        """The change as a unified diff (what ``--dry-run`` prints)."""
        before = self.original.decode("utf-8-sig").splitlines(keepends=True)
        after = self.updated.decode("utf-8-sig").splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, after, f"a/{self.path.name}", f"b/{self.path.name}"))


def _refuse_unwritable(path: Path, bundled: Path) -> None:
    try:
        if path.resolve() == bundled.resolve():
            raise ApplyError(f"{path}: is the list bundled with pa-graph; copy it and apply to the copy")
        mode = path.stat().st_mode
    except OSError as err:
        raise ApplyError(f"{path}: cannot be read ({err.strerror or err})") from err
    if not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise ApplyError(f"{path}: is read-only; nothing was changed")


def _find_section(parsed: ParsedList, suggestion: Addable) -> Section | None:
    sections = list(dict.fromkeys([*parsed.layouts, *(row.section for row in parsed.rows)]))
    for section in sections:
        if suggestion.section_node and section_id(section) == suggestion.section_node:
            return section
    for section in sections:
        if suggestion.section and label_key(section.label) == label_key(suggestion.section):
            return section
    return None


def _table_end(lines: Sequence[bytes], parsed: ParsedList, section: Section) -> int:
    """The last line of the section's first paper table (the one whose layout the section's rows follow)."""
    first = min(row.source.line for row in parsed.rows if row.section == section)
    end = first
    while end < len(lines) and lines[end].lstrip().startswith(b"|"):
        end += 1
    return end


def plan_apply(path: str | Path, suggestions: Sequence[Addable], bundled: Path) -> ApplyPlan:
    """What ``--apply`` would change in ``path``: nothing is written here."""
    path = Path(path)
    _refuse_unwritable(path, bundled)
    try:
        original = read_list_bytes(path)
        parsed = parse_list_data(original, path.name, path, str(path))  # the bytes planned on are the bytes parsed
    except ListInputError as err:
        raise ApplyError(str(err)) from err
    lines = original.splitlines(keepends=True)  # CR, CRLF or LF: each line keeps its own ending
    ending = next((line[len(line.rstrip(b"\r\n")):] for line in lines if line.endswith((b"\r", b"\n"))), b"\n")
    additions: dict[int, list[Insertion]] = {}
    inserted, skipped = [], []
    for suggestion in suggestions:
        if any(same_title(suggestion.title, row.title) for row in parsed.rows):
            skipped.append((suggestion, "already in the list"))
            continue
        section = _find_section(parsed, suggestion)
        if section is None:
            skipped.append((suggestion, f"the list has no table under {suggestion.section or 'any section'}"))
            continue
        if section in parsed.layouts:
            after = _table_end(lines, parsed, section)
            row = table_row(parsed.layouts[section], suggestion.entry())
        else:
            last = max((r for r in parsed.rows if r.section == section), key=lambda r: r.source.line)
            after = last.last_line or last.source.line
            template = lines[last.source.line - 1].decode("utf-8", "replace").rstrip("\r\n")
            entry = suggestion.entry()
            row = list_entry(template, last, entry.title,
                             f"https://arxiv.org/abs/{entry.arxiv_id}" if entry.arxiv_id else entry.url, entry.year,
                             entry.venue, entry.arxiv_id)
        insertion = Insertion(after, row, suggestion, section)
        additions.setdefault(after, []).append(insertion)
        inserted.append(insertion)
    out: list[bytes] = []
    for number, line in enumerate(lines, start=1):
        rows = [insertion.row.encode("utf-8") for insertion in additions.get(number, [])]
        ended = line.endswith((b"\r", b"\n"))
        out.append(line if ended or not rows else line + ending)
        out.extend(row + ending for row in rows)
        if rows and not ended:  # the file ended without a line break after the table: so does it now
            out[-1] = out[-1][: -len(ending)]
    updated = b"".join(out)
    return ApplyPlan(path, original, updated, inserted, skipped)


def write_apply(plan: ApplyPlan) -> None:
    """Write the planned change: only if the file still holds what was planned on, atomically, keeping its
    permissions, through a symbolic link (see :func:`~pa_graph.outputs.replace_list_file`)."""
    replace_list_file(plan.path, plan.original, plan.updated)
