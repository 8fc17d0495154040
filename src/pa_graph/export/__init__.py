"""What a build writes: RDF (:mod:`~pa_graph.export.rdf`, canonical Turtle), the other formats
(:mod:`~pa_graph.export.formats`, one registry: name → file, renderer), the HTML view (:mod:`~pa_graph.export.html`),
SHACL validation (:mod:`~pa_graph.export.validate`) and pushes to triple stores (:mod:`~pa_graph.export.triplestore`).
"""
