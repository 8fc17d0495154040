"""A synthetic citation graph for measuring the missing-paper ranking, generated without looking at the scorer.

The field: ``papers`` papers over ``topics`` topics, published from ``first_year`` to ``last_year`` with yearly
output growing by ``growth``. Each paper cites about ``refs`` earlier papers (Poisson): with probability
``same_topic`` one of its own topic, else any topic; among those, a paper is chosen with weight
``(citations so far + 1) * exp(-age / memory)`` (preferential attachment with ageing). The curated list: the papers of
topic 0 published from ``list_from`` on, each kept with probability ``coverage`` (lists are incomplete). What
pa-graph would see: the listed works with their references, and the referenced works as works not in the list
(their year known, their own references not); SPECTER-like embeddings for listed works only (the topic's direction
plus Gaussian noise ``noise``).

    from gap_world import generate_model; model = generate_model(seed=3)
"""

from __future__ import annotations

import math
import random

import networkx as nx

DEFAULTS = dict(papers=3000, topics=6, first_year=2010, last_year=2025, growth=1.15, refs=15, same_topic=0.8,
                memory=4.0, list_from=2018, coverage=0.5, noise=0.6, dimensions=16)


def generate_model(seed: int = 1, **overrides) -> nx.MultiDiGraph:
    p = {**DEFAULTS, **overrides}
    rng = random.Random(seed)
    years = list(range(p["first_year"], p["last_year"] + 1))
    weights = [p["growth"] ** i for i in range(len(years))]
    paper_years = sorted(rng.choices(years, weights=weights, k=p["papers"]))
    topics = [rng.randrange(p["topics"]) for _ in range(p["papers"])]
    cited_count = [0] * p["papers"]
    references: list[set[int]] = [set() for _ in range(p["papers"])]
    by_topic: dict[int, list[int]] = {t: [] for t in range(p["topics"])}
    everyone: list[int] = []
    for paper in range(p["papers"]):
        year = paper_years[paper]
        earlier = [q for q in everyone if paper_years[q] < year]
        if earlier:
            wanted = min(len(earlier), _poisson(rng, p["refs"]))
            for _ in range(wanted):
                pool = [q for q in by_topic[topics[paper]] if paper_years[q] < year] \
                    if rng.random() < p["same_topic"] else earlier
                pool = pool or earlier
                chosen = rng.choices(pool, weights=[(cited_count[q] + 1) * math.exp(-(year - paper_years[q]) / p["memory"])
                                                    for q in pool])[0]
                if chosen not in references[paper]:
                    references[paper].add(chosen)
                    cited_count[chosen] += 1
        by_topic[topics[paper]].append(paper)
        everyone.append(paper)
    listed = [q for q in range(p["papers"]) if topics[q] == 0 and paper_years[q] >= p["list_from"]
              and rng.random() < p["coverage"]]
    directions = [[rng.gauss(0, 1) for _ in range(p["dimensions"])] for _ in range(p["topics"])]
    model = nx.MultiDiGraph(lists=[])
    model.add_node("section/focus", kind="section", label="Focus", level=1)
    for q in listed:
        vector = [x + rng.gauss(0, p["noise"]) for x in directions[topics[q]]]
        model.add_node(f"work/{q}", kind="work", work_type="paper", listed=True, title=f"Paper {q}",
                       year=paper_years[q], embedding=vector)
        model.add_edge(f"work/{q}", "section/focus", key="listed_in")
    for q in listed:
        for r in sorted(references[q]):
            if f"work/{r}" not in model:
                model.add_node(f"work/{r}", kind="work", work_type="paper", listed=False, title=f"Paper {r}",
                               year=paper_years[r])
            model.add_edge(f"work/{q}", f"work/{r}", key="cites")
    return model


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
