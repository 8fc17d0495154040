"""Benchmark: whether the missing-paper ranking holds on worlds it was not tuned on, and the time of every gap
analysis on the fake-enriched bundled list read from the cache.

Four synthetic worlds with deliberately different assumptions (``benchmarks/gap_world.py``): *field*, *flat*,
*mature topic*, *noisy references*. What counts as right in a world is its generator's gaps — the works of the
list's topics that the list lacks, of any year (hidden from the scorer) — among the candidates cited by at least
two listed works. Each gap is ranked against the candidates that are not gaps (its rank = 1 + how many of them
rank above it), so the measure asks how well a real gap stands out of the background, not how many gaps there
are. For each world, over held-out seeds: recall@10 (the share of gaps ranked in the top 10) and MRR (the mean of
1 / rank), mean ± sd, for the default and the baselines:
in-degree, in-degree with background works last, and every signal alone. Each world is measured with all the data
it has (peer lists, embeddings) and as a plain enriched build has it (neither).

Leave one world out: for each world, the ranking's weights and background penalty are chosen on the training seeds
(101..100 + ``--train``) of the *other three* and reported on the held-out seeds (1..``--seeds``) of that one. The
shipped default (``pa_graph.analysis.gaps.missing``) is chosen the same way on the training seeds of all four
(``--fit`` prints it) and must not lose, on any world and condition, to any baseline on mean MRR or mean recall@10.

Speed: all analyses on the fake-enriched bundled list with --citations within 5 s from the cache.

    python benchmarks/bench_gaps.py [--seeds 10] [--train 5] [--samples 400] [--fit] [--markdown FILE]

Exits 1 when the shipped default loses on a world or the speed target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from gap_world import generate_field, generate_mature, generate_model, generate_noisy  # noqa: E402

from pa_graph.analysis.gaps.evaluate import variants  # noqa: E402
from pa_graph.analysis.gaps.index import CitationIndex  # noqa: E402
from pa_graph.analysis.gaps.missing import DEFAULT_RANKER, SIGNALS, Ranker, candidates_of, ranking, signal_table  # noqa: E402

SPEED_LIMIT_S = 5.0
METRICS = ("recall@10", "mrr")
WORLDS: dict[str, Callable] = {
    "field": generate_field,
    "flat": lambda seed: (generate_model(seed), None),
    "mature topic": generate_mature,
    "noisy references": generate_noisy,
}
#: What a build may lack: its peer lists and embeddings (a plain enriched build has neither).
CONDITIONS = {"all its data": (), "no peers, no embeddings": ("peers", "embeddings")}


@dataclass
class Case:
    """One world seed in one condition: the candidates' signal table and which of them are gaps or general."""

    table: object
    gaps: np.ndarray
    general: np.ndarray

    @classmethod
    def of(cls, model, peers, without: tuple[str, ...]) -> Case:
        if "embeddings" in without:
            for _, data in model.nodes(data=True):
                data.pop("embedding", None)
        index = CitationIndex.of(model)
        candidates = candidates_of(index, 2)
        table = signal_table(index, candidates, None if "peers" in without else peers)
        gaps, general = set(model.graph.get("gaps", [])), set(model.graph.get("general", []))
        return cls(table, np.array([c in gaps for c in candidates]), np.array([c in general for c in candidates]))

    def measure(self, ranker: Ranker) -> dict[str, float]:
        """Each gap's rank among the candidates that are not gaps (1 + how many of them rank above it)."""
        order = ranking(self.table, ranker)
        hits = self.gaps[order]
        general = float(self.general[order[:10]].sum())
        if not hits.any():
            return {"recall@10": 0.0, "mrr": 0.0, "general@10": general}
        ranks = np.cumsum(~hits)[hits] + 1
        return {"recall@10": float((ranks <= 10).mean()), "mrr": float((1 / ranks).mean()), "general@10": general}


def cases(world: str, seeds: range) -> dict[str, list[Case]]:
    """Every condition's cases of ``world`` over ``seeds`` (a model is generated anew for each condition)."""
    return {condition: [Case.of(*WORLDS[world](seed), without) for seed in seeds]
            for condition, without in CONDITIONS.items()}


def mean_metrics(items: list[Case], ranker: Ranker) -> dict[str, list[float]]:
    measured = [case.measure(ranker) for case in items]
    return {m: [r[m] for r in measured] for m in (*METRICS, "general@10")}


def objective(training: list[dict[str, list[Case]]], ranker: Ranker) -> float:
    """Mean over worlds and conditions of (MRR + recall@10) / 2."""
    values = []
    for world in training:
        for items in world.values():
            measured = mean_metrics(items, ranker)
            values.append((statistics.fmean(measured["mrr"]) + statistics.fmean(measured["recall@10"])) / 2)
    return statistics.fmean(values)




def _ranker(vector: np.ndarray, background: float, evidence: float) -> Ranker:
    weights = {s: round(float(w), 3) for s, w in zip(SIGNALS, vector, strict=True)}
    return Ranker(weights, background=round(background, 2), evidence=round(evidence, 2))


def fit(training: list[dict[str, list[Case]]], samples: int, seed: int = 0) -> Ranker:
    """Random search (Dirichlet weights of a random total, a random penalty and evidence weight), then
    coordinate steps on each weight, the penalty and the evidence weight."""
    rng = np.random.default_rng(seed)
    tried = [DEFAULT_RANKER, Ranker({}, background=0.0), Ranker({}, background=10.0)]
    for _ in range(samples):
        tried.append(_ranker(rng.dirichlet(np.ones(len(SIGNALS))) * rng.uniform(0, 12), float(rng.uniform(0, 30)),
                             float(rng.uniform(0, 3))))
    best = max(tried, key=lambda r: objective(training, r))
    best_value = objective(training, best)
    step = 1.0
    while step >= 0.05:
        improved = False
        for j in range(len(SIGNALS) + 2):
            for delta in (step, -step):
                vector = np.array([best.weights.get(s, 0.0) for s in SIGNALS])
                background, evidence = best.background, best.evidence
                if j < len(SIGNALS):
                    vector[j] = max(0.0, vector[j] + delta)
                elif j == len(SIGNALS):
                    background = max(0.0, background + 3 * delta)
                else:
                    evidence = max(0.0, evidence + delta / 2)
                trial = _ranker(vector, background, evidence)
                value = objective(training, trial)
                if value > best_value + 1e-9:
                    best, best_value, improved = trial, value, True
        if not improved:
            step /= 2
    return best


def table_rows(world: str, held_out: dict[str, list[Case]], ranker: Ranker) -> tuple[list[str], list[str]]:
    """Markdown rows for one world (default and baselines per condition), and where the default loses."""
    rows, losses = [], []
    for condition, items in held_out.items():
        results = {}
        for label, candidate in variants(ranker).items():
            if label.endswith(" only") and not any(case.table.active[SIGNALS.index(label[:-5])] for case in items):
                continue  # no data for that signal in this condition
            results[label] = mean_metrics(items, candidate)
        default = {m: statistics.fmean(results["default"][m]) for m in METRICS}
        best_baseline = {m: max(statistics.fmean(v[m]) for label, v in results.items() if label != "default")
                         for m in METRICS}
        for label, values in results.items():
            cells = [f"{statistics.fmean(values[m]):.3f} ± {statistics.stdev(values[m]):.3f}" for m in METRICS]
            rows.append(f"| {world} | {condition} | {label} | " + " | ".join(cells) +
                        f" | {statistics.fmean(values['general@10']):.1f} |")
            if label != "default":
                losses += [f"{world} ({condition}): {label} beats the default on {m} "
                           f"({statistics.fmean(values[m]):.3f} > {default[m]:.3f})"
                           for m in METRICS if statistics.fmean(values[m]) > default[m] + 1e-12]
        rows.append(f"| {world} | {condition} | *margin over the best baseline* | "
                    + " | ".join(f"{default[m] - best_baseline[m]:+.3f}" for m in METRICS) + " | |")
    return rows, losses


HEADER = ["| world | condition | ranking | recall@10 | MRR | general@10 |", "|---|---|---|---|---|---|"]


def quality(seeds: int, train: int, samples: int, refit: bool) -> tuple[list[str], list[str], Ranker]:
    start = time.perf_counter()
    training = {world: cases(world, range(101, 101 + train)) for world in WORLDS}
    held_out = {world: cases(world, range(1, 1 + seeds)) for world in WORLDS}
    print(f"generated {len(WORLDS)} worlds × ({train} training + {seeds} held-out seeds) × {len(CONDITIONS)} "
          f"conditions in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    out = ["## Leave one world out", "",
           f"Weights chosen on the training seeds of the other three worlds, measured on {seeds} held-out seeds of "
           "this one (mean ± sd).", "", *HEADER]
    for world in WORLDS:
        ranker = fit([training[w] for w in WORLDS if w != world], samples)
        print(f"left out {world}: {ranker}", file=sys.stderr)
        rows, _ = table_rows(world, held_out[world], ranker)
        out += [row for row in rows if "| default |" in row or "margin" in row]
    shipped = fit(list(training.values()), samples) if refit else DEFAULT_RANKER
    if refit:
        print(f"fitted on all four worlds' training seeds: WEIGHTS = {dict(shipped.weights)!r}, "
              f"BACKGROUND_PENALTY = {shipped.background!r}, EVIDENCE_WEIGHT = {shipped.evidence!r}")
    rows, losses = [], []
    for world in WORLDS:
        world_rows, world_losses = table_rows(world, held_out[world], shipped)
        rows += world_rows
        losses += world_losses
    out += ["", "## The shipped default on every world", "",
            f"`WEIGHTS` = `{dict(shipped.weights)}`, `BACKGROUND_PENALTY` = {shipped.background}, "
            f"`EVIDENCE_WEIGHT` = {shipped.evidence}; {seeds} held-out "
            "seeds (mean ± sd).", "", *HEADER, *rows, ""]
    return out, losses, shipped


def speed() -> tuple[bool, str]:
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph import BuildOptions, build
    from pa_graph.sources.common import EnrichOptions
    from pa_graph.sources.s2 import S2Settings

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        with FakeS2(build_world()) as fake:
            result = build(options=BuildOptions(out_dir=folder / "out", cache_dir=folder / "cache",
                                                extras=EnrichOptions(citations=True, embeddings=True),
                                                s2=S2Settings(api_url=fake.url, rate=1000.0)))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pa_graph", "gaps", "--graph", str(folder / "out" / "graph.ttl"),
                        "--out", str(folder / "gaps")], check=True, capture_output=True)
        seconds = time.perf_counter() - start
    line = (f"fake-enriched bundled list with --citations --embeddings: {result.graph.enrichment.requests} requests; "
            f"all gap analyses from the cache: {seconds:.2f} s wall, process start included "
            f"(target < {SPEED_LIMIT_S:.0f} s)")
    return seconds < SPEED_LIMIT_S, line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="held-out seeds per world")
    parser.add_argument("--train", type=int, default=5, help="training seeds per world")
    parser.add_argument("--samples", type=int, default=400, help="random rankings tried per fit")
    parser.add_argument("--fit", action="store_true", help="also fit the shipped default on all four worlds")
    parser.add_argument("--markdown", type=Path, help="write the tables to this file too")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    options = parser.parse_args()
    lines, losses, _ = quality(options.seeds, options.train, options.samples, options.fit)
    fast, speed_line = (True, "") if options.no_speed else speed()
    verdict = ("\n".join(losses) if losses else "The shipped default loses to no baseline on mean MRR or mean "
               "recall@10, on any world or condition.")
    text = "\n".join([*lines, verdict, "", speed_line]).rstrip() + "\n"
    print(text)
    if options.markdown:
        options.markdown.write_text(text, encoding="utf-8")
    return 0 if fast and not losses else 1


if __name__ == "__main__":
    sys.exit(main())
