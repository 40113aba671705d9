"""The sample data's pictures, drawn from fixed seeds with Pillow: site photos (shapes, the
caption in the bundled font, an EXIF time and camera) and hand-drawn-looking signatures."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
from pathlib import Path


def demo_photo(folder: Path, caption: str, seed: str, when: dt.datetime) -> Path:
    """A generated site photo: shapes, the caption in the bundled font, EXIF time and camera."""
    from PIL import Image, ImageDraw, ImageFont

    from inspector_app.fonts import FONT_PATH

    rng = random.Random(seed)
    w, h = 640, 480
    sky = tuple(rng.randrange(150, 230) for _ in range(3))
    img = Image.new("RGB", (w, h), sky)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, int(h * 0.62), w, h), fill=(rng.randrange(90, 140),) * 3)
    for _ in range(7):  # machines, racks, tanks
        x, y = rng.randrange(24, w - 180), rng.randrange(int(h * 0.25), int(h * 0.6))
        colour = tuple(rng.randrange(30, 200) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle(
                (x, y, x + rng.randrange(60, 160), y + rng.randrange(60, 140)),
                fill=colour,
                outline=(20, 20, 20),
                width=3,
            )
        else:
            r = rng.randrange(28, 64)
            draw.ellipse((x, y, x + 2 * r, y + 2 * r), fill=colour, outline=(20, 20, 20), width=3)
    font = ImageFont.truetype(str(FONT_PATH), 22, index=0)
    draw.rectangle((0, 0, w, 38), fill=(0, 0, 0))
    draw.text((20, 12), f"{caption}  {when:%Y-%m-%d %H:%M}", font=font, fill=(255, 255, 255))
    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"  # Make
    exif[0x0110] = "Mate 60 (demo)"  # Model
    exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    path = folder / f"IMG_{hashlib.sha1(seed.encode()).hexdigest()[:8].upper()}.jpg"
    img.save(path, "JPEG", quality=82, exif=exif)
    return path


def signature_png(name: str, seed: str) -> bytes:
    """A drawn-looking signature: strokes in a seeded random walk (no font needed)."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    img = Image.new("RGBA", (480, 160), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    x = 30.0
    for _glyph in name:
        points = []
        y = 80 + rng.uniform(-20, 20)
        for _ in range(9):
            x += rng.uniform(3, 9)
            y = min(140, max(20, y + rng.uniform(-28, 28)))
            points.append((x, y))
        draw.line(points, fill=(20, 30, 90, 255), width=4, joint="curve")
        x += 18
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
