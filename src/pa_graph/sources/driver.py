"""The one enrichment driver: which sources a build asks (``--source``, see :mod:`pa_graph.sources.registry`), the
fallback of a source asked alone, and the merge of several.

``s2`` (the default) asks Semantic Scholar; when it cannot be reached or refuses the key, the build asks its
fallback, OpenAlex, instead and says so in one warning (offline, the same happens when the cache holds no S2 answer
at all but OpenAlex answers from an earlier fallback build). A source asked alone is asked alone; several
(``both``, ``s2+arxiv``) are all asked and merged (:mod:`pa_graph.sources.merge`), the first one primary, reporting
where they disagree. All sources share one cache and one retry budget. Nothing here names a source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from pa_graph.records import Enrichment, Work
from pa_graph.sources.common import EnrichOptions, Progress
from pa_graph.sources.merge import merge_sources
from pa_graph.sources.registry import SOURCES, entry, plan
from pa_graph.sources.response_cache import ResponseCache
from pa_graph.sources.service import RetryBudget, ServiceClient, ServiceSettings
from pa_graph.sources.source import Source, SourceContext

__all__ = ["Source", "Sources", "open_sources", "enrich_from"]


class Sources:
    """The sources of one build: ``asked`` (primary first) and the fallback of a source asked alone, each opened
    once, on first use, on one cache and retry budget."""

    def __init__(self, choice: str, context: SourceContext, opened: Mapping[str, Source] | None = None,
                 fall_back: bool = True) -> None:
        self.choice = choice
        self.asked = plan(choice)
        self.context = context
        self._opened: dict[str, Source] = dict(opened or {})
        self._fall_back = fall_back

    @classmethod
    def around(cls, client: ServiceClient) -> Sources:
        """The one source a ready client belongs to, asked alone (``assemble(client=S2Client(...))``)."""
        for name in SOURCES:
            kind = entry(name).source()
            if isinstance(client, kind.CLIENT):
                context = SourceContext(client.cache, offline=client.offline, refresh=client.refresh,
                                        budget=client.budget)
                return cls(name, context, {name: kind(client)}, fall_back=False)
        raise TypeError(f"no registered source uses a {type(client).__name__}")

    def __getitem__(self, name: str) -> Source:
        if name not in self._opened:
            self._opened[name] = entry(name).source().open(self.context)
        return self._opened[name]

    @property
    def fallback(self) -> str | None:
        return entry(self.asked[0]).fallback if len(self.asked) == 1 and self._fall_back else None

    def close(self) -> None:
        for source in self._opened.values():
            source.close()
        self._opened.clear()


def open_sources(choice: str, cache: ResponseCache, offline: bool = False, refresh: bool = False,
                 settings: Mapping[str, ServiceSettings] | None = None, rate: float | None = None) -> Sources:
    """The sources ``choice`` names on one cache (the session's) and one retry budget; settings not given (by
    source name) come from the environment, ``rate`` over each source's own."""
    given = dict(settings or {})
    budget = RetryBudget(min((s.retry_budget for s in given.values()), default=ServiceSettings.retry_budget))
    return Sources(choice, SourceContext(cache, offline=offline, refresh=refresh, budget=budget, settings=given, rate=rate))


def enrich_from(works: Sequence[Work], sources: Sources, options: EnrichOptions = EnrichOptions(),
                progress: Progress | None = None) -> Enrichment:
    """The enrichment of ``works`` from the chosen sources (see the module docstring)."""
    primary = sources[sources.asked[0]]
    first = primary.enrich(works, options, progress)
    if len(sources.asked) > 1:
        return merge_sources(works, [first, *(sources[name].enrich(works, options, progress)
                                              for name in sources.asked[1:])])
    if sources.fallback is None or not primary.failed(first):
        return first
    fallback = sources[sources.fallback]
    instead = fallback.enrich(works, options, progress)
    if not instead.resolved:
        if fallback.unavailable:
            return replace(first, warnings=[*first.warnings,
                                            f"{entry(fallback.name).label} (the fallback): {fallback.unavailable}"])
        return first
    why = primary.unavailable or "the cache holds no answer"  # unavailable stays None offline: nothing was asked
    if first.resolved:  # the primary failed part-way: keep what it gave, the fallback fills in; no cross-check
        instead = replace(merge_sources(works, [first, instead]), disagreements=[])
    return replace(instead, warnings=[f"{entry(primary.name).label}: {why}; enriched from "
                                      f"{entry(fallback.name).label} instead", *instead.warnings])
