"""Parse stage: a Markdown awesome list → one :class:`ListRow` per paper-table row.

Tables are read with markdown-it-py's GFM table rule (escaped pipes, inline Markdown and HTML handled by a real
parser); columns are mapped by what their header means, not by position, so the layouts seen in the wild
(``Paper | Abbr. | Year | Source | Tag | PDF``, ``Title | Date | Link(s)``, ``论文标题 | 缩写 | 年份 | 来源 | 标签 | 下载``,
``Method | Paper Title | Published At | Link``) all read the same way.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import html
import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pa_graph.errors import ListInputError, NoPapersError
from pa_graph.lists.bullets import is_paper_link, read_list_items
from pa_graph.lists.draft import ListDraft
from pa_graph.lists.repair import repair_line
from pa_graph.records import (
    Finding,
    Instance,
    ListRow,
    Note,
    ParsedList,
    Repair,
    Section,
    SourceRef,
    content_id,
    line_content,
    row_content,
)
from pa_graph.text import (
    arxiv_id_from_url,
    arxiv_year_month,
    counted,
    is_missing_value,
    parse_venue,
    parse_year_month,
    single_line,
    slugify,
    strip_heading_decoration,
)

__all__ = ["broken_links", "reparse_table_edits", "decode_list", "read_list", "read_list_bytes", "parse_list_data",
           "parse_list_text", "describe_found", "list_summary", "column_roles", "COLUMN_HEADERS", "header_key",
           "site_name"]

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")

#: Header spellings (case-insensitive, trailing dots and colons ignored) and the role they give a column.
COLUMN_HEADERS: dict[str, frozenset[str]] = {
    "title": frozenset({"paper", "papers", "title", "paper title", "paper name", "论文标题", "论文", "标题", "题目"}),
    "abbreviation": frozenset({"abbr", "abbreviation", "method", "methods", "name", "model", "short name", "缩写", "简称",
                               "方法"}),
    "year": frozenset({"year", "date", "time", "年份", "日期", "时间"}),
    "venue": frozenset({"source", "venue", "published at", "published", "publication", "conference", "journal",
                        "conference/journal", "来源", "会议", "期刊", "发表"}),
    "tag": frozenset({"tag", "tags", "domain", "category", "type", "keywords", "topic", "标签", "类别"}),
    "link": frozenset({"pdf", "link", "links", "link(s)", "url", "paper link", "code", "下载", "链接"}),
}
_SURVEY_SECTION = re.compile(r"survey|review|综述", re.IGNORECASE)
_SURVEY_TITLE = re.compile(r"\bsurvey\b(?!\s+(?:data|responses?|questions?|respondents?))|综述", re.IGNORECASE)
_FORMATTING_TAG = re.compile(
    r"^</?(?:a|b|i|u|s|em|strong|sup|sub|span|code|del|mark|font|small|big|br|wbr|nobr|kbd)\b[^>]*/?>$", re.IGNORECASE
)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)""", re.IGNORECASE)
_HTML_TABLE = re.compile(r"<table\b", re.IGNORECASE)

_HTML_OPEN = re.compile(r"<h([1-6])\b[^<>]*>", re.IGNORECASE)  # [^<>]: an unclosed tag costs no rescan
_HTML_CLOSE = re.compile(r"</h([1-6])\s*>", re.IGNORECASE)
#: ``<h2 id=…>Title</h2>`` and the like: sections, as ``##`` headings are.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: Larger list files are refused (a list of 10,000 papers is about 3 MB).
MAX_LIST_BYTES = 10_000_000


@dataclass(frozen=True)
class _Cell:
    text: str
    links: tuple[str, ...]


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
            label = strip_heading_decoration(without_comments(_read_cell(tokens[index + 1]).text).strip())
            headings = [] if level == 1 else [(lv, text) for lv, text in headings if lv < level] + [(level, label)]
            if parsed.title is None and level == 1 and label:
                parsed.title = label
            here = Section(_PATH_SEPARATOR.join(text for _, text in headings))
        elif token.type == "table_open":
            index = _read_table(tokens, index, lines, here, parsed)
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            index = read_list_items(tokens, index, here, parsed)
        elif token.type == "html_block" and _HTML_TABLE.search(token.content):
            _read_html_tables(token, lines, here, parsed)
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
    for row in parsed.rows:  # rows are frozen for everyone downstream; settling is the last step of making them
        section, survey = settled[row.section]
        object.__setattr__(row, "section", section)
        object.__setattr__(row, "is_survey", survey or bool(_SURVEY_TITLE.search(row.title)))
    layouts, parsed.layouts = parsed.layouts, {}
    for provisional, header in layouts.items():
        parsed.layouts.setdefault(settled[provisional][0], header)


def _read_table(tokens: list[Token], start: int, lines: list[str], section: Section, parsed: ListDraft) -> int:
    """Read the table opening at ``tokens[start]``; return the index of its ``table_close``."""
    header: list[str] = []
    rows: list[tuple[int, list[_Cell]]] = []
    index = start + 1
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            row_line = token.map[0] + 1 if token.map else 0
            cells: list[_Cell] = []
            index += 1
            while tokens[index].type != "tr_close":
                if tokens[index].type == "inline":
                    cells.append(_read_cell(tokens[index]))
                index += 1
            if header:
                rows.append((row_line, cells))
            else:
                header = [cell.text for cell in cells]
        index += 1
    start_lines = tokens[start].map
    table_line = (start_lines[0] + 1) if start_lines else 0
    roles, linked_only = _paper_roles(header, [cells for _, cells in rows])
    if "title" in roles:
        parsed.layouts.setdefault(section, header)
    if "title" not in roles:
        parsed.notes.append(Note("untitled-table", f"{parsed.name}:{table_line}: table with columns "
                                                   f"{' | '.join(header)} has no paper-title column; skipped"))
        return index
    for row_line, cells in rows:
        if linked_only and not _links_a_paper(cells, roles):
            parsed.skipped.append(("no link", SourceRef(parsed.name, row_line)))
            continue
        row = _read_row(cells, roles, len(header), _count_raw_cells(lines[row_line - 1]),
                        SourceRef(parsed.name, row_line), section, parsed)
        if row is not None:
            parsed.rows.append(row)
    return index


class _HtmlTables(HTMLParser):
    """Rows of ``<table>`` elements as cells (text and link targets), each with its line in the block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[int, list[_Cell]]]] = []
        self._cell: tuple[list[str], list[str]] | None = None
        self._row: tuple[int, list[_Cell]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = (self.getpos()[0], [])
            self.tables[-1].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ([], [])
        elif tag == "a" and self._cell is not None:
            href = dict(attrs).get("href")
            if href:
                self._cell[1].append(href)
        elif tag == "br" and self._cell is not None:
            self._cell[0].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            text, links = self._cell
            self._row[1].append(_Cell(" ".join("".join(text).split()), tuple(links)))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[0].append(data)


def _read_html_tables(token: Token, lines: list[str], section: Section, parsed: ListDraft) -> None:
    """Paper rows of the HTML tables in a block, columns by header meaning as for Markdown tables."""
    reader = _HtmlTables()
    reader.feed(token.content)
    first_line = token.map[0] if token.map else 0
    for table in reader.tables:
        if not table:
            continue
        (header_line, header_cells), *rows = table
        header = [cell.text for cell in header_cells]
        roles, linked_only = _paper_roles(header, [cells for _, cells in rows])
        if "title" not in roles:
            parsed.notes.append(Note("untitled-table", f"{parsed.name}:{first_line + header_line}: HTML table with "
                                                       f"columns {' | '.join(header)} has no paper-title column; skipped"))
            continue
        parsed.layouts.setdefault(section, header)
        for row_line, cells in rows:
            if linked_only and not _links_a_paper(cells, roles):
                parsed.skipped.append(("no link", SourceRef(parsed.name, first_line + row_line)))
                continue
            row = _read_row(cells, roles, len(header), len(cells), SourceRef(parsed.name, first_line + row_line),
                            section, parsed)
            if row is not None:
                parsed.rows.append(row)


#: Headers of a column that names a dataset, a benchmark or a model: the column holds the paper when it links papers.
_NAMED_WORK_HEADERS = {"dataset", "datasets", "benchmark", "benchmarks", "name", "数据集"}


def _paper_roles(header: list[str], rows: list[list[_Cell]]) -> tuple[dict[str, int], bool]:
    """The roles of a table's columns, and whether only rows that link a paper are papers. A table without a title
    column whose ``Dataset``, ``Benchmark`` or ``Name`` column links papers (arXiv, DOI, a proceedings page) in most
    rows is a table of papers, that column their titles — the rows that link none are datasets without a paper."""
    roles = column_roles(header)
    if "title" in roles or not rows:
        return roles, False
    for position, text in enumerate(header):
        if header_key(text) in _NAMED_WORK_HEADERS:
            linked = sum(1 for cells in rows if position < len(cells)
                         and any(is_paper_link(link) for link in cells[position].links))
            if linked * 2 > len(rows):
                return {role: where for role, where in roles.items() if where != position} | {"title": position}, True
    return roles, False


def _links_a_paper(cells: list[_Cell], roles: dict[str, int]) -> bool:
    position = roles["title"]
    return position < len(cells) and any(is_paper_link(link) for link in cells[position].links)


def column_roles(header: list[str]) -> dict[str, int]:
    """Map each role to the first column whose header means it."""
    roles: dict[str, int] = {}
    for position, text in enumerate(header):
        spelling = header_key(text)
        for role, spellings in COLUMN_HEADERS.items():
            if spelling in spellings and role not in roles:
                roles[role] = position
                break
    return roles


def header_key(text: str) -> str:
    return " ".join(_HEADER_END.sub("", text.casefold().strip()).split())


_HEADER_END = re.compile(r"[\s.:：]+$")


def site_name(url: str) -> str:
    for host, name in (("arxiv.org", "arXiv"), ("doi.org", "DOI"), ("semanticscholar.org", "Semantic Scholar"),
                       ("openalex.org", "OpenAlex")):
        if host in url:
            return name
    return "Paper"


def _read_row(
    cells: list[_Cell],
    roles: dict[str, int],
    width: int,
    written: int,
    source: SourceRef,
    section: Section,
    parsed: ListDraft,
) -> ListRow | None:
    def cell(role: str) -> _Cell:
        position = roles.get(role)
        if position is None or position >= len(cells):
            return _Cell("", ())
        return cells[position]

    title = cell("title").text
    written_cells = " | ".join(cell.text for cell in cells)
    # the row by its title wherever it has one (a re-dated row is the same row), else by what its cells say
    instance = Instance(source, row_content(title, None) if title else line_content(written_cells))
    if not title:
        parsed.malformed.append(Finding("malformed-row", content_id("malformed-row", written_cells),
                                        f"{source}: row has no paper title; skipped", instances=(instance,)))
        return None
    problems = []
    if written != width:
        what = "extra cells ignored" if written > width else "missing cells read as empty"
        parsed.malformed.append(Finding("broken-markdown", f"broken-markdown:cells:{slugify(title, 12)}",
                                        f"{source}: the row has {written} cells but the header has {width} ({what})",
                                        instances=(instance,)))
    year_text = cell("year").text
    year, month = parse_year_month(year_text)
    if year is None and not is_missing_value(year_text):
        problems.append(f"year {year_text!r} is not a year")
    venue_text = cell("venue").text
    if year is None:
        year, month = parse_year_month(venue_text)
    if problems:
        parsed.malformed.append(
            Finding("malformed-row", f"malformed-row:{slugify(title, 12)}", f"{source}: {'; '.join(problems)}",
                    instances=(instance,))
        )
    links = tuple(link for position in _link_order(roles, len(cells)) for link in cells[position].links)
    arxiv_ids = [found for found in map(arxiv_id_from_url, links) if found]
    if year is None and arxiv_ids and (from_id := arxiv_year_month(arxiv_ids[0])):
        year, month = from_id  # no year written: the preprint's
    abbreviation = cell("abbreviation").text
    tags = tuple(tag.strip() for tag in re.split(r"[,;，；]", cell("tag").text) if not is_missing_value(tag))
    return ListRow(
        source=source,
        section=section,
        title=single_line(title),
        links=links,
        arxiv_id=arxiv_ids[0] if arxiv_ids else None,
        abbreviation=None if is_missing_value(abbreviation) else abbreviation,
        year=year,
        month=month,
        venue=parse_venue(venue_text),
        tags=tags,
    )


def _link_order(roles: dict[str, int], count: int) -> list[int]:
    """Cells to take links from: the title cell first (its link names the paper), then the rest in order."""
    first = roles["title"]
    return [first] + [position for position in range(count) if position != first]


def _count_raw_cells(line: str) -> int:
    """Cells as written on the source line (markdown-it silently drops cells beyond the header's width)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return len(re.split(r"(?<!\\)\|", body))


def _read_cell(inline: Token) -> _Cell:
    """Plain text and link targets of an inline token.

    Badge images contribute no text; formatting HTML (``<b>``, ``<a href>``) is dropped but its links kept; any
    other HTML stays as literal text, so it is shown (escaped), never executed, downstream.
    """
    parts: list[str] = []
    links: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_open":
            href = child.attrs.get("href")
            if href:
                links.append(str(href))
        elif child.type == "html_inline":
            if _FORMATTING_TAG.match(child.content):
                links.extend(_HREF.findall(child.content))
                if child.content.lower().startswith("<br"):
                    parts.append(" ")
            else:
                parts.append(child.content)
    return _Cell(" ".join("".join(parts).split()), tuple(links))
