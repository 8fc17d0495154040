"""Parse stage, list items: paper entries written as bullets or numbered items, the way most awesome lists are.

A paper entry is a list item with a title and at least one link to a paper (arXiv, ACL Anthology, OpenReview, a
DOI, ACM DL, IEEE Xplore, NeurIPS/PMLR/CVF proceedings, Semantic Scholar, Springer, AAAI, IJCAI, PubMed,
bioRxiv/medRxiv, or a ``.pdf``). Shapes read (all seen in real lists)::

    + **\\[2024 Arxiv-2411\\]** Title. ([Paper](url))           year and venue in a bold bracket prefix
    - **Title** [[ACL 2024]](url) [[Code]](url) ![](badge)     venue as link text, badges as tags
    - **Title.**                                               the link on the next line of the same item
      *Authors.* [[abs](url)], Venue 2024
    * **Title** [[paper](url)]      - Title. [Venue] [[paper](url)]      - [Title](url) - Venue, Year
    1. [Title](url)                 - (2023/03/30) [Title](url)   (nested bullets under it are notes)

Items that are not papers are skipped and counted by kind: a table of contents (links to ``#anchors``), news (under
a "News" heading, or a date followed by an announcement), code, datasets, blogs, websites, notes under a paper. An
item that looks like a paper (a title in bold or as a link) but has no paper link is reported as unreadable. An
item without a paper link whose nested items are papers names a sub-section for them (when the heading gives
none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markdown_it.token import Token

from pa_graph.lists.draft import Block, ListDraft
from pa_graph.records import Finding, Instance, ListRow, Section, SourceRef, content_id, line_content, row_content
from pa_graph.text import (
    arxiv_id_from_url,
    arxiv_year_month,
    parse_venue,
    parse_year_month,
    single_line,
    strip_heading_decoration,
)

__all__ = ["read_list_items", "is_paper_link", "SKIPPED_KINDS"]

SKIPPED_KINDS = ("table of contents", "news", "code", "dataset", "blog", "website", "note", "no link")

_PAPER_HOSTS = (
    "arxiv.org", "aclanthology.org", "aclweb.org", "openreview.net", "doi.org", "dl.acm.org", "ieeexplore.ieee.org",
    "proceedings.neurips.cc", "papers.nips.cc", "neurips.cc", "proceedings.mlr.press", "jmlr.org",
    "openaccess.thecvf.com", "semanticscholar.org", "link.springer.com", "springer.com", "ojs.aaai.org", "aaai.org",
    "ijcai.org", "pubmed.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov", "biorxiv.org", "medrxiv.org", "sciencedirect.com",
    "nature.com", "science.org", "pnas.org", "iclr.cc", "ssrn.com", "researchgate.net", "papers.ssrn.com",
    "isca-speech.org", "computer.org", "tandfonline.com", "wiley.com", "acm.org",
)
_CODE_HOSTS = ("github.com", "gitlab.com", "gitee.com", "bitbucket.org", "github.io")
_DATA_HOSTS = ("huggingface.co/datasets", "kaggle.com", "zenodo.org", "paperswithcode.com/dataset")
_BLOG_HOSTS = ("medium.com", "substack.com", "zhihu.com", "mp.weixin.qq.com", "weixin.qq.com", "blog", "notion.site",
               "towardsdatascience.com", "lilianweng.github.io", "/research/")
_GENERIC_LINK_TEXT = re.compile(
    r"^(?:paper|papers|pdf|abs|abstract|arxiv|code|codes|github|link|links|project|project page|page|website|homepage|"
    r"home|data|dataset|datasets|demo|slides|video|blog|html|openreview|huggingface|hf|model|models|doi|acm|ieee|"
    r"springer|semantic scholar|leaderboard|benchmark|repo|repository|download|\W*)$", re.IGNORECASE)
_NEWS_HEADING = re.compile(r"news|updates?|changelog|announcements?|动态|新闻|更新", re.IGNORECASE)
_DATE_START = re.compile(r"^\W*(?:\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?|\d{1,2}/\d{1,2}/\d{4})")
_DATE_PARENS = re.compile(r"^\s*\(?\s*(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?\s*\)?")
_DATE_ANY = re.compile(r"\b\d{4}[./-]\d{1,2}(?:[./-]\d{1,2})?\b\.?")
_BRACKET_TAG = re.compile(r"^\s*\\?\[(.+?)\\?\]\s*$")
_ARXIV_VENUE = re.compile(r"\barxiv(?:[-\s]?\d{4})?\b", re.IGNORECASE)
_VENUE_LIKE = re.compile(r"^[A-Za-z][\w&.\- ]{1,40}?\s*['’]?\d{2,4}\b")
_ACRONYM = re.compile(r"\b(?:[A-Z]{3,}|NeurIPS|RecSys|TheWebConf|[A-Z][a-z]*[A-Z]{2,}[a-z]*)\b")
#: A citation in parentheses after a title: authors, the year, maybe a page (``(Kirk et al., 2023, p. 361)``).
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_LETTER = re.compile(r"[^\W\d_]")
_CITED_YEAR = re.compile(r",\s*((?:19|20)\d{2})\b")


def _citation_year(text: str) -> int | None:
    """The year of a citation in parentheses, ``“Title” (Authors, 2023, p. 361)``: the first parentheses holding a
    letter and, after it, a comma and a year. Each parenthesis is looked at once (no pattern that rescans)."""
    for parentheses in _PARENTHESES.finditer(text):
        inside = parentheses.group(1)
        letter = _LETTER.search(inside)
        year = _CITED_YEAR.search(inside, letter.end()) if letter else None
        if year:
            return int(year.group(1))
    return None
_QUOTED = re.compile(r"^\W{0,3}?[“\"«]([^”\"»]{4,300})[”\"»]")
_BADGE = re.compile(r"img\.shields\.io/badge/([^/?#]+)", re.IGNORECASE)


def _host_matches(url: str, hosts: tuple[str, ...]) -> bool:
    lowered = url.casefold()
    parts = urlsplit(lowered)
    where = parts.netloc + parts.path
    return any(host in where for host in hosts)


def is_paper_link(url: str) -> bool:
    """Whether a link points to a paper (a publisher, a preprint server, an index, or a PDF).

    >>> is_paper_link("https://arxiv.org/abs/2404.18231"), is_paper_link("https://github.com/x/y")
    (True, False)
    >>> is_paper_link("https://example.org/files/paper.pdf")
    True
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return False
    return _host_matches(url, _PAPER_HOSTS) or parts.path.casefold().endswith(".pdf")


@dataclass
class _Inline:
    """What one list item says in its own paragraphs: text, links (with their text), bold and italic spans."""

    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, link text)
    strong: list[str] = field(default_factory=list)
    emphasis: list[str] = field(default_factory=list)
    badges: list[str] = field(default_factory=list)
    outside_links: str = ""  # text that is not the text of a link
    after_links: str = ""  # that text after the last link (", TMLR 2024.04", " - NeurIPS, 2023")


def _read_inlines(inlines: list[Token]) -> _Inline:
    found = _Inline()
    parts: list[str] = []
    outside: list[str] = []
    link_stack: list[tuple[str, list[str]]] = []
    after = 0
    strong_depth = emphasis_depth = 0
    strong_parts: list[str] = []
    emphasis_parts: list[str] = []
    for number, inline in enumerate(inlines):
        if number:
            parts.append(" ")
            outside.append(" ")
        for child in inline.children or []:
            kind = child.type
            if kind in ("text", "code_inline", "softbreak", "hardbreak", "html_inline"):
                piece = " " if kind in ("softbreak", "hardbreak") else child.content
                if kind == "html_inline":
                    piece = " "
                parts.append(piece)
                (link_stack[-1][1] if link_stack else outside).append(piece)
                if strong_depth:
                    strong_parts.append(piece)
                if emphasis_depth:
                    emphasis_parts.append(piece)
            elif kind == "link_open":
                link_stack.append((str(child.attrs.get("href") or ""), []))
            elif kind == "link_close" and link_stack:
                after = len(outside)
                href, text = link_stack.pop()
                found.links.append((href, " ".join("".join(text).split())))
                if link_stack:
                    link_stack[-1][1].extend(text)
            elif kind == "strong_open":
                strong_depth += 1
            elif kind == "strong_close" and strong_depth:
                strong_depth -= 1
                if not strong_depth:
                    found.strong.append(" ".join("".join(strong_parts).split()))
                    strong_parts = []
            elif kind == "em_open":
                emphasis_depth += 1
            elif kind == "em_close" and emphasis_depth:
                emphasis_depth -= 1
                if not emphasis_depth:
                    found.emphasis.append(" ".join("".join(emphasis_parts).split()))
                    emphasis_parts = []
            elif kind == "image":
                badge = _BADGE.search(str(child.attrs.get("src") or ""))
                if badge:
                    label = badge.group(1).split("-")[0].replace("_", " ").replace("%20", " ").strip()
                    if label:
                        found.badges.append(label)
    found.text = " ".join("".join(parts).split())
    found.outside_links = " ".join("".join(outside).split())
    found.after_links = " ".join("".join(outside[after:]).split()) if found.links else ""
    return found


@dataclass
class _Item:
    line: int
    last_line: int
    inline: _Inline
    children: list[_Item]


def _items(tokens: list[Token], start: int) -> tuple[list[_Item], int]:
    """The items of the list opening at ``tokens[start]`` (nested lists as children); the index of its close."""
    level = tokens[start].level
    closing = tokens[start].type.replace("_open", "_close")
    items: list[_Item] = []
    index = start + 1
    while not (tokens[index].type == closing and tokens[index].level == level):
        token = tokens[index]
        if token.type == "list_item_open" and token.level == level + 1:
            line = token.map[0] + 1 if token.map else 0
            last = max((t.map[1] for t in tokens[index + 1:index + 2] if t.map), default=line)
            inlines: list[Token] = []
            children: list[_Item] = []
            index += 1
            while not (tokens[index].type == "list_item_close" and tokens[index].level == level + 1):
                inner = tokens[index]
                if inner.type == "inline" and inner.level == level + 3:
                    inlines.append(inner)
                elif inner.type in ("bullet_list_open", "ordered_list_open") and inner.level == level + 2:
                    nested, index = _items(tokens, index)
                    children.extend(nested)
                if inner.type == "inline" and inner.map and inner.level == level + 3:
                    last = max(last, inner.map[1])
                index += 1
            items.append(_Item(line, last, _read_inlines(inlines), children))
        index += 1
    return items, index


def _clean_title(text: str) -> str:
    text = " ".join(text.split()).strip(" \t,;:-–—")
    while (text[:1], text[-1:]) in (("[", "]"), ("(", ")"), ("“", "”"), ('"', '"'), ("«", "»")) and len(text) > 2:
        text = text[1:-1].strip()  # brackets, or the quotes a citation style puts around a title
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text


def _is_bracket_tag(text: str) -> bool:
    return bool(_BRACKET_TAG.match(text)) or bool(_DATE_START.match(text) and len(text.split()) <= 2)


#: What a title finder gives: the title, and the link it came from (when it is a link's text).
_Found = tuple[str, str | None]


def _bold_title(item: _Inline) -> _Found | None:
    """``**Title**`` — unless the bold text says where or when (``**[2024 ACL]**``, ``**STOC 2021**``)."""
    for strong in item.strong:
        if _is_bracket_tag(strong) or _venue_of(strong):
            continue
        title = _clean_title(strong)
        linked = next((href for href, text in item.links if text and text in strong), None)
        if len(title) >= 8 or len(title.split()) >= 2:
            return title, linked
    return None


def _quoted_title(item: _Inline) -> _Found | None:
    """``“Title” (Authors, 2022, p. 1) [CHI'22](url)``: a title in quotes at the start stays the title, whatever
    link follows."""
    found = _QUOTED.match(item.outside_links)
    title = _clean_title(found.group(1)) if found else ""
    return (title, None) if len(title.split()) >= 2 else None


def _linked_title(item: _Inline) -> _Found | None:
    """``[Title](url)`` — a link text of three words or more that is no generic word (``paper``, ``code``) and no
    venue with a year (``[Mobisys 2016](url)`` names where the paper is, not what)."""
    for href, text in item.links:
        if text and not _GENERIC_LINK_TEXT.match(text) and not _venue_of(text) and len(text.split()) >= 3:
            return _clean_title(text), href
    return None


def _text_title(item: _Inline) -> _Found | None:
    """``Title. [[Venue 2016](url)]``: the text before the links, brackets, dates and a citation taken off."""
    before = item.outside_links
    for strong in item.strong:
        if _is_bracket_tag(strong):
            before = before.replace(strong, " ", 1)
    before = _DATE_PARENS.sub(" ", before)
    before = re.split(r"\(\s*\)|\[\s*\]|\(\s*,|\s\(|\s\[", before)[0]
    title = _clean_title(re.sub(r"\\?\[[^\[\]]*\\?\]", " ", before))  # [^[]]: linear on a line of "["
    return (title, None) if len(title.split()) >= 3 else None


#: The shapes of a paper entry's title, tried in this order (the first that finds one wins): bold, quoted, a
#: link's text, the text before the links. An item whose only links are ``#anchors`` of the list is navigation,
#: told before any of these (:func:`_kind_without_paper_link`).
TITLE_SHAPES = (_bold_title, _quoted_title, _linked_title, _text_title)


def _title_of(item: _Inline) -> tuple[str | None, str | None]:
    """The item's title, and the link it came from (when it is a link's text)."""
    return next((found for shape in TITLE_SHAPES if (found := shape(item)) is not None), (None, None))


def _venue_of(text: str, with_year: bool = True) -> tuple[str | None, int | None] | None:
    """Venue and year from a short text such as ``ACL 2024``, ``NeurIPS'23``, ``2024 EMNLP``, ``Arxiv-2411``;
    ``None`` when the text does not look like one. With ``with_year=False`` a text without a year counts when it
    names a venue by an acronym (``NeurIPS``, ``Findings of ACL``), not just any words ("Tongyi Lab")."""
    text = text.strip().strip("[]()").strip()
    if not text or len(text) > 60 or len(text.split()) > 5:
        return None
    year, _ = parse_year_month(text)
    cleaned = _ARXIV_VENUE.sub(" ", _DATE_ANY.sub(" ", text)).strip(" .,;:")
    venue = parse_venue(cleaned)
    if year is None and not _ARXIV_VENUE.search(text) and (with_year or not _ACRONYM.search(cleaned)):
        return None
    if venue is not None and (len(venue.split()) > 5 or not re.search(r"[A-Za-z]", venue)):
        return None
    return venue, year


def _kind_without_paper_link(item: _Inline, under_news: bool) -> str:
    hrefs = [href for href, _ in item.links]
    if hrefs and all(href.startswith("#") for href in hrefs):
        return "table of contents"
    if under_news or (_DATE_START.match(item.text) and not any(text == item.text for _, text in item.links)):
        return "news"
    if not hrefs:
        return "no link"
    if any(_host_matches(href, _DATA_HOSTS) for href in hrefs) or re.search(r"\bdata ?sets?\b", item.text, re.I):
        return "dataset"
    if any(_host_matches(href, _BLOG_HOSTS) for href in hrefs):
        return "blog"
    if all(_host_matches(href, _CODE_HOSTS) for href in hrefs if not href.startswith("#")):
        return "code"
    return "website"


def _authors(item: _Inline) -> tuple[str, ...]:
    for span in item.emphasis:
        if "," in span or " et al" in span or " and " in span:
            names = re.split(r",\s*|\s+and\s+", span.strip().rstrip("."))
            return tuple(name.strip() for name in names if name.strip() and not name.strip().startswith("et al"))
    return ()


def _row(item: _Item, section: Section, parsed: ListDraft) -> ListRow | None:
    inline = item.inline
    source = SourceRef(parsed.name, item.line)
    paper_links = [href for href, _ in inline.links if is_paper_link(href)]
    title, title_link = _title_of(inline)
    if title_link and not is_paper_link(title_link) and not paper_links:
        return None
    if not title:
        parsed.malformed.append(Finding("malformed-row", content_id("malformed-row", inline.text),
                                        f"{source}: list item with a paper link but no title I can read; skipped",
                                        instances=(Instance(source, line_content(inline.text)),)))
        return None
    links = tuple(dict.fromkeys([*paper_links, *(href for href, _ in inline.links if href not in paper_links)]))
    arxiv_ids = [found for found in map(arxiv_id_from_url, paper_links) if found]
    year = month = None
    venue = None
    candidates = [s for s in inline.strong if _is_bracket_tag(s) or _venue_of(s)]
    candidates += [text for _, text in inline.links if text and text != title and not _GENERIC_LINK_TEXT.match(text)]
    candidates += re.findall(r"\\?\[([^\[\]]{2,40})\\?\]", inline.outside_links)
    tail = inline.after_links.lstrip("])} ")
    candidates += [part for part in re.split(r"[,;]|^\s*[-–—]\s|\s[-–—]\s", tail) if part.strip()]
    for candidate in candidates:
        found = _venue_of(_BRACKET_TAG.sub(r"\1", candidate), with_year=False)
        if found is None:
            continue
        found_venue, found_year = found
        venue = venue or found_venue
        year = year or found_year
    dated = _DATE_PARENS.match(inline.outside_links)
    if year is None and dated:
        year, month = int(dated.group(1)), int(dated.group(2))
    if year is None:
        written = re.findall(r"\b((?:19|20)\d{2})(?:[./-](\d{1,2}))?\b", tail)
        if written:
            year, month = int(written[-1][0]), int(written[-1][1]) if written[-1][1] else None
    if year is None:
        year = _citation_year(inline.outside_links)  # “Title” (Authors, 2023, p. 361)
    if year is None and arxiv_ids:
        from_id = arxiv_year_month(arxiv_ids[0])
        if from_id:
            year, month = from_id
    return ListRow(
        source=source, section=section, title=single_line(title), links=links, arxiv_id=arxiv_ids[0] if arxiv_ids else None,
        year=year, month=month, venue=venue, tags=tuple(dict.fromkeys(inline.badges)),
        authors=_authors(inline), from_list_item=True, last_line=item.last_line,
    )


def _paper_title(item: _Inline) -> str | None:
    """The title of an item that looks like a paper (a title, and bold text or authors), else ``None``."""
    title, _ = _title_of(item)
    return title if title and (item.strong or item.links) and (_authors(item) or item.strong) else None


def read_list_items(block: Block, start: int) -> int:
    """Read the list opening at ``tokens[start]`` into the draft (rows, skipped kinds, unreadable items); return the
    index of its closing token."""
    items, end = _items(block.tokens, start)
    under_news = bool(_NEWS_HEADING.search(block.section.top.rsplit("\x1f", 1)[-1]))
    _read(items, block.section, block.draft, under_news)
    return end


def _read(items: list[_Item], section: Section, parsed: ListDraft, under_news: bool) -> None:
    for item in items:
        inline = item.inline
        has_paper_link = any(is_paper_link(href) for href, _ in inline.links)
        if has_paper_link and not under_news:
            row = _row(item, section, parsed)
            if row is not None:
                parsed.rows.append(row)
                _skip_all(item.children, "note", parsed)
                continue
        kind = "news" if under_news else _kind_without_paper_link(inline, under_news)
        if item.children and kind != "table of contents" and not under_news:
            label = strip_heading_decoration(_clean_title(inline.text)) or section.label
            nested = Section(section.top, label) if section.sub is None and label else section
            _read(item.children, nested, parsed, under_news)
            if not inline.links and len(inline.text.split()) <= 8:
                continue  # a group label, not an item
        else:
            _skip_all(item.children, kind, parsed)
        if kind == "no link" and (title := _paper_title(inline)):
            source = SourceRef(parsed.name, item.line)
            parsed.malformed.append(Finding("malformed-row", content_id("malformed-row", title),
                                            f"{source}: list item looks like a paper but has no paper link; skipped",
                                            instances=(Instance(source, row_content(title, None)),)))
        else:
            parsed.skipped.append((kind, SourceRef(parsed.name, item.line)))


def _skip_all(items: list[_Item], kind: str, parsed: ListDraft) -> None:
    for item in items:
        parsed.skipped.append((kind, SourceRef(parsed.name, item.line)))
        _skip_all(item.children, kind, parsed)
