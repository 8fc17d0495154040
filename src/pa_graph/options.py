"""The defaults and choices a user sets from the command line — in one light module, so the command line starts
without loading the pipeline (each command loads what it runs) and every module that needs a default reads the
same one."""

from __future__ import annotations

from pathlib import Path

from pa_graph.version import __version__

__all__ = ["__version__", "DEFAULT_CORE_MIN", "DEFAULT_OUT", "DEFAULT_GRAPH", "DEFAULT_VIEW", "DEFAULT_BASE_IRI", "DEFAULT_TOP",
           "DEFAULT_MIN_LISTS", "DEFAULT_MIN_CITERS", "CITATIONS_LIMIT", "DEFAULT_TOP_EXTERNAL", "ENGINES", "SourceChoice",
           "FIX_KINDS", "DEFAULT_SOURCE", "DEFAULT_MAX_CITATIONS", "DEFAULT_HOST", "DEFAULT_PORT", "DEFAULT_TIMEOUT",
           "DEFAULT_WORKERS", "DEFAULT_PUSH_TIMEOUT", "DEFAULT_NAMED_GRAPH"]

#: Where a build writes, and what the reading commands read by default.
DEFAULT_OUT = Path("outputs")
DEFAULT_GRAPH = DEFAULT_OUT / "graph.ttl"
DEFAULT_VIEW = DEFAULT_OUT / "view.html"
#: The base of every IRI a build mints.
DEFAULT_BASE_IRI = "https://w3id.org/pa-graph/id/"

#: Missing-paper suggestions shown; listed works that must cite a candidate.
DEFAULT_TOP = 30
DEFAULT_MIN_CITERS = 2
#: "In other lists": peer lists that must hold a work, with two or more peer lists (with one, the one).
DEFAULT_MIN_LISTS = 2
#: Missing cross-citations written to citations.md/json and the RDF.
CITATIONS_LIMIT = 200
#: Papers not in the list the view shows at first.
DEFAULT_TOP_EXTERNAL = 50

#: Citations per paper asked of a source.
DEFAULT_MAX_CITATIONS = 1000

#: Embedded SPARQL engines.
ENGINES = ("oxigraph", "rdflib")
#: Where citations come from.
#: A source's name in ``pa_graph.sources.registry``, ``both``, or names joined by ``+``.
SourceChoice = str
DEFAULT_SOURCE: SourceChoice = "s2"
#: What ``audit --fix`` can write: verified arXiv links, venues of preprints known as published.
FIX_KINDS = ("links", "venues")

#: ``serve``: the address, how long a query may run, how many queries are answered at once.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TIMEOUT = 30.0
DEFAULT_WORKERS = 2

#: ``push``: one deadline for a whole push; the named graph pushed into.
DEFAULT_PUSH_TIMEOUT = 120.0
DEFAULT_NAMED_GRAPH = DEFAULT_BASE_IRI + "graph"

#: A build of several lists: the atlas's consensus core is the works at least this many lists hold.
DEFAULT_CORE_MIN = 3
