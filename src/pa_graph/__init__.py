"""pa-graph: a curated awesome list of research papers → a knowledge graph (RDF, HTML) with an audit and citation gaps.

>>> from pa_graph import assemble
>>> kg = assemble()                      # the bundled Awesome-Personalized-Alignment list
>>> len(kg.works)
156

Top-level names load lazily, so ``import pa_graph.model`` does not load the pipeline or the HTTP stack.
"""

from typing import TYPE_CHECKING

from pa_graph.errors import (
    ListChangedError,
    ListInputError,
    NoPapersError,
    PaGraphError,
    ServiceError,
    ServiceUnavailable,
)
from pa_graph.version import __version__

_PIPELINE = ("BuildOptions", "BuildResult", "GapOptions", "KnowledgeGraph", "EnrichOptions", "bundled_list",
             "load_lists", "read_peer")
_SESSION = ("Session", "assemble", "build", "audit_lists", "open_build", "s2_session", "source_session")
_BUILD_FOLDER = ("Build",)

__all__ = ["__version__", "BuildOptions", "BuildResult", "GapOptions", "KnowledgeGraph", "EnrichOptions", "assemble",
           "build", "audit_lists", "bundled_list", "load_lists", "read_peer", "s2_session", "source_session", "Build",
           "Session",
           "open_build", "PaGraphError", "ListInputError", "NoPapersError", "ListChangedError", "ServiceError",
           "ServiceUnavailable"]

if TYPE_CHECKING:  # what IDEs and type checkers see; at run time the pipeline loads on first use
    from pa_graph.build_folder import Build
    from pa_graph.pipeline import (
        BuildOptions,
        BuildResult,
        EnrichOptions,
        GapOptions,
        KnowledgeGraph,
        bundled_list,
        load_lists,
        read_peer,
    )
    from pa_graph.session import Session, assemble, audit_lists, build, open_build, s2_session, source_session


def __getattr__(name: str) -> object:
    if name in _PIPELINE:
        from pa_graph import pipeline

        return getattr(pipeline, name)
    if name in _SESSION:
        from pa_graph import session

        return getattr(session, name)
    if name in _BUILD_FOLDER:
        from pa_graph import build_folder

        return getattr(build_folder, name)
    raise AttributeError(f"module 'pa_graph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
