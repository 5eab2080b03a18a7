"""The demo partnership's vocabulary (app/demo/partnership.json plus the corpus's extra
indicators), without a database, for proposing templates from the corpus files; and the
measure of how many of a file's expected figures a proposed template reads."""
import json
from dataclasses import dataclass, field
from pathlib import Path

from app.definition import TemplateDefinition, normalise_label
from app.demo.figures import load_seed, seed_figures
from app.ingest.propose import AreaName, IndicatorName, Vocabulary
from app.ingest.read import WorkbookData
from app.ingest.normalise import normalise_value
from app.ingest.tables import apply_transform, blank_means, read_tables
from app.periods import parse_period

ROOT = Path(__file__).resolve().parents[3]
CORPUS_DIR = ROOT / "tests" / "fixtures" / "corpus"
CORPUS = sorted(p.name.removesuffix(".expected.json") for p in CORPUS_DIR.glob("*.expected.json"))


def partnership_vocabulary(with_corpus_aliases: bool = False) -> Vocabulary:
    """Names only, or also the other names the hand-written corpus templates give indicators
    and areas (as an admin would keep them once on the indicator or area). An alias two
    indicators would share is dropped, as the app refuses it."""
    demo = json.loads((ROOT / "app" / "demo" / "partnership.json").read_text(encoding="utf-8"))
    extra = json.loads((CORPUS_DIR / "indicators.json").read_text(encoding="utf-8"))
    indicator_aliases: dict[str, list[str]] = {}
    area_aliases: dict[str, list[str]] = {}
    if with_corpus_aliases:
        for name in CORPUS:
            template = json.loads((CORPUS_DIR / f"{name}.template.json").read_text(encoding="utf-8"))
            for sheet in template["sheets"]:
                for table in sheet["tables"]:
                    for direction, dimension in (("rows", table["row_dimension"]),
                                                 ("columns", table["column_dimension"])):
                        for header in table[direction]:
                            if header["value"] and dimension in ("indicator", "area"):
                                target = indicator_aliases if dimension == "indicator" else area_aliases
                                target.setdefault(header["value"], []).extend([header["label"], *header["aliases"]])
                    for header in (table["block"] or {}).get("block_values", []):
                        if header["value"] and table["block"]["dimension"] == "indicator":
                            indicator_aliases.setdefault(header["value"], []).extend(
                                [header["label"], *header["aliases"]])
    for aliases in (indicator_aliases, area_aliases):
        owners: dict[str, set[str]] = {}
        for key, names in aliases.items():
            for alias in names:
                owners.setdefault(normalise_label(alias), set()).add(key)
        for key, names in aliases.items():
            aliases[key] = [a for a in names if a and len(owners[normalise_label(a)]) == 1]
    agency_areas = {a["slug"]: a["area"] for a in demo["agencies"]}
    return Vocabulary(
        indicators=[IndicatorName(i["slug"], i["name"], tuple(indicator_aliases.get(i["slug"], ())), i["unit"])
                    for i in [*demo["indicators"], *extra["indicators"]]],
        areas=[AreaName(a["code"], a["name"], tuple(area_aliases.get(a["code"], ())), a["kind"])
               for a in demo["areas"]],
        agency_areas=agency_areas,
        agency_indicators=reported_near(demo, agency_areas),
    )


def reported_near(demo: dict, agency_areas: dict[str, str]) -> dict[str, frozenset[str]]:
    """As the database gives it after ``flask demo load``: agency → the indicators the seed
    figures hold for any area under the same top area as the agency's."""
    parent_of = {a["code"]: a["parent"] for a in demo["areas"]}

    def top(code):
        while parent_of.get(code):
            code = parent_of[code]
        return code

    slug_of = {normalise_label(i["name"]): i["slug"] for i in demo["indicators"]}
    by_top: dict[str, set[str]] = {}
    for figure in seed_figures(load_seed()):
        slug = slug_of[normalise_label(figure.indicator.replace("poulation", "population"))]
        by_top.setdefault(top(figure.area), set()).add(slug)
    return {agency: frozenset(by_top.get(top(code), ())) for agency, code in agency_areas.items()}


@dataclass
class Measure:
    expected: int
    correct: int = 0
    wrong: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what the reader refuses the file for

    @property
    def share(self) -> float:
        return self.correct / self.expected if self.expected else 0.0


def measure(definition: TemplateDefinition | None, workbook: WorkbookData, expected: dict) -> Measure:
    """How many expected figures the template reads at their cell with the same indicator,
    area, period key, measure and value (normalised with the figure's rule, transformed); an
    expected blank meaning not available counts only if the template says so. ``wrong``:
    the figures it reads that the expected list does not have (or a cell read twice, as two
    different figures); ``errors``: the problems that would stop the file being stored. Each
    expected cell counts once, however many tables read it."""
    wanted = {(f["sheet"], f["cell"]): f for f in expected["figures"]}
    result = Measure(len(wanted))
    if definition is None:
        return result
    period = parse_period(expected["period"])
    read: dict[tuple[str, str], tuple] = {}
    for sheet in definition.sheets:
        grid = workbook.sheet(sheet.name)
        figures, problems = read_tables(grid, sheet, period)
        result.errors += [str(p) for p in problems if p.severity == "error"]
        for figure in figures:
            if figure.treat != "figure":
                continue
            meaning = (figure.indicator, figure.area, figure.period_key, figure.measure)
            if (figure.sheet, figure.cell) in read:
                if read[(figure.sheet, figure.cell)] != meaning:
                    result.wrong.append(f"{figure.cell}: read twice, as {'/'.join(read[(figure.sheet, figure.cell)])} "
                                        f"and {'/'.join(meaning)}")
                continue
            read[(figure.sheet, figure.cell)] = meaning
            want = wanted.get((figure.sheet, figure.cell))
            same = want is not None and (want["indicator"], want["area"], want["period"], want["measure"]) == (
                figure.indicator, figure.area, figure.period_key, figure.measure)
            if figure.raw is None and blank_means(figure.transforms) == "not_returned":
                if same and want["raw"] is None and want["flag"] == "not_available":
                    continue  # a miss, not a wrong figure: nothing is stored
                if want is None:
                    continue
            if same and figure.raw is not None and want["value"] is not None:
                normalised, _ = normalise_value(figure.raw, figure.rule.type,
                                                percent_formatted=(figure.row, figure.col) in grid.percent_cells)
                value = normalised.value if normalised is not None else None
                if isinstance(value, (int, float)):
                    value = apply_transform(value, figure.transforms)
                    if abs(value - want["value"]) > 1e-6:
                        result.wrong.append(f"{figure.cell}: read the value {value:g}, expected {want['value']:g}")
                        continue
            if same:
                result.correct += 1
            else:
                result.wrong.append(f"{figure.cell}: read {figure.indicator}/{figure.area}/{figure.period_key}/"
                                    f"{figure.measure}, expected " + (
                                        "nothing" if want is None else
                                        f"{want['indicator']}/{want['area']}/{want['period']}/{want['measure']}"))
    return result
