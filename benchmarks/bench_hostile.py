"""Hostile inputs doubled (1×, 2×, 4×): time and output size must grow at most linearly. Each row is one input
shape that once grew with the square of its size: rows sharing one arXiv link (the view's tooltips), unclosed HTML
headings and comments and citation parentheses (the list reader's patterns), and peer lists of near-duplicate rows
on shared links (resolving works). Times are medians of three runs in this process; the ratio column is the time
at 4× over the time at 1× (linear: about 4; quadratic: about 16).

    python benchmarks/bench_hostile.py [--markdown FILE]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

WORDS = "alignment preference persona reward model user memory agent retrieval decoding tuning feedback".split()


def shared_link_rows(n: int, seed: int = 7) -> str:
    chosen = random.Random(seed)
    rows = "\n".join(f"| [{' '.join(chosen.sample(WORDS, 6)).title()} {k}](https://arxiv.org/abs/2401.{k % 3:05d}) "
                     "| 2024 | |" for k in range(n))
    return "# Hostile\n\n## Papers\n\n| Paper | Year | PDF |\n|---|---|---|\n" + rows + "\n"


def main() -> None:
    from pa_graph import BuildOptions, GapOptions, build
    from pa_graph.lists.read import parse_list_text

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    arguments = parser.parse_args()
    head = "# T\n\n## S\n\n- **A real paper title here** [[paper](https://arxiv.org/abs/2401.00001)]\n\n"
    folder = Path(tempfile.mkdtemp())

    def page_of_shared_links(scale: int) -> int:
        listed = folder / f"shared-{scale}.md"
        listed.write_text(shared_link_rows(1000 * scale), encoding="utf-8")
        build([listed], BuildOptions(out_dir=folder / f"out-{scale}", enrich=False))
        return (folder / f"out-{scale}" / "graph.html").stat().st_size

    def parsed(text: str) -> int:
        parse_list_text(text, "list.md")
        return len(text)

    def peers(scale: int) -> int:
        ours, one, two = (folder / f"{name}-{scale}.md" for name in ("ours", "one", "two"))
        ours.write_text(shared_link_rows(50, seed=1), encoding="utf-8")
        one.write_text(shared_link_rows(2000 * scale, seed=2), encoding="utf-8")
        two.write_text(shared_link_rows(2000 * scale, seed=3), encoding="utf-8")
        result = build([ours], BuildOptions(out_dir=folder / f"peers-{scale}", enrich=False,
                                            gaps=GapOptions(peers=(one, two))))
        return len(result.graph.gap_report.other_lists.works) if result.graph.gap_report else 0

    cases: list[tuple[str, str, Callable[[int], int]]] = [
        ("1,000 rows a scale on 3 shared arXiv links: build, graph.html bytes", "bytes", page_of_shared_links),
        ("250 KB a scale of unclosed `<h2>`: read", "chars", lambda k: parsed(head + "<h2>x " * (41_666 * k))),
        ("250 KB a scale of unclosed comments in a heading", "chars", lambda k: parsed(head + "## " + "<!-- x " * (35_714 * k))),
        ("250 KB a scale of citation parentheses on a bullet", "chars",
         lambda k: parsed(head + "- **A title of a paper here** [[p](https://arxiv.org/abs/2401.00002)] "
                          + "(a, 2020 " * (27_777 * k))),
        ("two peer lists of 2,000 rows a scale on shared links: build with --peers", "works", peers),
    ]
    lines = ["| input | 1× s | 2× s | 4× s | 4×/1× time | size 1× → 4× |", "|---|---|---|---|---|---|"]
    for label, unit, run in cases:
        times, sizes = [], []
        for scale in (1, 2, 4):
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                size = run(scale)
                runs.append(time.perf_counter() - started)
            times.append(statistics.median(runs))
            sizes.append(size)
        lines.append(f"| {label} | {times[0]:.2f} | {times[1]:.2f} | {times[2]:.2f} | {times[2] / times[0]:.1f} "
                     f"| {sizes[0]:,} → {sizes[2]:,} {unit} |")
        print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    if arguments.markdown:
        arguments.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
