"""Allow ``python -m pa_graph``."""

from pa_graph.cli import main

main()
