"""A list being read: the readers (tables, list items, HTML tables) add to a :class:`ListDraft`, and the
:class:`~pa_graph.records.ParsedList` record is built from it once, when the whole text has been read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from pa_graph.records import Finding, ListRow, Note, ParsedList, Repair, Section, SourceRef

__all__ = ["ListDraft", "Block"]


@dataclass
class ListDraft:
    """What has been read of one list so far (``name`` is how sources are cited, ``name:line``)."""

    name: str
    rows: list[ListRow] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    malformed: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    layouts: dict[Section, list[str]] = field(default_factory=dict)
    skipped: list[tuple[str, SourceRef]] = field(default_factory=list)
    title: str | None = None

    def done(self, path: Path, sha256: str) -> ParsedList:
        return ParsedList(path=path, name=self.name, sha256=sha256, rows=self.rows, repairs=self.repairs,
                          malformed=self.malformed, notes=self.notes, layouts=self.layouts, skipped=self.skipped,
                          title=self.title)


@dataclass(frozen=True)
class Block:
    """Where a reader reads a block of the list: the list's tokens and lines, the section the headings above give,
    and the draft it adds to."""

    tokens: list[Token]
    lines: list[str]
    section: Section
    draft: ListDraft
