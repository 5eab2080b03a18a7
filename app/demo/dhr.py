"""The demo's Domestic Homicide Review data: pseudonymised cases dated so that every clock
state appears, the Leicestershire and Rutland pooled budget for 2016/17, and the seven
actions outstanding in March 2016, from the seed board papers (``seed_figures.json``,
Leicestershire Safer Communities Strategy Board, 8 June 2016, Agenda Item 9).

The data functions are plain dataclasses (``app.dhr``); ``load_demo_dhr`` puts them in the
database inside ``flask demo load``'s transaction.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.dhr import long_date
from app.dhr.actions import Action, ActionUpdate
from app.dhr.budget import BudgetYear, Contribution, CostLine
from app.dhr.clocks import CaseDates
from app.extensions import db
from app.models import (
    Area, DhrBudgetYear, DhrCase, DhrContribution, DhrCost, DhrPanelMeeting, PlanAction, PlanActionUpdate,
)
from app.services.dhr.budget import agency_named, budget_year_row, member_agencies
from app.services.dhr.cases import DATE_COLUMNS
from app.services.dhr.settings import current_date
from app.store.plans import dhr_plan_row

# ---- cases -------------------------------------------------------------------------------


def demo_cases(today: date) -> list[tuple[str, CaseDates, str, str, str]]:
    """Pseudonymised demonstration cases, dated relative to ``today`` so that between them
    every clock state appears under the default ``ClockRule``:

    ========  ==========================  ===========================
    case      Decision clock              Review clock
    ========  ==========================  ===========================
    Mary      met (G)                     completed late (R)
    FN        completed late (R)          met (G)
    AB        met (G)                     running, Green
    CD        met (G)                     running, Amber
    EF        met (G)                     overdue (R)
    GH        running, Amber              not started
    JK        overdue (R)                 not started
    LM        not started                 not started
    NP        met (G)                     not applicable
    ========  ==========================  ===========================

    Returns (pseudonym, dates, review_type, area_code, notes); area codes are ONS codes of
    Leicestershire districts (E07000129 Blaby … E07000135 Oadby & Wigston).
    """
    def ago(days: int) -> date:
        return today - timedelta(days=days)

    cases = [
        ("Mary", CaseDates(
            incident=ago(1000), notification=ago(990), decision=ago(970), home_office_told=ago(965),
            chair_appointed=ago(940), author_appointed=ago(925), panel_meetings=[ago(880), ago(800), ago(700)],
            report_sent=ago(560), qa_outcome_date=ago(470), publication=ago(400)),
         "E07000130", "Report delayed until after the criminal trial; published."),
        ("FN", CaseDates(
            incident=ago(760), notification=ago(750), decision=ago(710), home_office_told=ago(705),
            chair_appointed=ago(690), author_appointed=ago(680), panel_meetings=[ago(640), ago(600)],
            report_sent=ago(560), qa_outcome_date=ago(480), publication=ago(430), review_type="joint_dhr_scr"),
         "E07000132", "Joint DHR and serious case review; decision waited for the safeguarding board."),
        ("AB", CaseDates(
            incident=ago(100), notification=ago(90), decision=ago(60), home_office_told=ago(55),
            chair_appointed=ago(45), author_appointed=ago(30), panel_meetings=[ago(10)]),
         "E07000131", "Panel under way."),
        ("CD", CaseDates(
            incident=ago(200), notification=ago(190), decision=ago(165), home_office_told=ago(160),
            chair_appointed=ago(150), author_appointed=ago(120), panel_meetings=[ago(90), ago(30)]),
         "E07000130", "Draft overview report with the panel."),
        ("EF", CaseDates(
            incident=ago(290), notification=ago(280), decision=ago(250), home_office_told=ago(245),
            chair_appointed=ago(230), author_appointed=ago(200), panel_meetings=[ago(150)]),
         "E07000129", "Panel paused pending the criminal trial."),
        ("GH", CaseDates(incident=ago(25), notification=ago(20)),
         "E07000133", "Scoping information requested from agencies."),
        ("JK", CaseDates(incident=ago(50), notification=ago(45)),
         "E07000134", "Decision waiting for the police investigation."),
        ("LM", CaseDates(incident=ago(3)),
         "E07000135", "Incident reported; the CSP has not yet been notified."),
        ("NP", CaseDates(
            incident=ago(400), notification=ago(390), decision=ago(375), review_type="alternative"),
         "E07000132", "Domestic abuse involved but DHR criteria not met: alternative review."),
    ]
    return [(name, dates, dates.review_type, area, notes) for name, dates, area, notes in cases]


# demo_cases gives ONS district codes; the demo partnership's areas use short codes.
ONS_TO_DEMO_AREA = {
    "E07000129": "B", "E07000130": "C", "E07000131": "H", "E07000132": "HB", "E07000133": "M",
    "E07000134": "NW", "E07000135": "O", "E06000017": "RUT",
}
DEMO_CASE_DETAILS = {
    "Mary": ("published", "Approved by the Home Office quality-assurance panel", "Criminal trial"),
    "FN": (
        "published",
        "Approved by the Home Office quality-assurance panel",
        "Waited for the safeguarding board's decision",
    ),
    "AB": ("in_progress", None, None),
    "CD": ("in_progress", None, None),
    "EF": ("awaiting_trial", None, "Criminal trial"),
    "GH": ("under_consideration", None, None),
    "JK": ("under_consideration", None, "Police investigation"),
    "LM": ("under_consideration", None, None),
    "NP": ("closed", None, None),
}


# ---- the pooled budget --------------------------------------------------------------------

# The partners as the board paper names them. Each is a member agency of the demo
# partnership (partnership.json): the districts and Rutland are their councils, found by
# place name when the budget is loaded (``app.dhr.budget.contributing_agency``); none is an area.
LEICESTERSHIRE_PARTNERS = (
    "Leicestershire County Council", "Leicestershire Police",
    "Blaby", "Charnwood", "Harborough", "Hinckley & Bosworth", "Melton",
    "North West Leicestershire", "Oadby & Wigston", "Rutland",
)


def leicestershire_2016_17() -> BudgetYear:
    """Leicestershire Safer Communities Strategy Board, 8 June 2016, Agenda Item 9
    paras 10–13 and 22: £25,500 carried forward; £66,000 due, Charnwood's £2,500 paid in
    2015/16; business office £40,500 plus the £1,589 increase; chairs and authors
    3 × £8,500; forecast on 2.5 reviews a year."""
    districts = LEICESTERSHIRE_PARTNERS[2:]
    contributions = [Contribution("Leicestershire County Council", 30000), Contribution("Leicestershire Police", 16000)]
    contributions += [Contribution(d, 2500, received_in_advance=2500 if d == "Charnwood" else 0) for d in districts]
    costs = [
        CostLine("Safeguarding Board Business Office: officer and admin support", "fixed_support", 40500),
        CostLine("Safeguarding Board Business Office: 2016/17 staffing increase", "fixed_support", 1589),
        CostLine("Independent chairs and authors (3 reviews at £8,500)", "chairs_authors", 25500),
    ]
    return BudgetYear(2016, 25500, contributions, costs, reviews_expected=Decimal("2.5"),
                      cost_per_review=8500, fixed_support=42089)


# ---- the master action plan ---------------------------------------------------------------

# The seed's "due" phrases and the dates they stand for.
SEED_DUE_DATES = {"end of May 2016": date(2016, 5, 31), "later in 2016": date(2016, 12, 31)}

# Outstanding actions at the end of March 2016 (seed_figures.json
# ``outstanding_actions_march_2016``), with the board paper's words as the 2015/16 Q4 update.
_SEED_ACTIONS = [
    ("Mary", "single-agency", "Police", "Confirm all actions are complete", "outstanding", None,
     "Police are still to confirm all actions relating to 'Mary' DHR are complete.", ""),
    ("FN", "single-agency", "Police", "Confirm learning has been disseminated", "outstanding", None,
     "Police are still to confirm that learning from 'FN' DHR has been disseminated.", ""),
    (None, "single-agency", "Swanswell", "Roll out approach to DASH and train all relevant staff", "complete", None,
     "Swanswell have confirmed that they have rolled out their approach to DASH and all relevant staff "
     "have received DASH training.", "Confirmation from Swanswell"),
    (None, "single-agency", "Leicestershire County Children's Social Care",
     "Case audit of compliance with supervision policy on case closure", "outstanding", None,
     "Yet to confirm whether the case audit of compliance with supervision policy on case closure is complete.", ""),
    (None, "multi-agency", "Domestic violence delivery group",
     "Review how domestic abuse is covered within multi-agency case management processes", "in progress",
     "end of May 2016", "Currently being finalised; will be completed by the end of May.", ""),
    (None, "multi-agency", "Domestic violence delivery group",
     "Finalise a framework of pathways for domestic abuse support", "in progress", "later in 2016",
     "Delayed by the commissioning of Leicester, Leicestershire & Rutland joint services for those affected by "
     "domestic abuse and sexual violence; now under way to report later in 2016.", ""),
    (None, "multi-agency", "Domestic violence delivery group",
     "Approach to working with businesses on employment policies regarding domestic abuse", "not implemented", None,
     "An approach has been identified working with Respect; not implemented due to changes in the domestic abuse "
     "partnership structure and other priorities within the Leicestershire County Community Safety Team.", ""),
]
# Swanswell's confirmation was reported at the end of the year (March 2016).
_SEED_COMPLETED_ON = date(2016, 3, 31)


def demo_actions(today: date) -> list[Action]:
    """The seven actions outstanding at March 2016 (Agenda Item 9 paras 7–8).
    Their dates come from the seed, so ``today`` changes nothing but must not be earlier
    than the end of March 2016, when the updates were written."""
    if today < _SEED_COMPLETED_ON:
        raise ValueError(
            f"The demo actions were reported on {long_date(_SEED_COMPLETED_ON)}; today must not be earlier."
        )
    return [
        Action(
            id=i, review=review, scope=scope, lead_agency=agency, action=text,
            due=SEED_DUE_DATES.get(due_phrase), status=status,
            completed_on=_SEED_COMPLETED_ON if status == "complete" else None,
            updates=[ActionUpdate("2015/16 Q4", update, evidence)],
        )
        for i, (review, scope, agency, text, status, due_phrase, update, evidence) in enumerate(_SEED_ACTIONS, 1)
    ]


# ---- loading -------------------------------------------------------------------------------


def load_demo_dhr(areas: dict[str, Area], on: date | None = None, **_) -> None:
    """The demo's DHR data: pseudonymised cases dated from ``on`` (today) so that every
    clock state appears, the 2016/17 Leicestershire budget (each partner's line paid by
    its member agency) and the seven actions
    outstanding in March 2016. Idempotent: rows that exist (by pseudonym, financial
    year, lead agency and action) are left as they are, so a second run (or a later
    day) changes nothing and nothing a co-ordinator entered is overwritten."""
    on = on or current_date()
    cases = {c.pseudonym: c for c in db.session.scalars(select(DhrCase))}
    for pseudonym, dates, review_type, ons_code, notes in demo_cases(on):
        if pseudonym in cases:
            continue
        status, qa_outcome, delay = DEMO_CASE_DETAILS[pseudonym]
        case = DhrCase(pseudonym=pseudonym, area=areas.get(ONS_TO_DEMO_AREA[ons_code]), review_type=review_type,
                       status=status, qa_outcome=qa_outcome if dates.qa_outcome_date else None,
                       delay_reason=delay, notes=notes)
        for name, column in DATE_COLUMNS.items():
            setattr(case, column, getattr(dates, name))
        case.panel_meetings = [DhrPanelMeeting(meeting_date=d) for d in dates.panel_meetings]
        db.session.add(case)
        cases[pseudonym] = case
    year = leicestershire_2016_17()
    if budget_year_row(year.year_start) is None:
        members = member_agencies()
        db.session.add(
            DhrBudgetYear(
                year_start=year.year_start,
                opening_reserve=year.opening_reserve,
                reviews_expected=year.reviews_expected,
                cost_per_review=year.cost_per_review,
                fixed_support=year.fixed_support,
                notes=(
                    "Leicestershire Safer Communities Strategy Board, 8 June 2016, "
                    "Agenda Item 9 paragraphs 10-13 and 22."
                ),
                contributions=[
                    DhrContribution(
                        partner=c.partner, due=c.due, received_in_advance=c.received_in_advance,
                        drawn_down=c.drawn_down, agency=agency_named(c.partner, members),
                    )
                    for c in year.contributions
                ],
                costs=[DhrCost(label=c.label, kind=c.kind, amount=c.amount) for c in year.costs],
            )
        )
    plan = dhr_plan_row()
    existing = set(db.session.execute(select(PlanAction.lead_agency, PlanAction.action)
                                      .where(PlanAction.plan_id == plan.id)).all())
    for action in demo_actions(max(on, _SEED_COMPLETED_ON)):
        if (action.lead_agency, action.action) in existing:
            continue
        db.session.add(
            PlanAction(
                plan=plan,
                agency=agency_named(action.lead_agency, member_agencies()),
                case=cases.get(action.review) if action.review else None,
                scope=action.scope,
                lead_agency=action.lead_agency,
                action=action.action,
                due_date=action.due,
                status=action.status,
                completed_on=action.completed_on,
                impact_review_due=action.impact_review_due,
                updates=[
                    PlanActionUpdate(quarter=u.quarter, text=u.text, evidence=u.evidence or None)
                    for u in action.updates
                ],
            )
        )
    db.session.flush()
