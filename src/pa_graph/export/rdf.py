"""RDF export: the model graph → an rdflib ``Graph`` following the RDF vocabulary of the README, and Turtle.

IRIs are the base IRI plus the model's node ids, so the same lists always give the same IRIs; nothing that changes
between runs (build time, absolute paths) enters the graph, so ``graph.ttl`` is byte-stable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import networkx as nx
import pyoxigraph
from rdflib import RDF, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, SKOS, VOID

from pa_graph.export.vocab import CITO, DEFAULT_BASE_IRI, FABIO, PA, PREFIXES, PRISM, SCHEMA
from pa_graph.model import list_index, nodes_of_kind
from pa_graph.sources.registry import SOURCES
from pa_graph.text import short_hash, slugify

__all__ = ["Triples", "to_triples", "to_rdf", "to_dataset", "to_turtle", "to_ntriples", "describe_dataset", "PA", "FABIO",
           "CITO", "PRISM", "SCHEMA", "DEFAULT_BASE_IRI", "PREFIXES"]

_SCHEMES = {"section": "categories", "tag": "tags", "method": "methods", "venue": "venues"}
_INTENTS = {"background": CITO.obtainsBackgroundFrom, "methodology": CITO.usesMethodIn,
            "result": CITO.usesConclusionsFrom}
_CONCEPT_CLASSES = {"section": PA.Category, "tag": PA.Tag, "method": PA.Method, "venue": PA.Venue}
_SCHEME_TITLES = {
    "categories": "Sections of the curated lists",
    "tags": "Tags given in the curated lists",
    "methods": "Methods named by the lists' abbreviations",
    "venues": "Publication venues",
}
_EDGE_PREDICATES = {
    "listed_in": PA.listedIn,
    "has_tag": PA.hasTag,
    "proposes_method": PA.proposesMethod,
    "published_in": DCTERMS.isPartOf,
    "broader": SKOS.broader,
    "creator": DCTERMS.creator,
    "cites": CITO.cites,
}


class Triples:
    """A build's triples as a plain set of rdflib-term tuples: adding one costs a set insertion (an rdflib ``Graph``
    keeps three indexes and fires events per triple, 20× slower at 300,000 triples), it iterates like a ``Graph``,
    and the canonical serialisers (:func:`to_turtle`, :func:`to_ntriples`) read it directly. :meth:`graph` makes the
    rdflib ``Graph`` users see, when they ask for one."""

    def __init__(self) -> None:
        self._triples: set[tuple[Any, ...]] = set()

    def add(self, triple: tuple[Any, ...]) -> None:
        self._triples.add(triple)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def __contains__(self, triple: tuple[Any, ...]) -> bool:
        return triple in self._triples

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        return _new_graph().namespaces()

    def graph(self) -> Graph:
        rdf = _new_graph()
        rdf.addN((s, p, o, rdf) for s, p, o in self._triples)
        return rdf


#: Where triples go: an rdflib graph (or a named graph of a dataset), or the build's fast :class:`Triples`.
Sink = Graph | Triples
#: Mints the IRI of a path under the base IRI.
Minter = Callable[[str], URIRef]


def to_triples(model: nx.MultiDiGraph[str], base_iri: str = DEFAULT_BASE_IRI,
               findings: Sequence[Mapping[str, Any]] = ()) -> Triples:
    """The model as RDF triples under ``base_iri``, with gap ``findings`` (see
    :func:`pa_graph.analysis.gaps.report.rdf_findings`) as ``pa:GapFinding`` resources — the build's fast path."""
    triples = Triples()
    _emit(model, base_iri, triples, dict.fromkeys(SOURCES, triples), findings)
    return triples


def to_rdf(model: nx.MultiDiGraph[str], base_iri: str = DEFAULT_BASE_IRI, findings: Sequence[Mapping[str, Any]] = ()) -> Graph:
    """:func:`to_triples` as an rdflib ``Graph``."""
    return to_triples(model, base_iri, findings).graph()


def to_dataset(model: nx.MultiDiGraph[str], base_iri: str = DEFAULT_BASE_IRI,
               findings: Sequence[Mapping[str, Any]] = ()) -> Dataset:
    """The same triples split by origin into named graphs, ``<base>graph/lists`` (what the lists say) and one per
    source (``<base>graph/semantic-scholar``, ``graph/openalex``, ``graph/arxiv``: what each says), for TriG."""
    dataset = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    lists = dataset.graph(URIRef(base_iri + "graph/lists"))
    sources = {name: dataset.graph(URIRef(base_iri + f"graph/{source.graph}")) for name, source in SOURCES.items()}
    _emit(model, base_iri, lists, sources, findings)
    return dataset


def _new_graph() -> Graph:
    rdf = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        rdf.bind(prefix, namespace)
    return rdf


def _emit(model: nx.MultiDiGraph[str], base_iri: str, rdf: Sink, sources: Mapping[str, Sink],
          findings: Sequence[Mapping[str, Any]]) -> None:
    """Write list-derived triples to ``rdf`` and each source's to ``sources[name]`` (may all be the same graph)."""
    s2 = sources["s2"]

    def iri(path: str) -> URIRef:
        return URIRef(base_iri + path)

    for scheme, title in _SCHEME_TITLES.items():
        rdf.add((iri(f"scheme/{scheme}"), RDF.type, SKOS.ConceptScheme))
        rdf.add((iri(f"scheme/{scheme}"), SKOS.prefLabel, Literal(title)))

    list_iris = {}
    ids_by_name = list_index(model)
    for listed in model.graph.get("lists", []):  # each list a node: its title, file, source; works and sections in it
        list_iri = list_iris[listed["name"]] = iri(f"list/{ids_by_name[listed['name']]}")
        rdf.add((list_iri, RDF.type, PA.CuratedList))
        rdf.add((list_iri, RDF.type, PROV.Entity))
        rdf.add((list_iri, DCTERMS.title, Literal(listed.get("title") or listed["name"])))
        rdf.add((list_iri, PA.listFile, Literal(listed["name"])))
        rdf.add((list_iri, PA.listSource, Literal(listed.get("source") or listed["name"])))
        rdf.add((list_iri, PA.sha256, Literal(listed["sha256"])))

    for node, data in model.nodes(data=True):
        subject = iri(node)
        kind = data["kind"]
        target = sources.get(data.get("origin") or "", rdf)
        if kind == "work":
            _add_work(target, subject, data, iri, list_iris)
            _add_source_data(sources, subject, data, iri)
        elif kind == "author":
            target.add((subject, RDF.type, FOAF.Person))
            target.add((subject, FOAF.name, Literal(data["label"])))
            if data.get("s2_author_id"):
                target.add((subject, PA.s2AuthorId, Literal(data["s2_author_id"])))
        else:
            scheme = iri(f"scheme/{_SCHEMES[kind]}")
            target.add((subject, RDF.type, SKOS.Concept))
            target.add((subject, RDF.type, _CONCEPT_CLASSES[kind]))
            target.add((subject, SKOS.inScheme, scheme))
            target.add((subject, SKOS.prefLabel, Literal(data["label"])))
            for alt in data.get("alt_labels", []):
                target.add((subject, SKOS.altLabel, Literal(alt)))
            if data.get("level") == 1:
                target.add((subject, SKOS.topConceptOf, scheme))

    for finding in findings:
        _add_gap_finding(s2, iri, finding)

    for source, target_node, relation, data in model.edges(keys=True, data=True):
        target = sources.get(data.get("origin") or "", rdf)
        target.add((iri(source), _EDGE_PREDICATES[relation], iri(target_node)))
        if relation == "cites" and (data.get("intents") or data.get("contexts") or data.get("influential") is not None):
            _add_citation(s2, iri, source, target_node, data)


def _add_gap_finding(rdf: Sink, iri: Minter, finding: Mapping[str, Any]) -> None:
    """A ``pa:GapFinding``: its kind, score, rank, the work it is about, what it should cite, and the evidence."""
    node = iri(f"gap/{finding['kind']}/{short_hash(finding['about'] + ' ' + ' '.join(finding.get('should_cite', [])), 12)}")
    rdf.add((node, RDF.type, PA.GapFinding))
    rdf.add((node, PA.gapKind, Literal(finding["kind"])))
    rdf.add((node, PA.score, Literal(Decimal(str(round(float(finding["score"]), 4))))))
    if finding.get("rank"):
        rdf.add((node, PA.rank, Literal(int(finding["rank"]))))
    rdf.add((node, PA.about, iri(finding["about"])))
    for cited in finding.get("should_cite", []):
        rdf.add((node, PA.shouldCite, iri(cited)))
    for evidence in finding.get("evidence", []):
        rdf.add((node, PA.evidence, iri(evidence)))
    if finding.get("section"):
        rdf.add((node, PA.suggestedSection, iri(finding["section"])))


def _add_citation(rdf: Sink, iri: Minter, source: str, target: str, data: dict[str, Any]) -> None:
    """A reified ``cito:Citation`` for what only S2's /references gives: intents, contexts, influence."""
    citation = iri(f"citation/{short_hash(source + ' ' + target, 16)}")
    rdf.add((citation, RDF.type, CITO.Citation))
    rdf.add((citation, CITO.hasCitingEntity, iri(source)))
    rdf.add((citation, CITO.hasCitedEntity, iri(target)))
    for intent in data.get("intents", []):
        rdf.add((citation, PA.intent, Literal(intent)))
        if intent in _INTENTS:
            rdf.add((citation, CITO.hasCitationCharacterization, _INTENTS[intent]))
    for context in data.get("contexts", []):
        rdf.add((citation, PA.context, Literal(context)))
    if data.get("influential") is not None:
        rdf.add((citation, PA.isInfluential, Literal(bool(data["influential"]))))
    if data.get("s2_request"):
        rdf.add((citation, PROV.wasDerivedFrom, _response(rdf, iri, "s2", data["s2_request"], data["s2_retrieved_at"])))


def _response(rdf: Sink, iri: Minter, source: str, request: str, retrieved_at: str) -> URIRef:
    """The answer of ``source`` a statement came from, as a PROV entity: the request (never a key) and its retrieval
    time."""
    entry = SOURCES[source]
    kind, request_property = PA[entry.response_class], PA[entry.request_property]
    organization = URIRef(entry.organization)
    response = iri(f"{source}/response/{short_hash(request + ' ' + retrieved_at, 16)}")
    rdf.add((response, RDF.type, PROV.Entity))
    rdf.add((response, RDF.type, kind))
    rdf.add((response, request_property, Literal(request)))
    if retrieved_at:
        rdf.add((response, PROV.generatedAtTime, Literal(retrieved_at, datatype=XSD.dateTime)))
    rdf.add((response, PROV.wasAttributedTo, organization))
    return response


def _add_work(rdf: Sink, subject: URIRef, data: dict[str, Any], iri: Minter, list_iris: dict[str, URIRef]) -> None:
    rdf.add((subject, RDF.type, FABIO.Expression))
    if data.get("work_type") == "survey":
        rdf.add((subject, RDF.type, FABIO.ReviewArticle))
    rdf.add((subject, DCTERMS.title, Literal(data["title"])))
    for alternative in data.get("alternative_titles", []):
        rdf.add((subject, DCTERMS.alternative, Literal(alternative)))
    if data.get("year") is not None:
        rdf.add((subject, FABIO.hasPublicationYear, Literal(str(data["year"]), datatype=XSD.gYear)))
    if data.get("listed_year") is not None:
        rdf.add((subject, PA.listedYear, Literal(str(data["listed_year"]), datatype=XSD.gYear)))
    for arxiv_id in data.get("listed_arxiv_ids", []):
        rdf.add((subject, PA.listedArxivId, Literal(arxiv_id)))
    for link in data.get("links", []):
        rdf.add((subject, PA.listedLink, Literal(link, datatype=XSD.anyURI)))  # as written: may not be a valid IRI
    for abbreviation in data.get("abbreviations", []):
        rdf.add((subject, PA.listedAbbreviation, Literal(abbreviation)))
    for source in data.get("sources", []):
        row = URIRef(f"{list_iris.get(source['file']) or iri('list/' + slugify(source['file']))}/line/{source['line']}")
        rdf.add((subject, PROV.wasDerivedFrom, row))
        rdf.add((row, RDF.type, PA.ListRow))
        rdf.add((row, RDF.type, PROV.Entity))
        rdf.add((row, PA.sourceLine, Literal(source["line"])))
        rdf.add((row, PA.inSection, iri(source["section"])))
        if source["file"] in list_iris:
            rdf.add((row, PROV.hadPrimarySource, list_iris[source["file"]]))
            rdf.add((subject, PA.inList, list_iris[source["file"]]))
            rdf.add((list_iris[source["file"]], PA.hasSection, iri(source["section"])))


def to_turtle(rdf: Graph | Triples) -> str:
    """Canonical Turtle: the triples sorted by their N-Triples form and written by pyoxigraph's serialiser (25-40×
    faster than rdflib's), with every contract prefix declared, used or not. Equal graphs give equal bytes, in any
    process."""
    prefixes = {prefix: str(namespace) for prefix, namespace in rdf.namespaces() if prefix != "xml"}
    prefixes.update({prefix: str(namespace) for prefix, namespace in PREFIXES.items()})
    text = pyoxigraph.serialize(_sorted_triples(rdf), format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes) or b""
    lines = text.decode("utf-8").split("\n")
    header = sum(1 for line in lines if line.startswith("@prefix "))
    return "\n".join(sorted(lines[:header]) + lines[header:])  # the serialiser's prefix order is its own


def to_ntriples(rdf: Graph | Triples) -> str:
    """Canonical N-Triples (pyoxigraph's), one triple a line, sorted: equal graphs give equal bytes."""
    return (pyoxigraph.serialize(_sorted_triples(rdf), format=pyoxigraph.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


def _sorted_triples(rdf: Graph | Triples) -> list[pyoxigraph.Triple]:
    triples = [pyoxigraph.Triple(_oxigraph_term(s), _oxigraph_term(p), _oxigraph_term(o)) for s, p, o in rdf]
    return sorted(triples, key=str)


def _oxigraph_term(term: Any) -> Any:  # a NamedNode, Literal or BlankNode, by what rdflib gave
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
        return pyoxigraph.Literal(str(term))
    return pyoxigraph.BlankNode(str(term))


def _add_source_data(sources: Mapping[str, Sink], subject: URIRef, data: dict[str, Any], iri: Minter) -> None:
    """Identifiers, the source's title, links and provenance of a work a source resolved; link verdicts. Each
    statement goes to the graph of the source that gave it (S2's when both agree)."""
    answered = [name for name in sources if data.get(f"{name}_request")]  # registry order: the primary first
    rdf = sources["s2"] if data.get("s2_paper_id") or not answered else sources[answered[0]]
    if data.get("unresolved"):
        rdf.add((subject, RDF.type, PA.UnresolvedWork))
        rdf.add((subject, PA.unresolvedReason, Literal(data["unresolved"])))
    for number, check in enumerate(data.get("link_checks", []), 1):
        node = URIRef(f"{subject}/link-check/{number}")
        rdf.add((subject, PA.hasLinkCheck, node))
        rdf.add((node, RDF.type, PA.LinkCheck))
        rdf.add((node, PA.linkStatus, Literal(check["status"])))
        if check.get("listed_id"):
            rdf.add((node, PA.listedArxivId, Literal(check["listed_id"])))
        if check.get("points_to"):
            rdf.add((node, PA.pointsToTitle, Literal(check["points_to"])))
        if check.get("correct_id"):
            rdf.add((node, PA.correctArxivId, Literal(check["correct_id"])))
    paper_id, openalex_id = data.get("s2_paper_id"), data.get("openalex_id")
    if not answered:
        return  # no source resolved it
    if paper_id:
        rdf.add((subject, PA.s2PaperId, Literal(paper_id)))
        rdf.add((subject, SCHEMA.sameAs, URIRef(f"https://www.semanticscholar.org/paper/{paper_id}")))
    if openalex_id:
        sources["openalex"].add((subject, PA.openAlexId, Literal(openalex_id)))
        sources["openalex"].add((subject, SCHEMA.sameAs, URIRef(f"https://openalex.org/{openalex_id}")))
    if data.get("s2_corpus_id") is not None:
        rdf.add((subject, PA.s2CorpusId, Literal(str(data["s2_corpus_id"]))))
    if data.get("doi"):
        rdf.add((subject, PRISM.doi, Literal(data["doi"])))
        rdf.add((subject, SCHEMA.sameAs, URIRef("https://doi.org/" + quote(data["doi"], safe="/:;()._-"))))
    if data.get("arxiv_id"):
        rdf.add((subject, FABIO.hasArXivId, Literal(data["arxiv_id"])))
        rdf.add((subject, SCHEMA.sameAs, URIRef("https://arxiv.org/abs/" + quote(data["arxiv_id"], safe="/."))))
    if data.get("source_title") and data["source_title"] != data.get("title"):
        rdf.add((subject, DCTERMS.alternative, Literal(data["source_title"])))
    if data.get("citation_count") is not None:
        rdf.add((subject, PA.citationCount, Literal(int(data["citation_count"]))))
    if data.get("embedding"):
        rdf.add((subject, PA.specterV2, Literal(json.dumps(data["embedding"], separators=(",", ":")))))
    for source, graph in sources.items():
        if data.get(f"{source}_request"):
            graph.add((subject, PROV.wasDerivedFrom,
                       _response(graph, iri, source, data[f"{source}_request"], data[f"{source}_retrieved_at"])))


_VOCABULARIES = ["http://purl.org/spar/fabio/", "http://purl.org/spar/cito/", "http://purl.org/dc/terms/",
                 "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/prov#", "http://xmlns.com/foaf/0.1/",
                 "http://prismstandard.org/namespaces/basic/2.0/", "https://schema.org/", str(PA)]


def describe_dataset(model: nx.MultiDiGraph[str], triples: int, base_iri: str, version: str, built_at: str,
                     files: list[str]) -> Graph:
    """A VoID/DCAT description of one build (kept out of the byte-stable ``graph.ttl``): size, vocabularies, the
    source lists, the tool, and Semantic Scholar's attribution when it contributed."""
    rdf = _new_graph()
    rdf.bind("void", VOID)
    rdf.bind("dcat", DCAT)
    dataset = URIRef(base_iri + "dataset")
    rdf.add((dataset, RDF.type, VOID.Dataset))
    rdf.add((dataset, RDF.type, DCAT.Dataset))
    rdf.add((dataset, DCTERMS.title, Literal("Knowledge graph of " + ", ".join(item["name"] for item in model.graph["lists"]))))
    rdf.add((dataset, DCTERMS.created, Literal(built_at, datatype=XSD.dateTime)))
    rdf.add((dataset, VOID.triples, Literal(triples)))
    rdf.add((dataset, VOID.entities, Literal(len(nodes_of_kind(model, "work")))))
    rdf.add((dataset, VOID.uriSpace, Literal(base_iri)))
    for vocabulary in _VOCABULARIES:
        rdf.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    ids_by_name = list_index(model)
    for listed in model.graph["lists"]:
        source = URIRef(base_iri + f"list/{ids_by_name[listed['name']]}")
        rdf.add((dataset, DCTERMS.source, source))
        rdf.add((source, DCTERMS.title, Literal(listed.get("title") or listed["name"])))
        rdf.add((source, PA.sha256, Literal(listed["sha256"])))
        rdf.add((source, PA.readAt, Literal(listed.get("fetched_at") or built_at, datatype=XSD.dateTime)))
    tool = URIRef("https://pypi.org/project/pa-graph/")
    rdf.add((dataset, PROV.wasGeneratedBy, URIRef(base_iri + f"build/{short_hash(built_at)}")))
    rdf.add((URIRef(base_iri + f"build/{short_hash(built_at)}"), PROV.wasAssociatedWith, tool))
    rdf.add((tool, SCHEMA.softwareVersion, Literal(version)))
    rdf.add((tool, DCTERMS.title, Literal("pa-graph")))
    for name in files:
        distribution = URIRef(base_iri + f"dataset/{name}")
        rdf.add((dataset, DCAT.distribution, distribution))
        rdf.add((distribution, RDF.type, DCAT.Distribution))
        # the file sits beside dataset.ttl: named, not linked (an IRI must be absolute, and its host is unknown)
        rdf.add((distribution, DCTERMS.identifier, Literal(name)))
    for name, origin in SOURCES.items():
        if any(data.get(f"{name}_request") for _, data in model.nodes(data=True)):
            organization = URIRef(origin.organization)
            rdf.add((dataset, DCTERMS.source, organization))
            rdf.add((dataset, PROV.wasAttributedTo, organization))
            rdf.add((organization, DCTERMS.title, Literal(origin.organization_title or origin.label)))
            if origin.license:
                rdf.add((organization, DCTERMS.license, URIRef(origin.license)))
    return rdf
