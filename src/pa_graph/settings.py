"""What one session of work is allowed to do and where it keeps what it fetched: the cache folder, offline mode and
refresh. Resolved once — an explicit folder, else ``$PA_GRAPH_CACHE_DIR``, else the user's cache folder — and owned
by :class:`pa_graph.session.Session`, so every part of a run (the sources, the list fetcher, the SPARQL store) uses
the same folder and the same offline rule."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

__all__ = ["Settings", "default_cache_dir", "cache_dir_from"]


def default_cache_dir() -> Path:
    """The per-user default, e.g. ``~/.cache/pa-graph`` on Linux."""
    return Path(user_cache_dir("pa-graph", appauthor=False))


def cache_dir_from(explicit: str | Path | None, environ: Mapping[str, str] = os.environ) -> Path:
    """The cache folder: an explicit choice, else ``$PA_GRAPH_CACHE_DIR``, else :func:`default_cache_dir`."""
    if explicit:
        return Path(explicit)
    if environ.get("PA_GRAPH_CACHE_DIR"):
        return Path(environ["PA_GRAPH_CACHE_DIR"])
    return default_cache_dir()


@dataclass(frozen=True)
class Settings:
    """``cache_dir`` is resolved; ``chosen`` says whether a user chose it (an option or ``$PA_GRAPH_CACHE_DIR``)
    rather than taking the default — a build read back then prefers the folder its build used."""

    cache_dir: Path
    offline: bool = False
    refresh: bool = False
    chosen: bool = True

    @classmethod
    def resolve(cls, cache_dir: str | Path | None = None, offline: bool = False, refresh: bool = False,
                environ: Mapping[str, str] = os.environ) -> Settings:
        """
        >>> Settings.resolve("/tmp/c", offline=True)
        Settings(cache_dir=PosixPath('/tmp/c'), offline=True, refresh=False, chosen=True)
        """
        return cls(cache_dir_from(cache_dir, environ), offline, refresh,
                   chosen=bool(cache_dir or environ.get("PA_GRAPH_CACHE_DIR")))
