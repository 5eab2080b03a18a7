"""One vocabulary per partnership (issue 14, part 2), through the pages people use: an admin
gives an area or indicator another name, on its form or in one click from an upload's
preview, and every template then reads returns that use it."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Area, AuditEvent, DataValue, Indicator
from tests.conftest import DEMO_ADMIN as ADMIN, DEMO_LWA_OFFICER as LWA_OFFICER, signed_in
from tests.functional.test_import_web import preview_url, text_of, upload
from tests.unit.ingest.returns import filled, seed_cells

NEW_NAME = "NWL District Council"  # the demo template already knows "NWLDC" itself


def renamed(cell: str, text: str) -> bytes:
    def change(workbook):
        workbook["Appendix 2"][cell] = text
    return filled(change=change)


def area(code: str) -> Area:
    return db.session.scalar(select(Area).where(Area.code == code))


def area_form(row: Area, aliases: str) -> dict:
    return {"name": row.name, "code": row.code, "kind": row.kind, "parent_id": str(row.parent_id or ""),
            "aliases": aliases}


def stored_column(letter: str) -> dict[str, tuple[str, float]]:
    rows = db.session.execute(select(DataValue.cell, Area.code, DataValue.value).join(Area)
                              .where(DataValue.cell.like(f"{letter}%"), DataValue.is_current)).all()
    return {cell: (code, value) for cell, code, value in rows}


def expected_column(letter: str, code: str) -> dict[str, tuple[str, float]]:
    return {cell: (code, value) for cell, value in seed_cells().items()
            if cell[0] == letter and cell[1:].isdigit() and value is not None}


def test_an_alias_added_on_the_area_form_is_read_by_the_template(client, demo):
    admin = signed_in(client, ADMIN)
    nwl = area("NW")
    response = admin.post(f"/admin/areas/{nwl.id}", data=area_form(nwl, f"  {NEW_NAME}  \n\nNorth West Leics"))
    assert response.status_code == 302, text_of(response)[:3000]
    db.session.refresh(nwl)
    assert nwl.aliases == [NEW_NAME, "North West Leics"]
    assert NEW_NAME in text_of(admin.get("/admin/areas"))

    officer = signed_in(client, LWA_OFFICER)
    page = officer.get(preview_url(upload(officer, renamed("H5", NEW_NAME))))
    shown = text_of(page)
    assert "0 errors" in shown and "is not part of this return" not in shown
    assert officer.post(page.request.path + "/confirm", data={"comment": ""}).status_code == 302
    expected = expected_column("H", "NW")
    assert expected and stored_column("H") == expected


def test_clashing_other_names_are_refused_with_a_message_naming_the_clash(client, demo):
    admin = signed_in(client, ADMIN)
    nwl, charnwood = area("NW"), area("C")
    refused = admin.post(f"/admin/areas/{nwl.id}", data=area_form(nwl, "Charnwood\nNWL\nnwl"))
    assert refused.status_code == 400
    shown = text_of(refused)
    assert "'Charnwood' is already a name of the area Charnwood" in shown
    assert "'nwl' is listed twice (as 'NWL')" in shown
    assert admin.post(f"/admin/areas/{nwl.id}", data=area_form(nwl, "NWL")).status_code == 302
    taken = admin.post(f"/admin/areas/{charnwood.id}", data=area_form(charnwood, "nwl"))
    assert taken.status_code == 400
    assert "'nwl' is already a name of the area North West Leicestershire" in text_of(taken)
    renamed_area = admin.post(f"/admin/areas/{charnwood.id}", data={**area_form(charnwood, ""), "name": "NWL"})
    assert "'NWL' is another name of the area North West Leicestershire" in text_of(renamed_area)
    db.session.refresh(charnwood)
    assert (charnwood.name, charnwood.aliases) == ("Charnwood", [])


def test_one_click_from_the_preview_adds_the_name_and_the_return_is_read_again(client, demo):
    officer = signed_in(client, LWA_OFFICER)
    shown = text_of(officer.get(preview_url(upload(officer, renamed("H5", NEW_NAME)))))
    assert f"Column H headed '{NEW_NAME}' is not part of this return" in shown
    assert "an administrator can add it as another name" in shown
    assert "Add this name" not in shown

    admin = signed_in(client, ADMIN)
    page = admin.get(preview_url(upload(admin, renamed("H5", NEW_NAME))))
    assert f"Treat '{NEW_NAME}' (Appendix 2!H5) as the area" in text_of(page)
    added = admin.post(page.request.path + "/names",
                       data={"kind": "area", "alias": NEW_NAME, "target": str(area("NW").id)})
    assert added.status_code == 302 and added.headers["Location"].endswith(page.request.path)
    assert area("NW").aliases == [NEW_NAME]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "area_alias_added"))
    assert (event.object_id, event.detail, event.user_id is not None) == (area("NW").id, {"alias": NEW_NAME}, True)

    again = text_of(admin.get(added.headers["Location"]))
    assert "0 errors" in again and "not part of this return" not in again
    # The same name twice, or for another area, is refused with a message.
    twice = admin.post(page.request.path + "/names", data={"kind": "area", "alias": NEW_NAME,
                                                           "target": str(area("C").id)}, follow_redirects=True)
    assert f"'{NEW_NAME}' is already a name of the area North West Leicestershire" in text_of(twice)

    officer = signed_in(client, LWA_OFFICER)
    page = officer.get(preview_url(upload(officer, renamed("H5", NEW_NAME))))
    assert "0 errors" in text_of(page)
    assert officer.post(page.request.path + "/confirm", data={"comment": ""}).status_code == 302
    assert stored_column("H") == expected_column("H", "NW")


def test_officers_cannot_add_names(client, demo):
    officer = signed_in(client, LWA_OFFICER)
    page = officer.get(preview_url(upload(officer, renamed("H5", NEW_NAME))))
    refused = officer.post(page.request.path + "/names",
                           data={"kind": "area", "alias": NEW_NAME, "target": str(area("NW").id)})
    assert refused.status_code == 403
    assert area("NW").aliases == []


@pytest.mark.parametrize("label", ["Calls to the helpline"])
def test_an_indicator_alias_lets_a_renamed_row_label_be_read(client, demo, label):
    admin = signed_in(client, ADMIN)
    page = admin.get(preview_url(upload(admin, renamed("A6", label))))
    assert f"Treat '{label}' (Appendix 2!A6) as the indicator" in text_of(page)
    helpline = db.session.scalar(select(Indicator).where(Indicator.name == "Helpline calls received"))
    added = admin.post(page.request.path + "/names", data={"kind": "indicator", "alias": label,
                                                           "target": str(helpline.id)})
    assert added.status_code == 302
    db.session.refresh(helpline)
    assert helpline.aliases == [label]
    assert "indicator_alias_added" in db.session.scalars(select(AuditEvent.action)).all()
    shown = admin.get(added.headers["Location"])
    assert "0 errors" in text_of(shown)
    assert admin.post(shown.request.path + "/confirm", data={"comment": ""}).status_code == 302
    stored = db.session.execute(select(DataValue.cell, DataValue.value).join(Indicator)
                                .where(Indicator.id == helpline.id, DataValue.is_current)).all()
    assert dict(stored) == {cell: value for cell, value in seed_cells().items()
                            if cell[1:] == "6" and cell[0] in "CDEFGHIJK" and value is not None}
