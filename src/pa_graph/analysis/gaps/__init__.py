"""Citation gaps: what the list is missing, which listed works should cite each other, what surveys miss, how
sections cite each other — pure functions of the model graph — and the report files a maintainer reads.

One module per analysis, each registering what it adds to the report and to each renderer in
:mod:`~pa_graph.analysis.gaps.registry` (which runs them): ``other_lists`` (works other lists of the field hold),
``missing`` (the ranked missing papers), ``cross`` (missing cross-citations), ``coverage`` (surveys, section
flows), ``compare`` (another list), ``evaluate`` (measured quality). ``peers`` and ``ignore`` read peer lists and
the ignore file; ``apply`` chooses what ``--apply`` writes into a list (:mod:`pa_graph.lists.write` writes it);
``report`` renders the files.
"""

from pa_graph.analysis.gaps.analysis import GapOptions, GapReport
from pa_graph.analysis.gaps.compare import CrossListEntry, ListEntry, compare_lists, entries_of_lists, entries_of_model
from pa_graph.analysis.gaps.coverage import SectionFlows, SurveyCoverage, section_flows, survey_coverage
from pa_graph.analysis.gaps.cross import THRESHOLDS as CROSS_CITATION_THRESHOLDS
from pa_graph.analysis.gaps.cross import MissingCitation, missing_citations
from pa_graph.analysis.gaps.evaluate import evaluate_ranking
from pa_graph.analysis.gaps.ignore import IGNORE_FILE_NAME, IgnoreList, read_ignore_file
from pa_graph.analysis.gaps.index import CitationIndex, has_citations
from pa_graph.analysis.gaps.missing import DEFAULT_TOP, SIGNALS, WEIGHTS, MissingPapers, Suggestion, missing_papers
from pa_graph.analysis.gaps.peers import PeerLists
from pa_graph.analysis.gaps.registry import ANALYSES, analyse
from pa_graph.errors import GapError

__all__ = ["GapError", "GapOptions", "GapReport", "ANALYSES", "analyse", "CrossListEntry", "ListEntry", "compare_lists",
           "entries_of_lists", "entries_of_model", "SectionFlows", "SurveyCoverage", "section_flows", "survey_coverage",
           "CROSS_CITATION_THRESHOLDS", "MissingCitation", "missing_citations", "evaluate_ranking",
           "IGNORE_FILE_NAME", "IgnoreList", "read_ignore_file", "CitationIndex", "has_citations", "DEFAULT_TOP",
           "SIGNALS", "WEIGHTS", "MissingPapers", "Suggestion", "missing_papers", "PeerLists"]
