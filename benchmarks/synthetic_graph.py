"""A synthetic pa-graph-shaped RDF graph for benchmarks, written as N-Triples.

Parameters (all documented, none tuned to a scorer or engine): ``listed`` listed works spread over ``sections``
sub-categories under 2 top sections, ``tags`` tags, one method per third of the works, ``externals`` works known
only from S2, each listed work citing ``refs`` works (a third listed, the rest external, drawn with Zipf weights so
some are cited often) and written by 1-4 of ``authors`` authors. The default size gives about 110,000 triples.

    python benchmarks/synthetic_graph.py OUT.nt [--listed 3600] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

BASE = "https://w3id.org/pa-graph/id/"
PA = "https://w3id.org/pa-graph/ontology#"
FABIO = "http://purl.org/spar/fabio/"
CITO = "http://purl.org/spar/cito/"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
GYEAR = "http://www.w3.org/2001/XMLSchema#gYear"
INT = "http://www.w3.org/2001/XMLSchema#integer"


def generate(listed: int = 3600, externals: int = 5000, sections: int = 10, tags: int = 40, authors: int = 3000,
             refs: int = 12, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []

    def t(s: str, p: str, o: str) -> None:
        out.append(f"<{s}> <{p}> {o} .")

    def iri(x: str) -> str:
        return f"<{x}>"

    def lit(x: str, datatype: str | None = None) -> str:
        text = '"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{text}^^<{datatype}>" if datatype else text

    tops = [f"{BASE}section/top-{n}" for n in range(2)]
    subs = [f"{BASE}section/top-{n % 2}/sub-{n}" for n in range(sections)]
    for concept, label in [*((c, f"Top {n}") for n, c in enumerate(tops)), *((c, f"Sub {n}") for n, c in enumerate(subs))]:
        t(concept, RDF_TYPE, iri(SKOS + "Concept"))
        t(concept, RDF_TYPE, iri(PA + "Category"))
        t(concept, SKOS + "prefLabel", lit(label))
    for n, sub in enumerate(subs):
        t(sub, SKOS + "broader", iri(tops[n % 2]))
    tag_iris = [f"{BASE}tag/t{n}" for n in range(tags)]
    for n, tag in enumerate(tag_iris):
        t(tag, RDF_TYPE, iri(PA + "Tag"))
        t(tag, SKOS + "prefLabel", lit(f"tag {n}"))
    people = [f"{BASE}author/{n}" for n in range(authors)]
    for n, person in enumerate(people):
        t(person, RDF_TYPE, iri(FOAF + "Person"))
        t(person, FOAF + "name", lit(f"Author {n}"))
    works = [f"{BASE}work/listed-{n}" for n in range(listed)]
    outside = [f"{BASE}work/s2/{n:040x}" for n in range(externals)]
    weights = [1 / (rank + 1) for rank in range(externals)]
    for n, work in enumerate(works + outside):
        t(work, RDF_TYPE, iri(FABIO + "Expression"))
        t(work, DCT + "title", lit(f"Work {n} on personalised alignment"))
        t(work, FABIO + "hasPublicationYear", lit(str(2015 + n % 11), GYEAR))
        t(work, PA + "citationCount", lit(str(rng.randint(0, 500)), INT))
    for n, work in enumerate(works):
        t(work, PA + "listedIn", iri(rng.choice(subs)))
        t(work, PA + "hasTag", iri(rng.choice(tag_iris)))
        if n % 3 == 0:
            method = f"{BASE}method/m{n}"
            t(work, PA + "proposesMethod", iri(method))
            t(method, RDF_TYPE, iri(PA + "Method"))
            t(method, SKOS + "prefLabel", lit(f"M{n}"))
        if n % 50 == 0:
            t(work, RDF_TYPE, iri(FABIO + "ReviewArticle"))
        for person in rng.sample(people, rng.randint(1, 4)):
            t(work, DCT + "creator", iri(person))
        cited = set(rng.sample(works[:n] or works, min(len(works[:n] or works), refs // 3)))
        cited.update(rng.choices(outside, weights=weights, k=refs - len(cited)))
        for target in cited:
            t(work, CITO + "cites", iri(target))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--listed", type=int, default=3600)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    lines = generate(listed=options.listed, seed=options.seed)
    options.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} triples to {options.out}")


if __name__ == "__main__":
    main()
