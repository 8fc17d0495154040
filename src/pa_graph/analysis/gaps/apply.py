"""Which suggestions ``gaps --apply`` writes (the writing itself is :mod:`pa_graph.lists.write`, the CLI's business)."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from pa_graph.analysis.gaps.analysis import GapReport
from pa_graph.analysis.gaps.ignore import IgnoreList
from pa_graph.lists.rows import Addable

__all__ = ["chosen_for_apply"]


def chosen_for_apply(report: GapReport, model: nx.MultiDiGraph[str], only: Sequence[str] = ()) -> list[Addable]:
    """What ``--apply`` writes: the shown suggestions, or those of them and of the works in other lists that
    ``only`` names (an arXiv id, DOI, S2 or OpenAlex id, or a title — matched like the ignore file)."""
    if not only:
        return list(report.suggestions)
    wanted = IgnoreList.parse(only)
    chosen: list[Addable] = [s for s in report.suggestions if wanted.matches({**model.nodes[s.node], "title": s.title})]
    if report.other_lists is not None:
        chosen += [w for w in report.other_lists.works if w.title not in {c.title for c in chosen}
                   and wanted.matches({"title": w.title, "arxiv_id": w.arxiv_id, "doi": w.doi})]
    return chosen
