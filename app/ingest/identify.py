"""Which template, version, agency and period an uploaded workbook is.

In order:
1. the workbook's own record: the blank return carries its template, version, agency and
   period in a hidden "_meta" sheet and in defined names (``WorkbookData.meta``);
2. the caller's choice (``--template``, or the officer picks from a list);
3. a fingerprint: the sheet names and row labels of each published template, looked
   for in the workbook; the best match wins if at least ``FINGERPRINT_THRESHOLD`` of
   them are there (for a return typed into a fresh workbook or an old copy), unless
   another template fits about as well (within ``TIE_MARGIN``): then nothing is picked
   and the candidates, each with why it fits, go back to the officer to choose from.

A choice that contradicts the workbook's record is an error, as is an agency or period
that disagrees with the one the upload is made for: an officer may have picked up a
colleague's file.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from app.definition import TemplateDefinition, normalise_label, sheet_labels
from app.ingest.map import NOT_RETURN_SHEETS
from app.ingest.problems import Problem
from app.ingest.read import WorkbookData

# A template fits a workbook only if at least this share of its sheet names and row labels
# is there: below it, a file shares only the odd common label ("Total", "Referrals").
FINGERPRINT_THRESHOLD = 0.6
# Templates whose shares are within this of the best fit "about equally", and the officer
# chooses. One row label that differs in a template of ten rows or more moves its share by
# less than this: too little to pick one template over the other silently. A file laid out
# as its template scores 100%, so another template ties with it only by sharing 90% of its
# labels; adding templates with other labels never turns a clear winner into a tie.
TIE_MARGIN = 0.1
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


@dataclass(frozen=True)
class TemplateChoice:
    """A template the workbook could be, and why: what identification offers the officer
    when two or more fit about equally."""

    slug: str
    name: str
    score: float
    reason: str  # "matches 14 of 16 row labels on sheet 'Appendix 2'"


@dataclass(frozen=True)
class WorkbookWords:
    """The normalised sheet names and cell texts of a workbook, worked out once per upload
    (not once per template). The blank return's own sheets do not count: its instructions
    list every row label."""

    sheet_names: frozenset[str]
    texts: frozenset[str]

    @classmethod
    def of(cls, workbook: WorkbookData) -> WorkbookWords:
        sheets = [grid for grid in workbook.sheets if normalise_label(grid.name) not in NOT_RETURN_SHEETS]
        return cls(frozenset(normalise_label(grid.name) for grid in sheets),
                   frozenset(normalise_label(text) for grid in sheets for _, text in grid.texts))


@dataclass(frozen=True)
class Fit:
    """How well a definition fits a workbook: the share of its sheet names and row labels
    found (a row counts when its label or an alias is any cell's text), and why."""

    score: float
    reason: str


def template_fit(words: WorkbookWords, defn: TemplateDefinition) -> Fit:
    wanted = found = 0
    reasons = []
    for sheet in defn.sheets:
        named = normalise_label(sheet.name) in words.sheet_names
        labels = sheet_labels(sheet)
        rows = sum(any(normalise_label(t) in words.texts for t in texts) for texts in labels)
        wanted += 1 + len(labels)
        found += named + rows
        where = f"on sheet '{sheet.name}'" if named else f"of sheet '{sheet.name}' (no sheet has that name)"
        what = "label" if sheet.layout == "tables" else "row label"
        reasons.append(f"{rows} of {len(labels)} {what}{'' if len(labels) == 1 else 's'} {where}")
    return Fit(found / wanted if wanted else 0.0, "matches " + "; ".join(reasons))


def fingerprint_score(workbook: WorkbookData, defn: TemplateDefinition) -> float:
    """The share of the definition's sheet names and row labels found in the workbook."""
    return template_fit(WorkbookWords.of(workbook), defn).score


@dataclass
class Identified:
    """What identification found: the template, or the problems saying why not; when two
    or more templates fit about equally, ``choices`` lists them (best first) and nothing is
    picked."""

    identification: Identification | None
    problems: list[Problem]
    choices: list[TemplateChoice] = field(default_factory=list)


def fingerprint(workbook: WorkbookData, candidates: list[TemplateCandidate],
                agency_slug: str | None = None) -> Identified:
    """The template the workbook's labels say it is; or, when several fit about equally,
    the choices; or a problem when none fits. Templates the agency does not submit drop out
    of a near-tie when one it does submit is left in it."""
    words = WorkbookWords.of(workbook)
    fits = sorted(((template_fit(words, c.definition), c) for c in candidates),
                  key=lambda pair: (-pair[0].score, pair[1].name, pair[1].slug))
    fits = [(fit, c) for fit, c in fits if fit.score >= FINGERPRINT_THRESHOLD]
    if not fits:
        return Identified(None, [_file_problem(
            "We could not tell which return this is: it does not carry the record the blank return has, and its "
            "sheets and row labels do not match any template closely enough. Choose the template when you upload "
            "it (or use --template), or copy your figures into the blank return.")])
    best = fits[0][0].score
    tied = [(fit, c) for fit, c in fits if fit.score >= best - TIE_MARGIN - 1e-9]
    if agency_slug and len(tied) > 1:
        theirs = [(fit, c) for fit, c in tied if not c.definition.agencies or agency_slug in c.definition.agencies]
        tied = theirs or tied
    if len(tied) == 1:
        fit, c = tied[0]
        return Identified(Identification(c.slug, "fingerprint", fit.score), [])
    choices = [TemplateChoice(c.slug, c.name, fit.score, fit.reason) for fit, c in tied]
    listed = "; ".join(f"'{choice.name}' ({choice.reason})" for choice in choices)
    return Identified(None, [_file_problem(
        f"This file could be either of these returns: {listed}. Nothing in it says which, so it was not read: "
        "choose the template it is (or use --template).")], choices)


def identify(workbook: WorkbookData, identity: WorkbookIdentity, candidates: list[TemplateCandidate],
             chosen: str | None, agency_slug: str | None = None) -> Identified:
    """The template to read the workbook with (see the module's docstring)."""
    by_slug = {c.slug: c for c in candidates}
    if identity.template or chosen:
        identification, problems = _recorded_or_chosen(identity, by_slug, chosen)
        return Identified(identification, problems)
    return fingerprint(workbook, candidates, agency_slug)


def identify_template(
    workbook: WorkbookData, identity: WorkbookIdentity, candidates: list[TemplateCandidate], chosen: str | None
) -> tuple[Identification | None, list[Problem]]:
    """The template to read the workbook with, or None and the problems saying why not."""
    found = identify(workbook, identity, candidates, chosen)
    return found.identification, found.problems


def _recorded_or_chosen(identity: WorkbookIdentity, by_slug: dict[str, TemplateCandidate],
                        chosen: str | None) -> tuple[Identification | None, list[Problem]]:
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
    if chosen in by_slug:
        return Identification(chosen, "chosen"), []
    return None, [_file_problem(f"There is no published template '{chosen}'. Choose one from the list.")]


def _file_problem(message: str) -> Problem:
    return Problem(None, None, message)
