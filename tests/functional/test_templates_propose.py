"""``flask templates propose FILE --agency AGENCY [--period P] -o TEMPLATE.json`` as a
contract: it writes the proposed template (which ``flask templates load`` takes), prints per
sheet what it recognised ("+") and could not ("-"), and exits 0 when it wrote a template, 1
when it could not propose anything or the agency is unknown (the reason on standard error,
no file written), 2 for a usage error."""
import json

from sqlalchemy import select

from app.definition import normalise_label
from app.extensions import db
from app.models import Indicator, IndicatorAlias
from tests.functional.test_corpus import add_corpus_indicators
from tests.functional.test_corpus_files import CORPUS_DIR
from tests.unit.ingest.builders import simple_xlsx

POLICE = "leicestershire-police"
CRIME = str(CORPUS_DIR / "police_quarterly_crime.xlsx")


def propose(runner, tmp_path, *args):
    output = tmp_path / "proposed.json"
    return runner.invoke(args=["templates", "propose", *args, "-o", str(output)]), output


def test_it_writes_a_template_that_loads_and_prints_what_it_recognised(runner, tmp_path, demo):
    add_corpus_indicators()  # "Total recorded crime" also holds the words of "Total Crime"
    result, output = propose(runner, tmp_path, CRIME, "--agency", POLICE, "--period", "2015/16 Q4")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Sheet 'Crime rates Q4': proposed"
    assert all(line.startswith(("  + ", "  - ")) for line in lines[1:-1])
    assert "  + A7 'Blaby': the area 'Blaby'." in lines
    assert any(line.startswith("  + E5 'Analyst check': a hidden column we do not recognise") for line in lines)
    # "Total Crime" is no name of an indicator; of the two whose names hold its words ("Total
    # recorded crime"), the one whose name begins with them, reported as a guess to check.
    assert "  + B5 'Total Crime': the indicator 'Total Crime rate (per 1,000 population)' (a guess from its " \
        "words: check it)." in lines
    assert lines[-1].startswith(f"Wrote {output} (template 'police-quarterly-crime').")
    defn = json.loads(output.read_text(encoding="utf-8"))
    assert (defn["slug"], defn["agencies"], defn["frequency"]) == ("police-quarterly-crime", [POLICE], "quarterly")
    [sheet] = defn["sheets"]
    assert sheet["layout"] == "tables" and sheet["name"] == "Crime rates Q4"
    [table] = sheet["tables"]
    assert (table["row_dimension"], table["column_dimension"]) == ("area", "indicator")
    assert [c["value"] for c in table["columns"]] == ["total-crime-rate", "domestic-burglary-rate",
                                                      "vehicle-crime-rate", None, "violence-with-injury-rate"]
    loaded = runner.invoke(args=["templates", "load", str(output), "--draft"])
    assert loaded.exit_code == 0, loaded.output
    assert loaded.stdout.startswith("police-quarterly-crime\tversion 1\tdraft")


def test_the_partnerships_aliases_are_used(runner, tmp_path, demo):
    add_corpus_indicators()
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == "total-crime-rate"))
    db.session.add(IndicatorAlias(indicator_id=indicator.id, name="Total Crime",
                                  normalised=normalise_label("Total Crime")))
    db.session.commit()
    result, output = propose(runner, tmp_path, CRIME, "--agency", POLICE)
    assert result.exit_code == 0, result.output
    assert "  + B5 'Total Crime': the indicator 'Total Crime rate (per 1,000 population)'." in \
        result.stdout.splitlines()
    assert "  - " not in result.stdout
    [table] = json.loads(output.read_text(encoding="utf-8"))["sheets"][0]["tables"]
    assert table["columns"][0]["value"] == "total-crime-rate"


def test_a_file_with_nothing_to_propose_exits_1_with_the_reason(runner, tmp_path, demo):
    path = tmp_path / "widgets.xlsx"
    path.write_bytes(simple_xlsx({"A1": "Thing", "B1": "Other thing", "A2": "Widgets", "B2": 3}))
    result, output = propose(runner, tmp_path, str(path), "--agency", POLICE)
    assert result.exit_code == 1
    assert "We could not find a table of figures whose rows and columns we recognise" in result.stderr
    assert not output.exists()


def test_unknown_agency_unreadable_period_or_missing_file_exit_1(runner, tmp_path, demo):
    nobody, output = propose(runner, tmp_path, CRIME, "--agency", "nobody")
    assert nobody.exit_code == 1 and "There is no agency with the short name 'nobody'." in nobody.stderr
    period, _ = propose(runner, tmp_path, CRIME, "--agency", POLICE, "--period", "sometime")
    assert period.exit_code == 1 and period.stderr
    missing, _ = propose(runner, tmp_path, str(tmp_path / "none.xlsx"), "--agency", POLICE)
    assert missing.exit_code == 1 and "Cannot read" in missing.stderr
    assert not output.exists()


def test_usage_errors_exit_2(runner, tmp_path, demo):
    assert runner.invoke(args=["templates", "propose", CRIME, "-o", str(tmp_path / "x.json")]).exit_code == 2
    assert runner.invoke(args=["templates", "propose", CRIME, "--agency", POLICE]).exit_code == 2
    assert runner.invoke(args=["templates", "propose", "--agency", POLICE]).exit_code == 2
