"""Reading a photo from the field safely (RELIABILITY C14), without Qt and without the database.

A photo is hostile input: it comes from a camera card, a phone or a colleague's USB stick.
``ingest_bytes`` accepts only JPEG and PNG (``Image.open(..., formats=[...])``, so no other
Pillow decoder ever sees the bytes), checks the pixel count from the header against our own
``MAX_PIXELS`` before decoding, turns Pillow's ``DecompressionBombWarning`` into an error,
runs ``verify()`` and then decodes the whole image again with ``load()``, with
``ImageFile.LOAD_TRUNCATED_IMAGES`` left False, so a truncated or damaged file is refused.
Every failure becomes one ``ImageRefused`` whose reason says what is wrong, translated.

The original bytes are kept as read (byte-identical, addressed by their SHA-256); what is
shown on screen is a re-encoded copy: EXIF orientation applied, long side at most
``DISPLAY_LONG_SIDE``, RGB JPEG, no metadata; and a thumbnail. Large JPEGs are decoded at
a reduced DCT scale (``Image.draft``) when that still gives the display size, which keeps
memory and time low; the decoder still reads the whole stream, so truncation is still seen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from inspector_app import limits
from inspector_app.fsutil import FileRefused, open_regular
from inspector_app.i18n import _
from inspector_app.timefmt import WALL_FORMAT

ACCEPTED_FORMATS = ("JPEG", "PNG")
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
MAX_PIXELS = 40_000_000  # 40 megapixels; checked from the header before decoding
MAX_FILE_BYTES = 60 * 1024 * 1024  # larger files are refused unread
DISPLAY_LONG_SIDE = 2048
DISPLAY_QUALITY = 85
THUMB_LONG_SIDE = 320
THUMB_QUALITY = 80
CAMERA_MAX_CHARS = limits.CAMERA

# Errors Pillow raises on malformed input (Pillow #9814: ValueError too).
_DECODE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    struct.error,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
)

# Formats recognised by their first bytes only to say *which* format was refused; their
# decoders are never run.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"BM", 0, "BMP"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"WEBP", 8, "WebP"),
    (b"ftypheic", 4, "HEIC"),
    (b"ftypheix", 4, "HEIC"),
    (b"ftypmif1", 4, "HEIF"),
    (b"ftypavif", 4, "AVIF"),
    (b"\x00\x00\x01\x00", 0, "ICO"),
    (b"8BPS", 0, "PSD"),
    (b"SIMPLE  =", 0, "FITS"),
    (b"%PDF", 0, "PDF"),
    (b"\xff\x4f\xff\x51", 0, "JPEG 2000"),
    (b"\x00\x00\x00\x0cjP  ", 0, "JPEG 2000"),
)

_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")
_TAG_ORIENTATION = ExifTags.Base.Orientation
_TAG_DATETIME = ExifTags.Base.DateTime
_TAG_DATETIME_ORIGINAL = ExifTags.Base.DateTimeOriginal
_TAG_OFFSET = ExifTags.Base.OffsetTime
_TAG_OFFSET_ORIGINAL = ExifTags.Base.OffsetTimeOriginal
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_TAG_MAKE = ExifTags.Base.Make
_TAG_MODEL = ExifTags.Base.Model


class ImageRefused(Exception):
    """The file is not accepted as a photo; ``reason`` says why, in the current language."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, repr=False)
class IngestedImage:
    """A checked photo: the original as read, its facts, and the re-encoded copies."""

    sha256: str
    original: bytes
    media_type: str  # image/jpeg | image/png
    byte_size: int
    width: int  # of the original, after EXIF orientation
    height: int
    captured_at: dt.datetime | None  # EXIF DateTimeOriginal (else DateTime): the camera's
    # clock, naive; its offset from UTC if the camera wrote one (OffsetTimeOriginal/OffsetTime)
    capture_offset: dt.timedelta | None
    camera: str | None  # EXIF Make + Model
    display_jpeg: bytes  # long side <= DISPLAY_LONG_SIDE, upright, RGB, no metadata
    thumb_jpeg: bytes  # long side <= THUMB_LONG_SIDE

    @property
    def extension(self) -> str:
        return "png" if self.media_type == "image/png" else "jpg"

    def captured_utc(self) -> dt.datetime | None:
        """The capture time as an instant (aware, UTC) when the camera wrote its offset;
        None otherwise: a camera clock without an offset is a wall time, not an instant
        (timefmt), and is kept as such (``captured_wall``)."""
        if self.captured_at is None or self.capture_offset is None:
            return None
        zone = dt.timezone(self.capture_offset)
        return self.captured_at.replace(tzinfo=zone).astimezone(dt.UTC)

    def captured_wall(self) -> str | None:
        """The camera's clock as it wrote it (``timefmt.WALL_FORMAT``), or None."""
        return self.captured_at.strftime(WALL_FORMAT) if self.captured_at else None

    def offset_minutes(self) -> int | None:
        if self.captured_at is None or self.capture_offset is None:
            return None
        return int(self.capture_offset.total_seconds() // 60)

    def __repr__(self) -> str:  # the bytes would flood a traceback
        return (
            f"IngestedImage(sha256={self.sha256[:12]}…, {self.media_type}, {self.byte_size} B, "
            f"{self.width}x{self.height})"
        )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}"


def read_image_file(path: Path) -> bytes:
    """The file's bytes, read once; refused if it cannot be read or exceeds ``MAX_FILE_BYTES``."""
    limit = MAX_FILE_BYTES
    try:
        # a regular file only: a FIFO named x.jpg is refused, never opened for a blocking read;
        # the cap is on bytes actually read, not on stat()
        with open_regular(path) as fh:
            data = fh.read(limit + 1)
    except FileRefused as exc:
        raise ImageRefused(_("the file cannot be read: {error}", error=exc)) from None
    except OSError as exc:
        raise ImageRefused(
            _("the file cannot be read: {error}", error=exc.strerror or exc)
        ) from None
    if len(data) > limit:
        try:
            size = path.stat().st_size
        except OSError:
            size = len(data)
        raise ImageRefused(
            _(
                "the file is too large: {size} MB (the limit is {limit} MB)",
                size=_mb(max(size, len(data))),
                limit=_mb(limit),
            )
        )
    return data


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ingest_file(path: Path) -> IngestedImage:
    """Read ``path`` once and ingest it (see ``ingest_bytes``)."""
    return ingest_bytes(read_image_file(path))


def _sniff(data: bytes) -> str | None:
    for magic, offset, name in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return name
    return None


def _unidentified(data: bytes) -> ImageRefused:
    fmt = _sniff(data)
    if fmt is not None:
        return ImageRefused(
            _("{format} images are not accepted; only JPEG and PNG are", format=fmt)
        )
    return ImageRefused(_("not an image: the content is neither JPEG nor PNG"))


def _bomb(exc: Exception) -> ImageRefused:
    found = _BOMB_PIXELS.search(str(exc))
    if found:
        return ImageRefused(
            _(
                "refused as a possible decompression bomb: it declares {pixels} pixels (the limit is {limit})",
                pixels=f"{int(found.group(1)):,}",
                limit=f"{MAX_PIXELS:,}",
            )
        )
    return ImageRefused(
        _(
            "refused as a possible decompression bomb: it declares far more pixels than the limit of {limit}",
            limit=f"{MAX_PIXELS:,}",
        )
    )


def _damaged(exc: BaseException) -> ImageRefused:
    detail = str(exc).strip() or type(exc).__name__
    return ImageRefused(_("the image is truncated or damaged: {error}", error=detail))


def _open(data: bytes) -> Image.Image:
    """Open from the header only, JPEG and PNG only."""
    return Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))


def _check_header(im: Image.Image) -> str:
    """The accepted format's name; refuse unknown formats and too many pixels."""
    fmt = "JPEG" if im.format == "MPO" else im.format  # MPO is a JPEG with extra frames
    if fmt not in ACCEPTED_FORMATS:
        raise ImageRefused(
            _("{format} images are not accepted; only JPEG and PNG are", format=im.format)
        )
    width, height = im.size
    limit = MAX_PIXELS  # read at call time (tests lower it)
    if width <= 0 or height <= 0:
        raise ImageRefused(
            _("the image is truncated or damaged: {error}", error=f"{width}x{height}")
        )
    if width * height > limit:
        raise ImageRefused(
            _(
                "the image has too many pixels: {width}x{height} = {pixels} (the limit is {limit})",
                width=width,
                height=height,
                pixels=f"{width * height:,}",
                limit=f"{limit:,}",
            )
        )
    return fmt


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    w, h = size
    if max(w, h) <= long_side:
        return w, h
    f = long_side / max(w, h)
    return max(1, round(w * f)), max(1, round(h * f))


def _decode(data: bytes) -> tuple[Image.Image, str, tuple[int, int]]:
    """Verify, then decode for real (at a reduced DCT scale for large JPEGs).

    Returns the decoded image, its format and the full size from the header.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with _open(data) as probe:
                fmt = _check_header(probe)
                probe.verify()
            im = _open(data)
            full_size = im.size
            _check_header(im)
            if fmt == "JPEG":
                im.draft("RGB", _fit(full_size, DISPLAY_LONG_SIDE))
            im.load()
        except ImageRefused:
            raise
        except UnidentifiedImageError:
            raise _unidentified(data) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb(exc) from None
        except _DECODE_ERRORS as exc:
            raise _damaged(exc) from None
    return im, fmt, full_size


def _to_rgb(im: Image.Image) -> Image.Image:
    """Any decoded PNG/JPEG mode as RGB (transparency onto white, 16-bit scaled to 8)."""
    mode = im.mode
    if mode == "RGB":
        return im
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = im.convert("I")
        top = wide.getextrema()[1]
        scale = 1 / 256 if isinstance(top, int) and top > 255 else 1
        return wide.point(lambda v: v * scale).convert("L").convert("RGB")
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode == "P" and "transparency" in im.info
    )
    if has_alpha:
        rgba = im.convert("RGBA")
        back = Image.new("RGB", rgba.size, (255, 255, 255))
        back.paste(rgba, mask=rgba.getchannel("A"))
        return back
    return im.convert("RGB")


def _resizable(im: Image.Image) -> Image.Image:
    """Modes Pillow resizes with a real filter (P and 1 would fall back to nearest)."""
    if im.mode in ("RGB", "L", "RGBA", "LA", "I", "F"):
        return im
    return _to_rgb(im)


def _exif_text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", " ")
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _parse_exif_time(value: object) -> dt.datetime | None:
    text = _exif_text(value)[:19]
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            when = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return when if when.year >= 1900 else None
    return None


def _parse_exif_offset(value: object) -> dt.timedelta | None:
    """EXIF OffsetTime* ("+08:00") as a timedelta; None if absent or malformed."""
    m = _OFFSET.fullmatch(_exif_text(value)) if value is not None else None
    if m is None:
        return None
    sign = -1 if m.group(1) == "-" else 1
    offset = sign * dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
    return offset if abs(offset) <= dt.timedelta(hours=14) else None


@dataclass(frozen=True)
class _Facts:
    captured_at: dt.datetime | None = None
    capture_offset: dt.timedelta | None = None
    camera: str | None = None


def _exif_facts(im: Image.Image) -> _Facts:
    """Capture time (and its UTC offset, if the camera wrote one) and camera from EXIF.

    Malformed EXIF gives None, never a refusal: the pixels are what matter.
    """
    try:
        exif = im.getexif()
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        captured = _parse_exif_time(sub.get(_TAG_DATETIME_ORIGINAL)) if sub else None
        offset = _parse_exif_offset(sub.get(_TAG_OFFSET_ORIGINAL)) if sub else None
        if captured is None and exif.get(_TAG_DATETIME) is not None:
            captured = _parse_exif_time(exif.get(_TAG_DATETIME))
            offset = _parse_exif_offset(sub.get(_TAG_OFFSET)) if sub else None
        make = _exif_text(exif.get(_TAG_MAKE) or "")
        model = _exif_text(exif.get(_TAG_MODEL) or "")
    except Exception:  # hostile EXIF must not refuse an otherwise good photo
        return _Facts()
    # "Canon" + "Canon EOS R5" -> "Canon EOS R5"
    same_prefix = bool(make) and model.lower().startswith(make.lower())
    camera = model if same_prefix else f"{make} {model}".strip()
    return _Facts(captured, offset if captured else None, camera[:CAMERA_MAX_CHARS] or None)


def _upright(im: Image.Image) -> Image.Image:
    """EXIF orientation applied; a copy with unreadable orientation stays as it is."""
    try:
        return ImageOps.exif_transpose(im)
    except Exception:
        return im


def _encode_jpeg(im: Image.Image, quality: int) -> bytes:
    im.info = {}  # nothing of the original's metadata (EXIF, ICC, comments, XMP) is copied
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def ingest_bytes(data: bytes, *, sha256: str | None = None) -> IngestedImage:
    """Check and decode one photo held in memory; raise ``ImageRefused`` with the reason.

    ``sha256`` may pass the digest the caller already computed over these same bytes.
    """
    if not data:
        raise ImageRefused(_("the file is empty"))
    if len(data) > MAX_FILE_BYTES:
        raise ImageRefused(
            _(
                "the file is too large: {size} MB (the limit is {limit} MB)",
                size=_mb(len(data)),
                limit=_mb(MAX_FILE_BYTES),
            )
        )
    im, fmt, full_size = _decode(data)
    try:
        facts = _exif_facts(im)
        try:
            work = _resizable(im)
            target = _fit(full_size, DISPLAY_LONG_SIDE)
            small = work if work.size == target else work.resize(target, Image.Resampling.BICUBIC)
            if small is not im:
                small.info = dict(im.info)  # keep the EXIF so exif_transpose can turn the copy
            upright = _upright(small)
            display = _to_rgb(upright)
            thumb = display.resize(
                _fit(display.size, THUMB_LONG_SIDE), Image.Resampling.BICUBIC, reducing_gap=2.0
            )
            display_jpeg = _encode_jpeg(display, DISPLAY_QUALITY)
            thumb_jpeg = _encode_jpeg(thumb, THUMB_QUALITY)
        except _DECODE_ERRORS as exc:
            raise _damaged(exc) from None
        turned = upright.size != small.size  # a quarter turn swaps width and height
        width, height = (full_size[1], full_size[0]) if turned else full_size
    finally:
        im.close()
    return IngestedImage(
        sha256=sha256 or sha256_hex(data),
        original=data,
        media_type=MEDIA_TYPES[fmt],
        byte_size=len(data),
        width=width,
        height=height,
        captured_at=facts.captured_at,
        capture_offset=facts.capture_offset,
        camera=facts.camera,
        display_jpeg=display_jpeg,
        thumb_jpeg=thumb_jpeg,
    )
