"""``flask demo load``: the Leicestershire demo partnership, idempotently.

Upserts by natural keys (area code, agency slug, user email, indicator slug, period key),
so running it twice gives the same database. Figures already supplied by a real upload
are never overwritten by demo figures.
"""
import json
from datetime import date
from dataclasses import dataclass, field

from sqlalchemy import select

from app.demo import DEMO_DIR
from app.demo.figures import load_seed, seed_figures, seed_targets
from app.extensions import db
from app.models import (
    DATA_VALUE_IS_CURRENT, TARGET_IS_CURRENT, Agency, Area, AreaPopulation, DataValue, Indicator, Outcome, Target,
    User,
)
from app.services import transaction
from app.services.results import results_changed
from app.services.settings import store_default_as_at
from app.store.reference import period_row

SEED_SOURCE_PREFIX = "Seed: "
# Where the demo's targets come from, as their history says ("loaded from …").
DEMO_TARGET_SOURCE = "the demo partnership's board papers (flask demo load)"


@dataclass
class DemoSummary:
    areas: int = 0
    agencies: int = 0
    indicators: int = 0
    values: int = 0
    targets: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, email, password)


def load_partnership_config() -> dict:
    return json.loads((DEMO_DIR / "partnership.json").read_text(encoding="utf-8"))


def _upsert(model, key_attr: str, key_value, **attrs):
    row = db.session.scalar(select(model).where(getattr(model, key_attr) == key_value))
    if row is None:
        row = model(**{key_attr: key_value})
        db.session.add(row)
    for name, value in attrs.items():
        setattr(row, name, value)
    return row


def _load_areas(config) -> dict[str, Area]:
    areas: dict[str, Area] = {}
    for order, spec in enumerate(config["areas"]):
        area = _upsert(Area, "code", spec["code"], name=spec["name"], kind=spec["kind"], sort_order=order)
        areas[spec["code"]] = area
    db.session.flush()
    for spec in config["areas"]:
        area = areas[spec["code"]]
        area.parent = areas[spec["parent"]] if spec["parent"] else None
        existing = {p.year: p for p in area.populations}
        for year, population in spec["populations"].items():
            if int(year) in existing:
                existing[int(year)].population = population
            else:
                area.populations.append(AreaPopulation(year=int(year), population=population))
    db.session.flush()
    return areas


def _load_agencies(config, areas) -> dict[str, Agency]:
    agencies = {}
    for spec in config["agencies"]:
        agencies[spec["slug"]] = _upsert(Agency, "slug", spec["slug"], name=spec["name"], area=areas.get(spec["area"]))
    db.session.flush()
    return agencies


def _load_users(config, agencies) -> list[tuple[str, str, str]]:
    logins = []
    for spec in config["users"]:
        user = db.session.scalar(select(User).where(User.email == spec["email"]))
        if user is None:
            user = User(email=spec["email"])
            db.session.add(user)
        user.name, user.role, user.active = spec["name"], spec["role"], True
        user.agency = agencies[spec["agency"]] if spec["agency"] else None
        # Re-hashing would change the row on every run; keep the hash while the password still matches.
        if not user.password_hash or not user.check_password(spec["password"]):
            user.set_password(spec["password"])
        logins.append((spec["role"], spec["email"], spec["password"]))
    db.session.flush()
    return logins


def _load_indicators(config) -> dict[str, Indicator]:
    outcomes = {}
    for spec in config["outcomes"]:
        outcomes[spec["name"]] = _upsert(Outcome, "name", spec["name"], sort_order=spec["sort_order"])
    db.session.flush()
    by_name = {}
    for spec in config["indicators"]:
        rag = spec["rag"]
        indicator = _upsert(
            Indicator, "slug", spec["slug"],
            name=spec["name"], outcome=outcomes[spec["outcome"]], unit=spec["unit"], polarity=spec["polarity"],
            aggregation=spec["aggregation"], decimals=spec["decimals"], definition=spec.get("definition"),
            source=spec["source"], sort_order=spec["sort_order"], rag_method=rag["method"],
            rag_band_kind=rag.get("band_kind", "percent"), rag_green_within=rag.get("green_within", 0),
            rag_amber_within=rag.get("amber_within", 0), rag_rate_estimates=False,
        )
        by_name[spec["name"]] = indicator
    db.session.flush()
    return by_name


def _indicator_for(by_name: dict[str, Indicator], seed_name: str) -> Indicator:
    # The seed spells one label "poulation"; the indicator is named correctly.
    return by_name.get(seed_name) or by_name[seed_name.replace("poulation", "population")]


def _load_values(seed, by_name, areas, agencies) -> int:
    figures = seed_figures(seed)
    periods = {text: period_row(text) for text in {f.period for f in figures}}
    # One query for every current figure, rather than one per figure.
    current_rows = {
        (v.indicator_id, v.area_id, v.period_id): v
        for v in db.session.scalars(select(DataValue).where(DATA_VALUE_IS_CURRENT))
    }
    count = 0
    with db.session.no_autoflush:
        for fig in figures:
            indicator, period, area = _indicator_for(by_name, fig.indicator), periods[fig.period], areas[fig.area]
            current = current_rows.get((indicator.id, area.id, period.id))
            if current is not None and current.submission_id is not None:
                continue  # a real upload supplied this figure: leave it
            if current is None:
                current = DataValue(indicator=indicator, area=area, period=period, is_current=True)
                db.session.add(current)
            current.value = fig.value
            current.flag = fig.flag
            current.note = fig.note
            current.agency = agencies.get(fig.agency)
            current.source = SEED_SOURCE_PREFIX + fig.source
            count += 1
    db.session.flush()
    return count


def _load_targets(seed, by_name, areas) -> int:
    count = 0
    for tgt in seed_targets(seed):
        indicator = _indicator_for(by_name, tgt.indicator)
        period = period_row(tgt.period)
        row = db.session.scalar(
            select(Target).where(
                Target.indicator_id == indicator.id, Target.area_id == areas[tgt.area].id,
                Target.period_id == period.id, TARGET_IS_CURRENT,
            )
        )
        if row is not None and (row.submission_id is not None or row.entered_by_id is not None):
            continue  # a real upload or an admin supplied this target: leave it
        if row is None:
            row = Target(indicator=indicator, area=areas[tgt.area], period=period)
            db.session.add(row)
        row.value = tgt.value
        row.source = DEMO_TARGET_SOURCE
        count += 1
    db.session.flush()
    return count


def load_demo() -> DemoSummary:
    """Create or refresh the demo partnership in one transaction: all of it, or (a
    ServiceError saying why) nothing."""
    config = load_partnership_config()
    seed = load_seed()
    with transaction():
        areas = _load_areas(config)
        agencies = _load_agencies(config, areas)
        logins = _load_users(config, agencies)
        by_name = _load_indicators(config)
        summary = DemoSummary(
            areas=len(areas),
            agencies=len(agencies),
            indicators=len(by_name),
            values=_load_values(seed, by_name, areas, agencies),
            targets=_load_targets(seed, by_name, areas),
            logins=logins,
        )
        if config.get("as_at"):
            store_default_as_at(date.fromisoformat(config["as_at"]))
        for extend in _demo_extensions():
            extend(agencies=agencies, areas=areas, indicators=by_name)
        results_changed()  # the demo's figures, targets and populations: every result
    return summary


def _publish_demo_templates(indicators: dict[str, Indicator], **_) -> None:
    """Publish a template per seed table, with the checks every publication passes
    (``app.services.return_templates``: a valid definition, and no figure that another
    published template delivers for one of its agencies); a ServiceError says what stops
    it. An unchanged definition makes no new version."""
    from app.demo.templates import demo_template_definitions
    from app.models import ReturnTemplate
    from app.services.return_templates import (
        TemplateProblems, check_definition, check_no_overlap, mark_published, store_draft,
    )

    for defn in demo_template_definitions({name: i.slug for name, i in indicators.items()}):
        problems = check_definition(defn)
        if problems:
            raise TemplateProblems(problems)
        template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == defn.slug))
        latest = template.latest_version if template else None
        if latest is not None and latest.status == "published" and latest.definition == defn.to_dict():
            continue
        check_no_overlap(defn)
        mark_published(store_draft(defn, None, template), None)


def _demo_extensions():
    """Later features (DHR) add their demo data here."""
    from app.demo.dhr import load_demo_dhr
    from app.demo.performance import load_demo_performance
    from app.demo.plans import load_demo_plans
    from app.demo.returns import load_demo_returns

    return [_publish_demo_templates, load_demo_dhr, load_demo_performance, load_demo_returns, load_demo_plans]
