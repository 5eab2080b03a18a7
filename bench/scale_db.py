"""Databases of many counties for bench/scale and bench/neighbours (issues 16 and 21).

A county is 7 districts and the county total, one agency and one published quarterly
template (its indicators × the 8 areas, a cross rule that the total is the districts'
sum), set up with the app's own services. Its figures come either from returns imported
through ``app.services.returns.import_return`` (what ``flask returns import`` runs),
quarter by quarter, so the kept indicator results are brought up to date as a
partnership's would be; or, to build many counties in bounded time, by ``clone_county``:
SQL ``INSERT … SELECT`` copies of another county's submissions, stored figures
(``data_value``) and kept results (``indicator_figure``, ``indicator_result``) with the
area, agency, template and submission ids remapped, and the area codes and names inside
the kept rows' JSON rewritten. A county's kept results depend only on its own figures
(every indicator here is a plain count summed over its own districts), except which
county's row is an indicator's headline (the first county in the admin's order): a copy's
rows are never the headline. ``check_clone`` proves the copy equals a full recompute.
"""
import gc
import io
import os
import random
import resource
import time
import tracemalloc

from sqlalchemy import select, text
from xlsxwriter.utility import xl_cell_to_rowcol

from app.definition import (
    ColumnSpec, CrossRule, FieldSelector, RowSpec, SheetLayout, TemplateDefinition, definition_to_json, expand_fields,
)
from app.export.blank_return import HEADER_ROW, LABEL_COL, field_cells, sheet_grid
from app.export.xlsx import new_workbook
from app.extensions import db
from app.models import Agency, Area, Indicator, User
from app.periods import parse_period
from app.services.return_templates import load
from app.services.returns import import_return

DISTRICTS = 7
FIRST_YEAR = 2010
MANAGER = ("manager@bench.example", "bench-manager-pass")


def quarter_keys(quarters: int, first: int = 0) -> list[str]:
    return [f"{FIRST_YEAR + q // 4}/{(FIRST_YEAR + q // 4 + 1) % 100:02d} Q{q % 4 + 1}"
            for q in range(first, first + quarters)]


def definition(county: int, indicators: int) -> TemplateDefinition:
    code = f"C{county}"
    columns = [ColumnSpec(header=f"District {code}-{d}", kind="area", area=f"{code}D{d}")
               for d in range(1, DISTRICTS + 1)]
    columns.append(ColumnSpec(header=f"County {code}", kind="area", area=code, role="total"))
    sheet = SheetLayout(name="Figures", layout="indicator_by_area", title=f"County {code}",
                        rows=[RowSpec(label=f"Indicator {i + 1}: a count the partnership tracks",
                                      indicator=f"ind-{i + 1}") for i in range(indicators)], columns=columns)
    rule = CrossRule(kind="sum_equals", sheet=sheet.name, total=FieldSelector(column=columns[-1].header),
                     parts=[FieldSelector(column=c.header) for c in columns[:-1]])
    return TemplateDefinition(slug=f"county-{code.lower()}-quarterly", name=f"County {code} quarterly return",
                              frequency="quarterly", agencies=[f"agency-{code.lower()}"], sheets=[sheet],
                              cross_rules=[rule])


def set_up(indicators: int, counties: int) -> list[TemplateDefinition]:
    """Areas, agencies, indicators, a manager and each county's published template."""
    for c in range(1, counties + 1):
        county = Area(name=f"County {c}", code=f"C{c}", kind="county", sort_order=c * 10)
        db.session.add(county)
        db.session.flush()
        db.session.add_all(Area(name=f"District {c}-{d}", code=f"C{c}D{d}", kind="district", parent_id=county.id,
                                sort_order=c * 10 + d) for d in range(1, DISTRICTS + 1))
        db.session.add(Agency(slug=f"agency-c{c}", name=f"Agency of county {c}"))
    db.session.add_all(Indicator(slug=f"ind-{i + 1}", name=f"Indicator {i + 1}: a count the partnership tracks",
                                 unit="count", polarity="lower_is_better" if i % 2 else "higher_is_better",
                                 aggregation="sum", rag_method="previous_year", sort_order=i)
                       for i in range(indicators))
    manager = User(email=MANAGER[0], name="Bench manager", role="manager")
    manager.set_password(MANAGER[1])
    db.session.add(manager)
    db.session.commit()
    definitions = [definition(c, indicators) for c in range(1, counties + 1)]
    for defn in definitions:
        load(definition_to_json(defn), None)
    return definitions


def filled_return(defn: TemplateDefinition, period_key: str, rng: random.Random) -> bytes:
    period = parse_period(period_key)
    fields = expand_fields(defn, period)
    cells = field_cells(defn, fields)
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    sheet = defn.sheets[0]
    ws = workbook.add_worksheet(sheet.name)
    grid = sheet_grid(sheet)
    ws.write_string(HEADER_ROW, LABEL_COL, "Indicator")
    for slot_key, col in grid.inputs.items():
        ws.write_string(HEADER_ROW, col, next(c.header for c in sheet.columns if c.key == slot_key))
    totals: dict[int, int] = {}
    total_col = None
    for f in fields:
        if f.measure != "value":
            continue
        row, col = xl_cell_to_rowcol(cells[f.id][1])
        if f.role == "total":
            total_col = col
            continue
        value = rng.randint(20, 500)
        totals[row] = totals.get(row, 0) + value
        ws.write_number(row, col, value)
    for r, row_spec in enumerate(sheet.rows):
        ws.write_string(HEADER_ROW + 1 + r, LABEL_COL, row_spec.label)
        ws.write_number(HEADER_ROW + 1 + r, total_col, totals[HEADER_ROW + 1 + r])
    for name, value in (("SR_TEMPLATE", defn.slug), ("SR_VERSION", "1"), ("SR_AGENCY", defn.agencies[0]),
                        ("SR_PERIOD", period.key)):
        workbook.define_name(name, f'="{value}"')
    workbook.close()
    return buffer.getvalue()


def import_one(defn: TemplateDefinition, key: str, rng: random.Random, label: str) -> tuple[float, float]:
    """Import one quarter's return through the service; (wall, CPU) seconds of the import."""
    data = filled_return(defn, key, rng)
    w0, c0 = time.perf_counter(), time.process_time()
    outcome = import_return(data, f"{defn.slug}-{label}.xlsx", agency_slug=defn.agencies[0])
    elapsed = time.perf_counter() - w0, time.process_time() - c0
    if not outcome.accepted:
        raise SystemExit(f"import refused: {outcome.result_line}")
    return elapsed


def quarter_rng(seed: int, key: str) -> random.Random:
    """The figures of every county's return for a quarter are drawn from the same seed, so
    a county copied from another holds the figures its own returns would have carried."""
    return random.Random(f"{seed} {key}")


def import_quarters(definitions: list[TemplateDefinition], keys: list[str], seed: int,
                    say=print) -> dict[str, tuple[float, float]]:
    """Import every quarter of ``keys`` for each county of ``definitions``, quarter by
    quarter; returns the LAST county's import times at its 1st and last quarter."""
    timings = {}
    started = time.perf_counter()
    for q, key in enumerate(keys):
        for c, defn in enumerate(definitions):
            elapsed = import_one(defn, key, quarter_rng(seed, key), str(q + 1))
            if c == len(definitions) - 1 and q in (0, len(keys) - 1):
                timings["import 1st quarter" if q == 0 else f"import quarter {len(keys)}"] = elapsed
        if (q + 1) % 10 == 0:
            say(f"    imported {q + 1}/{len(keys)} quarters ({time.perf_counter() - started:.0f} s)")
    return timings


def import_ends_copy_between(defn: TemplateDefinition, county: int, keys: list[str], seed: int,
                             src: int = 1) -> dict[str, tuple[float, float]]:
    """County ``county``'s quarters, with county ``src``'s all stored: the 1st imported
    through the services, those between copied from ``src`` by SQL (the same figures: see
    ``quarter_rng``), the last imported through the services. Returns the two imports' times."""
    from app.models import Period

    timings = {"import 1st quarter": import_one(defn, keys[0], quarter_rng(seed, keys[0]), "1")}
    between = list(db.session.scalars(select(Period.id).where(Period.key.in_(keys[1:-1]))))
    if between:
        clone_county(src, county, between)
    timings[f"import quarter {len(keys)}"] = import_one(defn, keys[-1], quarter_rng(seed, keys[-1]), str(len(keys)))
    return timings


# ---- copying a county by SQL -------------------------------------------------------------

def _ids(sql: str, **params) -> dict:
    return dict(db.session.execute(text(sql), params).all())


def _replace_chain(column: str, src: int, dst: int) -> str:
    """SQL rewriting county ``src``'s area codes and names inside ``column`` to ``dst``'s
    (codes "C1", "C1D3"; names "County 1", "District 1-3"), quoted so C1 never matches C10."""
    expr = column
    for old, new in ((f'"C{src}"', f'"C{dst}"'), (f'"C{src}D', f'"C{dst}D'),
                     (f'"County {src}"', f'"County {dst}"'), (f'"District {src}-', f'"District {dst}-'),
                     (f"County {src} ", f"County {dst} "), (f"District {src}-", f"District {dst}-")):
        expr = f"replace({expr}, '{old}', '{new}')"
    return expr


def clone_county(src: int, dst: int, period_ids: list[int] | None = None) -> dict[str, int]:
    """Copy county ``src``'s submissions, stored figures and kept results to county ``dst``
    (set up already, with no figures in those periods), by SQL in one transaction; only
    the periods ``period_ids`` (None: all). ``dst``'s kept results for those periods (the
    rows its imports of earlier quarters made for later dashboards) are replaced by the
    copy's. Returns the rows copied per table."""
    area = _ids("SELECT a.id, b.id FROM area a JOIN area b ON b.code = "
                "'C' || :dst || substr(a.code, length('C' || :src) + 1) "
                "WHERE a.code = 'C' || :src OR a.code LIKE 'C' || :src || 'D%'", src=src, dst=dst)
    agency = _ids("SELECT a.id, b.id FROM agency a, agency b WHERE a.slug = :a AND b.slug = :b",
                  a=f"agency-c{src}", b=f"agency-c{dst}")
    template = _ids("SELECT a.id, b.id FROM return_template a, return_template b WHERE a.slug = :a AND b.slug = :b",
                    a=f"county-c{src}-quarterly", b=f"county-c{dst}-quarterly")
    (src_template, dst_template), = template.items()
    version = _ids("SELECT a.id, b.id FROM template_version a, template_version b "
                   "WHERE a.template_id = :a AND b.template_id = :b AND a.number = b.number",
                   a=src_template, b=dst_template)
    (src_agency, dst_agency), = agency.items()
    session = db.session
    session.execute(text("DROP TABLE IF EXISTS temp.area_map"))
    session.execute(text("CREATE TEMP TABLE area_map (src INTEGER PRIMARY KEY, dst INTEGER)"))
    session.execute(text("INSERT INTO area_map VALUES (:s, :d)"), [{"s": s, "d": d} for s, d in area.items()])
    session.execute(text("DROP TABLE IF EXISTS temp.version_map"))
    session.execute(text("CREATE TEMP TABLE version_map (src INTEGER PRIMARY KEY, dst INTEGER)"))
    session.execute(text("INSERT INTO version_map VALUES (:s, :d)"), [{"s": s, "d": d} for s, d in version.items()])
    periods = "" if period_ids is None else f" AND t.period_id IN ({', '.join(str(int(p)) for p in period_ids)})"
    for table in ("indicator_result", "indicator_figure"):
        session.execute(text(f"DELETE FROM {table} AS t WHERE area_id IN (SELECT dst FROM area_map){periods}"))
    offset = session.execute(text("SELECT coalesce(max(id), 0) FROM submission")).scalar()
    copied = {}
    columns = [c.name for c in db.metadata.tables["submission"].columns if c.name != "id"]
    mapped = {"id": "t.id + :offset", "agency_id": ":agency", "template_id": ":template",
              "template_version_id": "v.dst", "supersedes_id": "t.supersedes_id + :offset"}
    copied["submission"] = session.execute(text(
        f"INSERT INTO submission (id, {', '.join(columns)}) "
        f"SELECT t.id + :offset, {', '.join(mapped.get(c, 't.' + c) for c in columns)} "
        f"FROM submission t JOIN version_map v ON v.src = t.template_version_id "
        f"WHERE t.agency_id = :src_agency{periods}"),
        {"offset": offset, "agency": dst_agency, "template": dst_template, "src_agency": src_agency}).rowcount
    columns = [c.name for c in db.metadata.tables["data_value"].columns if c.name != "id"]
    mapped = {"area_id": "m.dst", "agency_id": ":agency", "submission_id": "t.submission_id + :offset"}
    copied["data_value"] = session.execute(text(
        f"INSERT INTO data_value ({', '.join(columns)}) "
        f"SELECT {', '.join(mapped.get(c, 't.' + c) for c in columns)} "
        f"FROM data_value t JOIN area_map m ON m.src = t.area_id WHERE 1 = 1{periods}"),
        {"offset": offset, "agency": dst_agency}).rowcount
    columns = [c.name for c in db.metadata.tables["indicator_figure"].columns if c.name != "id"]
    mapped = {"area_id": "m.dst", "message": _replace_chain("t.message", src, dst)}
    copied["indicator_figure"] = session.execute(text(
        f"INSERT INTO indicator_figure ({', '.join(columns)}) "
        f"SELECT {', '.join(mapped.get(c, 't.' + c) for c in columns)} "
        f"FROM indicator_figure t JOIN area_map m ON m.src = t.area_id WHERE 1 = 1{periods}")).rowcount
    # After every row kept so far, in the source's order; a copy's row is never a headline.
    position = session.execute(text("SELECT coalesce(max(position), -1) + 1 FROM indicator_result")).scalar()
    columns = [c.name for c in db.metadata.tables["indicator_result"].columns if c.name != "id"]
    mapped = {"area_id": "m.dst", "position": "t.position + :position", "headline": "0", "several": "0",
              "data": _replace_chain("t.data", src, dst)}
    copied["indicator_result"] = session.execute(text(
        f"INSERT INTO indicator_result ({', '.join(columns)}) "
        f"SELECT {', '.join(mapped.get(c, 't.' + c) for c in columns)} "
        f"FROM indicator_result t JOIN area_map m ON m.src = t.area_id WHERE 1 = 1{periods}"),
        {"position": position}).rowcount
    session.execute(text("DROP TABLE temp.area_map"))
    session.execute(text("DROP TABLE temp.version_map"))
    session.commit()
    return copied


def _differences() -> list[str]:
    """The kept results against a full recompute's (which then stay)."""
    from app.services.results import recompute_results, snapshot

    db.session.remove()
    kept = snapshot()
    db.session.remove()
    recompute_results()
    fresh = snapshot()
    db.session.remove()
    problems = []
    for part in ("figures", "rows"):
        if set(kept[part]) != set(fresh[part]):
            missing, extra = set(fresh[part]) - set(kept[part]), set(kept[part]) - set(fresh[part])
            problems.append(f"{part}: {len(missing)} missing (e.g. {sorted(missing)[:2]}), "
                            f"{len(extra)} extra (e.g. {sorted(extra)[:2]})")
            continue
        differ = [key for key in kept[part] if kept[part][key] != fresh[part][key]]
        if differ:
            key = differ[0]
            problems.append(f"{part}: {len(differ)} differ, e.g. {key}: kept {kept[part][key]} "
                            f"recomputed {fresh[part][key]}")
    return problems


def check_clone(indicators: int = 6, quarters: int = 8, seed: int = 2016) -> list[str]:
    """In the current app context with an empty migrated database: county 1 imported,
    county 2 copied from it; then county 3 built as bench/scale builds its last county
    (``import_ends_copy_between``). After the copy and again after county 3, the kept
    results (``app.services.results.snapshot``) must equal a full recompute's
    (``recompute_results``, what ``flask indicators recompute --all`` runs). Returns the
    differences (empty: coherent)."""
    from app.services.results import snapshot

    definitions = set_up(indicators, 3)
    keys = quarter_keys(quarters)
    import_quarters(definitions[:1], keys, seed, say=lambda _: None)
    clone_county(1, 2)
    problems = [f"after the copy: {p}" for p in _differences()]
    import_ends_copy_between(definitions[2], 3, keys, seed)
    problems += [f"after county 3's ends imported, between copied: {p}" for p in _differences()]
    kept = snapshot()
    db.session.remove()
    counties = {key[1][:2] for key in kept["figures"]} | {key[2][:2] for key in kept["rows"]}
    if not {"C1", "C2", "C3"} <= counties:
        problems.append(f"expected kept results of counties C1-C3, found {sorted(counties)}")
    return problems


# ---- measuring ---------------------------------------------------------------------------

def make_app(folder):
    """The app on a fresh SQLite database in ``folder`` (the caller runs the migrations)."""
    from app import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "bench",
                       "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "db.sqlite"),
                       "WTF_CSRF_ENABLED": False, "UPLOAD_FOLDER": str(folder / "uploads"), "SERVER_NAME": None,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def best_of(runs: int, fn) -> tuple[float, float]:
    """(wall, CPU) seconds: the best of ``runs`` calls each."""
    walls, cpus = [], []
    for _ in range(runs):
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def peak_mb(fn) -> float:
    """Peak Python memory (tracemalloc) of one call, MB."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def show(name: str, value) -> None:
    """One figure: (wall, CPU) seconds or a number of MB, with the load average now."""
    if isinstance(value, tuple):
        print(f"    {name:40s} {value[0]:8.3f} s wall {value[1]:8.3f} s CPU   (load {load_average()})", flush=True)
    else:
        print(f"    {name:40s} {value:8.1f} MB                    (load {load_average()})", flush=True)


def ratio(value, base) -> str:
    if isinstance(value, tuple):
        return f"{value[0] / base[0]:6.2f}x wall {value[1] / base[1]:6.2f}x CPU"
    return f"{value / base:6.2f}x"
