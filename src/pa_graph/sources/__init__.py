"""Where data comes from besides the list files: Semantic Scholar (:mod:`~pa_graph.sources.s2`, the one HTTP client
for it, with its :mod:`~pa_graph.sources.response_cache`), enrichment of the works with what it says
(:mod:`~pa_graph.sources.s2_enrich`), and lists given by URL (:mod:`~pa_graph.lists.fetch`)."""
