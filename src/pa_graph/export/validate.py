"""SHACL validation of a built graph against ``ontology/shapes.ttl`` (pyshacl, core constraints, no inference)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.namespace import RDF, SH

__all__ = ["Violation", "ValidationReport", "validate_graph", "shapes_graph"]



@dataclass(frozen=True, order=True)
class Violation:
    focus: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.focus}: {self.path}: {self.message}" if self.path else f"{self.focus}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]


def shapes_graph() -> Graph:
    """The shapes shipped with the package (the same file as ``ontology/shapes.ttl``)."""
    return Graph().parse(Path(str(resources.files("pa_graph") / "ontology" / "shapes.ttl")), format="turtle")


def validate_graph(data: Graph, shapes: Graph | None = None) -> ValidationReport:
    """Validate ``data``; every violation names its focus node, path and the shape's message."""
    import pyshacl  # imported here: only validation needs it, and it is slow to import

    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes or shapes_graph(), inference="none",
                                            abort_on_first=False, allow_warnings=True)
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        violations.append(Violation(str(focus), _short(results, path), str(message or "")))
    return ValidationReport(bool(conforms), tuple(sorted(violations)))


def _short(graph: Graph, term: Any) -> str:
    if term is None:
        return ""
    try:
        return graph.namespace_manager.normalizeUri(term)
    except Exception:  # a blank-node path (sequence paths) has no short form
        return str(term)
