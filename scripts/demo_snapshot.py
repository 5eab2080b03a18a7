#!/usr/bin/env python3
"""Snapshot what the demo partnership shows, to prove a restructuring changes nothing.

    .venv/bin/python scripts/demo_snapshot.py OUT_DIR [--compare BASELINE_DIR]

Loads the demo into a fresh SQLite database in a temporary folder, exports the full and
the public workbook, and saves the HTML of the main pages for each demo role. With
--compare, says which files differ from an earlier snapshot, ignoring CSRF tokens, nonces
and the times of this run (the workbooks' "data as at" and "generated", the returns' upload
times on pages and in the workbook), so two runs of the same code compare equal (exit 1 if
any differs). Used for issue 13: take a
snapshot before the change, another after, compare.
"""
import argparse
import re
from datetime import date
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402

from app import create_app  # noqa: E402
from tests.conftest import (  # noqa: E402
    DEMO_ADMIN,
    DEMO_DHR,
    DEMO_LWA_OFFICER,
    DEMO_MANAGER,
    DEMO_POLICE_OFFICER,
    make_config,
    sign_in,
)

PAGES = ["/", "/data", "/dashboard/", "/dashboard/2015-16", "/dashboard/2015-16-q4", "/performance/completeness",
         "/performance/2015-16/indicators/1", "/performance/2015-16/indicators/5", "/performance/schedule",
         "/performance/reporting-rates", "/dhr/",
         "/dhr/cases", "/dhr/budget", "/dhr/actions", "/returns/", "/templates/", "/admin/",
         # the dashboard's other views: every outcome on one page, one area, one outcome
         "/dashboard/2015-16?all=1", "/dashboard/2015-16-q4?all=1", "/dashboard/2015-16?area=LC",
         "/dashboard/2015-16?area=B&all=1", "/dashboard/2015-16?outcome=2"]
ROLES = {"admin": DEMO_ADMIN, "manager": DEMO_MANAGER, "dhr": DEMO_DHR, "police": DEMO_POLICE_OFFICER,
         "lwa": DEMO_LWA_OFFICER}


def snapshot(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="demo-snapshot-"))
    app = create_app(make_config("sqlite:///" + str(folder / "demo.db"), folder))
    with app.app_context():
        flask_migrate.upgrade()
        runner = app.test_cli_runner()
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
        for name, extra in (("full.xlsx", []), ("public.xlsx", ["--public"])):
            assert runner.invoke(args=["dashboard", "export", "-o", str(out / name), *extra]).exit_code == 0
    # Outside the app context: each client's requests get their own, so sign-ins do not leak.
    for role, (email, password) in ROLES.items():
        client = app.test_client()
        with app.app_context():  # the helper reads the authenticator secret from the database
            sign_in(client, email, password)  # through two-factor set-up, for those who must use it
        for page in PAGES:
            (out / f"{role}{page.replace('/', '_')}.html").write_bytes(client.get(page, follow_redirects=True).data)


def masked_html(data: bytes) -> bytes:
    data = re.sub(rb'nonce="[^"]+"', b'nonce="NONCE"', data)  # a new one every response
    data = re.sub(rb"\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d", b"NOW", data)  # a return's upload time: the load's
    return re.sub(rb'name="csrf_token" (type="hidden" )?value="[^"]+"', b"CSRF", data)


def masked_xml(data: bytes) -> bytes:
    data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"DATE", data)
    data = re.sub(rb"\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d", b"DATE", data)
    # Any date-time of the last few days (an Excel serial with a time of day): when the demo
    # was loaded or the workbook written, in "Data as at", "Generated" and the returns' times.
    today = (date.today() - date(1899, 12, 30)).days
    recent = b"|".join(str(day).encode() for day in range(today - 2, today + 2))
    return re.sub(rb"<v>(?:" + recent + rb")\.\d+</v>", b"<v>NOW</v>", data)


def compare(out: Path, baseline: Path) -> list[str]:
    differ = []
    for path in sorted(out.iterdir()):
        before = baseline / path.name
        if not before.exists():
            differ.append(f"{path.name}: not in the baseline")
        elif path.suffix == ".html" and masked_html(path.read_bytes()) != masked_html(before.read_bytes()):
            differ.append(path.name)
        elif path.suffix == ".xlsx":
            new, old = zipfile.ZipFile(path), zipfile.ZipFile(before)
            if new.namelist() != old.namelist():
                differ.append(f"{path.name}: other parts")
            differ += [f"{path.name}: {part}" for part in new.namelist()
                       if part in old.namelist() and masked_xml(new.read(part)) != masked_xml(old.read(part))]
    return differ


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path, help="an earlier snapshot's folder")
    args = parser.parse_args()
    snapshot(args.out)
    if args.compare is None:
        print(f"snapshot of {len(list(args.out.iterdir()))} files in {args.out}")
        return 0
    differ = compare(args.out, args.compare)
    print("\n".join(differ) or f"no difference in {len(list(args.out.iterdir()))} files")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
