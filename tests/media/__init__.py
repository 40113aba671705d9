"""Real image files for the photo tests (media, services, CLI), made with Pillow or by hand."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

RED = (255, 0, 0)
BACKGROUND = (40, 90, 160)
TAKEN = "2024:10:01 09:30:15"


def exif(
    *,
    orientation: int | None = None,
    taken: str | None = None,
    datetime: str | None = None,
    make: str | None = None,
    model: str | None = None,
    offset: str | None = None,
) -> Image.Exif:
    e = Image.Exif()
    if orientation is not None:
        e[0x0112] = orientation
    if datetime is not None:
        e[0x0132] = datetime
    if make is not None:
        e[0x010F] = make
    if model is not None:
        e[0x0110] = model
    if taken is not None:
        e.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
    if offset is not None:
        e.get_ifd(0x8769)[0x9011] = offset  # OffsetTimeOriginal
    return e


def painted(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A picture whose stored top-left corner (first tenth each way) is red."""
    w, h = size
    im = Image.new("RGB", size, ((BACKGROUND[0] + 7 * seed) % 200, BACKGROUND[1], BACKGROUND[2]))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, w // 10 - 1, h // 10 - 1), fill=RED)
    d.rectangle((w // 2, h // 2, w // 2 + w // 20, h // 2 + h // 20), fill=(seed % 256, 255, 0))
    return im


def make_jpeg(
    path: Path,
    size: tuple[int, int] = (640, 480),
    *,
    seed: int = 0,
    exif_data: Image.Exif | None = None,
    quality: int = 90,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    im = painted(size, seed)
    kwargs = {"exif": exif_data} if exif_data is not None else {}
    im.save(path, "JPEG", quality=quality, **kwargs)
    return path


def make_png(
    path: Path, size: tuple[int, int] = (300, 200), *, mode: str = "RGB", seed: int = 0
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    painted(size, seed).convert(mode).save(path, "PNG")
    return path


def bomb_png(path: Path, side: int = 30_000) -> Path:
    """A valid 1-bit PNG of side x side pixels (900 megapixels), about 100 KB on disk.

    Written with zlib row by row: Pillow would hold one byte per pixel for mode "1".
    """

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    comp = zlib.compressobj(9)
    row = bytes(1 + (side + 7) // 8)  # filter byte 0, then the packed bits
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path


def truncated_copy(src: Path, dest: Path, keep: float = 0.5) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: int(len(data) * keep)])
    return dest


def other_format(path: Path, fmt: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    painted((64, 48)).save(path, fmt)
    return path


def rotate_270_point(x: float, y: float, height: int) -> tuple[float, float]:
    """Where Transpose.ROTATE_270 (a quarter turn clockwise, EXIF orientation 6) moves the
    stored point (x, y) of an image ``height`` rows tall: row y becomes column height-1-y."""
    return height - 1 - y, x
