"""New rows as text: a work to add, in a section's table layout (columns by meaning, as the reader maps them), and
what can be added. Pure text — :mod:`pa_graph.lists.write` puts rows into files; the gap analyses only describe
them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Protocol

from pa_graph.lists.read import column_roles, header_key, site_name
from pa_graph.text import markdown_text

__all__ = ["DEFAULT_HEADER", "NewEntry", "table_row", "Addable"]


#: The layout of a row when the section's own layout is unknown (the bundled list's).
DEFAULT_HEADER = ("Paper", "Abbr.", "Year", "Source", "Tag", "PDF")


@dataclass(frozen=True)
class NewEntry:
    """A work to add to a list, as :func:`table_row` writes it."""

    title: str
    year: int | None = None
    _: KW_ONLY
    venue: str | None = None
    arxiv_id: str | None = None  # validated by the caller (the arXiv id grammar)
    url: str | None = None  # the link when there is no arXiv id (DOI or Semantic Scholar page)


def table_row(header: Sequence[str], entry: NewEntry) -> str:
    """One Markdown table row for ``entry`` in the layout of ``header``, columns by meaning as the reader maps them.

    A PDF column gets the PDF link and the title links the abstract page (the bundled list's habit); any other link
    column gets the page, named by where it points, and the title stays plain.

    >>> print(table_row(["Title", "Date", "Link(s)"], NewEntry("A | B", 2024, arxiv_id="2401.01234")))
    | A \\| B | 2024 | [arXiv](https://arxiv.org/abs/2401.01234) |
    >>> print(table_row(DEFAULT_HEADER, NewEntry("Title *x*", 2023, venue="ACL", arxiv_id="2301.00001")))
    | [Title \\*x\\*](https://arxiv.org/abs/2301.00001) |  | 2023 | ACL |  | [PDF](https://arxiv.org/pdf/2301.00001) |
    """
    roles = {position: role for role, position in column_roles(list(header)).items()}
    title = markdown_text(entry.title)
    page = f"https://arxiv.org/abs/{entry.arxiv_id}" if entry.arxiv_id else entry.url
    link_position = next((position for position, role in roles.items() if role == "link"), None)
    pdf_column = link_position is not None and header_key(header[link_position]) in _PDF_HEADERS
    cells = []
    for position in range(len(header)):
        role = roles.get(position)
        if role == "title":
            cells.append(f"[{title}]({page})" if page and (link_position is None or pdf_column) else title)
        elif role == "year":
            cells.append(str(entry.year or ""))
        elif role == "venue":
            cells.append(markdown_text(entry.venue) if entry.venue else ("arxiv" if entry.arxiv_id else ""))
        elif role == "link" and pdf_column:
            cells.append(f"[PDF](https://arxiv.org/pdf/{entry.arxiv_id})" if entry.arxiv_id else "")
        elif role == "link":
            cells.append(f"[{site_name(page)}]({page})" if page else "")
        else:
            cells.append("")
    return "| " + " | ".join(cells) + " |"


_PDF_HEADERS = {"pdf", "下载"}


class Addable(Protocol):
    """What can be written into a list: a missing-paper suggestion or a work of other lists."""

    @property
    def title(self) -> str: ...

    @property
    def section(self) -> str | None: ...

    @property
    def section_node(self) -> str | None: ...

    @property
    def id(self) -> str: ...

    @property
    def why(self) -> str: ...

    def entry(self) -> NewEntry: ...
