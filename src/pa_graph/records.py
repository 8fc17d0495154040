"""Typed records passed between the pipeline stages (parse → resolve → enrich → model): what the lists say, and
what Semantic Scholar says about their works. Plain data, no I/O: importing them loads no HTTP client."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from pa_graph.text import is_author_label, label_key, normalize_title, short_hash, slugify

#: How long work reports itself: ``progress(stage, done, total)`` (the CLI draws bars or plain lines).
Progress = Callable[[str, int, int], None]

__all__ = ["SourceName", "EnrichedFrom", "Mode", "LinkStatus", "DisagreementKind", "FindingLevel", "Note",
           "NoteKind", "SourceRef", "Section", "ListRow", "Repair", "Instance",
           "row_content", "line_content", "content_id", "Finding", "ParsedList", "Work", "SourceRecord",
           "CitationLink", "LinkCheck", "VenueUpdate", "SourceDisagreement", "Enrichment", "section_id", "Progress"]

#: A bibliographic service pa-graph reads: a name of ``pa_graph.sources.registry.SOURCES`` ("s2", "openalex", …).
SourceName = str
#: Where an enrichment came from: one source, or several merged, named primary first ("s2+openalex").
EnrichedFrom = str
#: How an enrichment was made: asking the source, from the cache by request, or from the cache because the source failed.
Mode = Literal["online", "offline", "unreachable"]
#: How much a finding weighs: an ``error`` fails a strict check unless accepted, a ``notice`` never does.
FindingLevel = Literal["error", "notice"]
#: A verdict on a listed arXiv link.
LinkStatus = Literal["wrong", "missing"]
#: How Semantic Scholar and OpenAlex disagree about a work.
#: ``only-<source>`` (``only-s2``, ``only-openalex``, …) names the one source that knows a listed work.
DisagreementKind = str


@dataclass(frozen=True, order=True)
class SourceRef:
    """Where a statement came from: a list file (by name) and a 1-based line number."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Section:
    """A place in the list's taxonomy: a top section (``##``) and, optionally, a sub-category (``###``/``####``)."""

    top: str
    sub: str | None = None

    @property
    def label(self) -> str:
        """The most specific label, the one a work is ``pa:listedIn``."""
        return self.sub or self.top

    def __str__(self) -> str:
        return f"{self.top} › {self.sub}" if self.sub else self.top



def section_id(section: Section) -> str:
    """Node id of a section: its top level, and the sub-category under it when there is one."""
    top = f"section/{slugify(section.top)}"
    return f"{top}/{slugify(section.sub)}" if section.sub else top


@dataclass(frozen=True)
class ListRow:
    """One paper entry of a list — a table row (cells read by meaning) or a list item — with what it says."""

    source: SourceRef
    section: Section
    title: str
    _: KW_ONLY
    links: tuple[str, ...] = ()
    arxiv_id: str | None = None
    abbreviation: str | None = None
    year: int | None = None
    month: int | None = None
    venue: str | None = None
    tags: tuple[str, ...] = ()
    is_survey: bool = False
    authors: tuple[str, ...] = ()  # as the list writes them (bullet entries with an author line)
    from_list_item: bool = False  # a bullet or numbered item, not a table row
    last_line: int | None = None  # the item's last line (an entry may run over several lines)

    @property
    def instance(self) -> Instance:
        """This row as a finding's instance."""
        return Instance(self.source, row_content(self.title, self.arxiv_id), self.last_line)


@dataclass(frozen=True)
class Repair:
    """A line whose mojibake was repaired."""

    source: SourceRef
    before: str
    after: str


@dataclass(frozen=True)
class Instance:
    """One row (or line) a finding involves: where it is, and what it says. ``content`` identifies the row in
    another version of the list wherever it moved, so a check compares findings row by row, not line by line;
    ``last_line`` is the entry's last line when it runs over several."""

    source: SourceRef
    content: str
    last_line: int | None = None

    @property
    def lines(self) -> range:
        return range(self.source.line, (self.last_line or self.source.line) + 1)


def row_content(title: str, arxiv_id: str | None) -> str:
    """What identifies a paper row across versions of a list: its normalised title and the arXiv id it links (a
    row moved, re-dated or given a code link is the same row; one with another title or link is another)."""
    return f"{normalize_title(title)}|{re.sub(r'v[0-9]+$', '', arxiv_id or '')}"


def line_content(text: str) -> str:
    """What identifies a line that is no readable row across versions: its words, spacing and case aside."""
    return " ".join(text.split()).casefold()


def content_id(kind: str, text: str) -> str:
    """A finding id built from content, readable and short: ``kind:first-words-HASH``."""
    slug = slugify(text, max_words=6)
    digest = short_hash(line_content(text), 6)
    return f"{kind}:{slug}-{digest}" if slug else f"{kind}:{digest}"


@dataclass(frozen=True)
class Finding:
    """Something a list maintainer should look at. ``id`` is built from content (kind, arXiv id, normalised title),
    never from a line number, so it is stable when lines move and can be allow-listed; ``instances`` are the rows
    involved (none for a finding about a whole file). A ``notice`` is worth knowing and never fails a check (a paper
    cross-listed under several sections)."""

    kind: str
    id: str
    message: str
    _: KW_ONLY
    instances: tuple[Instance, ...]
    level: FindingLevel = "error"

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        return tuple(instance.source for instance in self.instances)


NoteKind = Literal["untitled-table", "fetch", "no-papers"]


@dataclass(frozen=True)
class Note:
    """Something a reader of a list should know that is no finding: a table skipped for having no title column
    (``untitled-table``), a warning while fetching the list (``fetch``), a list without paper rows (``no-papers``)."""

    kind: NoteKind
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, kw_only=True)
class ParsedList:
    """Everything read from one list file (built once, when the reading is done; ``dataclasses.replace`` gives
    the same list read from elsewhere — a URL, a Git commit)."""

    path: Path
    name: str
    sha256: str
    rows: list[ListRow] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    malformed: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    layouts: dict[Section, list[str]] = field(default_factory=dict)  # the header of each section's first paper table
    skipped: list[tuple[str, SourceRef]] = field(default_factory=list)  # list items that are not papers, by kind
    title: str | None = None  # the list's own title: its first level-1 heading (Markdown or HTML)
    url: str | None = None  # where a list given by URL was fetched from
    fetched_at: str | None = None
    given: str | None = None  # the list as the user named it (a path, a URL, github:owner/repo), as typed

    def skipped_counts(self) -> dict[str, int]:
        """Skipped list items per kind (table of contents, news, code, dataset, blog, website, note, no link)."""
        counts: dict[str, int] = {}
        for kind, _ in self.skipped:
            counts[kind] = counts.get(kind, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True)
class Work:
    """One distinct work: every list row that names it, merged."""

    key: str
    title: str
    rows: tuple[ListRow, ...]

    @property
    def is_survey(self) -> bool:
        return any(row.is_survey for row in self.rows)

    @property
    def alternative_titles(self) -> tuple[str, ...]:
        """Other spellings of the title found in the lists, in list order."""
        return _distinct(row.title for row in self.rows if row.title != self.title)

    @property
    def sections(self) -> tuple[Section, ...]:
        return _distinct(row.section for row in self.rows)

    @property
    def tags(self) -> tuple[str, ...]:
        """Tag labels, one per spelling-insensitive key, first spelling kept."""
        return _distinct_labels(tag for row in self.rows for tag in row.tags)

    @property
    def methods(self) -> tuple[str, ...]:
        """Abbreviations that name a method; author labels such as "Zhang et al." name none."""
        return _distinct_labels(
            row.abbreviation for row in self.rows if row.abbreviation and not is_author_label(row.abbreviation)
        )

    @property
    def venues(self) -> tuple[str, ...]:
        return _distinct_labels(row.venue for row in self.rows if row.venue)

    @property
    def listed_year(self) -> int | None:
        """The year the list gives (the first row that gives one)."""
        return next((row.year for row in self.rows if row.year is not None), None)

    @property
    def listed_arxiv_ids(self) -> tuple[str, ...]:
        """arXiv ids exactly as written in the list's links."""
        return _distinct(row.arxiv_id for row in self.rows if row.arxiv_id)


_T = TypeVar("_T")


def _distinct(items: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


def _distinct_labels(labels: Iterable[str]) -> tuple[str, ...]:
    first: dict[str, str] = {}
    for label in labels:
        first.setdefault(label_key(label), label)
    return tuple(first.values())


# ----- what Semantic Scholar and OpenAlex say -------------------------------------------------------------------

@dataclass(frozen=True)
class SourceRecord:
    """What pa-graph keeps of one paper as a source describes it, with the request and time it came from.

    ``paper_id`` is the source's own id: an S2 paper id, or an OpenAlex ``W…`` id when ``source`` is
    ``"openalex"``. A record merged from both sources keeps S2's fields, adds ``openalex_id`` and lists the
    OpenAlex answer in ``also_from`` as ``(source, request, retrieved_at)``."""

    paper_id: str
    _: KW_ONLY
    title: str | None = None
    year: int | None = None
    corpus_id: int | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    venue: str | None = None
    authors: tuple[tuple[str | None, str], ...] = ()
    citation_count: int | None = None
    reference_count: int | None = None  # all its references, when S2 gave the list (listed works, candidates)
    request: str = ""
    retrieved_at: str = ""
    source: SourceName = "s2"  # whose answer ``request`` is
    openalex_id: str | None = None
    also_from: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class CitationLink:
    citing: str  # the paper id of a SourceRecord
    cited: str
    _: KW_ONLY
    intents: tuple[str, ...] = ()
    influential: bool | None = None
    contexts: tuple[str, ...] = ()
    request: str = ""
    retrieved_at: str = ""
    source: SourceName = "s2"  # which source's answer said so


@dataclass(frozen=True)
class LinkCheck:
    """A source's verdict on a work's arXiv link: ``wrong`` (the listed id is another paper, or unknown to the
    source) or ``missing`` (no arXiv link listed, the source knows one). Correct links get no verdict."""

    work_key: str
    title: str
    status: LinkStatus
    _: KW_ONLY
    listed_id: str | None
    points_to: str | None  # the source's title for the listed id; None when it knows no such id
    correct_id: str | None  # the work's arXiv id according to the source, when it has one
    sources: tuple[SourceRef, ...]
    by: str  # the source that gave the verdict, as a reader names it
    fix: str | None = None  # what to do when the right id is not known (a source without a title search)


@dataclass(frozen=True)
class VenueUpdate:
    """A listed work the list gives as a preprint (or without a venue) that a source knows as published."""

    work_key: str
    title: str
    venue: str
    _: KW_ONLY
    year: int | None
    sources: tuple[SourceRef, ...]
    by: str = "Semantic Scholar"


@dataclass(frozen=True)
class SourceDisagreement:
    """Two sources say different things about a work (``kind``: ``arxiv-id``, ``year``, ``only-<source>`` for a
    listed work, keyed by its work key; ``conflicting-ids``, ``split-work`` for a work the list cites, keyed by the
    primary source's id); ``message`` names both sources and the work's title."""

    work_key: str
    title: str
    kind: DisagreementKind
    _: KW_ONLY
    message: str


@dataclass(frozen=True, kw_only=True)
class Enrichment:
    """Everything the sources added to a build (built once, by a source or by the merge of several)."""

    mode: Mode
    api_url: str
    source: EnrichedFrom = "s2"
    resolved: dict[str, SourceRecord] = field(default_factory=dict)  # work key → record
    unresolved: dict[str, str] = field(default_factory=dict)  # work key → why (S2 answered, no match)
    not_cached: list[str] = field(default_factory=list)  # work keys the cache could not answer offline
    externals: dict[str, SourceRecord] = field(default_factory=dict)  # paper id → record, works not in the lists
    citations: list[CitationLink] = field(default_factory=list)
    embeddings: dict[str, list[float]] = field(default_factory=dict)  # paper id → vector
    link_checks: list[LinkCheck] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    requests: int = 0
    calls: dict[str, dict[str, int | float]] = field(default_factory=dict)  # source → request counts by kind
    disagreements: list[SourceDisagreement] = field(default_factory=list)
