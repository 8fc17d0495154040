"""What pa-graph finds in a graph: the list's own problems (:mod:`~pa_graph.analysis.audit`), counts
(:mod:`~pa_graph.analysis.stats`) and citation gaps (:mod:`~pa_graph.analysis.gaps`, one module per analysis)."""
