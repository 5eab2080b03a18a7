"""Property: nothing an officer types into a return can break what others see.

Hypothesis fills every input cell of the demo's Appendix 2 return with arbitrary numbers
(huge, tiny, negative), text (control characters included), flags and blanks, imports it
with ``flask returns import`` as the officer would, and then renders the dashboard pages
and both workbooks as a manager would: never a 500 or a traceback, and a rejected return
stores nothing."""
import math
import re

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models import DataValue, Submission
from tests.conftest import DEMO_MANAGER, signed_in
from tests.unit.ingest.returns import LWA, cells_of, filled

INPUT_CELLS = sorted({ref for field_id, (_, ref) in cells_of().items() if not field_id.endswith("|note")})

numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e308, max_value=1e308),
    st.sampled_from([1e160, -1e160, 1e308, 5e-324, 0.0, 2**63, 2**64]),
)
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=5),
    st.sampled_from(["N/A - not yet released", "1,400 (estimate)", "~12", "(1,589)", "£25,500", "29%*", "_x0000_",
                     "=1+1", "=cmd|' /C calc'!A0", "-", "n/a", "1E+160", "NaN", "inf", "9" * 400]),
)
cell_values = st.one_of(numbers, texts, st.none())


def as_saved(value):
    """A spreadsheet keeps a control character in a cell as an escape ("_x0000_"), which is
    how one reaches us; a non-finite float is only ever text in a cell."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m[0]):04X}_", value)
    return value


def submissions() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


# No shrinking: each example is a whole import and four renders; the failing example is printed as found.
@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.dictionaries(st.sampled_from(INPUT_CELLS), cell_values, min_size=1, max_size=12))
def test_any_return_imports_or_is_refused_and_every_page_and_workbook_still_renders(
        typed, demo, runner, client, tmp_path):
    typed = {ref: as_saved(value) for ref, value in typed.items()}
    path = tmp_path / "return.xlsx"
    path.write_bytes(filled(typed))
    before = submissions()
    result = runner.invoke(args=["returns", "import", str(path), "--agency", LWA])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 1:
        assert submissions() == before  # refused: nothing half-stored
    else:
        assert submissions() == before + 1
        assert db.session.scalar(select(func.count()).select_from(DataValue).where(DataValue.is_current)) > 0

    for args in (["dashboard", "export", "-o", str(tmp_path / "full.xlsx")],
                 ["dashboard", "export", "-o", str(tmp_path / "public.xlsx"), "--public"],
                 ["dashboard", "export", "-o", str(tmp_path / "q4.xlsx"), "--period", "Dec 2015 - Mar 2016"]):
        exported = runner.invoke(args=args)
        assert exported.exit_code == 0, (args, exported.output, repr(exported.exception))
    signed_in(client, DEMO_MANAGER)
    for page in ("/dashboard/", "/dashboard/2015-12..2016-03", "/dashboard/2015-16", "/performance/completeness",
                 "/data", "/returns/"):
        response = client.get(page, follow_redirects=True)
        assert response.status_code == 200, (page, response.status_code)
