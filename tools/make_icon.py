"""Draw the application icon: a clipboard with a check mark, in the app's blue.

    .venv/bin/python tools/make_icon.py

writes resources/icons/inspector.png (256x256, the desktop's window icon) and
resources/icons/inspector.ico (16 to 256 px, the Windows executables' icon, see build.spec).
The shapes are drawn at 1024 px and scaled down, so every size is anti-aliased; running it
again gives the same pixels.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

BLUE = "#1f5fa8"  # the app's blue
DARK_BLUE = "#143f70"
PAPER = "#ffffff"
LINES = "#c8d6e8"
CANVAS = 1024
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"


def draw(size: int = CANVAS) -> Image.Image:
    """The icon at ``size`` px (drawn at 1024 px, then scaled)."""
    img = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # the board
    d.rounded_rectangle((176, 120, 848, 984), radius=104, fill=BLUE)
    # the sheet of paper on it, with two ruled lines below the check mark
    d.rounded_rectangle((264, 232, 760, 904), radius=40, fill=PAPER)
    for y in (744, 800):
        d.rounded_rectangle((344, y - 14, 680, y + 14), radius=14, fill=LINES)
    # the clip, with its hole
    d.rounded_rectangle((352, 48, 672, 264), radius=56, fill=DARK_BLUE)
    d.ellipse((468, 84, 556, 172), fill=(0, 0, 0, 0))
    # the check mark: a thick polyline with round ends and joint
    points = [(368, 476), (476, 596), (676, 356)]
    width = 92
    d.line(points, fill=BLUE, width=width, joint="curve")
    r = width // 2
    for x, y in (points[0], points[-1]):
        d.ellipse((x - r, y - r, x + r, y + r), fill=BLUE)
    if size != CANVAS:
        img = img.resize((size, size), Image.Resampling.LANCZOS)
    return img


def write(folder: Path = OUT) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    png, ico = folder / "inspector.png", folder / "inspector.ico"
    icon = draw(256)
    icon.save(png, optimize=True)
    # Pillow scales the 256 px image to each size; smaller sizes from the 1024 px drawing
    # look sharper, so give each its own image through append_images.
    images = [draw(w) for w, _h in ICO_SIZES]
    images[-1].save(ico, format="ICO", sizes=ICO_SIZES, append_images=images[:-1])
    return png, ico


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder (default resources/icons)")
    args = parser.parse_args()
    for path in write(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
