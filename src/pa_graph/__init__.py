"""pa-graph: a curated awesome list of research papers → a knowledge graph (RDF, HTML) with an audit.

>>> from pa_graph import assemble
>>> kg = assemble()                      # the bundled Awesome-Personalized-Alignment list
>>> len(kg.works)
156
"""

__version__ = "0.1.0"

from pa_graph.build import BuildOptions, BuildResult, KnowledgeGraph, assemble, build, bundled_list, load_lists  # noqa: E402

__all__ = ["__version__", "BuildOptions", "BuildResult", "KnowledgeGraph", "assemble", "build", "bundled_list", "load_lists"]
