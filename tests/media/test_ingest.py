"""Ingest on real files: hostile ones refused with their reason, good ones kept byte-identical
with an upright display copy and a thumbnail; the content-addressed store."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from inspector_app.media import ingest, store
from inspector_app.media.ingest import ImageRefused, ingest_bytes, ingest_file
from tests.media import (
    RED,
    TAKEN,
    bomb_png,
    exif,
    make_jpeg,
    make_png,
    other_format,
    rotate_270_point,
    truncated_copy,
)


def is_red(px: tuple[int, ...]) -> bool:
    r, g, b = px[:3]
    return r > 200 and g < 60 and b < 60


@pytest.fixture(scope="module")
def twelve_mp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4000x3000 stored, EXIF orientation 6 (turn a quarter clockwise to view)."""
    d = tmp_path_factory.mktemp("photos")
    return make_jpeg(
        d / "IMG_0001.JPG",
        (4000, 3000),
        exif_data=exif(orientation=6, taken=TAKEN, make="Canon", model="Canon EOS 5D Mark IV"),
    )


def test_twelve_megapixel_jpeg_upright_copy_and_identical_original(
    twelve_mp: Path, tmp_path: Path
) -> None:
    raw = twelve_mp.read_bytes()
    img = ingest_file(twelve_mp)

    assert img.sha256 == hashlib.sha256(raw).hexdigest()
    assert img.original == raw and img.byte_size == len(raw)
    assert img.media_type == "image/jpeg" and img.extension == "jpg"
    assert (img.width, img.height) == (3000, 4000)  # the original, upright
    assert img.captured_at == dt.datetime(2024, 10, 1, 9, 30, 15)
    assert img.camera == "Canon EOS 5D Mark IV"

    display = Image.open(io.BytesIO(img.display_jpeg))
    assert display.format == "JPEG" and display.mode == "RGB"
    assert display.size == (1536, 2048)  # long side 2048, width and height swapped
    assert len(display.getexif()) == 0 and "icc_profile" not in display.info
    # The red block fills the stored top-left tenth; orientation 6 turns the picture a
    # quarter clockwise, so its centre goes where rotate_270_point says, scaled to 2048.
    scale = 2048 / 4000
    cx, cy = rotate_270_point(4000 / 20, 3000 / 20, height=3000)
    assert is_red(display.getpixel((round(cx * scale), round(cy * scale))))  # type: ignore[arg-type]
    assert (round(cx * scale), round(cy * scale)) == (1459, 102)  # top right
    for corner in ((20, 20), (20, 2027), (1515, 2027)):  # the other three corners
        assert not is_red(display.getpixel(corner))  # type: ignore[arg-type]

    thumb = Image.open(io.BytesIO(img.thumb_jpeg))
    assert max(thumb.size) <= 320 and thumb.size == (240, 320)
    assert is_red(thumb.getpixel((230, 8)))  # type: ignore[arg-type]

    paths = store.store_image(tmp_path, img)
    assert paths.original == (
        tmp_path / "media" / "originals" / img.sha256[:2] / f"{img.sha256}.jpg"
    )
    assert paths.original.read_bytes() == raw
    assert hashlib.sha256(paths.original.read_bytes()).hexdigest() == img.sha256
    assert paths.display.read_bytes() == img.display_jpeg
    assert paths.thumb.read_bytes() == img.thumb_jpeg
    assert store.verify_original(tmp_path, img.sha256, img.media_type)


def test_large_jpeg_is_decoded_at_reduced_scale_and_truncation_still_seen(tmp_path: Path) -> None:
    src = make_jpeg(tmp_path / "big.jpg", (4400, 4400))  # draft decodes it at 2200x2200
    opened = Image.open(src)
    assert opened.draft("RGB", (2048, 2048)) is not None and opened.size == (2200, 2200)
    img = ingest_file(src)
    assert (img.width, img.height) == (4400, 4400)
    assert Image.open(io.BytesIO(img.display_jpeg)).size == (2048, 2048)
    for keep in (0.3, 0.9, 0.999):
        cut = truncated_copy(src, tmp_path / f"cut-{keep}.jpg", keep)
        with pytest.raises(ImageRefused, match="truncated or damaged"):
            ingest_file(cut)


# -- refused ----------------------------------------------------------------------------


def _refusal(path: Path) -> str:
    with pytest.raises(ImageRefused) as info:
        ingest_file(path)
    return info.value.reason


def test_decompression_bomb_png_is_refused_from_its_header(tmp_path: Path) -> None:
    bomb = bomb_png(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 200_000
    reason = _refusal(bomb)
    assert "decompression bomb" in reason and "900,000,000 pixels" in reason
    assert "40,000,000" in reason


def test_more_pixels_than_our_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = make_jpeg(tmp_path / "pano.jpg", (2500, 2100))
    monkeypatch.setattr(ingest, "MAX_PIXELS", 5_000_000)
    reason = _refusal(src)
    assert reason == (
        "the image has too many pixels: 2500x2100 = 5,250,000 (the limit is 5,000,000)"
    )


def test_pillow_bomb_warning_is_an_error_without_changing_global_state(tmp_path: Path) -> None:
    # 10000x10000 = 100 MP: above Pillow's warning threshold (89.5 MP), below its error (179 MP)
    import warnings

    filters_before = list(warnings.filters)
    reason = _refusal(bomb_png(tmp_path / "warn.png", side=10_000))
    assert "decompression bomb" in reason and "100,000,000 pixels" in reason
    assert warnings.filters == filters_before
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("old.gif", "GIF", "GIF images are not accepted; only JPEG and PNG are"),
        ("scan.bmp", "BMP", "BMP images are not accepted; only JPEG and PNG are"),
        ("scan.tif", "TIFF", "TIFF images are not accepted; only JPEG and PNG are"),
        ("disguised.jpg", "GIF", "GIF images are not accepted; only JPEG and PNG are"),
    ],
)
def test_other_formats_are_named_and_refused(
    tmp_path: Path, name: str, fmt: str, expected: str
) -> None:
    assert _refusal(other_format(tmp_path / name, fmt)) == expected


def test_fits_file_is_refused_without_its_decoder(tmp_path: Path) -> None:
    fits = tmp_path / "sky.fits"
    fits.write_bytes(b"SIMPLE  =                    T" + b" " * 2850)
    assert _refusal(fits) == "FITS images are not accepted; only JPEG and PNG are"


def test_text_named_jpg_is_not_an_image(tmp_path: Path) -> None:
    fake = tmp_path / "IMG_0002.JPG"
    fake.write_text("这不是照片 / not a photo\n", encoding="utf-8")
    assert _refusal(fake) == "not an image: the content is neither JPEG nor PNG"


def test_truncated_and_damaged_files(tmp_path: Path) -> None:
    good = make_jpeg(tmp_path / "good.jpg", (1200, 900))
    assert "image file is truncated" in _refusal(truncated_copy(good, tmp_path / "cut.jpg"))
    png = make_png(tmp_path / "good.png", (400, 300))
    assert "truncated or damaged" in _refusal(truncated_copy(png, tmp_path / "cut.png", 0.7))
    data = bytearray(png.read_bytes())
    data[60] ^= 0xFF  # a flipped byte inside the image data: the PNG checksum fails
    bad = tmp_path / "flipped.png"
    bad.write_bytes(bytes(data))
    assert "truncated or damaged" in _refusal(bad)


def test_empty_unreadable_and_oversized_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert _refusal(empty) == "the file is empty"
    assert _refusal(tmp_path / "gone.jpg").startswith("the file cannot be read: ")
    big = make_jpeg(tmp_path / "big.jpg", (800, 600))
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 1024)
    assert _refusal(big).startswith("the file is too large: ")
    with pytest.raises(ImageRefused, match="too large"):
        ingest_bytes(big.read_bytes())


# -- good files of other kinds --------------------------------------------------------------


def test_png_modes_become_rgb_display_copies(tmp_path: Path) -> None:
    for mode in ("1", "L", "P", "RGBA", "LA", "I;16"):
        img = ingest_file(make_png(tmp_path / f"{mode.replace(';', '')}.png", mode=mode))
        assert img.media_type == "image/png" and img.extension == "png"
        assert (img.width, img.height) == (300, 200)
        display = Image.open(io.BytesIO(img.display_jpeg))
        assert display.mode == "RGB" and display.size == (300, 200)  # never enlarged


def test_transparent_png_shows_on_white(tmp_path: Path) -> None:
    im = Image.new("RGBA", (100, 80), (0, 0, 0, 0))
    im.paste((255, 0, 0, 255), (0, 0, 10, 10))
    im.save(tmp_path / "clear.png")
    display = Image.open(io.BytesIO(ingest_file(tmp_path / "clear.png").display_jpeg))
    assert min(display.getpixel((60, 60))) > 240  # type: ignore[arg-type]
    assert is_red(display.getpixel((4, 4)))  # type: ignore[arg-type]


def test_capture_time_falls_back_to_datetime_and_missing_exif_is_none(tmp_path: Path) -> None:
    with_dt = make_jpeg(
        tmp_path / "a.jpg",
        exif_data=exif(datetime="2023:05:06 07:08:09", make="NIKON CORPORATION", model="D750 "),
    )
    img = ingest_file(with_dt)
    assert img.captured_at == dt.datetime(2023, 5, 6, 7, 8, 9)
    assert img.camera == "NIKON CORPORATION D750"
    plain = ingest_file(make_jpeg(tmp_path / "b.jpg"))
    assert plain.captured_at is None and plain.camera is None
    zero = ingest_file(make_jpeg(tmp_path / "c.jpg", exif_data=exif(taken="0000:00:00 00:00:00")))
    assert zero.captured_at is None


def test_capture_offset_gives_the_utc_time_to_store(tmp_path: Path) -> None:
    img = ingest_file(make_jpeg(tmp_path / "a.jpg", exif_data=exif(taken=TAKEN, offset="+08:00")))
    assert img.captured_at == dt.datetime(2024, 10, 1, 9, 30, 15)
    assert img.capture_offset == dt.timedelta(hours=8)
    assert img.captured_utc() == dt.datetime(2024, 10, 1, 1, 30, 15, tzinfo=dt.UTC)
    local = ingest_file(make_jpeg(tmp_path / "b.jpg", exif_data=exif(taken=TAKEN)))
    assert local.capture_offset is None
    # no offset: the camera's wall time, never shifted by this computer's zone
    assert local.captured_utc() is None
    assert local.captured_wall() == "2024-10-01 09:30:15" and local.offset_minutes() is None
    assert img.captured_wall() == "2024-10-01 09:30:15" and img.offset_minutes() == 480
    odd = ingest_file(make_jpeg(tmp_path / "c.jpg", exif_data=exif(taken=TAKEN, offset="8 h")))
    assert odd.capture_offset is None and odd.captured_at is not None
    assert ingest_file(make_jpeg(tmp_path / "d.jpg")).captured_utc() is None


def test_png_with_exif_orientation_is_turned(tmp_path: Path) -> None:
    src = make_png(tmp_path / "turned.png", (300, 200))
    im = Image.open(src)
    im.save(tmp_path / "turned-exif.png", exif=exif(orientation=6))
    img = ingest_file(tmp_path / "turned-exif.png")
    assert (img.width, img.height) == (200, 300)
    display = Image.open(io.BytesIO(img.display_jpeg))
    assert display.size == (200, 300)
    assert is_red(display.getpixel((195, 5)))  # type: ignore[arg-type]


# -- the store ------------------------------------------------------------------------------


def test_store_layout_skips_existing_files_and_verifies(tmp_path: Path) -> None:
    png = ingest_file(make_png(tmp_path / "p.png"))
    paths = store.store_image(tmp_path / "data", png)
    sha = png.sha256
    media = tmp_path / "data" / "media"
    assert paths == (
        media / "originals" / sha[:2] / f"{sha}.png",
        media / "display" / sha[:2] / f"{sha}.jpg",
        media / "thumbs" / sha[:2] / f"{sha}.jpg",
    )
    assert paths == store.media_paths(tmp_path / "data", sha, "image/png")
    before = {p: p.stat().st_mtime_ns for p in paths}
    store.store_image(tmp_path / "data", png)  # already there with the right size
    assert {p: p.stat().st_mtime_ns for p in paths} == before
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == sorted(
        [f"{sha}.png", f"{sha}.jpg", f"{sha}.jpg"]
    )

    assert store.verify_original(tmp_path / "data", sha, "image/png")
    data = bytearray(paths.original.read_bytes())
    data[-1] ^= 1
    paths.original.write_bytes(bytes(data))
    assert not store.verify_original(tmp_path / "data", sha, "image/png")
    paths.original.unlink()
    assert not store.verify_original(tmp_path / "data", sha, "image/png")


def test_store_rejects_names_that_are_not_digests(tmp_path: Path) -> None:
    for bad in ("../../etc/passwd", "A" * 64, "0" * 63, ""):
        with pytest.raises(ValueError):
            store.original_path(tmp_path, bad, "image/jpeg")
    with pytest.raises(ValueError):
        store.original_path(tmp_path, "0" * 64, "image/gif")


def test_red_is_where_the_helper_says(tmp_path: Path) -> None:
    """The test's own geometry, checked with Pillow's transpose on a small picture."""
    src = make_jpeg(tmp_path / "s.jpg", (400, 300), quality=100)
    turned = Image.open(src).transpose(Image.Transpose.ROTATE_270)
    x, y = rotate_270_point(20, 15, height=300)
    assert turned.size == (300, 400)
    assert turned.getpixel((round(x), round(y))) == pytest.approx(RED, abs=40)  # type: ignore[arg-type]
