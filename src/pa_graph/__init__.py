"""pa-graph: a curated awesome list of research papers → a knowledge graph (RDF, HTML) with an audit and citation gaps.

>>> from pa_graph import assemble
>>> kg = assemble()                      # the bundled Awesome-Personalized-Alignment list
>>> len(kg.works)
156

Top-level names load lazily, so ``import pa_graph.model`` does not load the pipeline or the HTTP stack.
"""

__version__ = "0.1.0"

_PIPELINE = ("BuildOptions", "BuildResult", "GapOptions", "KnowledgeGraph", "assemble", "build", "bundled_list",
             "load_lists", "s2_session", "source_session")

__all__ = ["__version__", *_PIPELINE]


def __getattr__(name: str):
    if name in _PIPELINE:
        from pa_graph import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'pa_graph' has no attribute {name!r}")
