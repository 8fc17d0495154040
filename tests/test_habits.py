"""Habits that keep a user's machine clean: README command 1 leaves a fresh clone's ``git status`` empty, and the
suite writes nothing into the ``HOME`` it was started with."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: A proxy nobody listens on: every request fails at once, as on a machine without network, while the services'
#: default addresses (which the build records) stay as they are.
NO_NETWORK = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def _git(cwd: Path, *args: str) -> str:
    environment = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                   "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=environment, check=True, capture_output=True, text=True).stdout


def _fresh_clone(tmp_path: Path) -> Path:
    """The tracked files of this working tree, committed in a new repository (what a clone of it would hold)."""
    clone = tmp_path / "clone"
    for name in _git(ROOT, "ls-files", "-z").split("\0"):
        if name and (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    _git(clone, "init", "-q")
    _git(clone, "add", "-A")
    _git(clone, "commit", "-qm", "clone")
    return clone


@pytest.mark.slow
def test_readme_command_one_leaves_a_fresh_clone_clean(tmp_path):
    clone = _fresh_clone(tmp_path)
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("S2_", "OPENALEX_"))}
    environment.update(NO_NETWORK, PYTHONPATH=str(clone / "src"),
                       PA_GRAPH_CACHE_DIR=str(tmp_path / "cache"))  # a new user: no service settings, an empty cache
    done = subprocess.run([sys.executable, "-m", "pa_graph", "build"], cwd=clone, env=environment,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (clone / "outputs" / "build.json").exists()  # the run record is written, and not tracked
    assert _git(clone, "status", "--porcelain") == ""


@pytest.mark.slow
def test_the_suite_writes_nothing_into_home(tmp_path):
    """A part of the suite that builds, caches, queries and opens the cache, started with ``HOME`` an empty folder
    and no cache folder set: nothing appears in that ``HOME``."""
    home = tmp_path / "home"
    home.mkdir()
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("XDG_") and key != "PA_GRAPH_CACHE_DIR"}
    environment.update(HOME=str(home), PYTHONDONTWRITEBYTECODE="1")
    tests = ["tests/test_cache.py", "tests/test_cli.py::test_build_writes_every_output",
             "tests/test_cli.py::test_queries_and_stats_open_an_on_disk_store_loaded_once_per_version_of_the_graph"]
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", *tests],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    assert sorted(str(path.relative_to(home)) for path in home.rglob("*")) == []
