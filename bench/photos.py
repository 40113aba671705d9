"""Photo benchmarks (issue: evidence on site), medians with the baseline measured in the same run.

    python bench/photos.py [--runs N] [--count 200] [--cache DIR] [--json OUT]

- one 12 MP JPEG through ``services.photos.add_photos`` (read once, SHA-256, verify, decode,
  upright display copy and thumbnail, three atomic files, one audited transaction), a fresh
  inspection and an empty media store each run, vs the bare baseline "Pillow open +
  ``ImageOps.exif_transpose`` + ``thumbnail((2048, 2048))``" of the same file.
  Target: at most 1.5x the baseline.
- 200 distinct 12 MP JPEGs (generated once, cached) added to one inspection as a folder, in a
  child process: through ``inspector_app.ui.workers.run_task`` inside an offscreen
  ``QApplication`` while a 10 ms QTimer records heartbeats on the GUI thread. Reports wall
  time, peak RSS (``ru_maxrss`` and VmHWM) and the longest and median gap between heartbeats.
  Targets: peak memory under 500 MB, longest gap under 250 ms (the GUI does not freeze).

Exit status 1 if a figure is over its target.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import peak_rss_mb, rss_mb, summary, vmhwm_mb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZE = (4000, 3000)
TARGET_RATIO = 1.5
TARGET_PEAK_MB = 500
TARGET_MAX_GAP_MS = 250
HEARTBEAT_MS = 10
CACHE_VERSION = "v1"


# -- test photos ------------------------------------------------------------------------------


def make_photo(path: Path, seed: int) -> None:
    """A 12 MP JPEG with photo-like detail (noise over gradients), distinct per seed, with the
    EXIF a camera writes: orientation 6 (portrait), capture time, make and model."""
    from PIL import Image, ImageChops, ImageDraw

    w, h = SIZE
    grain = Image.effect_noise((w // 4, h // 4), 30 + seed % 20).resize(
        SIZE, Image.Resampling.BILINEAR
    )
    red = ImageChops.offset(grain, seed * 37, seed * 11)
    green = ImageChops.offset(Image.linear_gradient("L").resize(SIZE), seed * 53, 0)
    blue = Image.effect_noise((w // 8, h // 8), 60).resize(SIZE, Image.Resampling.BICUBIC)
    im = Image.merge("RGB", (red, green, blue))
    d = ImageDraw.Draw(im)
    x, y = (seed * 97) % (w - 900), (seed * 61) % (h - 700)
    d.rectangle((x, y, x + 800, y + 600), fill=(seed * 7 % 256, 200, 30))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 5D Mark IV"
    exif.get_ifd(0x8769)[0x9003] = (
        f"2024:10:01 {9 + seed // 3600 % 10:02d}:{seed // 60 % 60:02d}:{seed % 60:02d}"
    )
    tmp = path.with_suffix(".part")
    im.save(tmp, "JPEG", quality=90, exif=exif)
    tmp.replace(path)


def photo_set(cache: Path, count: int) -> Path:
    folder = cache / f"photos-{CACHE_VERSION}-{count}"
    folder.mkdir(parents=True, exist_ok=True)
    missing = [n for n in range(count) if not (folder / f"IMG_{n:04d}.JPG").exists()]
    if missing:
        print(f"generating {len(missing)} test photos in {folder} …", flush=True)
        t0 = time.perf_counter()
        for n in missing:
            make_photo(folder / f"IMG_{n:04d}.JPG", n)
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
    return folder


# -- one photo vs the bare baseline ------------------------------------------------------------


def baseline(path: Path) -> None:
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        up = ImageOps.exif_transpose(im)
        up.thumbnail((2048, 2048))


def single_photo(path: Path, runs: int, work: Path) -> dict[str, object]:
    from inspector_app.services.inspections import start_inspection
    from inspector_app.services.photos import add_photos
    from inspector_app.services.sites import find_site, upsert_sites
    from inspector_app.services.startup import open_workspace
    from inspector_app.services.templates import find_template_version, sync_forms
    from inspector_app.settings import Settings

    data_dir = work / "single"
    ws = open_workspace(data_dir, actor="bench", settings=Settings())[0]
    sync_forms(ws)
    upsert_sites(ws, [{"code": "BENCH", "name": "基准测试", "site_type": "pilot_base"}], actor="b")
    site = find_site(ws, "BENCH")
    tv = find_template_version(ws, "pilot-base-performance")

    def fresh() -> str:
        shutil.rmtree(data_dir / "media", ignore_errors=True)
        import datetime as dt

        insp = start_inspection(
            ws,
            site_id=site.id,
            template_version_id=tv.id,
            inspectors=["bench"],
            started_on=dt.date(2024, 10, 1),
            actor="bench",
        )
        return insp.id

    def ours() -> float:
        insp_id = fresh()
        t0 = time.perf_counter()
        report = add_photos(ws, insp_id, [path], actor="bench")
        elapsed = time.perf_counter() - t0
        assert len(report.added) == 1, report.refused
        return elapsed

    def base() -> float:
        t0 = time.perf_counter()
        baseline(path)
        return time.perf_counter() - t0

    ours()  # warm-up: imports, the ORM's first statements
    base()
    mine, bare = [], []
    for n in range(runs):  # alternate, so drift hits both sides alike
        if n % 2:
            bare.append(base())
            mine.append(ours())
        else:
            mine.append(ours())
            bare.append(base())
    ws.close()
    ratio = statistics.median(mine) / statistics.median(bare)
    return {
        "add_photos": summary(mine),
        "baseline_open_transpose_thumbnail": summary(bare),
        "ratio": round(ratio, 2),
        "file_mb": round(path.stat().st_size / 1e6, 2),
    }


# -- 200 photos behind the GUI ------------------------------------------------------------------


def child_gui(data_dir: Path, folder: Path) -> int:
    """Runs in the child process: the ingest on the thread pool, heartbeats on the GUI thread."""
    import datetime as dt

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from inspector_app.services.inspections import start_inspection
    from inspector_app.services.photos import add_photos
    from inspector_app.services.sites import find_site, upsert_sites
    from inspector_app.services.startup import open_workspace
    from inspector_app.services.templates import find_template_version, sync_forms
    from inspector_app.settings import Settings
    from inspector_app.ui.workers import run_task

    app = QApplication([])
    ws = open_workspace(data_dir, actor="bench", settings=Settings())[0]
    sync_forms(ws)
    upsert_sites(ws, [{"code": "BENCH", "name": "基准测试", "site_type": "pilot_base"}], actor="b")
    insp = start_inspection(
        ws,
        site_id=find_site(ws, "BENCH").id,
        template_version_id=find_template_version(ws, "pilot-base-performance").id,
        inspectors=["bench"],
        started_on=dt.date(2024, 10, 1),
        actor="bench",
    )
    rss_before = rss_mb()

    beats: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(HEARTBEAT_MS)
    timer.timeout.connect(lambda: beats.append(time.perf_counter()))
    timer.start()
    state: dict[str, object] = {}

    def work(progress):  # type: ignore[no-untyped-def]
        return add_photos(ws, insp.id, [folder], actor="bench", progress=progress)

    def done(report) -> None:  # type: ignore[no-untyped-def]
        state["t1"] = time.perf_counter()
        state["report"] = report
        QTimer.singleShot(50, app.quit)  # a few more heartbeats after the end

    def failed(exc: Exception) -> None:
        state["error"] = repr(exc)
        app.quit()

    def begin() -> None:
        state["t0"] = time.perf_counter()
        run_task(None, work, on_done=done, on_error=failed, title="Adding photos", cancellable=True)

    QTimer.singleShot(100, begin)  # let the loop and the timer settle first
    app.exec()
    if "error" in state:
        print(json.dumps({"error": state["error"]}))
        return 1
    t0, t1 = float(state["t0"]), float(state["t1"])  # type: ignore[arg-type]
    during = [b for b in beats if t0 <= b <= t1 + 0.05]
    edges = [t0, *during]
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(edges)]
    report = state["report"]
    print(
        json.dumps(
            {
                "photos_added": len(report.added),  # type: ignore[attr-defined]
                "refused": len(report.refused),  # type: ignore[attr-defined]
                "wall_s": round(t1 - t0, 2),
                "per_photo_s": round((t1 - t0) / max(1, len(report.added)), 3),  # type: ignore[attr-defined]
                "rss_before_mb": round(rss_before, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "vmhwm_mb": vmhwm_mb(),
                "heartbeats": len(during),
                "max_gap_ms": round(max(gaps), 1),
                "median_gap_ms": round(statistics.median(gaps), 1),
                "p99_gap_ms": round(sorted(gaps)[int(len(gaps) * 0.99)], 1),
            }
        )
    )
    ws.close()
    return 0


def many_photos(folder: Path, work: Path) -> dict[str, object]:
    data_dir = work / "many"
    out = subprocess.run(
        [sys.executable, __file__, "--child-gui", str(data_dir), str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=3600,
    )
    if out.returncode != 0:
        raise SystemExit(f"child failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- main -------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "inspector-bench-photos",
        help="where the generated test photos are kept between runs",
    )
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child-gui", nargs=2, metavar=("DATA_DIR", "FOLDER"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_gui:
        return child_gui(Path(args.child_gui[0]), Path(args.child_gui[1]))

    folder = photo_set(args.cache, args.count)
    one = folder / "IMG_0000.JPG"
    results: dict[str, object] = {"python": sys.version.split()[0], "photo": f"{SIZE[0]}x{SIZE[1]}"}
    with tempfile.TemporaryDirectory() as tmp:
        results["single_12mp"] = single_photo(one, args.runs, Path(tmp))
        results[f"folder_of_{args.count}_behind_gui"] = many_photos(folder, Path(tmp))

    for key, value in results.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    single = results["single_12mp"]
    many = results[f"folder_of_{args.count}_behind_gui"]
    checks = [
        ("single_12mp.ratio", single["ratio"], TARGET_RATIO),  # type: ignore[index]
        ("peak_rss_mb", many["peak_rss_mb"], TARGET_PEAK_MB),  # type: ignore[index]
        ("max_gap_ms", many["max_gap_ms"], TARGET_MAX_GAP_MS),  # type: ignore[index]
    ]
    failed = [f"{name} {value} > {limit}" for name, value, limit in checks if value > limit]
    if many.get("photos_added") != args.count:  # type: ignore[union-attr]
        failed.append(f"only {many.get('photos_added')} of {args.count} photos added")  # type: ignore[union-attr]
    if failed:
        print(f"over the target: {'; '.join(failed)}")
        return 1
    print("all within target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
