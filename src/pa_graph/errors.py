"""The exceptions pa-graph raises.

Every error the library raises on purpose derives from :class:`PaGraphError`, so a caller (the CLI, a notebook) can
catch one type and show ``str(err)``, which is written for a person::

    PaGraphError
     ├── ListInputError     a list file is missing, unreadable, not text, or holds no paper rows (CLI exit 2)
     │    └── NoPapersError  it holds no paper rows (a peer list so is a warning, not an error)
     ├── GraphInputError    a graph file to read is missing or not valid RDF (CLI exit 2)
     ├── AllowFileError     an ``--allow`` file cannot be read (CLI exit 2)
     ├── IgnoreFileError    an ``--ignore`` file cannot be read (CLI exit 2)
     ├── ApplyError         ``gaps --apply`` cannot change the list file (bundled, read-only, unreadable; CLI exit 2)
     ├── ListChangedError   a list changed while ``--apply``/``--fix`` worked on it; nothing written (CLI exit 1)
     ├── GapError           the graph cannot support a gap analysis (e.g. it holds no citations)
     ├── InvalidIRIError    a base IRI or graph name is not an absolute IRI safe to write (CLI exit 2)
     ├── InvalidFormatError an export format name pa-graph does not know (CLI exit 2)
     ├── QueryError         a SPARQL query cannot be read, parsed or run, or would reach the network (CLI exit 2)
     ├── ViewError          a view option names nothing in the graph (CLI exit 2)
     ├── PushError          a triple store refused or failed a push (CLI exit 1)
     ├── CacheError         the response cache cannot be opened (CLI exit 1)
     └── ServiceError       a Semantic Scholar or OpenAlex request failed; the build turns these into warnings
          ├── ServiceUnavailable   the service cannot be reached (refused, DNS, no answer): stop asking for this build
          ├── ServiceAuthError     401/403: the API key is wrong or missing: stop asking for this build
          └── ServiceRequestError  one request failed for good (retry budget spent, malformed answer, 400)
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "PaGraphError",
    "AtlasError",
    "SiteError",
    "ListInputError",
    "NoPapersError",
    "GraphInputError",
    "MissingGraphError",
    "AllowFileError",
    "IgnoreFileError",
    "ApplyError",
    "ListChangedError",
    "GapError",
    "InvalidIRIError",
    "InvalidFormatError",
    "QueryError",
    "ViewError",
    "PushError",
    "CacheError",
    "ServiceError",
    "ServiceUnavailable",
    "ServiceAuthError",
    "ServiceRequestError",
]


class PaGraphError(Exception):
    """Root of every error pa-graph raises on purpose. ``parameter`` names the library parameter the error is
    about, when one is (``"ego"``, ``"base_iri"``): its message then starts with that name, which the CLI replaces
    with the option a user typed. Messages name no command-line options."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class ListInputError(PaGraphError):
    """A list file cannot be used: missing, unreadable, binary, empty or without paper rows."""


class NoPapersError(ListInputError):
    """A list that can be read but holds no paper rows (empty, or no table or item with a paper link)."""

    def __init__(self, message: str, path: Path, name: str) -> None:
        super().__init__(message)
        self.path, self.name = path, name


class GraphInputError(PaGraphError):
    """A graph file cannot be used: missing or not parseable."""


class MissingGraphError(GraphInputError):
    """No graph file (or no ``graph.json`` beside it) where one was expected: nothing has been built there."""


class AllowFileError(PaGraphError):
    """An audit allow-list file cannot be read."""


class IgnoreFileError(PaGraphError):
    """An ignore file of gap suggestions cannot be read."""


class ApplyError(PaGraphError):
    """Suggested rows cannot be written into a list file."""


class ListChangedError(PaGraphError):
    """A list file changed between reading and writing it back: nothing was written (CLI exit 1)."""


class GapError(PaGraphError):
    """The graph cannot support the requested gap analysis (e.g. it holds no citations)."""


class InvalidIRIError(PaGraphError):
    """An IRI given by the user (a base IRI, a graph name) is not absolute or holds characters an IRI cannot."""


class InvalidFormatError(PaGraphError):
    """An export format name pa-graph does not know."""


class QueryError(PaGraphError):
    """A query that cannot be read, parsed or run."""


class ViewError(PaGraphError):
    """A view option names nothing in the graph (an unknown section or work)."""


class PushError(PaGraphError):
    """The triple store could not be reached or refused the request."""


class CacheError(PaGraphError):
    """The response cache cannot be opened or written."""


class ServiceError(PaGraphError):
    """A Semantic Scholar or OpenAlex request failed."""


class ServiceUnavailable(ServiceError):
    """The service cannot be reached at all; further requests to it in this build are pointless."""


class ServiceAuthError(ServiceError):
    """The service refused the API key (HTTP 401/403)."""


class ServiceRequestError(ServiceError):
    """One request failed for good: retry budget spent, a malformed answer, or a request the service rejects."""


class ServeError(PaGraphError):
    """The server cannot start: the address is in use, Oxigraph's server is missing or did not start."""


class SiteError(PaGraphError):
    """A site cannot be made from what was given: a folder that is not pa-graph's to replace, a build without its
    map, a folder that is not Oxigraph's WebAssembly build."""


class AtlasError(PaGraphError):
    """An atlas was asked of a build that cannot have one (a build of one list)."""
