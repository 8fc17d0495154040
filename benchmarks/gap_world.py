"""Synthetic citation graphs for measuring the missing-paper ranking, generated without looking at the scorer.

Two worlds:

``generate_model(seed)`` — the *flat* world (kept from the first measurement): ``papers`` papers over ``topics``
topics, published from ``first_year`` to ``last_year`` with yearly output growing by ``growth``. Each paper cites
about ``refs`` earlier papers (Poisson): with probability ``same_topic`` one of its own topic, else any topic;
among those, a paper is chosen with weight ``(citations so far + 1) * exp(-age / memory)`` (preferential
attachment with ageing). The curated list: the papers of topic 0 published from ``list_from`` on, each kept with
probability ``coverage``. What pa-graph sees: the listed works with their references, and the referenced works as
works not in the list (their year known, nothing else); SPECTER-like embeddings for listed works only (the topic's
direction plus Gaussian noise ``noise``).

``generate_field(seed)`` — the *field* world, closer to a real one. The same citation process over ``topics``
topics, plus what a real field has:

* ``general`` general works (a foundation model, a classic method) published in any year up to ``general_until``
  years before the last, belonging to no topic; every later paper cites each of them with probability
  ``general_cite``, and each has about ``general_outside`` more citations from outside the simulated field; a
  general work's own references are drawn from the whole field;
* every other paper gets more citations from outside the field in proportion to those inside it (a factor drawn
  uniformly from 0 to ``outside``), so works of topics the list does not cover are moderately cited background;
* the list covers ``list_topics`` topics, one section each: their papers from ``list_from`` on, each kept with
  probability ``coverage``; hidden topical works are therefore cited mostly by one section's works;
* ``peers`` other curated lists of the same topics, each holding every topical paper from ``list_from - 3`` on
  with probability ``peer_coverage`` and any other paper with probability ``peer_noise``;
* what enrichment fetches: every referenced work's year and global citation count; for the ``fetched`` works not
  in the list most cited by listed works (at least two), their own references (to works in the graph) and their
  reference count; embeddings for listed and fetched works (topic direction plus noise ``noise``; general works a
  random direction).

    from gap_world import generate_model, generate_field
    model = generate_model(seed=3)
    model, peers = generate_field(seed=3)
"""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np

from pa_graph.analysis.gaps.index import fetch_candidates
from pa_graph.analysis.gaps.peers import PeerList, PeerLists

DEFAULTS = dict(papers=3000, topics=6, first_year=2010, last_year=2025, growth=1.15, refs=15, same_topic=0.8,
                memory=4.0, list_from=2018, coverage=0.5, noise=0.6, dimensions=16)

FIELD_DEFAULTS = dict(papers=3000, topics=20, list_topics=3, first_year=2008, last_year=2025, growth=1.15, refs=20,
                      same_topic=0.75, memory=4.0, list_from=2018, coverage=0.8, general=8, general_until=2,
                      general_cite=0.15, general_outside=30000, outside=2.0, peers=2, peer_coverage=0.5,
                      peer_noise=0.01, noise=0.6, dimensions=16, fetched=200)


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


def _weighted_sample(rng: np.random.Generator, pool: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(pool))
    if k <= 0:
        return pool[:0]
    return rng.choice(pool, size=k, replace=False, p=weights / weights.sum())


def generate_field(seed: int = 1, **overrides) -> tuple[nx.MultiDiGraph, PeerLists]:
    """The field world's model (as enrichment would give it) and its peer lists; see the module docstring."""
    p = {**FIELD_DEFAULTS, **overrides}
    rng = np.random.default_rng(seed)
    n, general = p["papers"], p["general"]
    years_span = np.arange(p["first_year"], p["last_year"] + 1)
    year_weights = p["growth"] ** np.arange(len(years_span))
    years = np.sort(rng.choice(years_span, size=n, p=year_weights / year_weights.sum()))
    years[:general] = rng.integers(p["first_year"], p["last_year"] - p["general_until"] + 1, size=general)
    order = np.argsort(years, kind="stable")  # papers are numbered in publication order
    years = years[order]
    is_general = np.zeros(n, dtype=bool)
    is_general[np.isin(order, np.arange(general))] = True
    topics = np.where(is_general, -1, rng.integers(0, p["topics"], size=n))
    cited = np.zeros(n)
    references: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n
    starts = np.searchsorted(years, years, side="left")  # papers before index starts[i] are from earlier years
    ordinary = np.flatnonzero(~is_general)
    by_topic = {t: np.flatnonzero(topics == t) for t in range(p["topics"])}
    generals = np.flatnonzero(is_general)
    for i in range(n):
        start = starts[i]
        chosen = []
        k = rng.poisson(p["refs"])
        same = 0 if is_general[i] else rng.binomial(k, p["same_topic"])  # a general work cites across the field
        for pool_all, wanted in ((by_topic.get(topics[i], ordinary[:0]), same), (ordinary, k - same)):
            pool = pool_all[: np.searchsorted(pool_all, start)]
            if len(pool):
                weights = (cited[pool] + 1) * np.exp(-(years[i] - years[pool]) / p["memory"])
                chosen.append(_weighted_sample(rng, pool, weights, wanted))
        earlier_general = generals[years[generals] < years[i]]
        chosen.append(earlier_general[rng.random(len(earlier_general)) < p["general_cite"]])
        refs = np.unique(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
        references[i] = refs
        cited[refs] += 1
    global_count = np.where(is_general, cited + rng.uniform(0.5, 1.5, size=n) * p["general_outside"],
                            cited * (1 + rng.uniform(0, p["outside"], size=n))).round().astype(int)
    listed = [i for i in range(n) if 0 <= topics[i] < p["list_topics"] and years[i] >= p["list_from"]
              and rng.random() < p["coverage"]]
    directions = rng.normal(size=(p["topics"], p["dimensions"]))

    def embedding(i: int) -> list[float]:
        base = rng.normal(size=p["dimensions"]) if topics[i] < 0 else directions[topics[i]]
        return [round(float(x), 4) for x in base + rng.normal(scale=p["noise"], size=p["dimensions"])]

    model = nx.MultiDiGraph(lists=[])  # graph["general"] (the general works) is for the benchmark, not the scorer
    for t in range(p["list_topics"]):
        model.add_node(f"section/{t}", kind="section", label=f"Section {t}", level=1)
    for i in listed:
        model.add_node(f"work/{i}", kind="work", work_type="paper", listed=True, title=f"Paper {i}",
                       year=int(years[i]), citation_count=int(global_count[i]), reference_count=len(references[i]),
                       embedding=embedding(i))
        model.add_edge(f"work/{i}", f"section/{topics[i]}", key="listed_in")
    listed_set = set(listed)
    for i in listed:
        for r in references[i]:
            node = f"work/{r}"
            if node not in model:
                model.add_node(node, kind="work", work_type="paper", listed=False, title=f"Paper {r}",
                               year=int(years[r]), citation_count=int(global_count[r]))
            model.add_edge(f"work/{i}", node, key="cites")
    counts: dict[str, int] = {}
    for i in listed:
        for r in references[i]:
            if int(r) not in listed_set:
                counts[f"work/{r}"] = counts.get(f"work/{r}", 0) + 1
    for node in fetch_candidates(counts, p["fetched"]):
        i = int(node.split("/")[1])
        model.nodes[node]["reference_count"] = len(references[i])
        model.nodes[node]["embedding"] = embedding(i)
        for r in references[i]:
            if f"work/{r}" in model:
                model.add_edge(node, f"work/{r}", key="cites")
    model.graph["general"] = [f"work/{i}" for i in generals if f"work/{i}" in model]
    topical = [i for i in range(n) if 0 <= topics[i] < p["list_topics"] and years[i] >= p["list_from"] - 3]
    peers = []
    for k in range(p["peers"]):
        chosen = [i for i in topical if rng.random() < p["peer_coverage"]]
        chosen += [i for i in range(n) if not (0 <= topics[i] < p["list_topics"]) and rng.random() < p["peer_noise"]]
        peers.append(PeerList.of(f"peer-{k}", ((f"Paper {i}", None) for i in sorted(set(chosen)))))
    return model, PeerLists(tuple(peers))
