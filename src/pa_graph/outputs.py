"""Writing outputs so that a failed or killed build never leaves half of them: one file by a temporary file and a
rename (:func:`write_atomic`, :func:`write_all`), a whole build by a sibling folder swapped in (:func:`replace_folder`).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pa_graph.errors import ApplyError, ListChangedError, PaGraphError

__all__ = ["write_atomic", "write_all", "replace_folder", "replace_list_file"]


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace ``path`` with ``content`` (text is written as UTF-8) in one rename; the old file stays intact if
    anything fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def replace_list_file(path: Path, original: bytes, updated: bytes) -> Path:
    """Write ``updated`` over a user's list that held ``original`` when it was read: only if it still does
    (:class:`ListChangedError` otherwise, nothing written), in one rename, keeping its permissions, and through a
    symbolic link to the file it points to (the link stays a link). A file with other hard links is refused: a
    rename would leave its other names with the old text. Returns the file written."""
    target = path.resolve() if path.is_symlink() else path
    try:
        status = target.stat()
        with open(target, "rb") as stream:
            current = stream.read(len(original) + 1)
    except OSError as err:
        raise ApplyError(f"{path}: cannot be read again ({err.strerror or err}); nothing was changed") from err
    if current != original:
        raise ListChangedError(f"{path}: changed since pa-graph read it; nothing was written (run again)")
    if status.st_nlink > 1:
        raise ApplyError(f"{path}: has {status.st_nlink} hard links; nothing was changed (edit a copy, or remove "
                         "the other links)")
    try:
        write_atomic(target, updated)
        os.chmod(target, stat.S_IMODE(status.st_mode))
    except OSError as err:
        raise ApplyError(f"{path}: cannot be written ({err.strerror or err}); nothing was changed") from err
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all(out_dir: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write every rendered output into ``out_dir``; the caller renders all of them first, so a rendering error
    leaves the previous outputs untouched."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in files.items():
            write_atomic(out_dir / name, text)
            written.append(out_dir / name)
        return written
    except OSError as err:
        raise PaGraphError(f"{out_dir}: cannot write outputs ({err.strerror or err})") from err


def _stale_siblings(out_dir: Path) -> list[Path]:
    return sorted(out_dir.parent.glob(f".{out_dir.name}.*.tmp"))


def replace_folder(out_dir: Path, files: Mapping[str, str | bytes], only: bool = False) -> list[Path]:
    """Make ``out_dir`` hold exactly ``files`` plus whatever else it held (a view page, a history) — or, with
    ``only``, nothing else (a site; names may then hold folders, ``oxigraph/web.js``) — all at once: everything is
    written into a fresh sibling folder ``.<name>.<id>.tmp`` first, then the two folders are swapped by renames. A
    failure before the swap (a full disk, an error) removes the sibling and leaves ``out_dir`` as it was; a kill
    leaves at most a ``.tmp`` sibling, which the next build removes (or, killed between the two renames, puts back).
    Without ``only``, a folder that holds folders, or the working folder, is written file by file instead."""
    out_dir = Path(out_dir)
    if only and out_dir.resolve() == Path.cwd().resolve():
        raise PaGraphError(f"{out_dir}: the working folder cannot be replaced; choose a folder of its own")
    if not only and (out_dir.resolve() == Path.cwd().resolve()
                     or (out_dir.is_dir() and any(p.is_dir() for p in out_dir.iterdir()))):
        return write_all(out_dir, files)  # a folder that holds folders (or the working folder) is not swapped
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        for stale in _stale_siblings(out_dir):  # what a killed build left behind
            if stale.name.endswith(".old.tmp") and not out_dir.exists():
                stale.rename(out_dir)
            else:
                shutil.rmtree(stale, ignore_errors=True)
        new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    except OSError as err:
        raise PaGraphError(f"{out_dir}: cannot write outputs ({err.strerror or err})") from err
    try:
        if out_dir.is_dir() and not only:
            for kept in out_dir.iterdir():  # files of other commands stay
                if kept.name not in files:
                    (shutil.copytree if kept.is_dir() else shutil.copy2)(kept, new / kept.name)
        for name, text in files.items():
            (new / name).parent.mkdir(parents=True, exist_ok=True)
            (new / name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
            os.chmod(new / name, 0o666 & ~_umask())
        for folder in sorted({p for name in files for p in (new / name).parents if p != new and new in p.parents}):
            os.chmod(folder, 0o777 & ~_umask())
        os.chmod(new, 0o777 & ~_umask())
        old = out_dir.parent / f".{out_dir.name}.{new.name.split('.')[-2]}.old.tmp"
        if out_dir.exists():
            out_dir.rename(old)
        new.rename(out_dir)
    except OSError as err:
        shutil.rmtree(new, ignore_errors=True)
        raise PaGraphError(f"{out_dir}: cannot write outputs ({err.strerror or err}); the previous outputs are "
                           "unchanged") from err
    shutil.rmtree(old, ignore_errors=True)
    return [out_dir / name for name in files]
