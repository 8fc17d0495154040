"""Benchmark: the list reader. A synthetic list of ``--entries`` paper entries written as bullets (every shape the
reader knows, in turn, under 20 sections with tables of contents and notes between them) must parse within 5 s. The
bundled list (tables) is parsed too, against the floor measured in the same run: markdown-it's own parse of the same
text, which every reading of the list needs.

    python benchmarks/bench_parse.py [--entries 10000] [--runs 5]

Exits 1 when the bullet list misses its target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from pa_graph.lists.read import _MARKDOWN, parse_list_text
from pa_graph.pipeline import bundled_list

TARGET_SECONDS = 5.0
SHAPES = [
    "+ **\\[2024 Arxiv-2411\\]** Synthetic paper number {n} on personalised alignment. ([Paper](https://arxiv.org/pdf/2411.{n:05d}))",
    "- **Synthetic paper number {n} on user modelling** [[ACL 2024]](https://aclanthology.org/2024.acl-long.{n}.pdf) [[Code]](https://github.com/x/p{n})",
    "- **Synthetic paper number {n} on role play.**\n\n   *Ada Author, Bo Author.* [[abs](https://arxiv.org/abs/2402.{n:05d})], EMNLP 2024",  # noqa: E501
    "* **Synthetic paper number {n} on memory** [[paper](https://openreview.net/forum?id=p{n})]",
    "- Synthetic paper number {n} on retrieval. [NeurIPS 2023] [[paper](https://proceedings.neurips.cc/p{n}.pdf)]",
    "- [Synthetic paper number {n} on decoding](https://arxiv.org/abs/2305.{n:05d}) - ICLR, 2024",
    "1. [Synthetic paper number {n} on feedback](https://arxiv.org/abs/2306.{n:05d})",
    "- (2023/03/30) [Synthetic paper number {n} on agents](https://arxiv.org/abs/2303.{n:05d})\n  - motivation: a note",
]


def synthetic_list(entries: int) -> str:
    lines = ["# Synthetic list", "", *(f"- [Section {s}](#section-{s})" for s in range(20)), ""]
    per_section = entries // 20
    for section in range(20):
        lines += [f"## Section {section}", ""]
        for k in range(per_section):
            n = section * per_section + k
            lines += [SHAPES[n % len(SHAPES)].format(n=n), ""]
    return "\n".join(lines) + "\n"


def timed(text: str, runs: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        rows = len(parse_list_text(text, "bench.md").rows)
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    bundled = bundled_list().read_text(encoding="utf-8")
    table_seconds, table_rows = timed(bundled, options.runs)
    floor = []
    for _ in range(options.runs):
        start = time.perf_counter()
        _MARKDOWN.parse(bundled)
        floor.append(time.perf_counter() - start)
    bullet_seconds, bullet_rows = timed(synthetic_list(options.entries), max(1, options.runs // 2))
    print(f"bundled list (tables): {table_rows} rows in {table_seconds * 1000:.1f} ms, "
          f"{table_seconds / statistics.median(floor):.2f}× markdown-it's parse alone "
          f"({statistics.median(floor) * 1000:.1f} ms)")
    print(f"synthetic bullet list: {bullet_rows} entries in {bullet_seconds:.2f} s "
          f"({bullet_seconds / bullet_rows * 1e6:.0f} µs an entry; target < {TARGET_SECONDS:.0f} s)")
    if bullet_rows != options.entries // 20 * 20:
        print(f"read {bullet_rows} entries, expected {options.entries // 20 * 20}", file=sys.stderr)
        return 1
    return 0 if bullet_seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
