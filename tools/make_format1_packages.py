"""Make the records-format-1 packages in tests/data that tests/sync/test_wire.py imports.

    .venv/bin/python tools/make_format1_packages.py

Each package is written by the app as it was at a pinned commit, by that app's own export:
the commit's inspector_app/, forms/ and resources/ are unpacked (``git archive``) into a
temporary folder and a small script runs there with that code first on the import path,
in a fresh data folder and with its own settings (the per-user ones are never read or
written). The two apps wrote records format 1 (every table column) as it stood:

- ``format-1-0005.inspkg``: the app before migration 0006 (no organisation or display zone
  on a frozen revision);
- ``format-1-0006.inspkg``: the app after it, which wrote the two columns under the same
  format number.

The data is small and fixed except for ids, times and the device key: one site, the mini
template (tests/data/mini.yaml), an inspection answered, commented, with a photo and a
finding showing it, completed, signed and so exported, and its re-inspection (复查) as a draft
carrying the finding forward. The files are kept in git: run this again only to make them
anew (the tests read whatever is there).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
APPS = {
    # the last commit before migration 0006 (revision presentation)
    "format-1-0005.inspkg": "b67864a5ab39d4c0afba6b4a3e769efafc3eb404",
    # main before records format 2
    "format-1-0006.inspkg": "be0ac10ef9bf7e1843530db950f66f0f55285d92",
}

CHILD = r"""
import datetime as dt
import io
import sys
from pathlib import Path

import inspector_app

src, data, forms, out = (Path(a) for a in sys.argv[1:5])
assert Path(inspector_app.__file__).resolve().is_relative_to(src.resolve()), inspector_app.__file__

from PIL import Image

from inspector_app import settings, timefmt

settings.use_data_folder(data)
s = settings.load_settings()
s.organisation, s.timezone = "示例科技局", "Asia/Urumqi"
s.inspectors = ["王晓明"]
settings.save_settings(s)
timefmt.set_display_zone("Asia/Urumqi")

from inspector_app.services import answers as answers_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspections as svc
from inspector_app.services import signatures as signatures_svc
from inspector_app.services.photos import add_photos, link_photo_to_finding
from inspector_app.services.sites import find_site, upsert_sites
from inspector_app.services.sync import export_package
from inspector_app.services.templates import find_template_version, sync_forms
from inspector_app.store.db import open_database

db = open_database(data)
sync_forms(db, forms)
tv = find_template_version(db, "mini")
upsert_sites(
    db,
    [
        {
            "code": "PB-F1",
            "name": "示例中试基地",
            "site_type": "pilot_base",
            "district": "环翠区",
            "contact_name": "刘芳",
            "contact_phone": "0631-5800000",
        }
    ],
    actor="王晓明",
)
site = find_site(db, "PB-F1").id
actor = "王晓明"
first = svc.start_inspection(
    db,
    site_id=site,
    template_version_id=tv.id,
    inspectors=[actor],
    started_on=dt.date(2024, 10, 8),
    actor=actor,
).id
for item, value in (
    ("s1.equip", 1200),
    ("s1.lab", "yes"),
    ("s1.lab-area", "独立场地约 800 平方米"),
    ("s1.team", 8),
    ("s2.level", "mid"),
    ("s2.date", "2024-10-08"),
    ("v-fraud", "no"),
):
    answers_svc.answer_item(db, first, item, value, actor=actor)
answers_svc.comment_item(db, first, "s1.team", "工程负责人在岗", actor=actor)
photo = data.parent / "lab.jpg"
Image.new("RGB", (64, 48), (40, 120, 200)).save(photo, "JPEG", quality=80)
report = add_photos(db, data, first, [photo], actor=actor, item_id="s1.lab", caption="实验室")
photo_id = report.added[0].id
finding = findings_svc.add_finding(
    db,
    first,
    description="设备台账不全",
    severity="major",
    item_id="s1.equip",
    requirement="补齐设备台账",
    deadline=dt.date(2024, 12, 31),
    responsible="刘芳",
    actor=actor,
)
link_photo_to_finding(db, finding.id, photo_id, role="evidence", actor=actor)
svc.complete_inspection(db, first, actor=actor, ended_on=dt.date(2024, 10, 8))
png = io.BytesIO()
Image.new("L", (120, 40), 255).save(png, "PNG")
signatures_svc.record_signature(
    db, first, signer_name=actor, role="inspector", image_png=png.getvalue(), actor=actor
)
second = svc.start_inspection(
    db,
    site_id=site,
    template_version_id=tv.id,
    inspectors=[actor],
    started_on=dt.date(2025, 1, 10),
    actor=actor,
).id
answers_svc.answer_item(db, second, "s1.lab", "yes", actor=actor)
result = export_package(db, data, out, actor=actor, device_name="王晓明 @ FIELD-LAPTOP")
assert result.inspections == 2 and result.photos == 1, result
print(out, result.byte_size, "bytes")
"""


def make(name: str, commit: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = work / "app"
        src.mkdir()
        archive = subprocess.run(
            ["git", "archive", commit, "inspector_app", "forms", "resources"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        tar = work / "app.tar"
        tar.write_bytes(archive)
        with tarfile.open(tar) as tf:
            tf.extractall(src, filter="data")
        forms = work / "forms"
        forms.mkdir()
        (forms / "mini.yaml").write_bytes((DATA / "mini.yaml").read_bytes())
        child = work / "child.py"
        child.write_text(CHILD, encoding="utf-8")
        env = {
            **os.environ,
            "PYTHONPATH": str(src),
            "XDG_CONFIG_HOME": str(work / "config"),
            "XDG_DATA_HOME": str(work / "share"),
            "INSPECTOR_DATA_DIR": str(work / "data"),
        }
        env.pop("INSPECTOR_LANG", None)
        out = DATA / name
        out.unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, str(child), str(src), str(work / "data"), str(forms), str(out)],
            cwd=work,
            env=env,
            check=True,
        )


def main() -> None:
    for name, commit in APPS.items():
        make(name, commit)


if __name__ == "__main__":
    main()
