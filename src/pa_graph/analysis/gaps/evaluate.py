"""Measured quality of the missing-paper ranking: hide listed works one at a time and see where they come back.

Each listed work that at least ``min_hidden_citers`` listed works cite is taken off the list in turn: it loses its
listing and sections; it keeps its own references and embedding only when enrichment would have fetched them for
a work not in the list (:func:`pa_graph.sources.common.fetch_candidates`), and keeps what any work not in the list has
(year, global citation count, presence in peer lists). All works cited by at least one listed work are then ranked;
reported are recall@k (the share of hidden works ranked in the top k) and MRR (mean of 1/rank) for the default
ranking, each signal alone, in-degree (= ``citations`` alone, how Local Citation Network ranks) and in-degree among
non-background candidates (background works, those whose shrunk specificity is below the median, after the rest).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from pa_graph.analysis.gaps.base import GapAnalysis, GapInputs
from pa_graph.analysis.gaps.index import CitationIndex
from pa_graph.analysis.gaps.missing import (
    DEFAULT_RANKER,
    SIGNALS,
    Ranker,
    SignalTable,
    candidates_of,
    scores,
    signal_table,
)
from pa_graph.analysis.gaps.peers import PeerLists
from pa_graph.errors import GapError
from pa_graph.sources.common import fetch_candidates

if TYPE_CHECKING:
    from pa_graph.analysis.gaps.analysis import GapReport

__all__ = ["Trial", "trials", "rank_of", "evaluate_ranking", "variants", "summarise"]


@dataclass(frozen=True)
class Trial:
    """One hidden work and the signal table of the candidates it competes with."""

    work: str
    table: SignalTable
    target: int  # the hidden work's row in the table


#: Large enough to put every background candidate after every other one.
_LAST = 1e6


def variants(ranker: Ranker = DEFAULT_RANKER) -> dict[str, Ranker]:
    """The rankings compared: the default, in-degree (alone and among non-background works), every other signal
    alone."""
    return {"default": ranker, "in-degree": Ranker.in_degree(), "in-degree, background last": Ranker.in_degree(_LAST),
            **{f"{signal} only": Ranker.alone(signal) for signal in SIGNALS if signal != "citations"}}


def trials(model: nx.MultiDiGraph[str], peers: PeerLists | None = None, min_hidden_citers: int = 2) -> list[Trial]:
    index = CitationIndex.of(model)
    peer_counts: dict[str, int] = {}
    found = []
    for work in [w for w in index.listed if len(index.listed_citers(w)) >= min_hidden_citers]:
        without = index.hiding(work, keep_references=False, keep_embedding=False)
        counts = {node: len(without.listed_citers(node)) for node in without.citers if node not in without.listed_set}
        fetched = work in set(fetch_candidates(counts))
        trial_index = index.hiding(work, keep_references=fetched, keep_embedding=fetched)
        candidates = candidates_of(trial_index, 1)
        table = signal_table(trial_index, candidates, peers, peer_counts)
        found.append(Trial(work, table, candidates.index(work)))
    return found


def rank_of(trial: Trial, weights: Mapping[str, float] | Ranker) -> int:
    """Where the hidden work lands (1 = first) under ``weights``, ties broken as the ranking breaks them."""
    score = np.round(scores(trial.table, weights), 12)
    mine = score[trial.target]
    ahead = (score > mine) | ((score == mine) & (trial.table.tiebreak < trial.table.tiebreak[trial.target]))
    return int(ahead.sum()) + 1


def summarise(ranks: Sequence[int], ks: Sequence[int] = (10, 20)) -> dict[str, float]:
    if not ranks:
        return {**{f"recall@{k}": 0.0 for k in ks}, "mrr": 0.0}
    return {**{f"recall@{k}": round(sum(1 for r in ranks if r <= k) / len(ranks), 4) for k in ks},
            "mrr": round(statistics.fmean(1 / r for r in ranks), 4)}


def evaluate_ranking(model: nx.MultiDiGraph[str], peers: PeerLists | None = None, min_hidden_citers: int = 2,
                     ks: Sequence[int] = (10, 20), weights: Ranker = DEFAULT_RANKER) -> dict[str, Any]:
    """``{"hidden": n, "results": {ranking: {"recall@10": …, "recall@20": …, "mrr": …}}, "no_data": [signal]}``;
    a signal the graph has no data for (no embeddings, no peer lists…) is listed in ``no_data``, not ranked alone."""
    measured = trials(model, peers, min_hidden_citers)
    known = {signal for j, signal in enumerate(SIGNALS) if any(t.table.active[j] for t in measured)}
    chosen = {name: r for name, r in variants(weights).items() if all(signal in known for signal in r.weights)
              or name == "default"}
    return {"hidden": len(measured),
            "results": {name: summarise([rank_of(t, w) for t in measured], ks) for name, w in chosen.items()},
            "no_data": [signal for signal in SIGNALS if signal not in known]}


# ----- what it adds to the report ------------------------------------------------------------------------------

def _run(inputs: GapInputs, so_far: Mapping[str, Any]) -> dict[str, Any]:
    if not inputs.evaluate:
        return {}
    if inputs.index is None:
        raise GapError("the evaluation needs citations: build with Semantic Scholar data first")
    return {"evaluation": evaluate_ranking(inputs.model, inputs.peer_lists)}


def _text(report: GapReport) -> list[str]:
    evaluation = report.evaluation
    if evaluation is None:
        return []
    lines = [f"evaluation ({evaluation['hidden']} hidden works): ranking  recall@10  recall@20  MRR"]
    lines += [f"  {name:<20} {v['recall@10']:.3f}  {v['recall@20']:.3f}  {v['mrr']:.3f}"
              for name, v in evaluation["results"].items()]
    if evaluation["no_data"]:
        lines.append(f"  no data in this graph for: {', '.join(evaluation['no_data'])}")
    return lines


def _markdown(report: GapReport) -> list[str]:
    evaluation = report.evaluation
    if evaluation is None:
        return []
    lines = [f"## Measured quality ({evaluation['hidden']} listed works hidden one at a time)", "",
             "| ranking | recall@10 | recall@20 | MRR |", "|---|---|---|---|"]
    for name, values in evaluation["results"].items():
        lines.append(f"| {name} | {values['recall@10']:.3f} | {values['recall@20']:.3f} | {values['mrr']:.3f} |")
    if evaluation.get("no_data"):
        lines += ["", f"No data in this graph for: {', '.join(evaluation['no_data'])}."]
    lines.append("")
    return lines


def _json(report: GapReport) -> dict[str, Any]:
    return {"evaluation": report.evaluation}


#: How well the ranking finds listed works hidden one at a time (``--evaluate``; needs citations).
ANALYSIS = GapAnalysis(_run, _text, _markdown, _json)
