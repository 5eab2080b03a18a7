"""The one-click "treat this heading as another name" form of an upload's preview adds only
a heading that upload did not know: its hidden fields name the heading, and a changed form
must not slip any name into the partnership's vocabulary."""
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from tests.conftest import DEMO_ADMIN as ADMIN, signed_in
from tests.functional.test_import_web import preview_url, text_of, upload
from tests.functional.test_vocabulary import NEW_NAME, area, renamed


def test_a_name_the_upload_did_not_offer_is_refused_and_nothing_is_added(client, demo):
    admin = signed_in(client, ADMIN)
    page = admin.get(preview_url(upload(admin, renamed("H5", NEW_NAME))))
    assert f"Treat '{NEW_NAME}' (Appendix 2!H5) as the area" in text_of(page)

    # Another text than the unknown heading, or the heading as the other kind of name.
    for kind, alias in (("area", "Somewhere else entirely"), ("indicator", NEW_NAME)):
        refused = admin.post(page.request.path + "/names", data={"kind": kind, "alias": alias,
                                                                 "target": str(area("NW").id) if kind == "area"
                                                                 else "1"}, follow_redirects=True)
        assert refused.status_code == 200
        assert f"'{alias}' is not a heading this return's template did not know" in text_of(refused)
    assert area("NW").aliases == []
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("%_alias_added"))) is None

    # The heading the preview offered is added (spelled with other case and spaces: compared as labels are).
    added = admin.post(page.request.path + "/names", data={"kind": "area", "alias": f"  {NEW_NAME.upper()} ",
                                                           "target": str(area("NW").id)})
    assert added.status_code == 302
    assert area("NW").aliases == [NEW_NAME.upper()]
