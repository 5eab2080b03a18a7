"""A stored return sends a receipt (counts, warnings, the file's SHA-256), through
``flask returns import`` and through the web upload's confirm; the return that completes
its period tells the managers, once. Asserted on a real SMTP server's inbox (aiosmtpd)."""
import hashlib
import io

from sqlalchemy import delete, select

from app.extensions import db
from app.models import MailMessage, Period, ReturnDue, ReturnTemplate
from tests.conftest import DEMO_LWA_OFFICER, DEMO_SUBMISSIONS, signed_in
from tests.functional.test_import_cli import demo_appendix_2
from tests.functional.test_mail_reminders import subject_of, text_of
from tests.unit.ingest.returns import APPENDIX_2_SLUG, LWA, filled

LWA_OFFICER = DEMO_LWA_OFFICER[0]
SUBJECT = "Received: Domestic Abuse & Sexual Violence Support Service: output indicators for Dec 2015 – Mar 2016"


def import_file(runner, tmp_path, data: bytes, *args):
    path = tmp_path / "a2.xlsx"
    path.write_bytes(data)
    return runner.invoke(args=["returns", "import", str(path), "--agency", LWA, *args])


def only_appendix_2_due(period_key: str) -> None:
    """The demo's period, with every other scheduled return waived: Living Without Abuse's
    Appendix 2 is the last one due."""
    period = db.session.scalar(select(Period).where(Period.key == period_key))
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == APPENDIX_2_SLUG))
    keep = db.session.scalar(select(ReturnDue.id).where(ReturnDue.period_id == period.id,
                                                        ReturnDue.template_id == template.id,
                                                        ReturnDue.agency.has(slug=LWA)))
    assert keep is not None
    db.session.execute(delete(ReturnDue).where(ReturnDue.period_id == period.id, ReturnDue.id != keep))
    db.session.commit()


def test_an_imported_return_sends_a_receipt_with_its_checksum(runner, tmp_path, demo, smtp_inbox):
    data = filled()
    result = import_file(runner, tmp_path, data)
    assert result.exit_code == 0, result.output

    receipts = [m for m in smtp_inbox.messages if subject_of(m) == SUBJECT]
    assert [m["To"] for m in receipts] == [LWA_OFFICER]
    text = text_of(receipts[0])
    assert f"SHA-256 checksum of the file: {hashlib.sha256(data).hexdigest()}" in text
    assert "Agency: Living Without Abuse" in text and "Sent by: the command line" in text
    assert "- 63 figures\n- 7 targets\n- 0 warnings confirmed when it was sent" in text  # the 70 values read
    assert f"http://localhost/returns/submissions/{DEMO_SUBMISSIONS + 1}" in text
    assert LWA not in text and APPENDIX_2_SLUG not in text  # names, not codes


def test_the_return_that_completes_a_period_tells_the_managers_once(runner, tmp_path, demo, smtp_inbox):
    # The demo recorded Living Without Abuse's Dec 2015 - Mar 2016 returns as received
    # (Appendix 2 on 25 April 2016, on time) without telling anyone; Appendix 2 is left due.
    only_appendix_2_due(db.session.scalar(select(Period.key).where(Period.label == "Dec 2015 – Mar 2016")))

    again = import_file(runner, tmp_path, filled({"C6": 40, "J6": 735}), "--comment", "Blaby corrected")
    assert again.exit_code == 0, again.output
    messages = smtp_inbox.take()
    complete = "All returns for Dec 2015 – Mar 2016 have been received"
    assert sorted(subject_of(m) for m in messages) == [complete, SUBJECT]
    note = next(m for m in messages if subject_of(m) == complete)
    assert note["To"] == "manager@demo.saferreturns.org.uk"
    note_text = text_of(note)
    # none late: its first receipt (the demo's, 25 April 2016) came in before its deadline
    assert "Every return due for Dec 2015 – Mar 2016 has now been received: 1 return.\n" in note_text
    assert ("- Living Without Abuse (LLR domestic abuse and sexual violence service): Domestic Abuse & Sexual Violence "
            "Support Service: output indicators (Received ") in note_text
    receipt = text_of(next(m for m in messages if subject_of(m) == SUBJECT))
    assert "Comment sent with it: Blaby corrected" in receipt and "This return replaces the one received on" in receipt

    import_file(runner, tmp_path, filled({"C6": 41, "J6": 736}))
    assert [subject_of(m) for m in smtp_inbox.take()] == [SUBJECT]  # the managers were told already


def test_a_return_confirmed_on_the_web_sends_a_receipt_with_warnings_and_checksum(client, demo, smtp_inbox):
    data = filled(change=lambda wb: wb["Appendix 2"].__setitem__("N6", 12))
    officer = signed_in(client, DEMO_LWA_OFFICER)
    held = officer.post("/returns/upload", data={"file": (io.BytesIO(data), "lwa-q4.xlsx"), "agency": LWA},
                        content_type="multipart/form-data")
    assert held.status_code == 302
    confirmed = officer.post(held.headers["Location"] + "/confirm", data={"comment": "Column N is a note"})
    assert confirmed.status_code == 302

    # It completes the demo's Dec 2015 - Mar 2016 (Table 2 came in on 9 May 2016): the managers are told.
    assert sorted(subject_of(m) for m in smtp_inbox.messages) == [
        "All returns for Dec 2015 – Mar 2016 have been received", SUBJECT]
    [receipt] = [m for m in smtp_inbox.messages if subject_of(m) == SUBJECT]
    assert receipt["To"] == LWA_OFFICER
    text = text_of(receipt)
    assert f"SHA-256 checksum of the file: {hashlib.sha256(data).hexdigest()}" in text
    assert "File: lwa-q4.xlsx" in text and "Sent by: " in text and "the command line" not in text
    assert "- 1 warning confirmed when it was sent\n  - Appendix 2!N5: Column N is not part of this return" in text
    row = db.session.scalar(select(MailMessage).where(MailMessage.kind == "receipt"))
    assert (row.status, row.recipient) == ("sent", LWA_OFFICER)


def test_a_receipt_that_cannot_be_sent_does_not_stop_the_return_and_goes_next_run(app, runner, tmp_path, demo,
                                                                                   smtp_inbox):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    result = import_file(runner, tmp_path, filled())
    assert result.exit_code == 0 and result.output.splitlines()[-1] == (
        f"stored as submission #{DEMO_SUBMISSIONS + 1}, superseding #{demo_appendix_2()}")
    assert smtp_inbox.messages == []

    app.config["MAIL_PORT"] = port
    retry = runner.invoke(args=["reminders", "send", "--date", "2016-01-01"])
    assert retry.exit_code == 0, retry.output
    assert f"sent receipt to {LWA_OFFICER}: {SUBJECT}" in retry.output.splitlines()
    # The return completed the demo's Dec 2015 - Mar 2016 (Table 2 came in on 9 May 2016): the managers' note goes too.
    assert sorted(subject_of(m) for m in smtp_inbox.messages) == [
        "All returns for Dec 2015 – Mar 2016 have been received", SUBJECT]
