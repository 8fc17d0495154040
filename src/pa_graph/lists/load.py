"""Which lists a build reads: the bundled one by default, files, and lists by URL (through the fetcher's cache)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path

from pa_graph.errors import ListInputError, NoPapersError
from pa_graph.lists.fetch import ListFetcher, is_remote, locate
from pa_graph.lists.read import parse_list_data, read_list
from pa_graph.records import Note, ParsedList

__all__ = ["BUNDLED_LIST", "bundled_list", "load_lists", "read_any", "read_peer", "without_papers"]

BUNDLED_LIST = "awesome-personalized-alignment.md"


def bundled_list() -> Path:
    """The Awesome-Personalized-Alignment list shipped with the package, bytes as received."""
    return Path(str(resources.files("pa_graph") / "data" / BUNDLED_LIST))


def load_lists(paths: Sequence[str | Path] = (), fetcher: ListFetcher | None = None,
               empty_ok: bool = False) -> list[ParsedList]:
    """Parse each list (the bundled list when none is given): a file, an http(s) URL, a GitHub ``blob/`` URL or
    ``github:owner/repo[@ref][:path]`` (fetched through ``fetcher``, by default one on the default cache). Names
    must differ, since sources cite them. A list with no paper rows is refused, or with ``empty_ok`` kept empty
    with a ``no-papers`` note (an audit reports it as a finding)."""
    read = read_peer if empty_ok else read_any
    parsed = [read(path, fetcher) for path in paths] if paths else [replace(read(bundled_list(), fetcher), given=None)]
    seen: dict[str, str] = {}
    for item in parsed:
        where = item.url or str(item.path)
        if item.name in seen and not item.url and Path(seen[item.name]).resolve() == item.path.resolve():
            raise ListInputError(f"{item.given or where}: given twice (as {seen[item.name]} too); give each list once")
        if item.name in seen:
            raise ListInputError(
                f"{where}: has the same file name as {seen[item.name]}; sources are cited by file name, rename one"
            )
        seen[item.name] = where
    return parsed


def read_any(given: str | Path, fetcher: ListFetcher | None = None) -> ParsedList:
    """One list from a file or a URL (see :mod:`pa_graph.lists.fetch`)."""
    if not is_remote(str(given)):
        return replace(read_list(given), given=str(given))
    location = locate(str(given))
    if fetcher is None:
        raise ListInputError(f"{given}: a list given by URL is read through a session's fetcher "
                             "(pa_graph.session.Session().lists([...]))")
    fetched = fetcher.fetch(location)
    parsed = parse_list_data(fetched.data, location.name, Path(location.name), location.given)
    notes = [*parsed.notes, *(Note("fetch", warning) for warning in fetcher.warnings)]
    fetcher.warnings.clear()
    return replace(parsed, url=location.shown, fetched_at=fetched.fetched_at, notes=notes, given=str(given))


def read_peer(given: str | Path, fetcher: ListFetcher | None = None) -> ParsedList:
    """A peer list; one without paper rows is kept empty (the gap report warns about it) rather than refused."""
    try:
        return read_any(given, fetcher)
    except NoPapersError as err:
        return without_papers(err)


def without_papers(err: NoPapersError) -> ParsedList:
    """The list ``err`` refused, kept empty with a ``no-papers`` note."""
    return ParsedList(path=err.path, name=err.name, sha256="", notes=[Note("no-papers", str(err))])
