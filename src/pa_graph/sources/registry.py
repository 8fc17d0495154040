"""Every source a build can ask, by name — the one place a new source is added (like ``export/formats.py``'s
``FORMATS``): a module in ``sources/`` with a :class:`~pa_graph.sources.source.Source` and one entry here.

``--source`` takes a source's name, ``both`` (Semantic Scholar and OpenAlex merged), or names joined by ``+``
(``s2+arxiv``): the first is the primary, whose record of a work is kept; the others are merged in and cross-checked
(:mod:`pa_graph.sources.merge`). A source asked alone that cannot be reached hands over to its ``fallback``.
Everything else that names sources — the model's provenance, the RDF named graphs, the dataset's attribution,
``build.json``'s credits — reads this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pa_graph.errors import PaGraphError

if TYPE_CHECKING:  # the classes are imported when a build asks their source
    from pa_graph.sources.source import Source

__all__ = ["SourceEntry", "SOURCES", "COMBINATIONS", "choices", "plan", "entry", "labels", "calls_text"]


@dataclass(frozen=True, kw_only=True)
class SourceEntry:
    """What the rest of pa-graph knows of a source without opening it."""

    label: str  # in messages: "Semantic Scholar"
    api: str  # the model's provenance: "Semantic Scholar Academic Graph API"
    credit: str  # build.json: what the data is and where it comes from
    graph: str  # the RDF named graph's name, <base>graph/<graph>
    source: Callable[[], type[Source]]  # the Source class (imported when a build asks the source)
    organization: str  # the dataset's dcterms:source and every answer's prov:wasAttributedTo
    organization_title: str | None = None
    license: str | None = None  # the data's licence IRI, when the service states one
    fallback: str | None = None  # asked instead when this source, asked alone, cannot be reached
    response_class: str = "SourceResponse"  # the pa: class of its answers in RDF, and the property of the request
    request_property: str = "sourceRequest"
    calls: Callable[[Mapping[str, int | float]], str] | None = None  # build.json's calls.<name>, said in words


def _s2() -> type[Source]:
    from pa_graph.sources.s2_enrich import S2Source

    return S2Source


def _openalex() -> type[Source]:
    from pa_graph.sources.openalex_enrich import OpenAlexSource

    return OpenAlexSource


def _openalex_calls(calls: Mapping[str, int | float]) -> str:
    return (f"{calls.get('singletons', 0)} free lookups, {calls.get('list_calls', 0)} list calls, "
            f"{calls.get('searches', 0)} searches, about ${float(calls.get('cost_usd', 0)):.4f}")


def _arxiv() -> type[Source]:
    from pa_graph.sources.arxiv import ArxivSource

    return ArxivSource


SOURCES: dict[str, SourceEntry] = {
    "s2": SourceEntry(
        label="Semantic Scholar", api="Semantic Scholar Academic Graph API", graph="semantic-scholar", source=_s2,
        credit="Data on papers, authors and citations: Semantic Scholar Academic Graph API "
               "(https://www.semanticscholar.org)",
        organization="https://www.semanticscholar.org/",
        organization_title="Semantic Scholar Academic Graph API (Allen Institute for AI)", fallback="openalex",
        response_class="S2Response", request_property="s2Request"),
    "openalex": SourceEntry(
        label="OpenAlex", api="OpenAlex API", graph="openalex", source=_openalex,
        credit="Data on papers, authors and citations: OpenAlex (https://openalex.org), CC0",
        organization="https://openalex.org/", organization_title="OpenAlex (OurResearch), data under CC0",
        license="https://creativecommons.org/publicdomain/zero/1.0/", response_class="OpenAlexResponse",
        request_property="openAlexRequest", calls=_openalex_calls),
    "arxiv": SourceEntry(
        label="arXiv", api="arXiv API", graph="arxiv", source=_arxiv,
        credit="Metadata of preprints: arXiv API (https://arxiv.org); thank you to arXiv for use of its open "
               "access interoperability",
        organization="https://arxiv.org/", organization_title="arXiv (Cornell University), metadata under CC0",
        license="https://creativecommons.org/publicdomain/zero/1.0/"),
}

#: Names that stand for several sources.
COMBINATIONS: dict[str, tuple[str, ...]] = {"both": ("s2", "openalex")}

def choices() -> tuple[str, ...]:
    """What ``--source`` offers by name: every source, then the combinations (names joined by ``+`` work too)."""
    return (*SOURCES, *COMBINATIONS)


def entry(name: str) -> SourceEntry:
    """The entry of source ``name``; a name no source has is an error that lists the choices."""
    if name not in SOURCES:
        raise PaGraphError(f"unknown source {name!r}; choose from {', '.join(choices())} (or names joined by '+')")
    return SOURCES[name]


def plan(choice: str) -> tuple[str, ...]:
    """The sources ``choice`` asks, primary first (a combination's name stands for its sources, alone or joined).

    >>> plan("both"), plan("s2+arxiv"), plan("arxiv"), plan("both+arxiv")
    (('s2', 'openalex'), ('s2', 'arxiv'), ('arxiv',), ('s2', 'openalex', 'arxiv'))
    """
    names = tuple(name for part in str(choice).split("+")
                  for name in COMBINATIONS.get(part.strip(), (part.strip(),)))
    for name in names:
        entry(name)
    if len(set(names)) != len(names):
        raise PaGraphError(f"source {choice!r} names a source twice")
    return names


def calls_text(name: str, calls: Mapping[str, int | float]) -> str:
    """A source's calls of one build in words, when the source prices them (``""`` otherwise)."""
    said = SOURCES[name].calls if name in SOURCES else None
    return said(calls) if said else ""


def labels(enriched_from: str) -> str:
    """The sources of an enrichment (``s2+openalex``) as a reader names them.

    >>> labels("s2"), labels("s2+openalex+arxiv")
    ('Semantic Scholar', 'Semantic Scholar, OpenAlex and arXiv')
    """
    named = [SOURCES[name].label if name in SOURCES else name for name in enriched_from.split("+")]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
