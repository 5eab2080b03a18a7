"""Which template, version, agency and period an uploaded workbook is.

In order:
1. the workbook's own record: the blank return carries its template, version, agency and
   period in a hidden "_meta" sheet and in defined names (``WorkbookData.meta``);
2. a fingerprint: the sheet names and row labels of each published template, looked
   for in the workbook; the best match wins if at least ``FINGERPRINT_THRESHOLD`` of
   them are there (for a return typed into a fresh workbook or an old copy);
3. the caller's choice (``--template``, or the officer picks from a list).

A choice that contradicts the workbook's record is an error, as is an agency or period
that disagrees with the one the upload is made for: an officer may have picked up a
colleague's file.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from app.definition import TemplateDefinition, normalise_label
from app.ingest.map import NOT_RETURN_SHEETS
from app.ingest.problems import Problem
from app.ingest.read import WorkbookData

FINGERPRINT_THRESHOLD = 0.6
META_KEYS = {
    "template": ("template_slug", "SR_TEMPLATE"),
    "version": ("template_version", "SR_VERSION"),
    "agency": ("agency_slug", "SR_AGENCY"),
    "period": ("period_key", "SR_PERIOD"),
}
HOW = {
    "metadata": "recognised from the workbook's own record of its template",
    "fingerprint": "recognised by its sheet names and row labels",
    "chosen": "as chosen for this upload",
}


@dataclass(frozen=True)
class TemplateCandidate:
    """A template version that uploads can be read with. ``source`` is its definition, or
    a function that reads it: only fingerprinting needs every template's definition."""

    slug: str
    name: str
    version: int
    source: TemplateDefinition | Callable[[], TemplateDefinition] = field(repr=False, compare=False)

    @functools.cached_property
    def definition(self) -> TemplateDefinition:
        return self.source() if callable(self.source) else self.source


@dataclass(frozen=True)
class WorkbookIdentity:
    """What the workbook says about itself (values from the blank return's record)."""

    template: str | None
    version: int | None
    agency: str | None
    period: str | None


@dataclass(frozen=True)
class Identification:
    slug: str
    how: str  # metadata | fingerprint | chosen
    score: float = 1.0  # share of sheet names and row labels found (fingerprint)

    def describe(self) -> str:
        if self.how == "fingerprint":
            return f"{HOW['fingerprint']} ({self.score:.0%} of them found)"
        return HOW[self.how]


def workbook_identity(workbook: WorkbookData) -> WorkbookIdentity:
    def value(kind: str) -> str | None:
        for key in META_KEYS[kind]:
            text = (workbook.meta.get(key) or "").strip()
            if text:
                return text
        return None

    version = value("version")
    return WorkbookIdentity(
        template=value("template"), version=int(version) if version and version.isdigit() else None,
        agency=value("agency"), period=value("period"),
    )


def fingerprint_score(workbook: WorkbookData, defn: TemplateDefinition) -> float:
    """The share of the definition's sheet names and row labels found in the workbook
    (a row counts when its label or an alias is any cell's text). The blank return's own
    sheets do not count: its instructions list every row label."""
    sheets = [grid for grid in workbook.sheets if normalise_label(grid.name) not in NOT_RETURN_SHEETS]
    sheet_names = {normalise_label(grid.name) for grid in sheets}
    texts = {normalise_label(text) for grid in sheets for _, text in grid.texts}
    wanted = found = 0
    for sheet in defn.sheets:
        wanted += 1
        found += normalise_label(sheet.name) in sheet_names
        for row in sheet.rows:
            wanted += 1
            found += any(normalise_label(t) in texts for t in (row.label, *row.aliases))
    return found / wanted if wanted else 0.0


def identify_template(
    workbook: WorkbookData, identity: WorkbookIdentity, candidates: list[TemplateCandidate], chosen: str | None
) -> tuple[Identification | None, list[Problem]]:
    """The template to read the workbook with, or None and the problems saying why not."""
    by_slug = {c.slug: c for c in candidates}
    if identity.template:
        if chosen and chosen != identity.template:
            named = by_slug.get(chosen)
            return None, [_file_problem(
                f"This workbook is the return for template '{identity.template}', not "
                f"'{named.name if named else chosen}' as chosen. Upload the right file, or choose that template.")]
        if identity.template in by_slug:
            return Identification(identity.template, "metadata"), []
        return None, [_file_problem(
            f"This workbook is the return for template '{identity.template}', which is not a published template "
            "here. Download the current blank return and copy your figures into it.")]
    if chosen:
        if chosen in by_slug:
            return Identification(chosen, "chosen"), []
        return None, [_file_problem(f"There is no published template '{chosen}'. Choose one from the list.")]
    scored = sorted(((fingerprint_score(workbook, c.definition), c.slug) for c in candidates), reverse=True)
    if scored and scored[0][0] >= FINGERPRINT_THRESHOLD:
        return Identification(scored[0][1], "fingerprint", scored[0][0]), []
    return None, [_file_problem(
        "We could not tell which return this is: it does not carry the record the blank return has, and its "
        "sheets and row labels do not match any template closely enough. Choose the template when you upload "
        "it (or use --template), or copy your figures into the blank return.")]


def _file_problem(message: str) -> Problem:
    return Problem(None, None, message)
