"""Query stage: SPARQL over a built graph, on embedded pyoxigraph (default) or rdflib, with a cookbook of queries.

A query is a cookbook name (``pa-graph query works-per-section``), a ``.rq`` file or SPARQL text. Cookbook queries
take parameters written ``$name``; ``bind`` substitutes them as SPARQL terms (``<iri>``, a number, or a string),
and an unbound parameter keeps the default the query gives it with ``COALESCE``.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph
from rdflib import RDF, RDFS, Literal

from pa_graph.errors import MissingGraphError, QueryError
from pa_graph.export.store import load_graph, open_store
from pa_graph.export.vocab import PREFIXES
from pa_graph.options import ENGINES

__all__ = ["refuse_federation", "QueryError", "QueryResult", "cookbook", "load_query", "bind", "with_prefixes",
           "run_query", "cookbook_needs", "as_written", "format_result", "ENGINES"]



@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]


def cookbook() -> dict[str, str]:
    """Cookbook query name → its first comment line (what it answers)."""
    folder = resources.files("pa_graph") / "queries"
    entries = {}
    for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if item.name.endswith(".rq"):
            first = item.read_text(encoding="utf-8").splitlines()[0]
            entries[item.name[:-3]] = first.lstrip("# ").strip()
    return entries


def cookbook_needs(query: str) -> str | None:
    """What a cookbook query needs that a build may lack (its ``# Needs:`` line), ``None`` for another query."""
    if query not in cookbook():
        return None
    for line in load_query(query).splitlines():
        if line.startswith("# Needs:"):
            return line.removeprefix("# Needs:").strip().rstrip(".")
    return None


def load_query(query: str) -> str:
    """The SPARQL text of a cookbook name, a ``.rq`` file, or the text itself."""
    if query in cookbook():
        return (resources.files("pa_graph") / "queries" / f"{query}.rq").read_text(encoding="utf-8")
    if query.endswith(".rq") or (len(query) < 255 and "\n" not in query and Path(query).is_file()):
        try:
            return Path(query).read_text(encoding="utf-8")
        except OSError as err:
            raise QueryError(f"{query}: cannot read the query file ({err.strerror or err})") from err
    if not re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", query, re.IGNORECASE):
        raise QueryError(f"{query!r} is neither a cookbook query ({', '.join(cookbook())}), a .rq file, nor SPARQL")
    return query


_UNSAFE_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def refuse_federation(text: str) -> None:
    """The embedded engines would fetch what a ``SERVICE`` or ``LOAD`` names: refuse such queries unless asked.
    The query is read as SPARQL reads it (codepoint escapes first, then its tokens), so no spelling of the keyword
    hides from the check — and a variable or a prefixed name that spells it (``?service``, ``schema:Service``) is
    no keyword."""
    if any(kind == "word" and value.upper() in ("SERVICE", "LOAD") for kind, value in sparql_tokens(text)):
        raise QueryError("allow_service is off: the query uses SERVICE or LOAD, which would reach the network from "
                         "this machine", parameter="allow_service")


#: SPARQL's tokens, each matched where the last ended (linear in the query): strings of the four quotes, IRIs,
#: comments (ended by LF or CR), variables, names (prefixed or words: one run, so no rescan), any other character.
_TOKEN = re.compile(r'''
    (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
   |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
   |(?P<comment>\#[^\n\r]*)
   |(?P<variable>[?$]\w+)
   |(?P<name>[A-Za-z_][\w.-]*(?::[\w.%:-]*)?|:[\w.%:-]*)
   |(?P<other>.)
''', re.VERBOSE | re.DOTALL)


def sparql_tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of each token of a query, after its ``\\uXXXX``/``\\UXXXXXXXX`` escapes are read, as SPARQL
    reads them before anything else.

    >>> [t for t in sparql_tokens('SELECT ?s { # c\\rSERVICE <x> { } }') if t[0] in ("word", "iri", "comment")]
    [('word', 'SELECT'), ('comment', '# c'), ('word', 'SERVICE'), ('iri', '<x>')]
    """
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    for match in _TOKEN.finditer(text):
        kind, value = match.lastgroup or "other", match.group()
        if kind == "name":  # a prefixed name, or a word: a keyword's letters before any "-" or "."
            kind, value = ("prefixed", value) if ":" in value else ("word", re.split(r"[.-]", value, maxsplit=1)[0])
        if kind != "other" or not value.isspace():
            yield kind, value


def _term(value: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        if _UNSAFE_IRI.search(value[1:-1]) or ":" not in value[1:-1]:
            raise QueryError(f"bindings value {value}: not an absolute IRI", parameter="bindings")
        return f"<{value[1:-1]}>"
    if re.fullmatch(r"[+-]?\d+", value):
        return value
    if re.fullmatch(r"[+-]?\d*\.\d+", value):
        return value
    return Literal(value).n3()


def bind(text: str, bindings: dict[str, str]) -> str:
    """Substitute ``$name`` parameters.

    >>> bind("HAVING (COUNT(*) >= COALESCE($k, 2))", {"k": "3"})
    'HAVING (COUNT(*) >= COALESCE(3, 2))'
    >>> bind("$a $b", {"a": "$b", "b": "1"})  # a value is not substituted again
    '"$b" 1'
    >>> bind('FILTER(?x = $method)', {"method": 'Lamp "x"'})
    'FILTER(?x = "Lamp \\\\"x\\\\"")'
    """
    for name in bindings:
        if not re.fullmatch(r"\w+", name):
            raise QueryError(f"bindings {name}=…: a parameter name is letters, digits and underscores", parameter="bindings")
    parameters = set(re.findall(r"\$(\w+)\b", text))
    unused = sorted(set(bindings) - parameters)
    if unused:
        offered = ", ".join(f"${name}" for name in sorted(parameters)) or "none"
        raise QueryError(f"bindings {unused[0]}=…: the query has no ${unused[0]} (its parameters: {offered})",
                         parameter="bindings")
    terms = {name: _term(value) for name, value in bindings.items()}
    # one pass over the query text: a value is inserted once and never read again as part of the query
    return re.sub(r"\$(\w+)\b", lambda found: terms.get(found.group(1), found.group(0)), text)




def with_prefixes(text: str) -> str:
    """The query with ``PREFIX`` lines added for the vocabulary of pa-graph's graphs (``pa:``, ``fabio:``,
    ``cito:``, ``dcterms:``, ``skos:``, …) that it uses without declaring, so an ad-hoc query needs none.

    >>> with_prefixes("SELECT ?w WHERE { ?w a fabio:Expression }").splitlines()[0]
    'PREFIX fabio: <http://purl.org/spar/fabio/>'
    """
    tokens = list(sparql_tokens(text))
    declared = {value[:-1] for (kind, keyword), (then, value) in zip(tokens, tokens[1:], strict=False)
                if kind == "word" and keyword.upper() == "PREFIX" and then == "prefixed" and value.endswith(":")}
    known = {**{prefix: str(namespace) for prefix, namespace in PREFIXES.items()}, "rdf": str(RDF), "rdfs": str(RDFS)}
    used = dict.fromkeys(value.split(":", 1)[0] for kind, value in tokens if kind == "prefixed")
    missing = [prefix for prefix in used if prefix in known and prefix not in declared]
    return "".join(f"PREFIX {prefix}: <{known[prefix]}>\n" for prefix in missing) + text


def run_query(graph_file: str | Path, query: str, engine: str = "oxigraph",
              bindings: dict[str, str] | None = None, allow_service: bool = False,
              cache_dir: Path | None = None) -> QueryResult:
    """Run a SELECT query (cookbook name, file or text) over an RDF file; ``SERVICE``/``LOAD`` only when allowed.
    The project's own prefixes need no declaration; a binding the query has no parameter for is an error.
    Oxigraph reads the file's on-disk store in ``cache_dir``'s ``stores/``."""
    written = bind(load_query(query), bindings or {})
    text = with_prefixes(written)
    if not allow_service:
        refuse_federation(text)
    path = Path(graph_file)
    if not path.is_file():
        raise MissingGraphError(f"{path}: no such graph file")
    try:
        if engine == "oxigraph":
            return query_store(_loaded(path, open_store, cache_dir), text)
        if engine == "rdflib":
            return _run_rdflib(path, text)
    except QueryError as err:
        raise QueryError(as_written(str(err), text.count("\n") - written.count("\n"))) from err
    raise QueryError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")


_ERROR_PLACE = re.compile(r"(?:error at (\d+):(\d+)|\(line:(\d+), col:(\d+)\))")


def as_written(message: str, added_lines: int) -> str:
    """A parser's error in one line, placed in the query as the user wrote it (the prefix lines pa-graph added
    taken off the line number), its list of expected tokens cut short.

    >>> as_written('SPARQL syntax error: error at 2:35: expected one of "$", "(", "*", "+", "-", ".", "/", ":", "<"', 1)
    'SPARQL syntax error at line 1, column 35: expected one of "$", "(", "*", "+", "-", …'
    """
    place = _ERROR_PLACE.search(message)
    if place is None:
        return " ".join(message.split())
    line, column = (int(place.group(1) or place.group(3)), int(place.group(2) or place.group(4)))
    reason = (message[place.end():] if place.group(1) else message[:place.start()]).strip(" :,")
    reason = re.sub(r"\s*\(at char \d+\)", "", re.sub(r"^SPARQL (?:syntax )?error:\s*", "", reason))
    if reason.startswith("expected one of"):
        choices = reason.removeprefix("expected one of").split(", ")
        reason = "expected one of" + ", ".join(choices[:5]) + (", …" if len(choices) > 5 else "")
    kind = "SPARQL syntax error" if place.group(1) else "SPARQL error"
    return " ".join(f"{kind} at line {max(line - added_lines, 1)}, column {column}: {reason[:200]}".split())


def _loaded(path: Path, loader: Callable[..., Any], *arguments: Any) -> Any:
    """The file loaded once per version (path, size, modification time): repeated queries in one process — a
    notebook, the tests — do not parse it again. Callers only read what it returns."""
    stat = path.stat()
    return _load_version(loader, path.resolve(), stat.st_size, stat.st_mtime_ns, *arguments)


@functools.lru_cache(maxsize=4)
def _load_version(loader: Callable[..., Any], path: Path, size: int, mtime_ns: int, *arguments: Any) -> Any:
    return loader(path, *arguments)


def query_store(store: pyoxigraph.Store, text: str) -> QueryResult:
    """Run SELECT ``text`` on a pyoxigraph store (the default graph is the union of named graphs)."""
    try:
        solutions = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from err
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise QueryError("only SELECT queries are supported")
    columns = tuple(variable.value for variable in solutions.variables)
    rows = tuple(tuple(None if solution[name] is None else solution[name].value for name in columns)
                 for solution in solutions)
    return QueryResult(columns, rows)


def _run_rdflib(path: Path, text: str) -> QueryResult:
    graph = _loaded(path, load_graph)
    try:
        result = graph.query(text)
    except Exception as err:  # pyparsing and rdflib raise assorted types for bad queries
        raise QueryError(f"SPARQL error: {err}") from err
    if result.type != "SELECT":
        raise QueryError("only SELECT queries are supported")
    columns = tuple(str(variable) for variable in result.vars)
    rows = tuple(tuple(None if value is None else str(value) for value in row) for row in result)
    return QueryResult(columns, rows)


def format_result(result: QueryResult, style: str = "table") -> str:
    """``table`` (aligned text), ``csv``, ``tsv`` or ``json`` (a list of objects)."""
    if style == "json":
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if style in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if style == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(["" if value is None else value for value in row] for row in result.rows)
        return buffer.getvalue()
    if style != "table":
        raise QueryError(f"unknown format {style!r}; choose from table, csv, tsv, json")
    cells = [list(result.columns)] + [["" if value is None else value for value in row] for row in result.rows]
    widths = [min(60, max(len(row[i]) for row in cells)) for i in range(len(result.columns))]
    lines = []
    for number, row in enumerate(cells):
        lines.append("  ".join(_clip(value, width).ljust(width) for value, width in zip(row, widths, strict=False)).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    lines.append(f"({len(result.rows)} rows)")
    return "\n".join(lines) + "\n"


def _clip(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"
