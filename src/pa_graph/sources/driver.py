"""The one enrichment driver: which sources a build asks (``--source s2|openalex|both``), and the
fallback from Semantic Scholar to OpenAlex.

``s2`` (the default) asks Semantic Scholar; when it cannot be reached or refuses the key, the build asks OpenAlex
instead and says so in one warning (offline, the same happens when the cache holds no S2 answer at all but OpenAlex
answers from an earlier fallback build). ``openalex`` asks OpenAlex alone; ``both`` asks both and merges them
(:mod:`pa_graph.sources.merge`), reporting where they disagree. Both clients share one cache and one retry budget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from pa_graph.errors import PaGraphError
from pa_graph.options import SOURCES, SourceChoice
from pa_graph.records import Enrichment, Work
from pa_graph.sources.common import EnrichOptions, Progress
from pa_graph.sources.merge import merge_sources
from pa_graph.sources.openalex import OpenAlexClient, OpenAlexSettings
from pa_graph.sources.openalex_enrich import enrich_openalex
from pa_graph.sources.response_cache import ResponseCache
from pa_graph.sources.s2 import S2Client, S2Settings
from pa_graph.sources.s2_enrich import enrich as enrich_s2
from pa_graph.sources.service import RetryBudget

__all__ = ["SOURCES", "SourceChoice", "Source", "ClientSource", "Sources", "open_sources", "enrich_from"]

#: Which sources a build asks: Semantic Scholar (falling back to OpenAlex), OpenAlex alone, or both merged.


class Source(Protocol):
    """A bibliographic service as the driver asks it (Semantic Scholar or OpenAlex, each a :class:`ClientSource`).
    ``enrich`` never raises for the service's failures (they become the enrichment's warnings)."""

    @property
    def name(self) -> str: ...


    def enrich(self, works: Sequence[Work], options: EnrichOptions = ...,
               progress: Progress | None = None) -> Enrichment: ...


@dataclass(frozen=True)
class ClientSource:
    """A :class:`Source` made of a service's client and the enrichment that asks it."""

    name: str
    client: Any  # S2Client or OpenAlexClient, as ``run`` takes it
    run: Callable[..., Enrichment]

    def enrich(self, works: Sequence[Work], options: EnrichOptions = EnrichOptions(),
               progress: Progress | None = None) -> Enrichment:
        # offline, the stages only read the cache: no "resolving …" or "fetching …" line that suggests requests
        return self.run(works, self.client, options, None if self.client.offline else progress)


@dataclass
class Sources:
    """The clients of one build and which of them to ask."""

    choice: SourceChoice = "s2"
    s2: S2Client | None = None
    openalex: OpenAlexClient | None = None

    def close(self) -> None:
        for client in (self.s2, self.openalex):
            if client is not None:
                client.close()


def open_sources(choice: SourceChoice, cache: ResponseCache, offline: bool = False, refresh: bool = False,
                 s2: S2Settings | None = None, openalex: OpenAlexSettings | None = None) -> Sources:
    """Clients for ``choice`` on one cache (the session's) and one retry budget; settings not given come from the
    environment."""
    if choice not in SOURCES:
        raise PaGraphError(f"unknown source {choice!r}; choose from {', '.join(SOURCES)}")
    s2 = s2 or S2Settings.from_environment()
    openalex = openalex or OpenAlexSettings.from_environment()
    budget = RetryBudget(s2.retry_budget)
    return Sources(choice,
                   S2Client(s2, cache, offline=offline, refresh=refresh, budget=budget) if choice != "openalex" else None,
                   OpenAlexClient(openalex, cache, offline=offline, refresh=refresh, budget=budget))


def enrich_from(works: Sequence[Work], sources: Sources, options: EnrichOptions = EnrichOptions(),
                progress: Progress | None = None) -> Enrichment:
    """The enrichment of ``works`` from the chosen sources (see the module docstring)."""
    def ask(source: Source) -> Enrichment:
        return source.enrich(works, options, progress)

    openalex = ClientSource("openalex", sources.openalex, enrich_openalex) if sources.openalex is not None else None
    if sources.choice == "openalex" or sources.s2 is None:
        if openalex is None:
            raise PaGraphError("no source to ask: open the sources with open_sources()")
        return ask(openalex)
    from_s2 = ask(ClientSource("s2", sources.s2, enrich_s2))
    if sources.choice == "both" and openalex is not None:
        return merge_sources(works, from_s2, ask(openalex))
    if openalex is None or not _s2_failed(from_s2, sources.s2):
        return from_s2
    from_openalex = ask(openalex)
    if not from_openalex.resolved:
        if openalex.client.unavailable:
            from_s2.warnings.append(f"OpenAlex (the fallback): {openalex.client.unavailable}")
        return from_s2
    why = sources.s2.unavailable or "the cache holds no answer"  # unavailable stays None offline: nothing was asked
    if from_s2.resolved:  # S2 failed part-way: keep what it gave, OpenAlex fills in; no cross-check was asked for
        from_openalex = replace(merge_sources(works, from_s2, from_openalex), disagreements=[])
    return replace(from_openalex, warnings=[f"Semantic Scholar: {why}; enriched from OpenAlex instead",
                                            *from_openalex.warnings])


def _s2_failed(enrichment: Enrichment, client: S2Client) -> bool:
    """S2 could not be reached or refused the key — or, offline, its cache answered nothing at all."""
    if client.offline:
        return bool(enrichment.not_cached) and not enrichment.resolved and not enrichment.unresolved
    return client.unavailable is not None
