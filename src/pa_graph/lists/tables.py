"""Tables a list holds its papers in — Markdown (GFM) tables and HTML ``<table>`` blocks — read into rows.

Tables are read with markdown-it-py's GFM table rule (escaped pipes, inline Markdown and HTML handled by a real
parser); columns are mapped by what their header means, not by position, so the layouts seen in the wild
(``Paper | Abbr. | Year | Source | Tag | PDF``, ``Title | Date | Link(s)``, ``论文标题 | 缩写 | 年份 | 来源 | 标签 | 下载``,
``Method | Paper Title | Published At | Link``) all read the same way. A table without a title column is no paper
table: it is noted and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it.token import Token

from pa_graph.lists.bullets import is_paper_link
from pa_graph.lists.draft import Block, ListDraft
from pa_graph.records import (
    Finding,
    Instance,
    ListRow,
    Note,
    Section,
    SourceRef,
    content_id,
    line_content,
    row_content,
)
from pa_graph.text import (
    arxiv_id_from_url,
    arxiv_year_month,
    is_missing_value,
    parse_venue,
    parse_year_month,
    single_line,
    slugify,
)

__all__ = ["COLUMN_HEADERS", "read_table", "read_html_tables", "read_cell", "column_roles", "header_key", "site_name"]

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
_FORMATTING_TAG = re.compile(
    r"^</?(?:a|b|i|u|s|em|strong|sup|sub|span|code|del|mark|font|small|big|br|wbr|nobr|kbd)\b[^>]*/?>$", re.IGNORECASE
)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)""", re.IGNORECASE)

@dataclass(frozen=True)
class _Cell:
    text: str
    links: tuple[str, ...]


def read_table(block: Block, start: int) -> int:
    """Read the table opening at ``tokens[start]``; return the index of its ``table_close``."""
    tokens, lines, section, parsed = block.tokens, block.lines, block.section, block.draft
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
                    cells.append(read_cell(tokens[index]))
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


def read_html_tables(block: Block, start: int) -> int:
    """Paper rows of the HTML tables in the block at ``tokens[start]``, columns by header meaning as for Markdown
    tables; the block is one token."""
    token, section, parsed = block.tokens[start], block.section, block.draft
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
    return start


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


def read_cell(inline: Token) -> _Cell:
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
