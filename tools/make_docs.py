"""Regenerate docs/ontology.md, docs/cookbook.md, docs/cli.md (run from the repository root: python tools/make_docs.py).

The cookbook page needs an enriched graph; Semantic Scholar is unreachable here, so the queries that need its data
run on the same fake-enriched build the tests use (tests/fake_s2), clearly labelled as synthetic.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

def _needs_enrichment() -> set[str]:
    from pa_graph.export.sparql import cookbook, cookbook_needs

    return {name for name in cookbook() if cookbook_needs(name)}


NEEDS_S2 = _needs_enrichment()  # the cookbook queries whose "# Needs:" line asks for an enriched build


def field_lists() -> list[Path]:
    """The bundled list and the two real sibling lists (copied under tests/fixtures/lists): the atlas's queries."""
    from pa_graph.lists.load import bundled_list

    return [bundled_list(), *sorted((ROOT / "tests" / "fixtures" / "lists").glob("*-awesome-*.md"))]


FIELD_LISTS = field_lists()


def build_graphs(folder: Path) -> tuple[Path, Path, Path]:
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph import BuildOptions, build
    from pa_graph.sources.common import EnrichOptions
    from pa_graph.sources.s2 import S2Settings

    build(options=BuildOptions(out_dir=folder / "offline", enrich=False))
    build(FIELD_LISTS, BuildOptions(out_dir=folder / "field", enrich=False))
    with FakeS2(build_world()) as fake:
        build(options=BuildOptions(out_dir=folder / "enriched", cache_dir=folder / "cache",
                                   extras=EnrichOptions(contexts=True), s2=S2Settings(api_url=fake.url, rate=1000.0)))
    return folder / "offline" / "graph.ttl", folder / "enriched" / "graph.ttl", folder / "field" / "graph.ttl"


def main() -> None:
    from docs_pages import COOKBOOK_END, COOKBOOK_START, cli_markdown, cookbook_markdown, cookbook_summary, ontology_markdown

    with tempfile.TemporaryDirectory() as folder:
        offline, enriched, field = build_graphs(Path(folder))
        (ROOT / "docs" / "cookbook.md").write_text(cookbook_markdown(offline, enriched, NEEDS_S2, field),
                                                   encoding="utf-8")
        readme = (ROOT / "docs" / "sparql.md").read_text(encoding="utf-8")
        before, _, rest = readme.partition(COOKBOOK_START)
        _, _, after = rest.partition(COOKBOOK_END)
        block = cookbook_summary(offline, enriched, NEEDS_S2, field_graph=field)
        (ROOT / "docs" / "sparql.md").write_text(before + block + after, encoding="utf-8")
    (ROOT / "docs" / "ontology.md").write_text(ontology_markdown(), encoding="utf-8")
    (ROOT / "docs" / "cli.md").write_text(cli_markdown(), encoding="utf-8")
    print("wrote docs/cookbook.md, docs/ontology.md, docs/cli.md and the SPARQL page's cookbook")


if __name__ == "__main__":
    main()
