"""Standard returns: the blank workbook an agency fills in (and, later, importing it)."""
import io
import re

from sqlalchemy import select

from app.definition import due_date_for, check_return_period, expand_fields
from app.errors import Forbidden
from app.extensions import db
from app.models import Agency, ReturnTemplate
from app.periods import PeriodError, parse_period
from app.policy import may_download_blank_return_for, own_agency_only
from app.services import ServiceError
from app.services.return_templates import definition_of, template_by_slug
from app.store.values import current_figures


def blank_return_choices(template: ReturnTemplate, user) -> list[Agency]:
    """The template's agencies this person may download a blank return for. Raises
    Forbidden if an officer's agency does not return the template."""
    agencies = [a for a in template.agencies if may_download_blank_return_for(user, a)]
    if not agencies and own_agency_only(user):
        raise Forbidden(template.slug)
    return agencies


def blank_return_for(slug: str, agency_slug: str, period_text: str, user) -> tuple[str, io.BytesIO]:
    """(file name, workbook) of the blank return for an agency and period.

    Uses the latest published version; shows last period's stored figures beside each
    input. Officers may only download their own agency's return.
    """
    template = template_by_slug(slug)
    version = template.published_version
    if version is None:
        raise ServiceError(f"'{template.name}' has not been published yet, so there is no return to download.")
    defn = definition_of(version)
    if any(sheet.layout == "tables" for sheet in defn.sheets):
        raise ServiceError("This template reads the agency's own spreadsheet, so there is no blank return "
                           "to download.")
    errors: dict[str, list[str]] = {}
    agency = db.session.scalar(select(Agency).where(Agency.slug == (agency_slug or "").strip()))
    if agency is None:
        errors["agency"] = ["Choose the agency the return is for."]
    elif agency not in template.agencies or (user is not None and not may_download_blank_return_for(user, agency)):
        officer = user is not None and own_agency_only(user)
        errors["agency"] = ["You can only download returns for your own agency." if officer
                            else f"{agency.name} does not submit '{template.name}'."]
    try:
        period = parse_period(period_text)
    except PeriodError as error:
        errors["period"] = [str(error)]
    else:
        wrong = check_return_period(defn, period)
        if wrong:
            errors["period"] = [wrong]
    if errors:
        raise ServiceError(field_errors=errors)
    body = blank_return_body(defn, version, agency, period, last_period_figures(defn, period))
    safe_period = re.sub(r"[^A-Za-z0-9]+", "-", period.key).strip("-")
    return f"{template.slug}_{agency.slug}_{safe_period}.xlsx", io.BytesIO(body)


def last_period_figures(defn, period) -> dict[str, tuple[float | None, str]]:
    """Field id → (value, flag) of the figures stored for the period before ``period``: what
    the blank return (and the web form) shows beside each input."""
    return current_figures(expand_fields(defn, period.previous()))


def blank_return_body(defn, version, agency: Agency, period, previous_values: dict) -> bytes:
    """The blank return's bytes for an agency and period, with last period's figures."""
    from app.export.blank_return import build_blank_return

    previous = period.previous()
    return build_blank_return(
        defn, template_version=version.number, agency_slug=agency.slug, agency_name=agency.name, period=period,
        due_date=due_date_for(defn, period), previous_values=previous_values,
        reference_values=current_figures(expand_fields(defn, period)), previous_period_label=previous.label,
        instructions=version.instructions,
    )
