"""The ignore file: works a maintainer has said no to, so they never come back as suggestions.

One entry a line, ``#`` at the start or after a space starts a comment: an arXiv id (``2401.01234``, ``arXiv:2401.01234v2`` or an arxiv.org
link), a DOI (``10.1145/…``, ``doi:…`` or a doi.org link), a Semantic Scholar paper id (40 hex digits, or its
semanticscholar.org link), an OpenAlex work id (``W2741809807`` or its openalex.org link), or else a title (matched
like rows are merged: equal after normalisation, or rapidfuzz ratio ≥ 95).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
from rapidfuzz import fuzz

from pa_graph.errors import IgnoreFileError
from pa_graph.resolve import NEAR_DUPLICATE_SCORE
from pa_graph.text import ARXIV_ID, DOI, arxiv_base_id, arxiv_id_from_url, normalize_title

__all__ = ["IgnoreList", "read_ignore_file", "IGNORE_FILE_NAME", "MAX_IGNORE_FILE_BYTES"]

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
    dois: frozenset[str] = frozenset()
    s2_ids: frozenset[str] = frozenset()
    openalex_ids: frozenset[str] = frozenset()
    titles: tuple[str, ...] = ()  # normalised
    source: str | None = None

    @classmethod
    def parse(cls, lines: Iterable[str], source: str | None = None) -> IgnoreList:
        arxiv, dois, s2, openalex, titles = set(), set(), set(), set(), []
        for raw in lines:
            entry = _COMMENT.split(raw, 1)[0].strip()
            if not entry:
                continue
            from_url = arxiv_id_from_url(entry)
            bare = _ARXIV_PREFIX.sub("", entry)
            doi = _DOI_PREFIX.sub("", entry)
            if from_url or ARXIV_ID.fullmatch(bare):
                arxiv.add(arxiv_base_id(from_url or bare))
            elif DOI.fullmatch(doi):
                dois.add(doi.casefold())
            elif found := _S2_ID.fullmatch(entry.removeprefix("https://").removeprefix("www.")):
                s2.add(found.group(1).lower())
            elif found := _OPENALEX_ID.fullmatch(entry):
                openalex.add(found.group(1).upper())
            else:
                titles.append(normalize_title(entry))
        return cls(frozenset(arxiv), frozenset(dois), frozenset(s2), frozenset(openalex),
                   tuple(t for t in titles if t), source)

    def __len__(self) -> int:
        return len(self.arxiv_ids) + len(self.dois) + len(self.s2_ids) + len(self.openalex_ids) + len(self.titles)

    def matches(self, work: dict) -> bool:
        """Whether a work (a model node's data) is named by an entry."""
        arxiv = work.get("arxiv_id")
        ids = [arxiv] if isinstance(arxiv, str) else []
        ids += [i for i in work.get("listed_arxiv_ids", []) if isinstance(i, str)]
        if any(arxiv_base_id(i) in self.arxiv_ids for i in ids):
            return True
        doi = work.get("doi")
        if isinstance(doi, str) and doi.casefold() in self.dois:
            return True
        if str(work.get("s2_paper_id", "")).lower() in self.s2_ids:
            return True
        if str(work.get("openalex_id", "")).upper() in self.openalex_ids:
            return True
        if self.titles:
            key = normalize_title(str(work.get("title", "")))
            return any(key == title or fuzz.ratio(key, title) >= NEAR_DUPLICATE_SCORE for title in self.titles)
        return False

    def nodes(self, model: nx.MultiDiGraph) -> set[str]:
        """The works of ``model`` an entry names."""
        if not len(self):
            return set()
        return {node for node, data in model.nodes(data=True) if data.get("kind") == "work" and self.matches(data)}


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
