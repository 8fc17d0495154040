"""The exceptions pa-graph raises.

Every error the library raises on purpose derives from :class:`PaGraphError`, so a caller (the CLI, a notebook) can
catch one type and show ``str(err)``, which is written for a person::

    PaGraphError
     ├── ListInputError     a list file is missing, unreadable, not text, or holds no paper rows (CLI exit 2)
     ├── GraphInputError    a graph file to read is missing or not valid RDF (CLI exit 2)
     └── AllowFileError     an ``--allow`` file cannot be read (CLI exit 2)
"""

from __future__ import annotations

__all__ = ["PaGraphError", "ListInputError", "GraphInputError", "AllowFileError"]


class PaGraphError(Exception):
    """Root of every error pa-graph raises on purpose."""


class ListInputError(PaGraphError):
    """A list file cannot be used: missing, unreadable, binary, empty or without paper rows."""


class GraphInputError(PaGraphError):
    """A graph file cannot be used: missing or not parseable."""


class AllowFileError(PaGraphError):
    """An audit allow-list file cannot be read."""
