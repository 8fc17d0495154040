"""Parse stage: a Markdown awesome list → one :class:`ListRow` per paper entry.

The driver: the bytes checked and decoded, mojibake repaired, the Markdown parsed once with markdown-it-py, headings
followed into sections, and every other block offered to the readers of :data:`READERS` (tables, list items, HTML
tables) in their stated order; broken links are mended and sections settled last, and the record is built once.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pa_graph.errors import ListInputError, NoPapersError
from pa_graph.lists.bullets import is_paper_link, read_list_items
from pa_graph.lists.draft import Block, ListDraft
from pa_graph.lists.repair import repair_line
from pa_graph.lists.tables import COLUMN_HEADERS, column_roles, header_key, read_cell, read_html_tables, read_table, site_name
from pa_graph.records import (
    Finding,
    ListRow,
    ParsedList,
    Repair,
    Section,
    SourceRef,
)
from pa_graph.text import (
    arxiv_id_from_url,
    counted,
    slugify,
    strip_heading_decoration,
)

__all__ = ["broken_links", "reparse_table_edits", "decode_list", "read_list", "read_list_bytes", "parse_list_data",
           "parse_list_text", "describe_found", "list_summary", "column_roles", "COLUMN_HEADERS", "header_key",
           "site_name"]

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")

_SURVEY_SECTION = re.compile(r"survey|review|综述", re.IGNORECASE)
_SURVEY_TITLE = re.compile(r"\bsurvey\b(?!\s+(?:data|responses?|questions?|respondents?))|综述", re.IGNORECASE)
_HTML_TABLE = re.compile(r"<table\b", re.IGNORECASE)

_HTML_OPEN = re.compile(r"<h([1-6])\b[^<>]*>", re.IGNORECASE)  # [^<>]: an unclosed tag costs no rescan
_HTML_CLOSE = re.compile(r"</h([1-6])\s*>", re.IGNORECASE)
#: ``<h2 id=…>Title</h2>`` and the like: sections, as ``##`` headings are.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: Larger list files are refused (a list of 10,000 papers is about 3 MB).
MAX_LIST_BYTES = 10_000_000


def read_list(path: str | Path) -> ParsedList:
    """Read a list file; raise :class:`ListInputError` naming the file when it cannot yield paper rows."""
    path = Path(path)
    return parse_list_data(read_list_bytes(path), path.name, path, str(path))


def read_list_bytes(path: Path) -> bytes:
    """A list file's bytes, bounded; :class:`ListInputError` naming the file when it cannot be read."""
    try:
        if path.exists() and not path.is_dir() and not path.is_file():
            raise ListInputError(f"{path}: not a regular file (a device or a pipe), not a Markdown list")
        with open(path, "rb") as stream:
            data = stream.read(MAX_LIST_BYTES + 1)
        if len(data) > MAX_LIST_BYTES:
            raise ListInputError(f"{path}: larger than {MAX_LIST_BYTES:,} bytes; not read")
    except FileNotFoundError as err:
        raise ListInputError(f"{path}: no such file") from err
    except IsADirectoryError as err:
        raise ListInputError(f"{path}: is a directory, not a Markdown list") from err
    except OSError as err:
        raise ListInputError(f"{path}: cannot be read ({err.strerror or err})") from err
    return data


def decode_list(data: bytes, name: str, path: Path, shown: str) -> str:
    """A list's bytes as text, checked: not empty, not binary, UTF-8; ``shown`` names it in errors."""
    if not data.strip():
        raise NoPapersError(f"{shown}: the file is empty", path, name)
    if b"\x00" in data:
        raise ListInputError(f"{shown}: looks like a binary file (it contains NUL bytes), not a Markdown list")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ListInputError(f"{shown}: is not UTF-8 text (invalid byte 0x{data[err.start]:02x} at offset {err.start})") from err
    # a CR inside a line of a file with LF line ends is no line break for Git or GitHub, which number lines by LF:
    # read it as a space, so every line number is the one a pull request's diff and annotations use
    return _LONE_CR.sub(" ", text) if "\n" in text else text


_LONE_CR = re.compile(r"\r(?!\n)")


def file_lines(data: bytes) -> list[bytes]:
    """A list file's lines as Git numbers them (each with its own ending): split at LF — or, in a file with CR
    line ends only, at CR."""
    if b"\n" not in data:
        return data.splitlines(keepends=True)
    lines = data.split(b"\n")
    return [line + b"\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def parse_list_data(data: bytes, name: str, path: Path, shown: str) -> ParsedList:
    """A list's bytes, checked and parsed; ``shown`` names it in errors (a file path or a URL). The same text read
    again in one process — a pull request's base is the last commit's head, a notebook rebuilds — is not parsed
    again: the parse is pure, and each caller gets its own copy of the record."""
    text = decode_list(data, name, path, shown)
    parsed = replace(_parsed_once(text, name), path=path, sha256=hashlib.sha256(data).hexdigest())
    parsed = replace(parsed, rows=list(parsed.rows), repairs=list(parsed.repairs), malformed=list(parsed.malformed),
                     notes=list(parsed.notes), layouts=dict(parsed.layouts), skipped=list(parsed.skipped))
    if not parsed.rows:
        raise NoPapersError(f"{shown}: no papers found ({describe_found(parsed)})", path, name)
    return parsed


@functools.lru_cache(maxsize=8)
def _parsed_once(text: str, name: str) -> ParsedList:
    return parse_list_text(text, name=name)


def reparse_table_edits(previous: ParsedList, old_text: str, new_text: str) -> list[ListRow] | None:
    """The rows of ``new_text`` from ``previous`` (the parse of ``old_text``) when every line that differs is a row
    inside a table both versions share — rows added, removed or edited between others, the usual commit to a list:
    unchanged rows are kept (their lines renumbered), changed lines are read as rows of that table, in its section.
    ``None`` when the edit touches anything else (a heading, a list item, a table's header or edges): parse it whole.

    Reading only what changed is what makes ``pa-graph history`` over a thousand commits fast; the result equals a
    whole parse (``tests/test_maintainer_loop.py`` checks both ways over a scripted history)."""
    if any(row.from_list_item for row in previous.rows):
        return None  # list items carry their own line spans: not renumbered here
    old_lines, new_lines = _LINE_BREAK.split(old_text), _LINE_BREAK.split(new_text)
    table_rows = {row.source.line: row for row in previous.rows}
    kept: list[ListRow] = []
    added: list[ListRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            shift = j1 - i1
            kept += [row if not shift else replace(row, source=replace(row.source, line=row.source.line + shift))
                     for line in range(i1 + 1, i2 + 1) if (row := table_rows.get(line)) is not None]
            continue
        if any(line not in table_rows for line in range(i1 + 1, i2 + 1)):
            return None  # a line that was no table row changed
        neighbour = table_rows.get(i1) or table_rows.get(i2 + 1)  # a row of the same table next to the edit
        changed = new_lines[j1:j2]
        if neighbour is None or not all(_is_row_line(line) for line in changed) or \
                not (j1 > 0 and new_lines[j1 - 1].lstrip().startswith("|")):
            return None
        header_at = _header_line(new_lines, j1)
        if header_at is None or "title" not in column_roles(
                [cell.strip() for cell in new_lines[header_at].strip().strip("|").split("|")]):
            return None  # a table whose titles are found by looking at its rows is read whole
        mini = "\n".join([new_lines[header_at], new_lines[header_at + 1], *changed])
        rows = parse_list_text(mini, previous.name).rows
        if len(rows) != sum(1 for line in changed if line.strip()):
            return None  # a line the table would not read as a row
        survey = bool(_SURVEY_SECTION.search(neighbour.section.top)
                      or (neighbour.section.sub and _SURVEY_SECTION.search(neighbour.section.sub)))
        added += [replace(row, source=SourceRef(previous.name, j1 + row.source.line - 2), section=neighbour.section,
                          is_survey=survey or bool(_SURVEY_TITLE.search(row.title))) for row in rows]
    rows = sorted(kept + added, key=lambda row: row.source.line)
    if {row.section for row in rows} != {row.section for row in previous.rows}:
        return None  # a section emptied: how sections settle may change
    return rows


def _is_row_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and not _SEPARATOR_ROW.fullmatch(stripped)


def _header_line(lines: list[str], row_index: int) -> int | None:
    """The 0-based index of the header line of the table holding ``lines[row_index]`` (the line above its
    ``|---|`` separator)."""
    index = row_index - 1
    while index >= 1 and lines[index].lstrip().startswith("|"):
        if _SEPARATOR_ROW.fullmatch(lines[index].strip()):
            return index - 1
        index -= 1
    return None


_SEPARATOR_ROW = re.compile(r"\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?")


def list_summary(parsed: ParsedList) -> str:
    """One line on what a list gave: "143 paper entries (12 table rows, 131 list items); skipped 25 list items (20 table
    of contents, 5 news); 2 could not be read (see the warnings)"."""
    items = sum(1 for row in parsed.rows if row.from_list_item)
    parts = [f"{counted(len(parsed.rows), 'paper entry', 'paper entries')} ({counted(len(parsed.rows) - items, 'table row')}, "
             f"{counted(items, 'list item')})"]
    if parsed.skipped:
        kinds = ", ".join(f"{n} {kind}" for kind, n in parsed.skipped_counts().items())
        parts.append(f"skipped {counted(len(parsed.skipped), 'list item')} ({kinds})")
    if parsed.malformed:
        parts.append(f"{counted(len(parsed.malformed), 'row or item', 'rows or items')} with problems (see the warnings)")
    return "; ".join(parts)


def describe_found(parsed: ParsedList) -> str:
    """What a list held besides papers, in words: "2 tables without a title column, 12 list items, none with a
    paper link (10 table of contents, 2 code)"."""
    parts = []
    tables = sum(1 for note in parsed.notes if note.kind == "untitled-table")
    if tables:
        parts.append(f"{counted(tables, 'table')} without a title column")
    if parsed.skipped:
        kinds = ", ".join(f"{n} {kind}" for kind, n in parsed.skipped_counts().items())
        parts.append(f"{counted(len(parsed.skipped), 'list item')}, none with a paper link ({kinds})")
    unreadable = len(parsed.malformed)
    if unreadable:
        parts.append(f"{counted(unreadable, 'row or item', 'rows or items')} that could not be read")
    return "; ".join(parts) or "no Markdown table with a title column and no list item with a paper link"


@dataclass(frozen=True)
class BlockReader:
    """A kind of block a list holds papers in: whether a token opens one, and how to read it into the draft (the
    index of the block's last token comes back)."""

    opens: Callable[[Token], bool]
    read: Callable[[Block, int], int]


#: What a list holds papers in, tried in this order on each block the headings do not open — the one place a new
#: shape of list is added: Markdown tables (:mod:`~pa_graph.lists.tables`), bullet and numbered list items
#: (:mod:`~pa_graph.lists.bullets`, whose item shapes are tried in the order of its ``TITLE_SHAPES``), HTML tables.
READERS: dict[str, BlockReader] = {
    "table": BlockReader(lambda token: token.type == "table_open", read_table),
    "list items": BlockReader(lambda token: token.type in ("bullet_list_open", "ordered_list_open"), read_list_items),
    "html tables": BlockReader(lambda token: token.type == "html_block" and bool(_HTML_TABLE.search(token.content)),
                               read_html_tables),
}


def parse_list_text(text: str, name: str, path: Path | None = None, sha256: str = "") -> ParsedList:
    """Parse list text already decoded; ``name`` is how sources are cited (``name:line``)."""
    parsed = ListDraft(name)
    lines = _LINE_BREAK.split(text)  # CR, CRLF and LF alike, as markdown-it counts lines
    for number, line in enumerate(lines, start=1):
        fixed = repair_line(line)
        if fixed != line:
            parsed.repairs.append(Repair(SourceRef(name, number), line, fixed))
            lines[number - 1] = fixed
    tokens = _MARKDOWN.parse("\n".join(lines))
    headings: list[tuple[int, str]] = []  # the headings above the current line, outermost first (the title excluded)
    here = Section("")
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = int(token.tag[1:])
            label = strip_heading_decoration(without_comments(read_cell(tokens[index + 1]).text).strip())
            headings = [] if level == 1 else [(lv, text) for lv, text in headings if lv < level] + [(level, label)]
            if parsed.title is None and level == 1 and label:
                parsed.title = label
            here = Section(_PATH_SEPARATOR.join(text for _, text in headings))
        else:
            reader = next((reader for reader in READERS.values() if reader.opens(token)), None)
            if reader is not None:
                index = reader.read(Block(tokens, lines, here, parsed), index)
        if token.type == "html_block" and not _HTML_TABLE.search(token.content):
            for level, inner in html_headings(token.content):
                if level == 1:
                    parsed.title = parsed.title or _html_text(inner) or None
                    continue
                label = strip_heading_decoration(_html_text(inner))
                headings = [(lv, text) for lv, text in headings if lv < level] + [(level, label)]
                here = Section(_PATH_SEPARATOR.join(text for _, text in headings))
        index += 1
    _mend_broken_links(parsed, lines)
    _settle_sections(parsed)
    return parsed.done(path or Path(name), sha256)


def without_comments(text: str) -> str:
    """``text`` with its HTML comments taken out (an unclosed one is left as it is), in one pass.

    >>> without_comments("a <!-- b --> c <!-- d")
    'a  c <!-- d'
    """
    kept, position = [], 0
    while (start := text.find("<!--", position)) != -1 and (end := text.find("-->", start + 4)) != -1:
        kept.append(text[position:start])
        position = end + 3
    return "".join(kept) + text[position:]


def html_headings(fragment: str) -> list[tuple[int, str]]:
    """Each ``<hN>…</hN>`` of an HTML fragment, in order: (N, its inner HTML). Every closing tag is found once and
    each opening tag looks up the next one of its level, so unclosed tags cost no rescans.

    >>> html_headings("<h1>List</h1><h2 id=a>One <b>x</b></h2><h3>never closed")
    [(1, 'List'), (2, 'One <b>x</b>')]
    """
    closes: dict[int, list[tuple[int, int]]] = {}
    for close in _HTML_CLOSE.finditer(fragment):
        closes.setdefault(int(close.group(1)), []).append((close.start(), close.end()))
    found, after = [], 0
    for opening in _HTML_OPEN.finditer(fragment):
        if opening.start() < after:
            continue  # inside the heading just read
        level = int(opening.group(1))
        spans = closes.get(level, [])
        at = bisect.bisect_left(spans, (opening.end(), 0))
        if at < len(spans):
            found.append((level, fragment[opening.end():spans[at][0]]))
            after = spans[at][1]
    return found


_PATH_SEPARATOR = "\x1f"


def broken_links(line: str) -> list[tuple[int, str, str | None]]:
    """Each Markdown link on ``line`` that is never closed or has no target: (its 1-based column, what is wrong, the
    URL written after ``](`` when there is one). In a table row a link ends at its cell's ``|``.

    >>> broken_links("| [Title](https://arxiv.org/abs/2401.01234 | 2024 |")
    [(3, 'the link opened at column 3 is never closed', 'https://arxiv.org/abs/2401.01234')]
    >>> broken_links("- [Title]() and [ok](https://x.org/(a))")
    [(3, 'the link at column 3 has no target', None)]
    """
    in_table = line.lstrip().startswith("|")
    closing: dict[int, int] = {}  # "(" → its ")", found in one pass (a table cell's "|" leaves the open ones open)
    bracket_before: dict[int, int] = {}  # "](" → the last "[" before it
    opened: list[int] = []
    last_bracket = -1
    for index, character in enumerate(line):
        if character == "(":
            opened.append(index)
            if index and line[index - 1] == "]":
                bracket_before[index] = last_bracket
        elif character == ")" and opened:
            closing[opened.pop()] = index
        elif character == "|" and in_table:
            opened.clear()
        elif character == "[":
            last_bracket = index
    found: list[tuple[int, str, str | None]] = []
    for start, bracket in bracket_before.items():
        if len(found) == _BROKEN_LINKS_TOLD:
            break  # a line of thousands of broken links is told by its first few
        column = (bracket if bracket >= 0 else start - 1) + 1
        end = closing.get(start)
        if end is None:
            written = _FIRST_WORD.match(line, start + 1, min(len(line), start + 1 + _MAX_URL))
            target = written.group(1) if written and written.group(1) else None
            found.append((column, f"the link opened at column {column} is never closed", target))
        elif not line[start + 1:end].strip():
            found.append((column, f"the link at column {column} has no target", None))
    return found


_BROKEN_LINKS_TOLD = 10
_MAX_URL = 2_000
_FIRST_WORD = re.compile(r"\s*([^\s|]*)")


def _mend_broken_links(parsed: ListDraft, lines: list[str]) -> None:
    """One ``broken-markdown`` finding for each entry whose lines hold a link that is never closed or has no target;
    a paper link written inside an unclosed link is taken as the entry's link (and its title freed of the markup), so
    the entry is the paper it names — not a wrong or missing link, nor a paper the list lacks."""
    for position, row in enumerate(parsed.rows):
        last = row.last_line or row.source.line
        problems = [(number, found) for number in range(row.source.line, last + 1) if number <= len(lines)
                    for found in broken_links(lines[number - 1])]
        if not problems:
            continue
        title = row.title.split("](")[0].lstrip("[").strip() or row.title if "](" in row.title else row.title
        written = next((url for _, (_, _, url) in problems if url and is_paper_link(url)), None)
        if written and row.arxiv_id is None and not any(is_paper_link(link) for link in row.links):
            parsed.rows[position] = row = replace(row, title=title, links=(written, *row.links),
                                                  arxiv_id=arxiv_id_from_url(written))
        parsed.malformed.append(Finding(
            "broken-markdown", f"broken-markdown:link:{slugify(title, 12)}",
            "; ".join(f"{SourceRef(parsed.name, number)}: {what}" for number, (_, what, _url) in problems),
            instances=(row.instance,)))


def _html_text(fragment: str) -> str:
    """The text of an HTML fragment (tags dropped, entities decoded), on one line."""
    return " ".join(re.sub(r"<[^>]*>", " ", html.unescape(without_comments(fragment))).split())


def _labels(provisional: Section) -> list[str]:
    """The headings of a provisional section, outermost first, and the list item grouping it (as ``sub``)."""
    return [label for label in provisional.top.split(_PATH_SEPARATOR) if label] + ([provisional.sub] if provisional.sub else [])


def _settle_sections(parsed: ListDraft) -> None:
    """Turn each entry's heading path into its section: headings that hold every paper of the list (a "Contents"
    or "Papers" wrapper) are dropped, the outermost heading left is the top section, the innermost heading (or the
    list item that groups entries) under it the sub-category. Entries under a survey/review section, or whose title
    says "survey", are surveys."""
    paths = {row.section: _labels(row.section) for row in parsed.rows}
    common = 0
    every = list(paths.values())
    while every and all(len(labels) > common + 1 and labels[common] == every[0][common] for labels in every):
        common += 1

    settled: dict[Section, tuple[Section, bool]] = {}
    for provisional in dict.fromkeys([*paths, *parsed.layouts]):
        labels = _labels(provisional)[common:]
        section = Section(labels[0], labels[-1] if len(labels) > 1 else None) if labels else Section("(no section)")
        settled[provisional] = (section, bool(_SURVEY_SECTION.search(section.top)
                                              or (section.sub and _SURVEY_SECTION.search(section.sub))))
    parsed.rows = [replace(row, section=settled[row.section][0],  # settling is the last step of making rows
                           is_survey=settled[row.section][1] or bool(_SURVEY_TITLE.search(row.title)))
                   for row in parsed.rows]
    layouts, parsed.layouts = parsed.layouts, {}
    for provisional, header in layouts.items():
        parsed.layouts.setdefault(settled[provisional][0], header)
