"""Admin use cases: areas, agencies, outcomes and indicators. One commit each, audited."""
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import Agency, Area, AreaPopulation, Indicator, Outcome
from app.models.indicator import AGGREGATION_LABELS, COMPARISON_BASES, DEFAULT_STABLE_WITHIN
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.results import results_changed
from app.services.vocabulary import alias_problems, name_problem, set_aliases


def _clash(model, column, value, current) -> bool:
    """True if another row already uses this value (case-insensitive)."""
    other = db.session.scalar(select(model).where(func.lower(column) == str(value).strip().lower()))
    return other is not None and other is not current


def _unique(model, checks: dict, current, field_errors: dict):
    for field, (column, value, message) in checks.items():
        if value and _clash(model, column, value, current):
            field_errors.setdefault(field, []).append(message)


def _save(model, current, action_noun: str, acting_user, apply, checks: dict, errors: dict | None = None,
          changes_results=None):
    """Create or update a row in one transaction; ``changes_results(row)`` brings the
    indicator results up to date in it when the row is one of their inputs."""
    errors = dict(errors or {})
    _unique(model, checks, current, errors)
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction(f"That {action_noun} clashes with one already saved."):
        created = current is None
        row = current if current is not None else model()
        if created:
            db.session.add(row)
        apply(row)
        db.session.flush()
        record(f"{action_noun}_{'created' if created else 'updated'}", acting_user, row)
        if changes_results is not None:
            changes_results(row)
    return row


def _vocabulary_errors(kind: str, data: dict, current) -> dict[str, list[str]]:
    """Other names that clash, and a name that is another row's other name."""
    errors: dict[str, list[str]] = {}
    owner_id = current.id if current is not None else None
    clash = name_problem(kind, data["name"], owner_id)
    if clash:
        errors["name"] = [clash]
    if data.get("aliases") is not None:
        problems = alias_problems(kind, data["aliases"], data["name"].strip(), owner_id)
        if problems:
            errors["aliases"] = problems
    return errors


def _would_loop(area: Area | None, parent_id: int | None) -> bool:
    seen = set()
    while parent_id is not None and parent_id not in seen:
        if area is not None and parent_id == area.id:
            return True
        seen.add(parent_id)
        parent = db.session.get(Area, parent_id)
        parent_id = parent.parent_id if parent else None
    return False


def save_area(data: dict, acting_user, area: Area | None = None) -> Area:
    if _would_loop(area, data.get("parent_id")):
        raise ServiceError(field_errors={"parent_id": ["An area cannot be part of itself"]})

    def apply(row: Area):
        row.name = data["name"].strip()
        row.code = data["code"].strip().upper()
        row.kind = data["kind"]
        row.parent_id = data.get("parent_id")
        if data.get("population") is not None:
            existing = next((p for p in row.populations if p.year == data["population_year"]), None)
            if existing:
                existing.population = data["population"]
            else:
                row.populations.append(AreaPopulation(year=data["population_year"], population=data["population"]))
        if data.get("aliases") is not None:
            set_aliases("area", row, data["aliases"])

    return _save(Area, area, "area", acting_user, apply, {
        "name": (Area.name, data["name"], "An area with this name already exists"),
        "code": (Area.code, data["code"], "Another area already uses this code"),
    }, _vocabulary_errors("area", data, area), changes_results=lambda row: results_changed())


def save_agency(data: dict, acting_user, agency: Agency | None = None) -> Agency:
    def apply(row: Agency):
        row.name = data["name"].strip()
        row.slug = data["slug"].strip()
        row.area_id = data.get("area_id")
        row.contact_email = (data.get("contact_email") or "").strip() or None

    return _save(Agency, agency, "agency", acting_user, apply, {
        "name": (Agency.name, data["name"], "An agency with this name already exists"),
        "slug": (Agency.slug, data["slug"], "Another agency already uses this short name"),
    })


def save_outcome(data: dict, acting_user, outcome: Outcome | None = None) -> Outcome:
    def apply(row: Outcome):
        row.name = data["name"].strip()
        row.description = (data.get("description") or "").strip() or None
        row.sort_order = data.get("sort_order") or 0

    return _save(Outcome, outcome, "outcome", acting_user, apply, {
        "name": (Outcome.name, data["name"], "An outcome with this name already exists"),
    })


def _number(value) -> float:
    return float(value) if isinstance(value, Decimal) else float(value or 0)


def _parts_problems(data: dict) -> dict[str, list[str]]:
    """A recomputed indicator's numerator and denominator must be added up across areas, or
    its totals (and a rate's county figure) would be wrong (the engine's ``as_spec_map``)."""
    errors: dict[str, list[str]] = {}
    if data.get("aggregation") != "recompute":
        return errors
    for name, what in (("numerator_id", "numerator"), ("denominator_id", "denominator")):
        part = db.session.get(Indicator, data[name]) if data.get(name) else None
        if part is not None and part.aggregation != "sum":
            errors[name] = [f"The {what} '{part.name}' must be added up across areas (\"{AGGREGATION_LABELS['sum']}\") "
                            "for the totals worked out from it to be right"]
    return errors


def save_indicator(data: dict, acting_user, indicator: Indicator | None = None) -> Indicator:
    if indicator is not None and indicator.id in (data.get("numerator_id"), data.get("denominator_id")):
        raise ServiceError(field_errors={"numerator_id": ["An indicator cannot be its own numerator or denominator"]})
    if (data.get("comparison_basis") or "same_period_last_year") not in COMPARISON_BASES:
        raise ServiceError(field_errors={"comparison_basis": ["Select what the latest figure is compared with"]})
    parts_problems = _parts_problems(data)

    def apply(row: Indicator):
        for name in ("unit", "polarity", "aggregation", "outcome_id", "numerator_id", "denominator_id",
                     "rag_method", "rag_band_kind"):
            setattr(row, name, data.get(name))
        row.name = data["name"].strip()
        row.slug = data["slug"].strip()
        row.decimals = data.get("decimals") or 0
        row.definition = (data.get("definition") or "").strip() or None
        row.source = (data.get("source") or "").strip() or None
        row.rag_green_within = _number(data.get("rag_green_within"))
        row.rag_amber_within = _number(data.get("rag_amber_within"))
        row.rag_rate_estimates = bool(data.get("rag_rate_estimates"))
        row.trend_periods = data.get("trend_periods") or 4
        row.comparison_basis = data.get("comparison_basis") or "same_period_last_year"
        stable = data.get("stable_within")
        row.stable_within = DEFAULT_STABLE_WITHIN if stable is None else _number(stable)
        row.suppress_small_counts = bool(data.get("suppress_small_counts", True))
        if data.get("aliases") is not None:
            set_aliases("indicator", row, data["aliases"])

    return _save(Indicator, indicator, "indicator", acting_user, apply, {
        "slug": (Indicator.slug, data["slug"], "Another indicator already uses this short name"),
    }, {**_vocabulary_errors("indicator", data, indicator), **parts_problems},
        changes_results=lambda row: results_changed({row.id}))
