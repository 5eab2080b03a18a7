"""Propose a return template from an agency's own spreadsheet (``flask templates propose``).

A thin door onto ``app.ingest.propose``: reads the file with the upload's safety limits,
builds the partnership's vocabulary (indicators and areas with their aliases, and each
agency's area) from the database, proposes, and checks the proposed definition with the
same validation ``flask templates load`` applies.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased
from typing import TYPE_CHECKING

from app.definition import DefinitionProblem
from app.extensions import db
from app.models import Agency, Area, DataValue, Indicator, Target
from app.periods import PeriodError, parse_period
from app.services import ServiceError
from app.services.return_templates import check_definition
from app.services.returns import safety_limits

# The ingest pipeline is imported by the functions that read a workbook, so that importing
# the app (each worker's start, every `flask` command) does not load it (issue 16).
if TYPE_CHECKING:
    from app.ingest.propose import Proposal, Vocabulary


def partnership_vocabulary() -> Vocabulary:
    """The partnership's indicators and areas, each with its aliases, and each agency's area."""
    from app.ingest.propose import AreaName, IndicatorName, Vocabulary

    indicators = [IndicatorName(i.slug, i.name, tuple(i.aliases), i.unit)
                  for i in db.session.scalars(select(Indicator).order_by(Indicator.slug))]
    areas = [AreaName(a.code, a.name, tuple(a.aliases), a.kind)
             for a in db.session.scalars(select(Area).order_by(Area.code))]
    agency_areas = {slug: code for slug, code in db.session.execute(
        select(Agency.slug, Area.code).join(Area, Agency.area_id == Area.id))}
    return Vocabulary(indicators=indicators, areas=areas, agency_areas=agency_areas,
                      agency_indicators=_reported_near(agency_areas))


def _reported_near(agency_areas: dict[str, str]) -> dict[str, frozenset[str]]:
    """Agency → the indicators with figures (or targets) for any area of its area's family
    (the areas under the same top area)."""
    Parent = aliased(Area)  # here, not at import: aliasing configures every mapper (≈0.2 s of start-up)
    parent_of = {code: parent for code, parent in db.session.execute(
        select(Area.code, Parent.code).outerjoin(Parent, Area.parent_id == Parent.id))}

    def top(code: str | None) -> str | None:
        seen = set()
        while code is not None and parent_of.get(code) is not None and code not in seen:
            seen.add(code)
            code = parent_of[code]
        return code

    by_top: dict[str | None, set[str]] = {}
    for model in (DataValue, Target):
        for slug, code in db.session.execute(select(Indicator.slug, Area.code).distinct().select_from(model)
                                             .join(Indicator, model.indicator_id == Indicator.id)
                                             .join(Area, model.area_id == Area.id)):
            by_top.setdefault(top(code), set()).add(slug)
    return {agency: frozenset(by_top.get(top(code), ())) for agency, code in agency_areas.items()}


def propose_from_file(data: bytes, file_name: str, *, agency_slug: str, period_text: str | None
                      ) -> tuple[Proposal, list[DefinitionProblem]]:
    """The proposal for an example file, and the problems validation finds in its definition
    (none, normally). Raises ServiceError for an unknown agency, an unreadable period or a
    file that cannot be read."""
    from app.ingest.problems import IngestError
    from app.ingest.propose import propose_template
    from app.ingest.read import read_workbook

    if db.session.scalar(select(Agency.id).where(Agency.slug == agency_slug)) is None:
        raise ServiceError(f"There is no agency with the short name '{agency_slug}'.")
    period = None
    if period_text:
        try:
            period = parse_period(period_text)
        except PeriodError as error:
            raise ServiceError(str(error)) from None
    try:
        workbook, _ = read_workbook(data, safety_limits(), need_formats=True)
    except IngestError as error:
        raise ServiceError(" ".join(p.message for p in error.problems)) from None
    proposal = propose_template(workbook, agency=agency_slug, period=period, vocabulary=partnership_vocabulary(),
                                file_name=file_name)
    problems = check_definition(proposal.definition) if proposal.definition is not None else []
    return proposal, problems
