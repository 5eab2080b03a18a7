"""Notes belong to cells (issue 17): a note typed beside a row applies to the figure whose
area it names (by the column's header or an alias), and to every figure of the row only
when it names none. Proven through the upload an officer makes."""
import io

from sqlalchemy import select

from app.definition import expand_fields
from app.extensions import db
from app.models import Area, DataValue, Indicator, Submission
from app.periods import parse_period
from tests.conftest import DEMO_LWA_OFFICER, signed_in
from tests.unit.ingest.returns import APPENDIX_2_SLUG, SEED_PERIOD, cells_of, definition, filled

HELPLINE = "Helpline calls received"
NEW_CALLERS = "New callers to the helpline"
SAFETY_PLANS = "Safety plans established"


def note_cell(row_label: str) -> str:
    """The notes column's cell of a row of Appendix 2 in the blank return."""
    defn = definition(APPENDIX_2_SLUG)
    fields = expand_fields(defn, parse_period(SEED_PERIOD))
    row_index = next(i for i, row in enumerate(defn.sheets[0].rows) if row.label == row_label)
    cells = cells_of()
    return next(cells[f.id][1] for f in fields if f.column_key == "note" and f.row_index == row_index)


def stored_notes(row_label: str) -> dict[str, str | None]:
    """Area name → the note stored with that area's figure for the row's indicator."""
    rows = db.session.execute(
        select(Area.name, DataValue.note).join(DataValue.area).join(Indicator, DataValue.indicator_id == Indicator.id)
        .where(Indicator.name == row_label)).all()
    return dict(rows)


def test_a_note_naming_an_area_is_that_figures_alone(client, demo):
    data = filled({note_cell(HELPLINE): "Melton figure estimated",
                   note_cell(NEW_CALLERS): "C/wood and Harborough figures are provisional",
                   note_cell(SAFETY_PLANS): "Counted from the case system"})
    officer = signed_in(client, DEMO_LWA_OFFICER)
    response = officer.post("/returns/upload", data={"file": (io.BytesIO(data), "Appendix 2 Q4.xlsx"),
                                                     "agency": "living-without-abuse"},
                            content_type="multipart/form-data")
    assert response.status_code == 302, response.data[:2000]
    preview = response.headers["Location"]
    assert officer.post(preview + "/confirm", data={"comment": ""}).status_code == 302
    submission = db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    assert submission.filename == "Appendix 2 Q4.xlsx"

    helpline = stored_notes(HELPLINE)
    assert helpline["Melton"] == "Melton figure estimated"
    assert [area for area, note in helpline.items() if note] == ["Melton"]
    # An alias names its area as the header does; two areas named, two figures noted.
    callers = stored_notes(NEW_CALLERS)
    assert {area for area, note in callers.items() if note} == {"Charnwood", "Harborough"}
    assert callers["Charnwood"] == "C/wood and Harborough figures are provisional"
    # A note naming no area is every figure's of its row (the districts, the county and LLR).
    plans = stored_notes(SAFETY_PLANS)
    assert len(plans) >= 9 and set(plans.values()) == {"Counted from the case system"}
