"""Writing files so that a killed build never leaves a half-written one: temp file in the same folder, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pa_graph.errors import PaGraphError

__all__ = ["write_atomic", "write_all"]


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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all(out_dir: Path, files: Mapping[str, str]) -> list[Path]:
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
