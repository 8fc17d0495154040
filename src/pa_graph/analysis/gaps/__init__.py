"""Citation gaps: what the list is missing, which listed works should cite each other, what surveys miss, how
sections cite each other — pure functions of the model graph — and the report files a maintainer reads.

One module per analysis: :mod:`~pa_graph.analysis.gaps.missing` (the ranked missing papers), :mod:`~pa_graph.analysis.gaps.cross`
(missing cross-citations), :mod:`~pa_graph.analysis.gaps.coverage` (surveys, section flows),
:mod:`~pa_graph.analysis.gaps.compare`
(another list), :mod:`~pa_graph.analysis.gaps.evaluate` (measured quality); :mod:`~pa_graph.analysis.gaps.peers` and
:mod:`~pa_graph.analysis.gaps.ignore` read peer lists and the ignore file; :mod:`~pa_graph.analysis.gaps.apply` chooses what
``--apply`` writes into a list (:mod:`pa_graph.lists.write` writes it); :mod:`~pa_graph.analysis.gaps.report` renders the files.
"""

from pa_graph.analysis.gaps.analysis import GapOptions, GapReport, analyse
from pa_graph.analysis.gaps.compare import CrossListEntry, ListEntry, compare_lists, entries_of_lists, entries_of_model
from pa_graph.analysis.gaps.coverage import SectionFlows, SurveyCoverage, section_flows, survey_coverage
from pa_graph.analysis.gaps.cross import THRESHOLDS as CROSS_CITATION_THRESHOLDS
from pa_graph.analysis.gaps.cross import MissingCitation, missing_citations
from pa_graph.analysis.gaps.evaluate import evaluate_ranking
from pa_graph.analysis.gaps.ignore import IGNORE_FILE_NAME, IgnoreList, read_ignore_file
from pa_graph.analysis.gaps.index import CitationIndex, has_citations
from pa_graph.analysis.gaps.missing import DEFAULT_TOP, SIGNALS, WEIGHTS, MissingPapers, Suggestion, missing_papers
from pa_graph.analysis.gaps.peers import PeerLists
from pa_graph.errors import GapError

__all__ = ["GapError", "GapOptions", "GapReport", "analyse", "CrossListEntry", "ListEntry", "compare_lists", "entries_of_lists",
           "entries_of_model", "SectionFlows", "SurveyCoverage", "section_flows", "survey_coverage",
           "CROSS_CITATION_THRESHOLDS", "MissingCitation", "missing_citations", "evaluate_ranking",
           "IGNORE_FILE_NAME", "IgnoreList", "read_ignore_file", "CitationIndex", "has_citations", "DEFAULT_TOP",
           "SIGNALS", "WEIGHTS", "MissingPapers", "Suggestion", "missing_papers", "PeerLists"]
