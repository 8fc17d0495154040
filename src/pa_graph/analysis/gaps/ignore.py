"""The ignore file: works a maintainer has said no to, so they never come back as suggestions.

One entry a line, ``#`` at the start or after a space starts a comment: an arXiv id (``2401.01234``,
``arXiv:2401.01234v2`` or an arxiv.org
link), a DOI (``10.1145/…``, ``doi:…`` or a doi.org link), a Semantic Scholar paper id (40 hex digits, or its
semanticscholar.org link), an OpenAlex work id (``W2741809807`` or its openalex.org link), or else a title.

Saying no is exact: ids match exactly, titles after normalisation only (case, punctuation, spacing, accents) and
never fuzzily — "Llama 2 …" does not hide "Llama 3 …", nor "Background work number 542" its neighbour 543.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from pa_graph.errors import IgnoreFileError
from pa_graph.text import ARXIV_ID, DOI, arxiv_base_id, arxiv_id_from_url, normalize_title

__all__ = ["ignore_file_beside", "IgnoreList", "read_ignore_file", "IGNORE_FILE_NAME", "MAX_IGNORE_FILE_BYTES"]

IGNORE_FILE_NAME = ".pa-graph-ignore"
MAX_IGNORE_FILE_BYTES = 1_000_000
_S2_ID = re.compile(r"(?:semanticscholar\.org/paper/(?:[^/\s]+/)?)?([0-9a-fA-F]{40})")
_OPENALEX_ID = re.compile(r"(?:https?://(?:api\.)?openalex\.org/(?:works/)?)?(W\d+)", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_COMMENT = re.compile(r"(?:^|\s)#")  # "C# models" is a title, "# note" and "id  # note" are comments
_ARXIV_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class IgnoreList:
    arxiv_ids: frozenset[str] = frozenset()
    _: KW_ONLY
    dois: frozenset[str] = frozenset()
    s2_ids: frozenset[str] = frozenset()
    openalex_ids: frozenset[str] = frozenset()
    titles: tuple[str, ...] = ()  # normalised
    source: str | None = None
    entries: tuple[tuple[int, str, str, str], ...] = ()  # (line, text as written, kind, key), in file order

    @classmethod
    def parse(cls, lines: Iterable[str], source: str | None = None) -> IgnoreList:
        found: dict[str, set[str]] = {"arxiv": set(), "doi": set(), "s2": set(), "openalex": set(), "title": set()}
        entries = []
        for number, raw in enumerate(lines, 1):
            entry = _COMMENT.split(raw, 1)[0].strip()
            if entry and (kind_key := _kind_and_key(entry)) and kind_key[1]:
                found[kind_key[0]].add(kind_key[1])
                entries.append((number, entry, *kind_key))
        return cls(frozenset(found["arxiv"]), dois=frozenset(found["doi"]), s2_ids=frozenset(found["s2"]),
                   openalex_ids=frozenset(found["openalex"]), titles=tuple(sorted(found["title"])), source=source,
                   entries=tuple(entries))

    def __len__(self) -> int:
        return len(self.arxiv_ids) + len(self.dois) + len(self.s2_ids) + len(self.openalex_ids) + len(self.titles)

    def matches(self, work: dict[str, Any]) -> bool:
        """Whether a work (a model node's data) is named by an entry."""
        keys = _keys_of(work)
        return bool(keys["arxiv"] & self.arxiv_ids or keys["doi"] & self.dois or keys["s2"] & self.s2_ids
                    or keys["openalex"] & self.openalex_ids or keys["title"] & set(self.titles))

    def removed_per_entry(self, works: Iterable[dict[str, Any]]) -> list[tuple[int, str, int]]:
        """For each entry: its line, its text, and how many of ``works`` it names."""
        keyed = [_keys_of(work) for work in works]
        return [(line, text, sum(1 for keys in keyed if key in keys[kind])) for line, text, kind, key in self.entries]

    def nodes(self, model: nx.MultiDiGraph[str]) -> set[str]:
        """The works of ``model`` an entry names."""
        if not len(self):
            return set()
        return {node for node, data in model.nodes(data=True) if data.get("kind") == "work" and self.matches(data)}


def _kind_and_key(entry: str) -> tuple[str, str]:
    from_url = arxiv_id_from_url(entry)
    bare = _ARXIV_PREFIX.sub("", entry)
    doi = _DOI_PREFIX.sub("", entry)
    if from_url or ARXIV_ID.fullmatch(bare):
        return "arxiv", arxiv_base_id(from_url or bare)
    if DOI.fullmatch(doi):
        return "doi", doi.casefold()
    if found := _S2_ID.fullmatch(entry.removeprefix("https://").removeprefix("www.")):
        return "s2", found.group(1).lower()
    if found := _OPENALEX_ID.fullmatch(entry):
        return "openalex", found.group(1).upper()
    return "title", normalize_title(entry)


def _keys_of(work: dict[str, Any]) -> dict[str, set[str]]:
    """A work's keys an entry can name: its arXiv ids (base), DOI, S2 and OpenAlex ids, normalised title."""
    arxiv = work.get("arxiv_id")
    ids = [arxiv] if isinstance(arxiv, str) else []
    ids += [i for i in work.get("listed_arxiv_ids", []) if isinstance(i, str)]
    doi = work.get("doi")
    return {"arxiv": {arxiv_base_id(i) for i in ids}, "doi": {doi.casefold()} if isinstance(doi, str) else set(),
            "s2": {str(work.get("s2_paper_id", "")).lower()}, "openalex": {str(work.get("openalex_id", "")).upper()},
            "title": {normalize_title(str(work.get("title", "")))}}


def ignore_file_beside(list_file: str | Path) -> Path | None:
    """``.pa-graph-ignore`` in the folder of ``list_file``, when there is one."""
    beside = Path(list_file).parent / IGNORE_FILE_NAME
    return beside if beside.is_file() else None


def read_ignore_file(path: str | Path) -> IgnoreList:
    """Read an ignore file; :class:`IgnoreFileError` names it when it cannot be read."""
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_IGNORE_FILE_BYTES + 1)
    except OSError as err:
        raise IgnoreFileError(f"{path}: cannot read the ignore file ({err.strerror or err})") from err
    if len(data) > MAX_IGNORE_FILE_BYTES:
        raise IgnoreFileError(f"{path}: the ignore file is larger than {MAX_IGNORE_FILE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise IgnoreFileError(f"{path}: the ignore file is not UTF-8 text") from err
    return IgnoreList.parse(text.splitlines(), str(path))
