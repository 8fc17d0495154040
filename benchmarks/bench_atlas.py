"""Benchmark: the field atlas of twelve synthetic lists of 200 to 2,000 works each, drawn from one field of 8,000
works with a few works every list holds and a long tail only one holds (as real lists of one field look): the
whole build (offline, no enrichment) and the atlas's part of it (atlas.json, atlas.md and atlas.html rendered from
the model), time and memory, measured in the same process. And the bundled list with the two real sibling lists.

Target: the atlas adds at most 20% to the build; the bundled and real lists' atlas in a second or two. Exits 1 when
missed.

    python benchmarks/bench_atlas.py
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LISTS, FIELD, SEED = 12, 8_000, 12
SIZES = [200 + round(1_800 * i / (LISTS - 1)) for i in range(LISTS)]  # 200 … 2,000


def lists(folder: Path) -> list[Path]:
    """Twelve lists of one field: each draws its works by popularity (a Zipf law), so a core is shared."""
    rng = random.Random(SEED)
    words = "adaptive aligned agents bandit calibrated causal dense diffusion dynamic federated graph guided memory " \
            "modular neural online personal plural policy preference profile prompt reward retrieval robust steering"
    vocabulary = words.split()
    titles = [f"Field work {n}: " + " ".join(rng.sample(vocabulary, 5)) for n in range(FIELD)]
    weights = [1 / (rank + 1) ** 0.9 for rank in range(FIELD)]
    paths = []
    for number, size in enumerate(SIZES):
        chosen: dict[int, None] = {}
        while len(chosen) < size:
            chosen.update(dict.fromkeys(rng.choices(range(FIELD), weights=weights, k=size)))
        picked = list(chosen)[:size]
        rows = [f"| [{titles[n]}](https://arxiv.org/abs/{2301 + n // 9000}.{n % 9000 + 10000:05d}) | "
                f"{2023 + n % 3} | |" for n in picked]
        sections = [rows[i::4] for i in range(4)]
        text = f"# Synthetic list {number}\n\n" + "\n".join(
            f"## Part {i}\n\n| Paper | Year | PDF |\n|---|---|---|\n" + "\n".join(part) + "\n" for i, part in
            enumerate(sections))
        path = folder / f"list-{number:02d}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def measure(paths: list[Path], out: Path) -> dict[str, float]:
    from pa_graph import BuildOptions, build
    from pa_graph.analysis.atlas import atlas_files

    start = time.perf_counter()
    result = build(paths, BuildOptions(out_dir=out, enrich=False))
    total = time.perf_counter() - start
    tracemalloc.start()
    start = time.perf_counter()
    atlas_files(result.graph.model)
    alone = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    works = sum(1 for _, data in result.graph.model.nodes(data=True) if data.get("kind") == "work")
    return {"total": total, "atlas": alone, "atlas_mb": peak / 1e6, "works": works}


def main() -> None:
    from pa_graph.lists.load import bundled_list

    with tempfile.TemporaryDirectory() as folder:
        synthetic = measure(lists(Path(folder)), Path(folder) / "out")
        real = measure([bundled_list(), *sorted((ROOT / "tests" / "fixtures" / "lists").glob("*-awesome-*.md"))],
                       Path(folder) / "real")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    share = synthetic["atlas"] / (synthetic["total"] - synthetic["atlas"])
    print(f"twelve lists of {SIZES[0]:,}-{SIZES[-1]:,} works ({sum(SIZES):,} rows, {synthetic['works']:,} works): "
          f"build {synthetic['total']:.1f} s, of which the atlas {synthetic['atlas']:.2f} s "
          f"(+{100 * share:.0f}% over the rest of the build; target ≤ 20%), the atlas's own peak "
          f"{synthetic['atlas_mb']:.0f} MB, the process's peak RSS {rss:.2f} GB")
    print(f"the bundled list with the two real sibling lists ({real['works']} works): build {real['total']:.2f} s, "
          f"the atlas {real['atlas']:.2f} s (target: a second or two)")
    sys.exit(0 if share <= 0.20 and real["atlas"] <= 2.0 else 1)


if __name__ == "__main__":
    main()
