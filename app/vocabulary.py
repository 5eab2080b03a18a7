"""The app's vocabularies: the codes stored for a figure's flag, an indicator's unit and
polarity and a RAG rating, and the words shown for them. One definition each; Flask-free,
so the engine, the importer, the workbooks, the models and the pages all take them from here.

Where a view shows a vocabulary differently, the difference is a mapping from these codes
(``DISPLAY_UNIT``, ``WORKBOOK_FLAG``), not a second list.
"""

# ---- flags: what a stored figure is ----------------------------------------------------

FLAGS = ("actual", "estimate", "provisional", "not_available", "not_released")
# Flags that carry a figure, and flags that stand in place of one.
FLAGS_WITH_VALUE = ("actual", "estimate", "provisional")
FLAGS_WITHOUT_VALUE = ("not_available", "not_released")
FLAG_LABELS = {
    "actual": "Actual",
    "estimate": "Estimate",
    "provisional": "Provisional",
    "not_available": "Not available",
    "not_released": "Not yet released",
}
# What the importer reads from a cell: a flag, or an empty cell (no figure, nothing stored).
EMPTY_CELL = "missing"
CELL_STATES = (*FLAGS, EMPTY_CELL)

# The dashboard workbook's flags: code -> (what the workbook shows, what it means). The
# Notes sheet prints this legend. Besides the stored flags (but "actual", shown plain) it
# has the states of a total or a return that the workbook shows in place of a figure.
WORKBOOK_FLAGS: dict[str, tuple[str, str]] = {
    "estimate": ("estimate", "An estimate, for example because some areas have not reported yet."),
    "provisional": ("provisional", "Provisional: the agency may revise it."),
    "not_available": ("N/A", "Not available; the reason is given in a note where known."),
    "not_yet_released": ("not yet released", "The source has not published this figure yet."),
    "not_yet_due": ("not yet due", "The period has not ended or the return is not due yet."),
    "incomplete": ("incomplete", "A total that lacks one or more areas' figures."),
    "mismatch": ("check", "The reported total differs from the sum of the areas."),
}
# Stored flag -> the workbook's flag ("actual" has none).
WORKBOOK_FLAG = {"estimate": "estimate", "provisional": "provisional", "not_available": "not_available",
                 "not_released": "not_yet_released"}

# ---- units -----------------------------------------------------------------------------

UNITS = ("count", "rate_per_1000", "rate_per_100000", "percent", "money", "ratio")
UNIT_LABELS = {
    "count": "Count",
    "rate_per_1000": "Rate per 1,000 population",
    "rate_per_100000": "Rate per 100,000 population",
    "percent": "Percentage",
    "money": "Money (£)",
    "ratio": "Ratio",
}
# Units whose change is reported in percentage points rather than relative %.
POINT_UNITS = ("percent",)
# The dashboard workbook formats both rates as one "rate" unit.
DISPLAY_UNIT = {unit: "rate" if unit.startswith("rate_") else unit for unit in UNITS}
DISPLAY_UNITS = tuple(dict.fromkeys(DISPLAY_UNIT.values()))

# ---- polarities ------------------------------------------------------------------------

POLARITIES = ("lower_is_better", "higher_is_better", "neutral")
POLARITY_LABELS = {
    "lower_is_better": "Lower is better",
    "higher_is_better": "Higher is better",
    "neutral": "Neither (monitored only)",
}
# The polarities a figure can be coloured by (a neutral indicator is monitored only).
RATED_POLARITIES = ("higher_is_better", "lower_is_better")

# ---- RAG ratings -----------------------------------------------------------------------

RAGS = ("R", "A", "G")
RAG_NAMES = {"R": "Red", "A": "Amber", "G": "Green"}


# ---- action plans (issue 19) -----------------------------------------------------------

# The tier of the Safer Kirklees model an action contributes to, from least to most intensive.
ACTION_TIERS = ("Prevention", "Early Resolution", "Problem Solving", "High Risk/Intensive")

# ---- how large a figure can sanely be ----------------------------------------------------

# No return holds a count, an amount of money or a rate above a million million, nor a
# percentage (in percentage points) above a million: a larger figure is a typing slip
# (1E+160) and would only overflow what is worked out from it. Per kind of input cell;
# an installation may set its own (INGEST_MAX_FIGURE).
MAX_FIGURE = {"whole": 1e12, "decimal": 1e12, "money": 1e12, "percent": 1e6}


# ---- comparisons ----------------------------------------------------------------------

# Where an area stands among its peers (``app.indicators.compare``), and the districts of a
# county among themselves.
PEER_POSITIONS = ("Top", "Average", "Bottom")

# What a row's latest figure is compared with, when it is the same period a year before or
# there is none (``app.indicators.rows.comparison_text``); the pages and the workbook word it.
SAME_PERIOD_LAST_YEAR = "same period last year"
NO_SAME_PERIOD = "no figure for the same period last year"

# Direction of travel as pages and workbooks write it, with how it was found.
DIRECTION_TEXT = {"improving": "↑ Improving", "stable": "→ Stable", "worsening": "↓ Worsening"}


def direction_text(direction: str | None, basis: str | None) -> str | None:
    """"→ Stable (from two figures)", "↑ Improving (trend over 4 periods)", or None."""
    text = DIRECTION_TEXT.get(direction)
    return f"{text} ({basis})" if text and basis else text

# ---- the audit log ----------------------------------------------------------------------

# What each audited action is called on the audit page and in its CSV (``app.services.audit``);
# an action missing here reads as its words ("dhr_cost_saved": "Dhr cost saved").
AUDIT_ACTIONS = {
    "sign_in": "Signed in", "sign_in_failed": "Sign-in refused",
    "user_created": "Added a user", "user_updated": "Changed a user",
    "invitation_sent": "Sent an invitation", "invitation_not_sent": "Invitation not sent",
    "password_reset_sent": "Sent a password reset link", "password_reset_not_sent": "Password reset link not sent",
    "password_reset_unknown": "Password reset asked for an unknown address",
    "password_set_from_link": "Chose a password from an emailed link",
    "area_created": "Added an area", "area_updated": "Changed an area",
    "agency_created": "Added an agency", "agency_updated": "Changed an agency",
    "outcome_created": "Added an outcome", "outcome_updated": "Changed an outcome",
    "indicator_created": "Added an indicator", "indicator_updated": "Changed an indicator",
    "area_alias_added": "Added another name for an area",
    "indicator_alias_added": "Added another name for an indicator",
    "upload_previewed": "Previewed an upload", "upload_template_chosen": "Chose which return a file is",
    "submission_confirmed": "Submitted a return", "submission_rejected": "Return refused",
    "submission_superseded": "Return replaced by a newer one",
    "template_created": "Created a return template", "template_loaded": "Loaded a return template",
    "template_edited": "Changed a return template's draft", "template_published": "Published a return template",
    "template_proposed": "Proposed a template from an agency's spreadsheet",
    "target_set": "Set a target", "target_retired": "Retired a target", "targets_uploaded": "Uploaded targets",
    "returns_scheduled": "Added returns to the schedule", "schedule_start_set": "Set a schedule's first period",
    "return_waived": "Waived an expected return", "as_at_set": "Set the 'as at' date",
    "rag_override_set": "Overrode a rating", "rag_manual_set": "Set a rating by hand",
    "rag_override_withdrawn": "Withdrew a manager's rating", "rag_manual_withdrawn": "Withdrew a manual rating",
    "commentary_saved": "Saved a comment", "commentary_removed": "Removed a comment",
    "outcome_assessment_saved": "Saved an outcome's comment and rating",
    "peer_value_saved": "Saved a peer figure", "peer_value_removed": "Removed a peer figure",
    "peer_figures_uploaded": "Uploaded peer figures",
    "period_signed_off": "Signed off a period", "period_unlocked": "Unlocked a period",
    "dhr_access_granted": "Granted access to DHR data", "dhr_access_revoked": "Revoked access to DHR data",
    "dhr_case_created": "Added a DHR case", "dhr_case_updated": "Changed a DHR case",
    "dhr_panel_meeting_added": "Added a panel meeting", "dhr_panel_meeting_removed": "Removed a panel meeting",
    "dhr_budget_year_created": "Added a DHR budget year", "dhr_budget_year_updated": "Changed a DHR budget year",
    "dhr_contribution_saved": "Saved a DHR budget contribution", "dhr_cost_saved": "Saved a DHR budget cost",
    "dhr_budget_line_removed": "Removed a DHR budget line",
    "dhr_budget_filled_from_return": "Filled a DHR budget year from a return",
    "dhr_action_created": "Added a DHR action", "dhr_action_updated": "Changed a DHR action",
    "dhr_action_update_added": "Added a DHR action update",
    "api_token_issued": "Issued an API token", "api_token_revoked": "Revoked an API token",
    "api_request_refused": "API request refused",
    "sign_out": "Signed out", "sign_in_locked": "Sign-in locked after repeated failures",
    "sign_in_refused_locked": "Sign-in refused while locked",
    "two_factor_setup_started": "Began setting up two-factor sign-in",
    "two_factor_enabled": "Turned on two-factor sign-in", "two_factor_sign_in": "Signed in with a code",
    "two_factor_code_wrong": "Two-factor code refused", "two_factor_recovery_code_used": "Used a recovery code",
    "two_factor_reset": "Reset someone's two-factor sign-in (they set it up again)",
    "recovery_codes_replaced": "Made new recovery codes (the old ones stopped working)",
    "entry_draft_saved": "Saved a return typed in the browser as a draft",
    "action_plan_created": "Added an action plan", "action_plan_updated": "Changed an action plan",
    "plan_objective_created": "Added an objective", "plan_objective_updated": "Changed an objective",
    "plan_action_created": "Added an action", "plan_action_updated": "Changed an action",
    "plan_action_update_added": "Added an action's quarterly update",
    "plan_update_return_recorded": "Recorded an action plan update return",
}


def audit_action_label(action: str) -> str:
    return AUDIT_ACTIONS.get(action) or action.replace("_", " ").capitalize()
