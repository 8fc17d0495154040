"""Resolve stage: list rows → distinct works.

Rows merge when their titles are the same work: equal after normalisation, or nearly equal (a typo), or — only when
they also share an arXiv id — one title is the other with a prefix (``User-llm: Efficient llm contextualization…``
and ``Efficient llm contextualization…``). A shared link alone never merges: lists reuse a wrong link for several
different papers (LaMP / PersonaLM share one), and the audit reports those instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from networkx.utils import UnionFind
from rapidfuzz import fuzz, process

from pa_graph.records import ListRow, Work
from pa_graph.text import arxiv_base_id, normalize_title, short_hash, slugify

__all__ = ["resolve_works", "same_title", "NearDuplicates", "NEAR_DUPLICATE_SCORE", "SHARED_LINK_SCORE"]

#: Two titles with no link in common are one work from this rapidfuzz ratio (0-100) on; typos and hyphenation.
NEAR_DUPLICATE_SCORE = 95
#: Two titles behind the same arXiv id are one work from this ratio on (or when one contains the other).
SHARED_LINK_SCORE = 90
#: Up to this many distinct titles every pair is compared; beyond, a sorted neighbourhood of WINDOW titles.
ALL_PAIRS_LIMIT = 1_000
WINDOW = 12
SHARED_LINK_PAIRS_LIMIT = 64  # titles sharing one arXiv link compared pair by pair (beyond, by neighbourhood)
_MAX_PREFIX_WORDS = 3
_MIN_CONTAINED_LENGTH = 20


def same_title(first: str, second: str, score: float = SHARED_LINK_SCORE) -> bool:
    """Whether two titles name one work, allowing a ``Name:`` prefix (at most three words) on one of them.

    >>> same_title("Efficient llm contextualization with user embeddings",
    ...            "User-llm: Efficient llm contextualization with user embeddings")
    True
    >>> same_title("Controlled decoding from language models", "Follow-up 40 on Controlled Decoding From Language Models")
    False
    >>> same_title("Lamp: When large language models meet personalization",
    ...            "Personalm: Language model personalization via domain-distributed span aggregated k-nearest n-gram")
    False
    """
    a, b = normalize_title(first), normalize_title(second)
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= _MIN_CONTAINED_LENGTH and longer.endswith(shorter) \
            and len(longer[:-len(shorter)].split()) <= _MAX_PREFIX_WORDS:
        return True
    return fuzz.ratio(a, b) >= score


class NearDuplicates:
    """The near-duplicate titles among every title seen so far, kept across calls: resolving many versions of one
    list (``pa-graph history``) compares only the titles new in a version with the others, instead of every pair
    again. Gives the pairs :func:`_near_duplicate_pairs` gives in its all-pairs range."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.near: dict[str, set[str]] = {}

    def pairs(self, keys: list[str]) -> Iterable[tuple[str, str]]:
        if len(keys) > ALL_PAIRS_LIMIT:
            yield from _near_duplicate_pairs(keys)
            return
        for key in keys:
            if key not in self.near:
                self.near[key] = set()
                for other, _, _ in process.extract(key, self.seen, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE_SCORE,
                                                   limit=None):
                    self.near[key].add(other)
                    self.near[other].add(key)
                self.seen.append(key)
        present = set(keys)
        for key in keys:
            for other in self.near[key]:
                if other in present and key < other:  # each pair once
                    yield key, other


_MARK = re.compile(r"\b(?:\w*\d\w*|[b-z]|[ivx]{1,4})\b")


def _marks(key: str) -> list[str]:
    """What tells apart titles that are otherwise alike: words with digits, single letters, Roman numerals —
    "GPT-4" and "GPT-4o", "ViT-B" and "ViT-L", "Part I" and "Part II" are different works however near their titles.

    >>> _marks("gpt 4o technical report"), _marks("a survey of part ii")
    (['4o'], ['ii'])
    """
    return _MARK.findall(key)


def resolve_works(rows: Iterable[ListRow], near_duplicates: NearDuplicates | None = None) -> list[Work]:
    """Group rows into works, in the order each work first appears; keys are deterministic. ``near_duplicates``
    remembers title comparisons across calls (many versions of one list)."""
    rows = list(rows)
    groups = UnionFind(range(len(rows)))
    union = groups.union

    keys = [normalize_title(row.title) for row in rows]
    first_with_key: dict[str, int] = {}
    for index, key in enumerate(keys):
        union(index, first_with_key.setdefault(key, index))

    distinct = list(first_with_key)
    for one, other in (near_duplicates.pairs(distinct) if near_duplicates else _near_duplicate_pairs(distinct)):
        if _marks(one) == _marks(other):  # "Qwen2" and "Qwen2.5 Technical Report" are two works
            union(first_with_key[one], first_with_key[other])

    by_arxiv: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if row.arxiv_id:
            by_arxiv[arxiv_base_id(row.arxiv_id)].append(index)
    for members in by_arxiv.values():
        titled = {keys[index]: index for index in reversed(members)}  # one row a distinct title (the first)
        for first, second in _neighbours(sorted(titled)):
            if _marks(first) == _marks(second) and same_title(rows[titled[first]].title, rows[titled[second]].title):
                union(titled[first], titled[second])

    works = []
    for indexes in sorted((sorted(group) for group in groups.to_sets()), key=lambda group: group[0]):
        merged = [rows[index] for index in indexes]
        title = merged[0].title
        key = f"{slugify(title, max_words=8)}-{short_hash(normalize_title(title), 6)}"
        works.append(Work(key=key, title=title, rows=tuple(merged)))
    return works


def _neighbours(keys: list[str]) -> Iterable[tuple[str, str]]:
    """Pairs of titles to compare: every pair up to :data:`SHARED_LINK_PAIRS_LIMIT` titles, beyond it each title
    with the :data:`WINDOW` after it in alphabetical order and in the order of its reversed text (a ``Name:`` prefix
    keeps a title beside its bare form there) — linear in the rows sharing one link."""
    if len(keys) <= SHARED_LINK_PAIRS_LIMIT:
        yield from ((key, other) for position, key in enumerate(keys) for other in keys[position + 1:])
        return
    for order in (keys, sorted(keys, key=lambda key: key[::-1])):
        for position, key in enumerate(order):
            yield from ((key, other) for other in order[position + 1:position + 1 + WINDOW])


def _near_duplicate_pairs(keys: list[str]) -> Iterable[tuple[str, str]]:
    """Pairs of distinct normalised titles at least :data:`NEAR_DUPLICATE_SCORE` alike.

    Up to :data:`ALL_PAIRS_LIMIT` titles every pair is compared (rapidfuzz, in C). Beyond, candidates are blocked by
    a sorted neighbourhood: each title is compared with the :data:`WINDOW` titles after it in alphabetical order and
    in the order of its reversed text, so a typo near the end or near the start still meets its twin — linear in the
    number of titles instead of quadratic (100,000 rows: see ``benchmarks/bench_resolve.py``)."""
    if len(keys) <= ALL_PAIRS_LIMIT:
        for position, key in enumerate(keys):
            for _, _, other in process.extract(key, keys[position + 1:], scorer=fuzz.ratio,
                                               score_cutoff=NEAR_DUPLICATE_SCORE, limit=None):
                yield key, keys[position + 1 + other]
        return
    for order in (sorted(keys), sorted(keys, key=lambda key: key[::-1])):
        for position, key in enumerate(order):
            for neighbour in order[position + 1:position + 1 + WINDOW]:
                if fuzz.ratio(key, neighbour, score_cutoff=NEAR_DUPLICATE_SCORE):
                    yield key, neighbour
