"""What every source is to the driver: one skeleton of an enrichment, run the same way for each service.

A :class:`Source` resolves the listed works by their identifiers, then by title (the works left over), checks the
listed arXiv links against what it found, and collects citation links; each step is a method a service fills in,
and a step a service cannot do is simply not overridden (arXiv has no title search worth its price and no
citations). The working state of one enrichment is a :class:`Draft`; the :class:`~pa_graph.records.Enrichment`
record is built from it once, at the end. Offline, the steps only read the cache, so no progress line suggests
requests.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, ClassVar, TypeVar

from pa_graph.records import CitationLink, Enrichment, LinkCheck, Mode, SourceRecord, Work
from pa_graph.sources.common import EnrichOptions, Progress, deduplicated
from pa_graph.sources.response_cache import ResponseCache
from pa_graph.sources.service import RetryBudget, ServiceClient, ServiceSettings
from pa_graph.text import without_credentials

__all__ = ["Source", "SourceContext", "Draft"]

_Settings = TypeVar("_Settings", bound=ServiceSettings)


@dataclass(frozen=True)
class SourceContext:
    """What opening a source needs from the session: the one cache, the offline and refresh rule, the retry budget
    all sources of a build share, and settings given in code (by source name; the others come from the
    environment)."""

    cache: ResponseCache
    _: KW_ONLY
    offline: bool = False
    refresh: bool = False
    budget: RetryBudget | None = None
    settings: Mapping[str, ServiceSettings] = field(default_factory=dict)
    rate: float | None = None  # requests per second to every source (``--rate``), over each one's own default

    def settings_for(self, name: str, kind: type[_Settings]) -> _Settings:
        """Source ``name``'s settings: those given, else its environment's; ``rate`` over either, never faster
        than the service allows (arXiv: one request every three seconds)."""
        given = self.settings.get(name)
        chosen = given if isinstance(given, kind) else kind.from_environment()
        return chosen.overridden({"rate": None if self.rate is None else min(self.rate, chosen.max_rate)})


@dataclass
class Draft:
    """An enrichment being made: the steps add to it, :meth:`Source.enrich` turns it into the record once."""

    resolved: dict[str, SourceRecord] = field(default_factory=dict)  # work key → record
    unresolved: dict[str, str] = field(default_factory=dict)  # work key → why
    not_cached: list[str] = field(default_factory=list)
    externals: dict[str, SourceRecord] = field(default_factory=dict)
    citations: list[CitationLink] = field(default_factory=list)
    embeddings: dict[str, list[float]] = field(default_factory=dict)
    link_checks: list[LinkCheck] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)  # the service's own answers a later step reads again

    @property
    def listed_ids(self) -> set[str]:
        return {record.paper_id for record in self.resolved.values()}


class Source(ABC):
    """A bibliographic service as a build asks it. Subclasses name the service (``NAME``, the registry's key) and
    fill in the steps; :meth:`enrich` never raises for the service's failures (they become warnings)."""

    NAME: ClassVar[str]
    CLIENT: ClassVar[type[ServiceClient]]  # the client it asks through
    SETTINGS: ClassVar[type[ServiceSettings]]  # and the client's settings

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    @classmethod
    def open(cls, context: SourceContext) -> Source:
        """The source on the session's cache, with its settings from ``context`` or the environment."""
        return cls(cls.CLIENT(context.settings_for(cls.NAME, cls.SETTINGS), context.cache, offline=context.offline,
                              refresh=context.refresh, budget=context.budget))

    @property
    def name(self) -> str:
        return self.NAME

    @property
    def offline(self) -> bool:
        return self.client.offline

    @property
    def unavailable(self) -> str | None:
        """Why the service is asked no more in this build (``None`` offline, where nothing is asked)."""
        return self.client.unavailable

    def enrich(self, works: Sequence[Work], options: EnrichOptions = EnrichOptions(),
               progress: Progress | None = None) -> Enrichment:
        """The enrichment of ``works`` by this source: identifiers, titles, link verdicts, citations."""
        report: Progress = progress if progress is not None and not self.offline else _silent
        draft = Draft()
        pending = self.resolve(works, draft, report)
        self.match_titles(pending, draft, report)
        draft.link_checks = self.check_links(works, draft)
        self.add_citations(draft, options, report)
        draft.warnings = [*self.client.warnings, *draft.warnings, *self.closing_warnings(works, draft, options)]
        mode: Mode = "unreachable" if self.unavailable else "offline" if self.offline else "online"
        return Enrichment(
            mode=mode, api_url=without_credentials(self.client.settings.api_url), source=self.NAME,
            resolved=draft.resolved, unresolved=draft.unresolved, not_cached=draft.not_cached,
            externals=draft.externals, citations=deduplicated(draft.citations), embeddings=draft.embeddings,
            link_checks=draft.link_checks, warnings=draft.warnings, requests=self.client.requests_sent,
            calls={self.NAME: self.calls()})

    # ----- the steps ---------------------------------------------------------------------------------------------

    @abstractmethod
    def resolve(self, works: Sequence[Work], draft: Draft, report: Progress) -> list[Work]:
        """Resolve the works by the identifiers the list gives; the works left for a title search."""

    def match_titles(self, pending: Sequence[Work], draft: Draft, report: Progress) -> None:  # noqa: B027
        """Resolve the works the identifiers did not (a source without a title search leaves them be)."""

    @abstractmethod
    def check_links(self, works: Sequence[Work], draft: Draft) -> list[LinkCheck]:
        """Verdicts on the listed arXiv links: ``wrong`` or ``missing``."""

    def add_citations(self, draft: Draft, options: EnrichOptions, report: Progress) -> None:  # noqa: B027
        """Citation links among the resolved works and the works they cite (none for a source without them)."""

    def closing_warnings(self, works: Sequence[Work], draft: Draft, options: EnrichOptions) -> list[str]:
        """What the enrichment as a whole should say (an allowance spent, an extra the source lacks)."""
        return []

    def calls(self) -> dict[str, int | float]:
        """``build.json``'s ``calls.<name>``: the requests sent, by kind when the service prices them."""
        return {"requests": self.client.requests_sent}

    def failed(self, enrichment: Enrichment) -> bool:
        """Whether the build should ask the fallback instead: the service could not be reached or refused the
        key — or, offline, its cache answered nothing at all."""
        if self.offline:
            return bool(enrichment.not_cached) and not enrichment.resolved and not enrichment.unresolved
        return self.unavailable is not None

    def close(self) -> None:
        self.client.close()


def _silent(stage: str, done: int, total: int) -> None:
    """No progress: offline, nothing is fetched."""
