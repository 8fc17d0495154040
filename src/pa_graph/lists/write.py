"""Writing lists: new rows in a section's layout, ``gaps --apply`` and ``audit --fix``.

Only lines are inserted or links changed; every other byte of the file stays as it was (line endings included), so
the change is a diff a maintainer can review and send as a pull request, and ``git checkout LIST`` undoes it. A table
row follows the layout of the table it joins (columns by meaning, as the reader maps them); a list entry the shape
of the section's last entry. A suggestion whose section the file does not have, or that the file already lists, is
skipped with the reason. Files are replaced atomically, only if they still hold the bytes planned on.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path

from pa_graph.errors import ApplyError, ListChangedError, ListInputError
from pa_graph.lists.read import column_roles, file_lines, parse_list_data, read_list_bytes
from pa_graph.lists.rows import DEFAULT_HEADER, Addable, NewEntry, table_row
from pa_graph.options import FIX_KINDS
from pa_graph.outputs import replace_list_file
from pa_graph.records import LinkCheck, ListRow, ParsedList, Section, VenueUpdate, section_id
from pa_graph.resolve import same_title
from pa_graph.text import ARXIV_ID, label_key, markdown_text

__all__ = ["DEFAULT_HEADER", "NewEntry", "table_row", "list_entry", "Addable", "Insertion", "ApplyPlan", "plan_apply",
           "write_apply", "fix_links", "fix_venues", "fix_list_files", "FixedFile", "FIX_KINDS"]


_MARKER = re.compile(r"^(\s*)([-*+]|\d+[.)])(\s+)")


def list_entry(template: str, example: ListRow, title: str, url: str | None, year: int | None,
               venue: str | None = None, arxiv_id: str | None = None) -> str:
    """A new entry in the shape of ``template``, the first line of an existing entry (``example``): its title, its
    first paper link, its year and venue (an ``Arxiv-YYMM`` tag from the new arXiv id) replaced, its bullet (a
    number counted on) kept. When the template does not hold
    the example's title and link on that line, the entry is ``- **Title** [[paper](url)]`` with the same bullet.

    >>> from pa_graph.records import SourceRef
    >>> row = ListRow(SourceRef("a.md", 3), Section("S"), "Old title", links=("https://arxiv.org/pdf/2401.1",), year=2024)
    >>> list_entry("+ **[2024 Arxiv-2401]** Old title. ([Paper](https://arxiv.org/pdf/2401.1))", row,
    ...            "New title", "https://arxiv.org/abs/2502.2", 2025, None, "2502.00002")
    '+ **[2025 Arxiv-2502]** New title. ([Paper](https://arxiv.org/abs/2502.2))'
    >>> list_entry("3. Old title, see [here](https://example.org)", row, "New title", "https://arxiv.org/abs/1", None)
    '4. **New title** [[paper](https://arxiv.org/abs/1)]'
    """
    marker = _MARKER.match(template)
    indent, bullet, space = marker.groups() if marker else ("", "-", " ")
    if bullet[0].isdigit():
        bullet = f"{int(bullet[:-1]) + 1}{bullet[-1]}"
    written = markdown_text(title)
    link = example.links[0] if example.links else None
    if marker and example.title in template and link and link in template and url:
        body = template[marker.end():]
        head, _, tail = body.partition(example.title)
        if year and example.year:
            head = head.replace(str(example.year), str(year), 1)
        if example.venue and example.venue in head:
            preprint = f"Arxiv-{arxiv_id[:4]}" if arxiv_id else "Arxiv"
            head = head.replace(example.venue, markdown_text(venue) if venue else preprint, 1)
        head = re.sub(r"(?i)(arxiv-)\d{4}", lambda m: m.group(1) + (arxiv_id or "")[:4] if arxiv_id else m.group(0),
                      head, count=1)
        return f"{indent}{bullet}{space}{head}{written}{tail.replace(link, url, 1)}"
    link_text = f" [[paper]({url})]" if url else ""
    return f"{indent}{bullet}{space}**{written}**{link_text}" + (f", {year}" if year else "")


#: The HTML comment of a suggestions pull request that holds the ids it suggests (``action/suggest.sh`` reads it).
SUGGESTIONS_MARKER = "pa-graph-suggestions:"
_COMMENT_SAFE_ID = re.compile(r"[\w./:()-]+")


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
    _: KW_ONLY
    updated: bytes
    inserted: list[Insertion] = field(default_factory=list)
    skipped: list[tuple[Addable, str]] = field(default_factory=list)

    def description(self) -> str:
        """The rows added, for people (a pull request's body): each with its section and why it ranks, then the
        ids they hold in an HTML comment (``<!-- pa-graph-suggestions: … -->``) that a workflow reads back when the
        pull request closes."""
        lines = ["Papers the list may be missing, as pa-graph ranks them. Delete the rows you do not want before "
                 "merging, or close this pull request: either way pa-graph adds what you declined to "
                 "`.pa-graph-ignore`.", ""]
        for insertion in self.inserted:
            added = insertion.suggestion
            lines.append(f"- **{markdown_text(added.title)}** (`{markdown_text(added.id)}`) — for "
                         f"*{markdown_text(insertion.section.label)}*: {markdown_text(added.why)}")
        ids = [i.suggestion.id for i in self.inserted if _COMMENT_SAFE_ID.fullmatch(i.suggestion.id)]
        return "\n".join([*lines, "", f"<!-- {SUGGESTIONS_MARKER} {' '.join(ids)} -->"]) + "\n"

    def diff(self) -> str:
        """The change as a unified diff (what ``--dry-run`` prints)."""
        before = [line.decode("utf-8-sig") for line in file_lines(self.original)]
        after = [line.decode("utf-8-sig") for line in file_lines(self.updated)]
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
    lines = file_lines(original)  # CRLF or LF (or CR alone): each line keeps its own ending
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
    return ApplyPlan(path, original, updated=updated, inserted=inserted, skipped=skipped)


def write_apply(plan: ApplyPlan) -> None:
    """Write the planned change: only if the file still holds what was planned on, atomically, keeping its
    permissions, through a symbolic link (see :func:`~pa_graph.outputs.replace_list_file`)."""
    replace_list_file(plan.path, plan.original, plan.updated)


def fix_links(data: bytes, file_name: str, checks: Sequence[LinkCheck]) -> tuple[bytes, list[int]]:
    """The list's bytes with each verified-wrong arXiv id replaced by the right one on the lines that carry it.

    Only the id inside arxiv.org links changes (``abs/1912.00180v1`` → ``abs/2402.01694``, the PDF link too);
    every other byte, mojibake and line endings included, stays as it was. Returns the new bytes and the changed
    (1-based) line numbers.
    """
    lines = file_lines(data)  # CRLF or LF (or CR alone): each line keeps its own ending
    changed = []
    for check in checks:
        if check.status != "wrong" or not check.correct_id or not check.listed_id:
            continue
        if not (ARXIV_ID.fullmatch(check.correct_id) and ARXIV_ID.fullmatch(check.listed_id)):
            continue  # an id from a service is written into the maintainer's file only when it is an arXiv id
        listed = re.escape(check.listed_id.encode("ascii"))
        tail = rb"(?![0-9])" if re.search(r"v\d+$", check.listed_id) else rb"(?![0-9]|v[0-9])"
        pattern = re.compile(rb"(arxiv\.org/(?:abs|pdf|html)/)" + listed + tail, re.IGNORECASE)
        replacement = rb"\g<1>" + check.correct_id.encode("ascii")
        for source in check.sources:
            if source.file != file_name:
                continue
            index = source.line - 1
            if index >= len(lines):
                continue
            fixed = pattern.sub(replacement, lines[index])
            if fixed != lines[index]:
                lines[index] = fixed
                changed.append(source.line)
    return b"".join(lines), sorted(set(changed))


#: A venue the list writes for a preprint: ``arxiv``, ``Arxiv-2411``, ``arXiv 2023`` — never inside a URL.
_PREPRINT_MARK = re.compile(r"(?<![\w./-])arxiv(?:[- ]?\d{2,4})?(?![\w./])", re.IGNORECASE)
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def fix_venues(data: bytes, file_name: str, updates: Sequence[VenueUpdate]) -> tuple[bytes, list[int]]:
    """The list's bytes with each published venue written where the list gives a preprint: the Source / Venue /
    Published cell of a table row (in the table's own layout), or the arXiv mark of a list item (``Arxiv-2411`` →
    ``NeurIPS``). Every other byte stays as it was; returns the new bytes and the changed (1-based) lines."""
    lines = file_lines(data)
    text_lines = [line.decode("utf-8", "replace").rstrip("\r\n") for line in lines]
    changed = []
    for update in updates:
        venue = markdown_text(update.venue)
        for source in update.sources:
            index = source.line - 1
            if source.file != file_name or index >= len(lines):
                continue
            line = text_lines[index]
            if line.lstrip().startswith("|"):
                new = _venue_in_cell(text_lines, index, venue)
            else:
                new = _PREPRINT_MARK.sub(_literally(venue), line, count=1)  # the venue as text, not a template
            if new is not None and new != line:
                ending = lines[index][len(lines[index].rstrip(b"\r\n")):]
                lines[index] = new.encode("utf-8") + ending
                text_lines[index] = new
                changed.append(source.line)
    return b"".join(lines), sorted(set(changed))


def _literally(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for ``re.sub`` that writes ``text`` as it is (a template would read its backslashes)."""
    return lambda _: text


def _venue_in_cell(lines: list[str], index: int, venue: str) -> str | None:
    """The row ``lines[index]`` with ``venue`` in its table's venue column, when it has one and that cell gives a
    preprint or nothing."""
    header_at = index - 1
    while header_at >= 1 and not re.fullmatch(r"\|?[\s:|-]*-[\s:|-]*\|?", lines[header_at].strip()):
        header_at -= 1
    if header_at < 1:
        return None
    header = [cell.strip() for cell in _CELL_SPLIT.split(lines[header_at - 1].strip().strip("|"))]
    position = column_roles(header).get("venue")
    if position is None:
        return None
    cells = _CELL_SPLIT.split(lines[index])
    leading = 1 if lines[index].lstrip().startswith("|") else 0
    at = position + leading
    if at >= len(cells) or (cells[at].strip() and not _PREPRINT_MARK.fullmatch(cells[at].strip())):
        return None
    cells[at] = f" {venue} "
    return "|".join(cells)




@dataclass(frozen=True)
class FixedFile:
    """A list file ``audit --fix`` changed: the lines it changed for each kind, and the change as a unified diff."""

    path: Path
    lines: dict[str, list[int]]
    diff: str


def fix_list_files(parsed: Sequence[ParsedList], link_checks: Sequence[LinkCheck],
                   venue_updates: Sequence[VenueUpdate] = (), write: bool = True,
                   kinds: Sequence[str] = FIX_KINDS) -> list[FixedFile]:
    """``audit --fix``: write the verified right arXiv ids (kind ``links``), and the venues of preprints a source
    knows as published (``venues``), into each list file read from disk — only if it still holds the bytes that
    were audited (:class:`~pa_graph.errors.ListChangedError` otherwise), atomically and through a symbolic link.
    ``write=False`` changes nothing."""
    fixed = []
    for item in parsed:
        if item.url:
            continue  # a list fetched by URL has no file here to fix
        original = read_list_bytes(item.path)
        if hashlib.sha256(original).hexdigest() != item.sha256:
            raise ListChangedError(f"{item.path}: changed since it was audited; nothing was written (run again)")
        data, lines = original, {}
        if "links" in kinds:
            data, lines["links"] = fix_links(data, item.name, link_checks)
        if "venues" in kinds:
            data, lines["venues"] = fix_venues(data, item.name, venue_updates)
        if any(lines.values()):
            diff = "".join(difflib.unified_diff([line.decode("utf-8", "replace") for line in file_lines(original)],
                                                [line.decode("utf-8", "replace") for line in file_lines(data)],
                                                f"a/{item.path.name}", f"b/{item.path.name}"))
            if write:
                replace_list_file(item.path, original, data)
            fixed.append(FixedFile(item.path, {kind: sorted(found) for kind, found in lines.items() if found}, diff))
    return fixed
