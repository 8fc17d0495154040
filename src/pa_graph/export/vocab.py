"""The RDF vocabulary contract: every namespace and prefix the exports, the queries and the stats use, in one place."""

from __future__ import annotations

from rdflib import XSD, Namespace
from rdflib.namespace import DCTERMS, FOAF, PROV, SDO, SKOS

from pa_graph.options import DEFAULT_BASE_IRI

__all__ = ["PA", "FABIO", "CITO", "PRISM", "SCHEMA", "DEFAULT_BASE_IRI", "PREFIXES"]

PA = Namespace("https://w3id.org/pa-graph/ontology#")
FABIO = Namespace("http://purl.org/spar/fabio/")
CITO = Namespace("http://purl.org/spar/cito/")
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
SCHEMA = SDO
#: Resources (works, concepts, rows) are minted under this IRI unless a build asks for another.

PREFIXES = {
    "pa": PA,
    "fabio": FABIO,
    "cito": CITO,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "prov": PROV,
    "foaf": FOAF,
    "prism": PRISM,
    "schema": SCHEMA,
    "xsd": XSD,
}
