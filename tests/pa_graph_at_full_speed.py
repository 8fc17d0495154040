"""``pa-graph`` for scripts under test (the Action's run.sh and suggest.sh): the same command, with Semantic
Scholar and OpenAlex asked at 100 requests a second by default. The fakes answer at once; at the real services'
one request a second, these tests spent most of their time waiting."""

from pa_graph.cli import main

if __name__ == "__main__":
    main(default_map={"build": {"rate": 100.0}})
