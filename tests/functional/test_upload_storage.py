"""Uploads on storage several machines can share (issue 21): the uploads folder and an
S3-compatible bucket on a real server (SeaweedFS, tests/seaweed.py) behind one interface; an
original written before a failed commit is removed; held uploads live as long as their
preview opens and ``flask uploads prune`` removes them, and orphaned originals."""
import io
import json
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Submission
from app.services.returns import import_return
from app.store import submissions as store
from tests.conftest import DEMO_LWA_OFFICER as LWA_OFFICER, DEMO_SUBMISSIONS, signed_in
from tests.unit.ingest.returns import LWA, filled

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def keys(files, folder="") -> list[str]:
    return [f.key for f in files.listing(folder)]


def upload(client, data: bytes, filename="return.xlsx"):
    response = client.post("/returns/upload", data={"file": (io.BytesIO(data), filename), "agency": LWA},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.data[:2000]
    return response.headers["Location"]


def test_the_interface_behaves_the_same_on_both_storages(uploads_store):
    files = uploads_store
    assert files.put("abc.xlsx", b"first") is True
    assert files.put("abc.xlsx", b"second") is False  # never overwritten: a key names its content
    assert files.get("abc.xlsx") == b"first" and files.exists("abc.xlsx")
    files.put("pending/tok.json", b"{}")
    files.replace("pending/tok.json", b'{"a": 1}')
    assert files.get("pending/tok.json") == b'{"a": 1}'
    assert keys(files) == ["abc.xlsx"] and keys(files, "pending") == ["pending/tok.json"]
    assert abs(files.listing()[0].modified - time.time()) < 120
    files.delete("abc.xlsx")
    files.delete("abc.xlsx")  # already gone: no error
    assert not files.exists("abc.xlsx") and keys(files) == []
    with pytest.raises(FileNotFoundError):
        files.get("abc.xlsx")
    with pytest.raises(ValueError):
        files.get("../secret")


def test_an_upload_stored_in_the_bucket_and_read_back(app, client, demo, s3_uploads, s3_server):
    data = filled()
    officer = signed_in(client, LWA_OFFICER)
    preview = officer.get(upload(officer, data, "Appendix 2 Q4.xlsx"))
    assert "70 figures, 0 warnings, 0 errors" in " ".join(preview.data.decode().split())
    held = keys(s3_uploads, "pending")
    token = preview.request.path.rsplit("/", 1)[-1]
    # The file, its record and what was read from it (for the confirmation), all in the bucket.
    assert len(held) == 3 and {f"pending/{token}.json", f"pending/{token}.read.json.gz"} < set(held)
    assert not Path(app.config["UPLOAD_FOLDER"]).exists()  # nothing on the local disk
    confirmed = officer.post(preview.request.path + "/confirm", data={"comment": ""})
    assert confirmed.status_code == 302
    submission = db.session.scalar(select(Submission).order_by(Submission.id.desc()))  # the demo recorded three
    # In the bucket, read straight from the S3 server: the original, and the held copy gone.
    bucket, prefix = app.config["UPLOAD_S3_BUCKET"], app.config["UPLOAD_S3_PREFIX"]
    listed = s3_server.client().list_objects_v2(Bucket=bucket, Prefix=prefix + "/")["Contents"]
    assert [o["Key"] for o in listed] == [f"{prefix}/{submission.sha256}.xlsx"]
    body = s3_server.client().get_object(Bucket=bucket, Key=f"{prefix}/{submission.sha256}.xlsx")
    assert body["Body"].read() == data
    download = officer.get(f"/returns/submissions/{submission.id}/original")
    assert download.status_code == 200 and download.data == data


def test_an_orphaned_original_is_removed_when_the_commit_fails(app, demo, monkeypatch, uploads_store):
    real_insert = store.insert_values
    written = []

    def insert_then_fail(rows):
        written.append(keys(uploads_store))  # the original is there before the commit...
        real_insert(rows)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(store, "insert_values", insert_then_fail)
    with pytest.raises(RuntimeError, match="went away"):
        import_return(filled(), "a.xlsx", agency_slug=LWA)
    assert len(written) == 1 and len(written[0]) == 1 and written[0][0].endswith(".xlsx")
    assert keys(uploads_store) == []  # ...and gone after it failed
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS


def test_prune_removes_an_original_a_killed_worker_left(app, demo, runner, uploads_store):
    kept = import_return(filled(), "a.xlsx", agency_slug=LWA).submission
    uploads_store.put("0" * 64 + ".xlsx", b"written, then the worker was killed before the commit")
    result = runner.invoke(args=["uploads", "prune"])
    assert result.exit_code == 0 and "0 orphaned original(s)" in result.output  # younger than an hour: may be busy
    app.config["UPLOAD_ORPHAN_HOURS"] = 0
    assert runner.invoke(args=["uploads", "prune", "--dry-run"]).output.splitlines()[0] == \
        f"Would remove {'0' * 64}.xlsx"
    assert len(keys(uploads_store)) == 2
    result = runner.invoke(args=["uploads", "prune"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Removed {'0' * 64}.xlsx",
        "Removed 0 held upload file(s) past their preview's life and 1 orphaned original(s); kept 0 held and "
        "1 original(s)."]
    assert keys(uploads_store) == [f"{kept.sha256}.xlsx"]


def test_a_rejected_upload_lives_as_long_as_its_preview(app, client, demo, runner, uploads_store):
    officer = signed_in(client, LWA_OFFICER)
    preview = upload(officer, filled({"C6": "lots"}), "with an error.xlsx")
    page = officer.get(preview)
    assert page.status_code == 200 and "1 error" in " ".join(page.data.decode().split())
    held = keys(uploads_store, "pending")
    token = preview.rsplit('/', 1)[-1]
    assert len(held) == 3 and {f"pending/{token}.json", f"pending/{token}.read.json.gz"} < set(held)
    result = runner.invoke(args=["uploads", "prune"])
    assert (result.exit_code, result.output.splitlines()[-1]) == (0, (
        "Removed 0 held upload file(s) past their preview's life and 0 orphaned original(s); kept 3 held and "
        "0 original(s)."))
    app.config["UPLOAD_PENDING_HOURS"] = 0  # its time is up
    assert officer.get(preview).status_code == 404
    result = runner.invoke(args=["uploads", "prune"])
    assert result.exit_code == 0, result.output
    assert sorted(result.output.splitlines()[:-1]) == [f"Removed {key}" for key in held]
    assert keys(uploads_store, "pending") == []


def test_the_default_life_of_a_held_upload_is_24_hours(app, client, demo, runner):
    officer = signed_in(client, LWA_OFFICER)
    preview = upload(officer, filled({"C6": "lots"}), "with an error.xlsx")
    folder = Path(app.config["UPLOAD_FOLDER"]) / "pending"
    record = next(folder.glob("*.json"))

    def age(hours):
        then = time.time() - hours * 3600
        held = json.loads(record.read_text())
        record.write_text(json.dumps({**held, "held_at": then}))
        for path in folder.iterdir():
            os.utime(path, (then, then))

    age(23.9)
    assert officer.get(preview).status_code == 200
    assert "kept 3 held" in runner.invoke(args=["uploads", "prune"]).output  # the file, its record, its reading
    age(24.1)
    assert officer.get(preview).status_code == 404
    assert "Removed 3 held upload file(s)" in runner.invoke(args=["uploads", "prune"]).output
    assert list(folder.iterdir()) == []


def test_prune_exit_status_when_it_cannot_work(app, runner):
    app.config.update(UPLOAD_STORAGE="s3", UPLOAD_S3_BUCKET=None)
    result = runner.invoke(args=["uploads", "prune"])
    assert (result.exit_code, result.output) == (2, "Cannot prune: UPLOAD_STORAGE is 's3' but UPLOAD_S3_BUCKET is "
                                                    "not set.\n")
    from tests.seaweed import free_ports

    app.config.update(UPLOAD_S3_BUCKET="nowhere", UPLOAD_S3_ENDPOINT_URL=f"http://127.0.0.1:{free_ports(1)[0]}",
                      UPLOAD_S3_ACCESS_KEY_ID="k", UPLOAD_S3_SECRET_ACCESS_KEY="s", UPLOAD_S3_REGION="us-east-1")
    result = runner.invoke(args=["uploads", "prune"])
    assert result.exit_code == 1 and result.output.startswith("Cannot prune: the upload storage failed:")


def test_a_templates_reference_copy_is_kept_in_the_bucket(app, client, demo, s3_uploads, tmp_path):
    from tests.conftest import DEMO_ADMIN
    from tests.functional.test_template_from_example import SLUG, add_corpus_indicators, example_file, post_example

    add_corpus_indicators()
    example = example_file(tmp_path)
    admin = signed_in(client, DEMO_ADMIN)
    assert post_example(admin, example).status_code == 302
    assert keys(s3_uploads, "templates") == [f"templates/{SLUG}.json", f"templates/{SLUG}.xlsx"]
    assert s3_uploads.get(f"templates/{SLUG}.xlsx") == example
    assert admin.get(f"/templates/{SLUG}/reference-copy").data == example
    assert f'href="/templates/{SLUG}/reference-copy"' in admin.get("/templates/").data.decode()
    assert keys(s3_uploads) == []  # beside the originals, not among them: prune leaves it alone
