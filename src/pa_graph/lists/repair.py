"""Mojibake repair: lines of UTF-8 that were once decoded as Mac Roman (``Don‚Äôt`` → ``Don’t``).

Why not ftfy: measured on the bundled list, ftfy 6.3 leaves 16 of its 27 damaged lines wrong (Mac Roman byte 0xF0
decodes to the Apple-logo code point U+F8FF, which defeats it, and it straightens curly quotes). Re-encoding a
damaged line as Mac Roman and decoding the bytes as UTF-8 restores all 27. The round trip is safe on clean lines:
pure ASCII comes back unchanged, and a genuine non-ASCII line (``café``, Chinese headers) either cannot be encoded
as Mac Roman or does not decode as UTF-8 afterwards, so it is left alone.
"""

from __future__ import annotations

__all__ = ["repair_line"]


def repair_line(line: str) -> str:
    """The line with Mac-Roman mojibake undone, or the line itself when it shows none.

    >>> repair_line("[Don‚Äôt throw away your value model!]")
    '[Don’t throw away your value model!]'
    >>> repair_line("Œ≤-DPO")
    'β-DPO'
    >>> repair_line("café 论文标题")
    'café 论文标题'
    """
    if line.isascii():
        return line
    try:
        return line.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return line
