"""Return templates: drafting, publishing, versions, JSON import and export.

A published version never changes. Changing a template whose latest version is
published first copies it into a new draft version; a draft is changed in place until it
is published. Every change is validated as a whole definition before anything is saved.
"""
import functools
import json
from dataclasses import dataclass, replace

from sqlalchemy import Text, cast, select

from app.definition import (
    DefinitionError,
    DefinitionProblem,
    Field,
    TemplateDefinition,
    definition_from_json,
    definition_to_json,
    expand_fields,
    validate_definition,
)
from app.definition.vocabulary import with_partnership_names
from app.errors import NotFound
from app.extensions import db
from app.models import Agency, Area, Indicator, ReturnTemplate, TemplateVersion
from app.models.base import utcnow
from app.periods import PeriodSpec, parse_period
from app.policy import may_see_template
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.vocabulary import PartnershipNames


class TemplateProblems(ServiceError):
    """A definition that does not validate; ``problems`` carry paths for the form."""

    def __init__(self, problems: list[DefinitionProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class TemplateSummary:
    slug: str
    name: str
    version: int
    status: str
    agencies: list[str]
    agency_names: tuple[str, ...] = ()  # what a page shows: the agencies' names, not their slugs

    def as_line(self) -> str:
        """``flask templates list``: slug, version, status, agency slugs, tab-separated."""
        return "\t".join([self.slug, str(self.version), self.status, ",".join(self.agencies)])


def known_names() -> dict[str, set[str]]:
    return {
        "indicators": set(db.session.scalars(select(Indicator.slug))),
        "areas": set(db.session.scalars(select(Area.code))),
        "agencies": set(db.session.scalars(select(Agency.slug))),
    }


def check_definition(defn: TemplateDefinition) -> list[DefinitionProblem]:
    known = known_names()
    problems = validate_definition(defn, known_indicators=known["indicators"], known_areas=known["areas"])
    for i, slug in enumerate(defn.agencies):
        if slug not in known["agencies"]:
            problems.append(DefinitionProblem(f"agencies[{i}]", f"There is no agency with the short name '{slug}'."))
    return problems


def template_by_slug(slug: str) -> ReturnTemplate:
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == slug))
    if template is None:
        raise ServiceError(f"There is no return template '{slug}'. `flask templates list` shows them.")
    return template


def existing_template(slug: str) -> ReturnTemplate:
    """The template a page is about. Raises NotFound."""
    try:
        return template_by_slug(slug)
    except ServiceError:
        raise NotFound(slug) from None


def definition_of(version: TemplateVersion) -> TemplateDefinition:
    return TemplateDefinition.from_dict(version.definition)


def definition_for_reading(version_id: int, names: PartnershipNames | None = None) -> TemplateDefinition:
    """A version's definition for reading returns with, shared between uploads: the caller
    must not change it. Keyed by the stored JSON text itself, so a draft edited in place
    (or another database with the same ids) can never be served a stale definition; a
    large return's definition takes longer to build than its figures take to check.
    With ``names`` (the partnership's names for areas and indicators), its rows and area
    columns also answer to those names; cached by the text and the names together."""
    stored = db.session.scalar(select(cast(TemplateVersion.definition, Text)).where(TemplateVersion.id == version_id))
    if names is None:
        return _definition_from_json(stored)
    return _definition_with_names(stored, names)


@functools.lru_cache(maxsize=16)
def _definition_with_names(stored: str, names: PartnershipNames) -> TemplateDefinition:
    return with_partnership_names(_definition_from_json(stored), names.indicator_names(), names.area_names())


@functools.lru_cache(maxsize=16)
def _definition_from_json(stored: str) -> TemplateDefinition:
    return TemplateDefinition.from_dict(json.loads(stored))


def list_templates(user=None) -> list[TemplateSummary]:
    """Every template (the command line), or those the person may see."""
    out = []
    for template in db.session.scalars(select(ReturnTemplate).order_by(ReturnTemplate.slug)):
        if user is not None and not may_see_template(user, [a.id for a in template.agencies]):
            continue
        latest = template.latest_version
        out.append(
            TemplateSummary(template.slug, template.name, latest.number if latest else 0,
                            latest.status if latest else "empty", [a.slug for a in template.agencies],
                            tuple(a.name for a in template.agencies))
        )
    return out


def _sync_template_row(template: ReturnTemplate, defn: TemplateDefinition) -> None:
    """The template row mirrors the definition's name, frequency, deadline and agencies."""
    template.name = defn.name
    template.frequency = defn.frequency
    template.due_days = defn.due_days
    agencies = db.session.scalars(select(Agency).where(Agency.slug.in_(defn.agencies))).all()
    template.agencies = sorted(agencies, key=lambda a: a.slug)


def store_draft(defn: TemplateDefinition, user, template: ReturnTemplate | None) -> TemplateVersion:
    """Write a validated definition as the template's draft (flush only)."""
    if template is None:
        template = ReturnTemplate(slug=defn.slug, name=defn.name)
        db.session.add(template)
        db.session.flush()
    _sync_template_row(template, defn)
    latest = template.latest_version
    data = defn.to_dict()
    if latest is not None and latest.status == "draft":
        latest.definition = data
        version = latest
    else:
        version = TemplateVersion(template=template, number=(latest.number + 1) if latest else 1, status="draft",
                                  definition=data, created_by_id=getattr(user, "id", None))
        db.session.add(version)
    db.session.flush()
    return version


# ---- two templates delivering the same figure ---------------------------------------

# A mid-period sample return per frequency: the cells two templates of one frequency would
# deliver for the same period are compared for it (as validation compares a template's own).
SAMPLE_PERIODS = {"quarterly": "2020/21 Q2", "monthly": "Aug 2020", "annual": "2020/21", "span": "2020/21"}


def delivered_values(defn: TemplateDefinition, period: PeriodSpec) -> dict[tuple, Field]:
    """(indicator, area, period key) → the cell of a return for ``period`` giving that
    figure's value (entered cells only: reference cells are shown, not stored). Sheets laid
    out as "tables" do not expand to fixed cells and are left out."""
    sheets = [sheet for sheet in defn.sheets if getattr(sheet, "layout", None) != "tables"]
    if not sheets:
        return {}
    fields = expand_fields(replace(defn, sheets=sheets), period)
    return {(f.indicator, f.area, f.period_key): f for f in fields if f.measure == "value" and f.is_entered}


def shared_agencies(a: TemplateDefinition, b: TemplateDefinition) -> set[str] | None:
    """The agencies returning both (None: no list on either, so any agency may)."""
    if not a.agencies or not b.agencies:
        return set(a.agencies or b.agencies) or None
    return set(a.agencies) & set(b.agencies)


def first_overlap(a: TemplateDefinition, b: TemplateDefinition) -> tuple[Field, Field, PeriodSpec] | None:
    """A figure (indicator × area × period value) both templates would deliver for one
    agency, as (a's cell, b's cell, the sample period); None when they cannot clash."""
    if a.frequency != b.frequency or a.frequency not in SAMPLE_PERIODS or shared_agencies(a, b) == set():
        return None
    period = parse_period(SAMPLE_PERIODS[a.frequency])
    theirs = delivered_values(b, period)
    for key, mine in delivered_values(a, period).items():
        if key in theirs:
            return mine, theirs[key], period
    return None


def check_no_overlap(defn: TemplateDefinition) -> None:
    """Refuse to publish a definition that would deliver a figure another published
    template delivers for one of the same agencies: the second return would silently
    replace the first one's figures (or be replaced by them)."""
    for template in db.session.scalars(select(ReturnTemplate).order_by(ReturnTemplate.name)):
        published = template.published_version
        if template.slug == defn.slug or published is None:
            continue
        other = definition_of(published)
        overlap = first_overlap(defn, other)
        if overlap is None:
            continue
        mine, theirs, period = overlap
        shared = shared_agencies(defn, other)
        agencies = (", ".join(sorted(db.session.scalars(select(Agency.name).where(Agency.slug.in_(shared)))))
                    if shared else "any agency")
        indicator = db.session.scalar(select(Indicator.name).where(Indicator.slug == mine.indicator)) or mine.indicator
        area = (db.session.scalar(select(Area.name).where(Area.code == mine.area)) or mine.area) if mine.area else (
            "no area")
        raise ServiceError(
            f"'{defn.name}' cannot be published: '{other.name}' is already published for {agencies} and would "
            f"deliver the same figures. For example, in a return for {period.label}, '{indicator}' for {area} "
            f"would come from row '{mine.row_label}' ({mine.column_header}) on sheet '{mine.sheet}' of '{defn.name}' "
            f"and from row '{theirs.row_label}' ({theirs.column_header}) on sheet '{theirs.sheet}' of "
            f"'{other.name}'. Each figure may come from one return only: give one of them other indicators, areas "
            "or agencies.")


def publish(slug: str, user) -> TemplateVersion:
    """Publish the latest draft; earlier published versions are retired (kept, unchanged)."""
    template = template_by_slug(slug)
    draft = template.latest_version
    if draft is None or draft.status != "draft":
        raise ServiceError(f"'{template.name}' has no draft to publish: change it first to make a new version.")
    defn = definition_of(draft)
    problems = check_definition(defn)
    if problems:
        raise TemplateProblems(problems)
    check_no_overlap(defn)
    with transaction():
        mark_published(draft, user)
    return draft


def mark_published(version: TemplateVersion, user) -> None:
    for other in version.template.versions:
        if other.status == "published" and other is not version:
            other.status = "retired"
    version.status = "published"
    version.published_at = utcnow()
    db.session.flush()
    record("template_published", user, version, template=version.template.slug, version=version.number)


def dump(slug: str) -> str:
    """The latest version's definition as JSON (what ``flask templates dump`` prints)."""
    template = template_by_slug(slug)
    if template.latest_version is None:
        raise ServiceError(f"'{slug}' has no versions yet.")
    return definition_to_json(definition_of(template.latest_version))


@dataclass(frozen=True)
class LoadResult:
    slug: str
    version: int
    status: str
    changed: bool


def load(text: str, user, *, publish_it: bool = True) -> LoadResult:
    """Create or update a template from JSON. An unchanged definition makes no new version."""
    try:
        defn = definition_from_json(text)
    except DefinitionError as error:
        raise TemplateProblems(error.problems) from error
    problems = check_definition(defn)
    if problems:
        raise TemplateProblems(problems)
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == defn.slug))
    latest = template.latest_version if template else None
    if latest is not None and latest.definition == defn.to_dict() and (latest.status == "published" or not publish_it):
        return LoadResult(defn.slug, latest.number, latest.status, False)
    if publish_it:
        check_no_overlap(defn)
    with transaction("That template clashes with one already saved."):
        version = store_draft(defn, user, template)
        record("template_loaded", user, version, template=defn.slug, version=version.number)
        if publish_it:
            mark_published(version, user)
    return LoadResult(defn.slug, version.number, version.status, True)


# ---- editing through the web forms ------------------------------------------------

INCOMPLETE_SUFFIXES = (".rows", ".columns")


def is_incomplete(problem: DefinitionProblem) -> bool:
    """'Add a sheet / rows / columns' problems: allowed while drafting, not when publishing."""
    return problem.path == "sheets" or problem.path.endswith(INCOMPLETE_SUFFIXES)


def working_definition(slug: str) -> TemplateDefinition:
    """The definition an edit starts from: the latest version, draft or published."""
    template = template_by_slug(slug)
    return definition_of(template.latest_version)


def create_template(defn: TemplateDefinition, user) -> TemplateVersion:
    """A new template from its settings (no sheets yet): only real problems block it."""
    problems = [p for p in check_definition(defn) if not is_incomplete(p)]
    if db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == defn.slug)) is not None:
        problems.append(DefinitionProblem("slug", f"A template with the short name '{defn.slug}' already exists."))
    if problems:
        raise TemplateProblems(problems)
    with transaction("A template with this short name already exists."):
        version = store_draft(defn, user, None)
        record("template_created", user, version, template=defn.slug)
    return version


def edit_definition(slug: str, user, change, what: str | None = None) -> TemplateVersion:
    """Apply ``change(defn)`` to a copy of the working definition and save it as the draft.

    Refused, with nothing saved, if the change brings any new problem (a duplicate label,
    a rule with min > max, a column mapped to nothing...). Editing a published version
    makes a new draft version; the published one is left exactly as it was. ``what``, a
    sentence saying what changed (e.g. what was removed), is kept in the audit log.
    """
    current = working_definition(slug)
    before = set(check_definition(current))
    changed = TemplateDefinition.from_dict(current.to_dict())  # a deep copy
    change(changed)
    new_problems = [p for p in check_definition(changed) if not is_incomplete(p) and p not in before]
    if changed.slug != slug:
        new_problems.append(DefinitionProblem("slug", "The short name of a template cannot change once it exists."))
    if new_problems:
        raise TemplateProblems(new_problems)
    template = template_by_slug(slug)
    with transaction("That change clashes with something already saved."):
        version = store_draft(changed, user, template)
        record("template_edited", user, version, template=slug, version=version.number,
               **({"change": what} if what else {}))
    return version


def publishing_problems(slug: str) -> list[DefinitionProblem]:
    return check_definition(working_definition(slug))
