"""Small PNG pictures for the emulator's document and selfie files, drawn with the standard library.

Each picture is a few kB: an ID card's front (photo, name lines, a stripe), its back (a barcode), or a
face. The colours come from the file id, so two files differ and the same file is always the same
bytes. The encoder writes 8-bit RGB rows, one zlib stream, and the chunks PNG requires.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from typing import Literal

__all__ = ["Picture", "png"]

Picture = Literal["document_front", "document_back", "selfie"]

_WIDTH, _HEIGHT = 320, 200
RGB = tuple[int, int, int]


class _Canvas:
    def __init__(self, width: int, height: int, background: RGB) -> None:
        self.width, self.height = width, height
        self.rows = [bytearray(bytes(background) * width) for _ in range(height)]

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: RGB) -> None:
        pixel = bytes(colour)
        for y in range(max(y0, 0), min(y1, self.height)):
            left, right = max(x0, 0), min(x1, self.width)
            if left < right:
                self.rows[y][left * 3 : right * 3] = pixel * (right - left)

    def ellipse(self, cx: int, cy: int, rx: int, ry: int, colour: RGB) -> None:
        for y in range(max(cy - ry, 0), min(cy + ry + 1, self.height)):
            dy = (y - cy) / ry
            half = int(rx * max(0.0, 1 - dy * dy) ** 0.5)
            self.rect(cx - half, y, cx + half + 1, y + 1, colour)

    def encode(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)  # filter type 0 on each row
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b"")
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _palette(seed: str) -> list[RGB]:
    digest = hashlib.sha256(seed.encode()).digest()
    return [(digest[i], digest[i + 1], digest[i + 2]) for i in range(0, 30, 3)]


def _face(canvas: _Canvas, cx: int, cy: int, scale: int, colours: list[RGB]) -> None:
    skin = (200 + colours[1][0] % 50, 160 + colours[1][1] % 50, 120 + colours[1][2] % 50)
    canvas.ellipse(cx, cy + 3 * scale, 3 * scale, 2 * scale, colours[2])  # shoulders
    canvas.ellipse(cx, cy, scale + scale // 2, 2 * scale, skin)  # head
    canvas.ellipse(cx, cy - scale - scale // 2, scale + scale // 2, scale // 2 + 1, colours[3])  # hair
    for eye in (-1, 1):
        canvas.ellipse(
            cx + eye * scale // 2, cy - scale // 4, scale // 6 + 1, scale // 6 + 1, (30, 30, 30)
        )


def png(picture: Picture, seed: str) -> bytes:
    """The PNG bytes of ``picture``, with colours chosen by ``seed`` (a file id)."""
    colours = _palette(seed)
    if picture == "selfie":
        canvas = _Canvas(_HEIGHT, _HEIGHT, (235, 235, 240))
        _face(canvas, _HEIGHT // 2, _HEIGHT // 2 - 10, 40, colours)
        return canvas.encode()
    canvas = _Canvas(_WIDTH, _HEIGHT, (245, 243, 235))
    canvas.rect(0, 0, _WIDTH, 28, colours[0])  # the issuer's band
    if picture == "document_front":
        canvas.rect(16, 44, 106, 164, (225, 225, 230))
        _face(canvas, 61, 96, 22, colours)
        for line, width in enumerate((150, 120, 170, 90)):
            canvas.rect(124, 56 + line * 24, 124 + width, 66 + line * 24, (60, 60, 70))
    else:
        canvas.rect(0, 40, _WIDTH, 70, (20, 20, 20))  # the magnetic stripe
        x = 24
        for bar in hashlib.sha256(seed.encode()).digest():
            width = 1 + bar % 4
            canvas.rect(x, 110, x + width, 170, (20, 20, 20))
            x += width + 1 + (bar >> 6)
            if x > _WIDTH - 24:
                break
    return canvas.encode()
