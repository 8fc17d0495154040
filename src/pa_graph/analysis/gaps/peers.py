"""Other curated lists of the same field ("peers"): which of our candidates they include.

A candidate is in a peer list when one of the peer's rows is the same work by the rule that merges rows within a
build: equal titles after normalisation, nearly equal titles (rapidfuzz ratio ≥ 95), or a shared arXiv id with
titles that agree (one a prefix of the other, or ratio ≥ 90).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from pa_graph.records import ParsedList
from pa_graph.resolve import NEAR_DUPLICATE_SCORE, same_title
from pa_graph.text import arxiv_base_id, normalize_title

__all__ = ["PeerList", "PeerLists"]


@dataclass(frozen=True)
class PeerList:
    """One peer list: its name, its titles by normalised key, and titles by arXiv id."""

    name: str
    keys: tuple[str, ...]
    by_arxiv: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, name: str, entries: Iterable[tuple[str, str | None]]) -> PeerList:
        """From ``(title, arXiv id or None)`` pairs."""
        keys: dict[str, None] = {}
        by_arxiv: dict[str, list[str]] = defaultdict(list)
        for title, arxiv_id in entries:
            keys.setdefault(normalize_title(title))
            if arxiv_id:
                by_arxiv[arxiv_base_id(arxiv_id)].append(title)
        return cls(name, tuple(keys), {k: tuple(v) for k, v in by_arxiv.items()})

    def includes(self, title: str, arxiv_id: str | None = None) -> bool:
        key = normalize_title(title)
        if not key:
            return False
        if key in self._exact:
            return True
        if process.extractOne(key, self.keys, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE_SCORE) is not None:
            return True
        return arxiv_id is not None and any(same_title(title, other)
                                            for other in self.by_arxiv.get(arxiv_base_id(arxiv_id), ()))

    @property
    def _exact(self) -> frozenset[str]:
        exact = self.__dict__.get("_exact_keys")
        if exact is None:
            exact = self.__dict__["_exact_keys"] = frozenset(self.keys)
        return exact


@dataclass(frozen=True)
class PeerLists:
    lists: tuple[PeerList, ...]

    @classmethod
    def of_parsed(cls, parsed: Sequence[ParsedList]) -> PeerLists:
        return cls(tuple(PeerList.of(item.name, ((row.title, row.arxiv_id) for row in item.rows)) for item in parsed))

    def __len__(self) -> int:
        return len(self.lists)

    def count(self, title: str, arxiv_id: str | None = None) -> int:
        """In how many peer lists the work is."""
        return sum(1 for peer in self.lists if peer.includes(title, arxiv_id))

    def names(self, title: str, arxiv_id: str | None = None) -> list[str]:
        return [peer.name for peer in self.lists if peer.includes(title, arxiv_id)]
