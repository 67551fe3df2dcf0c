"""The input file, checked before the PDF library opens it: a regular file, not empty, with a PDF
header (each common non-PDF case gets a plain cause), and its content hash."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path


class PdfError(Exception):
    """A PDF that cannot be read; the message names the cause in a few words."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_regular(path: Path) -> None:
    """Only a regular file is opened: a FIFO named x.pdf would block the reader in open() for good,
    and a device never ends. A symlink is followed (to a regular file it is fine)."""
    try:
        mode = path.stat().st_mode
    except PermissionError:
        raise PdfError("permission denied") from None
    except OSError as exc:
        raise PdfError(f"cannot read file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise PdfError("is a directory")
    if not stat.S_ISREG(mode):
        raise PdfError("not a regular file")


def check_header(path: Path) -> None:
    """Give the common non-PDF cases a plain cause before PDFium's generic one."""
    check_regular(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except PermissionError:
        raise PdfError("permission denied") from None
    except IsADirectoryError:
        raise PdfError("is a directory") from None
    except OSError as exc:
        raise PdfError(f"cannot read file ({exc.strerror or exc})") from None
    if not head:
        raise PdfError("empty file")
    if b"%PDF-" not in head:
        raise PdfError("not a PDF (no %PDF header)")


def pdfium_cause(message: str) -> str:
    lowered = message.lower()
    if "password" in lowered:
        return "encrypted PDF (password required)"
    if "format" in lowered or "file" in lowered:
        return "damaged or truncated PDF"
    return f"unreadable PDF ({message})"
