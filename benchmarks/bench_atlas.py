"""Benchmark: the field atlas of twelve synthetic lists of 200 to 2,000 works each, drawn from one field of 8,000
works with a few works every list holds and a long tail only one holds (as real lists of one field look): the
whole build (offline, no enrichment) and the atlas's part of it (atlas.json, atlas.md and atlas.html rendered from
the model, timed inside the build), time and memory, measured in the same process. And the bundled list with the two
real sibling lists, in a process of its own (the renderer's first page included).

Target: the atlas adds at most 20% to the build; the bundled and real lists' atlas in a second or two. Exits 1 when
missed.

    python benchmarks/bench_atlas.py
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
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
    """One build, with the atlas's own call timed inside it (its charts' renderer started as the build does), then
    the atlas again, alone, for its memory."""
    from unittest import mock

    from pa_graph import BuildOptions, build
    from pa_graph.build_folder import atlas_files

    inside: list[float] = []

    def timed(*args: object, **kwargs: object) -> dict[str, str]:
        start = time.perf_counter()
        try:
            return atlas_files(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            inside.append(time.perf_counter() - start)

    start = time.perf_counter()
    with mock.patch("pa_graph.build_folder.atlas_files", timed):
        result = build(paths, BuildOptions(out_dir=out, enrich=False))
    total = time.perf_counter() - start
    alone = sum(inside)
    start = time.perf_counter()  # the same build with no atlas and no renderer started: the baseline
    with mock.patch("pa_graph.build_folder.atlas_files", lambda *args, **kwargs: {}), \
            mock.patch("pa_graph.session.warm_up", lambda: None):
        build(paths, BuildOptions(out_dir=out.with_name(out.name + "-plain"), enrich=False))
    plain = time.perf_counter() - start
    tracemalloc.start()
    atlas_files(result.graph.model)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    works = sum(1 for _, data in result.graph.model.nodes(data=True) if data.get("kind") == "work")
    return {"total": total, "plain": plain, "atlas": alone, "atlas_mb": peak / 1e6, "works": works}


def main() -> None:
    from pa_graph.lists.load import bundled_list

    if sys.argv[1:] == ["--real"]:  # the child: the real lists in a fresh process
        with tempfile.TemporaryDirectory() as folder:
            real = measure([bundled_list(), *sorted((ROOT / "tests" / "fixtures" / "lists").glob("*-awesome-*.md"))],
                           Path(folder) / "real")
        print(json.dumps(real))
        return
    with tempfile.TemporaryDirectory() as folder:
        synthetic = measure(lists(Path(folder)), Path(folder) / "out")
    real = json.loads(subprocess.run([sys.executable, __file__, "--real"], capture_output=True, text=True,
                                     check=True).stdout.strip().splitlines()[-1])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    share = synthetic["total"] / synthetic["plain"] - 1
    print(f"twelve lists of {SIZES[0]:,}-{SIZES[-1]:,} works ({sum(SIZES):,} rows, {synthetic['works']:,} works): "
          f"build {synthetic['total']:.1f} s with the atlas, {synthetic['plain']:.1f} s without (+{100 * share:.0f}%; "
          f"target ≤ 20%); the atlas's call in the build {synthetic['atlas']:.2f} s, its own peak "
          f"{synthetic['atlas_mb']:.0f} MB; the process's peak RSS {rss:.2f} GB")
    print(f"the bundled list with the two real sibling lists ({real['works']} works), a fresh process: build "
          f"{real['total']:.2f} s with the atlas, {real['plain']:.2f} s without; the atlas's call {real['atlas']:.2f} s "
          "(target: a second or two)")
    sys.exit(0 if share <= 0.20 and real["total"] - real["plain"] <= 2.0 else 1)


if __name__ == "__main__":
    main()
