"""Hostile PDFs written from raw objects by the tests themselves: a decompression bomb and a
page tree nested thousands of levels deep."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def write_pdf(path: Path, objects: list[bytes]) -> Path:
    """A PDF whose object n (1-based) is objects[n-1], catalog first, with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def _deflated_spaces(megabytes: int) -> bytes:
    """`megabytes` MiB of spaces (valid, empty page content), deflated: about 200 to 1.

    Each MiB is compressed once and ends at a full flush, after which the same input deflates to
    the same bytes, so the stream is that segment repeated, a final empty block and the checksum
    (quick to build; zlib itself inflates and checks it)."""
    block = b" " * (1 << 20)
    packer = zlib.compressobj(1)
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)  # with the zlib header
    again = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    check = 1
    for _ in range(megabytes):
        check = zlib.adler32(block, check)
    return first + again * (megabytes - 1) + b"\x03\x00" + struct.pack(">I", check)


def bomb_pdf(path: Path, megabytes: int = 2048) -> Path:
    """Page 1's content is a small FlateDecode stream that inflates to `megabytes` MiB."""
    data = _deflated_spaces(megabytes)
    return write_pdf(path, [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ])


def deep_tree_pdf(path: Path, depth: int = 20_000) -> Path:
    """A page tree `depth` levels deep: each Pages node's only kid is the next one, a page at the bottom."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = level + 2
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>"
                       % (number + 1, b"" if level == 0 else b" /Parent %d 0 R" % (number - 1)))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] >>" % (depth + 1))
    return write_pdf(path, objects)
