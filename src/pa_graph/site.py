"""``pa-graph site``: a build as a static website any static host serves (GitHub Pages, from any path) — no server.

The site is one folder: a landing page (the list's name, its counts, when and from which commit it was built), the
map (``graph.html``, whose addresses ``graph.html#work/…`` open one node), the gap report and the audit as pages
whose rows open their works on the map, the history charts when the build folder has them, the graph itself
(``graph.ttl``) and — given Oxigraph's WebAssembly build (``--sparql-wasm``, the ``oxigraph`` package from npm) — a
query page that answers SPARQL in the browser, the cookbook's queries as tabs. Every link and fetch is relative and
nothing is asked of another host. The folder is replaced whole, at once, and only a folder this command made (or an
empty one) is replaced.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from pa_graph.build_folder import Build
from pa_graph.errors import SiteError
from pa_graph.export.pages import landing_page, map_linker, query_page, report_page
from pa_graph.export.vocab import DEFAULT_BASE_IRI
from pa_graph.outputs import replace_folder
from pa_graph.text import counted

__all__ = ["build_site", "report_pages", "REPORT_LINKS", "base_iri_of", "MARKER", "wasm_files"]

#: The pages of the reports, when the build folder has their sources: (page, label, what).
REPORT_LINKS = (("gaps.html", "Gap report", "what the list is missing (gaps.md)"),
                ("audit.html", "Audit", "the list's own mistakes (audit.md)"),
                ("atlas-report.html", "Atlas", "the lists side by side: overlaps, the consensus core, exclusives"),
                ("atlas.html", "Atlas charts", "the overlap matrix and each list's exclusives"),
                ("history.html", "History", "the list over its commits"))
#: The file that marks a folder as a site this command made (and may replace).
MARKER = ".pa-graph-site"
#: Oxigraph's WebAssembly build: the files the query page loads, with a size no genuine build exceeds.
_WASM_FILES = {"web.js": 2_000_000, "web_bg.wasm": 30_000_000}
_WASM_VERSION = "0.5."


def base_iri_of(build: Build) -> str:
    """The base IRI the build minted its IRIs under (``build.json``), whose IRIs are nodes of the map."""
    base = (build.record or {}).get("base_iri")
    return base if isinstance(base, str) and base else DEFAULT_BASE_IRI


def report_pages(build: Build) -> dict[str, bytes]:
    """The map, the reports as pages (rows linked to the map) and the history, as far as the build folder has them."""
    folder = build.folder
    pages: dict[str, bytes] = {}
    linker = map_linker(build.model) if (folder / "graph.json").is_file() else None
    for source, name, label in (("gaps.md", "gaps.html", "Gap report"), ("audit.md", "audit.html", "Audit"),
                                ("atlas.md", "atlas-report.html", "Field atlas")):
        if (folder / source).is_file():
            pages[name] = report_page(label, (folder / source).read_text(encoding="utf-8"), linker)
    for name in ("graph.html", "history.html", "atlas.html"):
        if (folder / name).is_file():
            pages[name] = (folder / name).read_bytes()
    return pages


def wasm_files(folder: Path) -> dict[str, bytes]:
    """Oxigraph's WebAssembly build from an installed ``oxigraph`` npm package (``node_modules/oxigraph``), checked:
    its ``package.json`` names ``oxigraph`` 0.5, and each file is a regular file of a plausible size."""
    try:
        package = json.loads(_read(folder / "package.json", 100_000))
    except (OSError, ValueError, RecursionError) as err:
        raise SiteError(f"sparql_wasm {folder} is not the oxigraph npm package ({err}); it is "
                           "node_modules/oxigraph after 'npm install oxigraph@0.5'", parameter="sparql_wasm") from err
    if not isinstance(package, dict):
        raise SiteError(f"sparql_wasm {folder}: its package.json is no package description, not oxigraph's "
                        "(npm install oxigraph@0.5)", parameter="sparql_wasm")
    if package.get("name") != "oxigraph" or not str(package.get("version", "")).startswith(_WASM_VERSION):
        raise SiteError(f"sparql_wasm {folder} holds {package.get('name')} {package.get('version')}, not oxigraph "
                        f"{_WASM_VERSION}x (npm install oxigraph@0.5)", parameter="sparql_wasm")
    try:
        return {f"oxigraph/{name}": _read(folder / name, limit) for name, limit in _WASM_FILES.items()}
    except OSError as err:
        raise SiteError(f"sparql_wasm {folder}: {err}", parameter="sparql_wasm") from err


def _read(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most ``limit`` (opened without blocking: a FIFO would wait for a writer)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"{path.name} is larger than {limit:,} bytes")
    return data


def build_site(build: Build, to: Path, sparql_wasm: Path | None = None) -> list[Path]:
    """Write the site of ``build`` into ``to`` (see the module docstring); returns the files written."""
    to = Path(to)
    if to.is_symlink():
        raise SiteError(f"{to}: a symbolic link; give the folder itself (the whole folder is replaced)", parameter="to")
    here, built = to.resolve(), build.folder.resolve()
    if here == built or built in here.parents or here in built.parents:
        raise SiteError(f"{to}: the build folder {build.folder}, inside it or holding it; choose a folder apart from "
                        "it (the whole folder is replaced)", parameter="to")
    if here == Path.cwd().resolve() or here in Path.cwd().resolve().parents:
        raise SiteError(f"{to}: the working folder or one holding it; choose a folder of its own", parameter="to")
    if to.exists() and (not to.is_dir() or (any(to.iterdir()) and not (to / MARKER).is_file())):
        raise SiteError(f"{to}: not empty and not a site pa-graph made; choose a new or empty folder "
                        "(the whole folder is replaced)", parameter="to")
    files: dict[str, str | bytes] = dict(report_pages(build))
    if "graph.html" not in files:
        raise SiteError(f"{build.folder}: no graph.html; run 'pa-graph build' first", parameter="out")
    files["graph.ttl"] = build.written_graph.read_bytes()
    title = build.title()
    links = [("graph.html", "The map", "every work, section and tag; an address opens one"),
             *[link for link in REPORT_LINKS if link[0] in files]]
    facts = _facts(build)
    if sparql_wasm is not None:
        files.update(wasm_files(Path(sparql_wasm)))
        files["query.html"] = query_page(title, {
            "mode": "wasm", "engine": "./oxigraph/web.js", "wasm": "oxigraph/web_bg.wasm", "graph": "graph.ttl",
            "format": "text/turtle", "base": base_iri_of(build), "timeout": 30})
        links.insert(1, ("query.html", "SPARQL", "queries answered in this browser, the cookbook ready to run"))
    else:
        facts.append("No query page: build the site with --sparql-wasm node_modules/oxigraph (after 'npm install "
                     "oxigraph@0.5') to answer SPARQL in the browser.")
    links.append(("graph.ttl", "graph.ttl", "the graph in Turtle, for any RDF tool"))
    files["index.html"] = landing_page(title, links, facts)
    files[MARKER] = "made by pa-graph site; the whole folder is replaced when the site is made again\n"
    return replace_folder(to, files, only=True)


def _facts(build: Build) -> list[str]:
    """What the landing page says of the build: its size, when and from which commit it was built."""
    works = [data for _, data in build.model.nodes(data=True) if data.get("kind") == "work"]
    listed = sum(1 for data in works if data.get("listed", True))
    sections = sum(1 for _, data in build.model.nodes(data=True) if data.get("kind") == "section")
    citations = sum(1 for _, _, key in build.model.edges(keys=True) if key == "cites")
    facts = [f"{counted(listed, 'listed work')} in {counted(sections, 'section')}, "
             f"{counted(len(works) - listed, 'work')} they cite, {counted(citations, 'citation')}."]
    record = build.record or {}
    built = record.get("built_at")
    commits = [item.get("commit") for item in record.get("lists", []) if isinstance(item, dict)] \
        if isinstance(record.get("lists"), list) else []
    commit = next((c for c in commits if isinstance(c, str) and c), None)
    if isinstance(built, str):
        facts.append(f"Built {built}" + (f" from commit {commit[:12]}." if commit else "."))
    return facts
