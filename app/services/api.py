"""The JSON API's use cases (issue 20): what an agency's own system may do with a token,
through the same services as the pages (``app.services.returns``, ``app.services.dashboard``)
and the same rules (``app.policy``), the caller being the token (``ApiCaller``).

* the templates the agency submits, and the fields figures are typed into;
* a return sent as values, or as the spreadsheet itself: a dry run previews, otherwise it
  is stored exactly as an upload is (supersession, provenance, audit, the indicator
  results), the request (or the file) kept as its original;
* the agency's submissions and their status, each with its figures and what it changed;
* the indicator values and ratings on the dashboard for a period (managers' tokens).

Each answer is plain data for the API's schemas (``app.web.api.schemas``). A return that
is refused comes back as ``Rejected`` (its per-cell problems), never half-stored.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from sqlalchemy import func, select

from app.definition import NUMERIC_TYPES
from app.errors import NotFound
from app.extensions import db
from app.models import Agency, Submission
from app.periods import PeriodError, parse_period, quarter_of
from app.policy import may_manage_performance, may_see_submission, may_upload, may_upload_for
from app.services import ServiceError
from app.services import returns as returns_service
from app.services.api_tokens import ApiCaller, refuse
from app.services.dashboard import performance_table
from app.services.return_templates import definition_for_reading
from app.services.settings import today
from app.store import submissions as store
from app.vocabulary import RAG_NAMES

COMMENT_NEEDED = ("Say why the figures the warnings point at are right: a comment is needed to submit a return with "
                  "warnings (send 'comment').")


@dataclass
class Rejected(Exception):
    """The return was not stored (nothing was): every problem, by field where it has one."""

    errors: list[dict]
    problems: list[dict]


def _agency(caller: ApiCaller, given: str | None, request: dict) -> Agency:
    """The caller's agency, for an officer's token that may upload for it; a request that
    names another agency is refused (403, audited)."""
    agency = db.session.get(Agency, caller.agency_id) if caller.agency_id else None
    if agency is None or not may_upload(caller) or not may_upload_for(caller, agency):
        raise refuse(caller, "This token may not submit returns: it is not an agency officer's token.",
                     "not an uploader", request)
    if given and given != agency.slug:
        raise refuse(caller, f"This token submits returns for '{agency.name}' only.", "wrong agency",
                     {**request, "agency": given[:80]})
    return agency


def _page(items: list, page: int, per_page: int) -> dict:
    start = (page - 1) * per_page
    return {"items": items[start:start + per_page], "page": page, "per_page": per_page, "total": len(items)}


# ---- templates ------------------------------------------------------------------------------

def _field(f, cell: tuple[str, str]) -> dict:
    rule = f.rule
    numeric = rule.type in NUMERIC_TYPES
    return {"id": f.id, "sheet": cell[0], "cell": cell[1], "row": f.row_label, "column": f.column_header,
            "indicator": f.indicator, "area": f.area, "period": f.period_key, "measure": f.measure,
            "type": rule.type, "required": rule.required, "allow_na": rule.allow_na,
            "min": rule.min if numeric else None, "max": rule.max if numeric else None}


def agency_templates(caller: ApiCaller, period_text: str | None, page: int, per_page: int, request: dict) -> dict:
    """The published templates the caller's agency submits, each with its fields for
    ``period`` (default: this quarter)."""
    from app.export.blank_return import field_cells
    from app.ingest.typed import entered_fields

    agency = _agency(caller, None, request)
    try:
        period = parse_period(period_text) if period_text else quarter_of(today())
    except PeriodError as error:
        raise ServiceError(field_errors={"period": [str(error)]}) from error
    templates = [t for t in returns_service.upload_templates(caller) if agency in t.agencies]
    found = []
    for template in _page(templates, page, per_page)["items"]:
        version = template.published_version
        defn = definition_for_reading(version.id)
        fields = entered_fields(defn, period)
        cells = field_cells(defn, fields)
        found.append({"slug": template.slug, "name": template.name, "version": version.number,
                      "frequency": template.frequency, "period": period.key,
                      "takes_values": all(sheet.layout != "tables" for sheet in defn.sheets),
                      "fields": [_field(f, cells[f.id]) for f in fields]})
    return {"items": found, "page": page, "per_page": per_page, "total": len(templates)}


# ---- submitting -----------------------------------------------------------------------------

def _problem(p, fields_by_cell: dict) -> dict:
    field = fields_by_cell.get((p.sheet, p.cell)) or (f"{p.sheet}!{p.cell}" if p.sheet and p.cell else
                                                     (p.sheet or "return"))
    return {"field": field, "sheet": p.sheet, "cell": p.cell, "severity": p.severity, "message": p.message}


def _change(change: store.Change) -> dict:
    figure = change.figure
    return {"kind": change.kind, "measure": figure.measure, "indicator": figure.indicator_slug,
            "area": figure.area_code, "period": figure.period_key,
            "old": None if change.old is None else {"value": change.old.value, "flag": change.old.flag},
            "new": None if change.new is None else {"value": change.new.value, "flag": change.new.flag}}


def _outcome(parsed, data: bytes, caller: ApiCaller, *, comment: str | None, dry_run: bool,
             fields_by_cell: dict) -> dict:
    """Store (unless a dry run) or refuse a checked return, as the upload's confirmation does:
    errors refuse it, and warnings need a comment."""
    comment = (comment or "").strip() or None
    needs_comment = bool(parsed.accepted and parsed.warnings and not comment and not dry_run)
    outcome = returns_service.import_parsed(parsed, data, caller, comment=comment, dry_run=dry_run,
                                            strict=needs_comment)
    problems = [_problem(p, fields_by_cell) for p in parsed.errors + parsed.warnings]
    if not outcome.accepted:
        errors = [{"field": p["field"], "message": p["message"]} for p in problems if p["severity"] == "error"]
        if needs_comment:
            errors.append({"field": "comment", "message": COMMENT_NEEDED})
        if parsed.choices:
            errors.append({"field": "template", "message": "Say which template the file is: " + ", ".join(
                c.slug for c in parsed.choices)})
        raise Rejected(errors or [{"field": "return", "message": "This return could not be read."}], problems)
    summary = returns_service.import_summary(outcome)
    if outcome.submission is not None:
        replaced = outcome.superseded
        changes = store.changes_between(replaced.id, outcome.submission.id) if replaced else []
    else:
        replaced = returns_service.replaced_submission(parsed)
        changes = returns_service.upload_changes(parsed, replaced) if replaced else []
    if replaced is not None and summary["supersedes"] is None:
        summary["supersedes"] = replaced.id
    summary["problems"] = problems
    summary["changes"] = [_change(c) for c in changes]
    return summary


def submit_values(caller: ApiCaller, body: dict, sent: bytes, request: dict) -> dict:
    """A return sent as values (see the module's rules); ``sent``, the request's body as it
    came, is kept as the return's original. Raises Rejected, ServiceError (by field),
    ApiRefused."""
    agency = _agency(caller, body.get("agency"), request)
    source = sent or json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    filename = f"API request by token '{caller.name}'.json"[:255]
    parsed, typed = returns_service.parse_typed(
        body["values"], template_slug=body["template"], period_text=body["period"], agency_slug=agency.slug,
        user=caller, source=source, filename=filename)
    fields_by_cell = {cell: field_id for field_id, cell in typed.cells.items()}
    return _outcome(parsed, source, caller, comment=body.get("comment"), dry_run=body.get("dry_run", False),
                    fields_by_cell=fields_by_cell)


def submit_file(caller: ApiCaller, data: bytes, filename: str, form: dict, request: dict) -> dict:
    """A return sent as its spreadsheet: as an upload (see the module's rules)."""
    agency = _agency(caller, form.get("agency"), request)
    parsed = returns_service.parse_upload(data, filename or "return.xlsx", agency_slug=agency.slug, user=caller,
                                          period_text=form.get("period"), template_slug=form.get("template"))
    return _outcome(parsed, data, caller, comment=form.get("comment"), dry_run=form.get("dry_run", False),
                    fields_by_cell={})


# ---- reading back ---------------------------------------------------------------------------

def _submission(s: Submission) -> dict:
    return {"id": s.id, "status": s.status, "template": s.template.slug, "template_version": s.template_version.number,
            "period": s.period.key, "period_label": s.period.label, "agency": s.agency.slug,
            "uploaded_at": s.uploaded_at.isoformat(timespec="seconds") + "Z", "filename": s.filename,
            "supersedes": s.supersedes_id, "comment": s.comment, "sent_by": returns_service.uploader_name(s),
            "warnings": s.warnings or []}


def agency_submissions(caller: ApiCaller, page: int, per_page: int, request: dict) -> dict:
    agency = _agency(caller, None, request)
    query = select(Submission).where(Submission.agency_id == agency.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Submission.uploaded_at.desc(), Submission.id.desc())
                              .offset((page - 1) * per_page).limit(per_page))
    return {"items": [_submission(s) for s in rows], "page": page, "per_page": per_page, "total": total}


def _stored(figure: store.StoredFigure) -> dict:
    return {"measure": figure.measure, "indicator": figure.indicator_slug, "area": figure.area_code,
            "period": figure.period_key, "value": figure.value, "flag": figure.flag, "note": figure.note,
            "sheet": figure.sheet, "cell": figure.cell}


def agency_submission(caller: ApiCaller, submission_id: int, request: dict) -> dict:
    """One of the agency's submissions: its status, figures and targets, and what it changed
    from the one it superseded. Another agency's is refused (403, audited)."""
    _agency(caller, None, request)
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(submission_id)
    if not may_see_submission(caller, submission):
        raise refuse(caller, "This submission is another agency's.", "wrong agency",
                     {**request, "submission": submission_id})
    figures = store.submission_figures(submission.id) + store.submission_targets(submission.id)
    changes = store.changes_between(submission.supersedes_id, submission.id) if submission.supersedes_id else []
    return {**_submission(submission), "figures": [_stored(f) for f in figures],
            "changes": [_change(c) for c in changes]}


# ---- indicator values and ratings -----------------------------------------------------------

def _number(value):
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else value


def indicator_results(caller: ApiCaller, period_text: str, page: int, per_page: int, request: dict) -> dict:
    """The dashboard's rows for a period (the kept results, with managers' ratings applied):
    each indicator × area's latest figure, target and RAG. Managers' tokens only."""
    if not may_manage_performance(caller):
        raise refuse(caller, "Only a manager's token may read indicator values and ratings.", "not a manager",
                     request)
    table = performance_table(period_text)
    names = {slug: indicator.name for slug, indicator in table.indicators.items()}
    area_names = {a.code: a.name for a in table.areas}
    rows = [{"indicator": r.indicator, "indicator_name": names.get(r.indicator, r.indicator), "area": r.area,
             "area_name": area_names.get(r.area, r.area), "period": r.period, "latest": _number(r.latest),
             "latest_flag": r.latest_flag, "previous_period": r.previous_period, "previous": _number(r.previous),
             "target": _number(r.target), "rag": r.rag, "rag_name": RAG_NAMES.get(r.rag),
             "rag_reason": r.rag_reason,
             "rag_overridden": bool(getattr(r, "rag_overridden", False)), "direction": r.direction,
             "headline": r.headline} for r in table.in_order(table.rows.values())]
    return {"period": table.period.key, "period_label": table.period.label, **_page(rows, page, per_page)}


