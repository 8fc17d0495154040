"""Synthetic citation graphs for measuring the missing-paper ranking, generated without looking at the scorer.

Four worlds, each with its own assumptions (no parameter was set by looking at the scorer's results):

``generate_model(seed)`` — the *flat* world (kept from the first measurement): ``papers`` papers over ``topics``
topics, published from ``first_year`` to ``last_year`` with yearly output growing by ``growth``. Each paper cites
about ``refs`` earlier papers (Poisson): with probability ``same_topic`` one of its own topic, else any topic;
among those, a paper is chosen with weight ``(citations so far + 1) * exp(-age / memory)`` (preferential
attachment with ageing). The curated list: the papers of topic 0 published from ``list_from`` on, each kept with
probability ``coverage``. The list's gaps (``graph["gaps"]``, for the benchmark, never the scorer): the papers
of topic 0 it lacks, of any year. What pa-graph sees: the listed works with their references, and the referenced
works as works not in the list (their year known, nothing else); SPECTER-like embeddings for listed works only
(the topic's direction plus Gaussian noise ``noise``).

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
* the list's gaps (``graph["gaps"]``): the papers of its topics it lacks, of any year;
* ``peers`` other curated lists of the same topics, each holding every topical paper from ``list_from - 3`` on
  with probability ``peer_coverage`` and any other paper with probability ``peer_noise``;
* what enrichment fetches: every referenced work's year and global citation count; for the ``fetched`` works not
  in the list most cited by listed works (at least two), their own references (to works in the graph) and their
  reference count; embeddings for listed and fetched works (topic direction plus noise ``noise``; general works a
  random direction).

``generate_noisy(seed)`` — the *noisy references* world: the field world, and then a third of every listed work's
references are random outside works (for each listed work, half as many again as it has, drawn uniformly from the
papers not in the list published before it), as sloppy reference extraction or citation padding would leave them.

``generate_mature(seed)`` — the *mature topic* world, built on different assumptions (no citation process at all):
the list has ``sections`` sections of ``per_section`` recent works (``list_from`` to ``last_year``); each section
has ``mature`` topical works published 2 to 4 years before the list's median year, each cited by every work of its
section with probability ``mature_cite`` (half of them are listed, half are not); the listed works of a section
cite earlier ones of the same section with probability ``within``; the gaps are the mature works not listed; the
background is ``background`` recent works (from the median year on), each cited by 2 or 3 listed works drawn from all sections,
plus ``general`` general works
cited by every listed work with probability ``general_cite``. Global citation counts: topical works
``n · (1 + U(0, 2))``, background works ``n · U(3, 30)``, general works tens of thousands. Embeddings for listed
works and for the ``fetched`` candidates most cited by listed works (section direction plus noise; background and
general works a random direction); no candidate's references (coupling unknown); no peer lists.

    from gap_world import generate_model, generate_field, generate_noisy, generate_mature
    model = generate_model(seed=3)
    model, peers = generate_field(seed=3)
"""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np

from pa_graph.analysis.gaps.peers import PeerList, PeerLists
from pa_graph.sources.common import fetch_candidates

DEFAULTS = dict(papers=3000, topics=6, first_year=2010, last_year=2025, growth=1.15, refs=15, same_topic=0.8,
                memory=4.0, list_from=2018, coverage=0.5, noise=0.6, dimensions=16)

FIELD_DEFAULTS = dict(papers=3000, topics=20, list_topics=3, first_year=2008, last_year=2025, growth=1.15, refs=20,
                      same_topic=0.75, memory=4.0, list_from=2018, coverage=0.8, general=8, general_until=2,
                      general_cite=0.15, general_outside=30000, outside=2.0, peers=2, peer_coverage=0.5,
                      peer_noise=0.01, noise=0.6, dimensions=16, fetched=200, noisy_references=0.0)

MATURE_DEFAULTS = dict(sections=4, per_section=40, list_from=2019, last_year=2025, mature=6, mature_cite=0.35,
                       within=0.04, background=400, general=5, general_cite=0.3, noise=0.8, dimensions=16,
                       fetched=200)


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
    kept = set(listed)
    model.graph["gaps"] = [f"work/{q}" for q in range(p["papers"]) if topics[q] == 0 and q not in kept
                           and f"work/{q}" in model]
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

    listed_set = set(listed)
    if p["noisy_references"]:
        outside = np.array([i for i in range(n) if i not in listed_set])
        for i in listed:
            earlier = outside[: np.searchsorted(outside, starts[i])]
            extra = rng.choice(earlier, size=min(len(earlier), round(len(references[i]) * p["noisy_references"])),
                               replace=False) if len(earlier) else earlier
            global_count[extra] += 1
            references[i] = np.union1d(references[i], extra)
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
    model.graph["gaps"] = [f"work/{i}" for i in range(n) if 0 <= topics[i] < p["list_topics"]
                           and i not in listed_set and f"work/{i}" in model]
    topical = [i for i in range(n) if 0 <= topics[i] < p["list_topics"] and years[i] >= p["list_from"] - 3]
    peers = []
    for k in range(p["peers"]):
        chosen = [i for i in topical if rng.random() < p["peer_coverage"]]
        chosen += [i for i in range(n) if not (0 <= topics[i] < p["list_topics"]) and rng.random() < p["peer_noise"]]
        peers.append(PeerList.of(f"peer-{k}", ((f"Paper {i}", None) for i in sorted(set(chosen)))))
    return model, PeerLists(tuple(peers))


def generate_noisy(seed: int = 1, **overrides) -> tuple[nx.MultiDiGraph, PeerLists]:
    """The noisy references world (see the module docstring)."""
    return generate_field(seed, **{"noisy_references": 0.5, **overrides})


def generate_mature(seed: int = 1, **overrides) -> tuple[nx.MultiDiGraph, None]:
    """The mature topic world (see the module docstring); no peer lists."""
    p = {**MATURE_DEFAULTS, **overrides}
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(p["sections"], p["dimensions"]))
    model = nx.MultiDiGraph(lists=[])
    model.graph["general"] = []
    listed_years = rng.integers(p["list_from"], p["last_year"] + 1, size=(p["sections"], p["per_section"]))
    median = int(np.median(listed_years))
    embedding_of: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    citations: list[tuple[str, str]] = []
    global_count: dict[str, int] = {}

    def add(node: str, year: int, listed: bool, direction: np.ndarray | None) -> None:
        model.add_node(node, kind="work", work_type="paper", listed=listed, title=f"Paper {node}", year=year)
        base = rng.normal(size=p["dimensions"]) if direction is None else direction
        embedding_of[node] = base + rng.normal(scale=p["noise"], size=p["dimensions"])

    listed_by_section = []
    for s in range(p["sections"]):
        model.add_node(f"section/{s}", kind="section", label=f"Section {s}", level=1)
        works = []
        for k, year in enumerate(sorted(listed_years[s])):
            node = f"work/{s}-{k}"
            add(node, int(year), True, directions[s])
            model.add_edge(node, f"section/{s}", key="listed_in")
            works.append(node)
        for m in range(p["mature"]):
            node = f"work/{s}-mature-{m}"
            listed = m % 2 == 0
            add(node, median - int(rng.integers(2, 5)), listed, directions[s])
            if listed:
                model.add_edge(node, f"section/{s}", key="listed_in")
            citations += [(w, node) for w in works if rng.random() < p["mature_cite"]]
            global_count[node] = 0
        for a, citing in enumerate(works):
            citations += [(citing, cited) for cited in works[:a] if rng.random() < p["within"]
                          and model.nodes[cited]["year"] <= model.nodes[citing]["year"]]
        listed_by_section.append(works)
    every_listed = [w for works in listed_by_section for w in works]
    for b in range(p["background"]):
        node = f"work/background-{b}"
        add(node, int(rng.integers(median, p["last_year"] + 1)), False, None)
        chosen = rng.choice(len(every_listed), size=int(rng.integers(2, 4)), replace=False)
        citations += [(every_listed[c], node) for c in chosen]
    for g in range(p["general"]):
        node = f"work/general-{g}"
        add(node, int(rng.integers(2012, p["list_from"])), False, None)
        citations += [(w, node) for w in every_listed if rng.random() < p["general_cite"]]
        model.graph["general"].append(node)
    for citing, cited in citations:
        model.add_edge(citing, cited, key="cites")
    for node in model.nodes:
        if model.nodes[node].get("kind") != "work":
            continue
        n = sum(1 for u, _, k in model.in_edges(node, keys=True) if k == "cites")
        if node.startswith("work/background"):
            g = n * rng.uniform(3, 30)
        elif node.startswith("work/general"):
            g = rng.uniform(10_000, 60_000)
        else:
            g = n * (1 + rng.uniform(0, 2))
        model.nodes[node]["citation_count"] = max(n, round(g))
        if not model.nodes[node]["listed"]:
            counts[node] = n
    fetched = set(fetch_candidates(counts, p["fetched"]))
    for node, vector in embedding_of.items():
        if model.nodes[node]["listed"] or node in fetched:
            model.nodes[node]["embedding"] = [round(float(x), 4) for x in vector]
    model.graph["gaps"] = [node for node in model if "-mature-" in node and not model.nodes[node]["listed"]]
    return model, None
