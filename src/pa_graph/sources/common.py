"""What both sources share: the enrichment options, how a found title is matched, how links are kept, which works
not in the list get their references fetched, and how a source's text is made safe to keep."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pa_graph.options import DEFAULT_MAX_CITATIONS
from pa_graph.records import CitationLink, Progress, Work
from pa_graph.resolve import same_title
from pa_graph.text import single_line

__all__ = ["EnrichOptions", "Progress", "title_fits", "title_query", "source_text", "deduplicated", "fetch_candidates",
           "FETCHED_CANDIDATES"]


@dataclass(frozen=True)
class EnrichOptions:
    citations: bool = False  # incoming citations via /citations
    contexts: bool = False  # intents, contexts, isInfluential via /references
    embeddings: bool = False  # SPECTER v2 vectors
    max_citations: int = DEFAULT_MAX_CITATIONS  # per paper, for /citations


def title_fits(work: Work, found_title: object) -> bool:
    """Whether a source's title (any JSON value) names the listed work."""
    return isinstance(found_title, str) and bool(found_title.strip()) and \
        any(same_title(title, found_title) for title in (work.title, *work.alternative_titles))


def title_query(title: str) -> str:
    """A title as sent to ``/paper/search/match``: S2 answers 400 to some punctuation, so keep words only.

    >>> title_query("Don’t throw away your value model! A+B & C#: 100% (v2)")
    'Don t throw away your value model A B C 100 v2'
    """
    return " ".join(re.sub(r"[^\w\s]", " ", title).split())


def source_text(value: object) -> str | None:
    """A source's text as one line (a line break in a title would start a forged workflow command)."""
    return single_line(value).strip() if isinstance(value, str) and value.strip() else None


def deduplicated(links: list[CitationLink]) -> list[CitationLink]:
    """One link per (citing, cited), preferring the one that carries intents, contexts or influence."""
    best: dict[tuple[str, str], CitationLink] = {}
    for link in links:
        pair = (link.citing, link.cited)
        current = best.get(pair)
        if current is None or (not (current.intents or current.contexts or current.influential is not None)
                               and (link.intents or link.contexts or link.influential is not None)):
            best[pair] = link
    return sorted(best.values(), key=lambda link: (link.citing, link.cited))


#: How many works not in the list get their own references (and embeddings) fetched: the ones most cited by listed
#: works, cited by at least two. Enrichment and the evaluation use the same rule.
FETCHED_CANDIDATES = 200


def fetch_candidates(citers: Mapping[str, int], limit: int = FETCHED_CANDIDATES, min_citers: int = 2) -> list[str]:
    """The works whose references are worth a request: most listed citers first, ties by id.

    >>> fetch_candidates({"b": 3, "a": 3, "c": 1, "d": 5}, limit=2)
    ['d', 'a']
    """
    ranked = sorted((work for work, count in citers.items() if count >= min_citers), key=lambda w: (-citers[w], w))
    return ranked[:limit]
