"""Who may do what: the role groups and every ``may_…`` rule, in one place.

Flask-free so services, routes, templates and exports share one rule. A rule takes the
person (anything with ``role`` and ``agency_id``) first, then the thing asked about.
The command line acts as no one (``user`` is None): services decide what that may do.
"""

ROLES = ("officer", "manager", "admin", "dhr_coordinator")

# ---- role groups (for ``roles_required`` and the navigation) ---------------------------

EVERYONE = ROLES
READERS = ("officer", "manager", "admin")  # the partnership's figures, returns and templates
UPLOADERS = ("officer", "admin")  # fill in and upload returns
MANAGERS = ("manager", "admin")  # performance management, the dashboard workbook
ADMINS = ("admin",)  # users, reference data, the template editor


def in_group(user, roles) -> bool:
    """The person's role is one of ``roles`` (a role group above)."""
    return user.role in roles


# ---- agencies ------------------------------------------------------------------------------

def own_agency_only(user) -> bool:
    """Officers act for their own agency only; every other role for the whole partnership."""
    return user.role == "officer"


def role_needs_agency(role: str) -> bool:
    """An officer always belongs to exactly one agency."""
    return role == "officer"


def visible_agency_ids(user) -> list[int] | None:
    """None means every agency; officers see only their own."""
    if own_agency_only(user):
        return [user.agency_id] if user.agency_id else []
    return None


def can_see_agency(user, agency_id: int | None) -> bool:
    allowed = visible_agency_ids(user)
    return allowed is None or (agency_id is not None and agency_id in allowed)


# ---- returns -------------------------------------------------------------------------------

def may_upload(user) -> bool:
    return in_group(user, UPLOADERS)


def may_upload_for(user, agency) -> bool:
    """Uploaders may upload returns; an officer only for their own agency."""
    return may_upload(user) and (not own_agency_only(user) or user.agency_id == agency.id)


def may_see_submission(user, submission) -> bool:
    return can_see_agency(user, submission.agency_id)


def may_download_original(user, submission) -> bool:
    """The uploaded workbook itself: admins, and officers of the agency that sent it."""
    return in_group(user, ADMINS) or (own_agency_only(user) and user.agency_id == submission.agency_id)


# ---- return templates ----------------------------------------------------------------------

def may_manage_templates(user) -> bool:
    return in_group(user, ADMINS)


def may_download_template_example(user) -> bool:
    """The agency's spreadsheet a template was made from (its reference copy)."""
    return in_group(user, MANAGERS)


def may_see_template(user, agency_ids) -> bool:
    """Officers see the templates their agency returns; everyone else sees them all."""
    return not own_agency_only(user) or user.agency_id in agency_ids


def may_download_blank_returns(user) -> bool:
    return in_group(user, UPLOADERS)


def may_download_blank_return_for(user, agency) -> bool:
    """Of a template's agencies: an officer may download only their own agency's return."""
    return can_see_agency(user, agency.id)


# ---- performance management ----------------------------------------------------------------

def may_manage_performance(user) -> bool:
    return in_group(user, MANAGERS)


def may_upload_peer_figures(user) -> bool:
    """Peer figures by the file (the admin's upload page); managers type them one at a time."""
    return in_group(user, ADMINS)


def may_see_targets(user) -> bool:
    """Targets (and their history) are read by those who manage performance."""
    return in_group(user, MANAGERS)


def may_manage_targets(user) -> bool:
    """Setting, changing, retiring and uploading targets is for admins, as other reference data is."""
    return in_group(user, ADMINS)


def may_unlock_periods(user) -> bool:
    """Reopening a signed-off period is for admins alone."""
    return in_group(user, ADMINS)


# ---- Domestic Homicide Reviews ----

# These roles always see DHR data; a manager or officer only once an admin grants access.
DHR_ROLES = ("admin", "dhr_coordinator")


def always_sees_dhr(user) -> bool:
    """Administrators and DHR co-ordinators see DHR data by their role, with no grant to change."""
    return user.role in DHR_ROLES


def may_manage_dhr_access(user) -> bool:
    """Granting and revoking others' access to DHR data is for admins alone."""
    return in_group(user, ADMINS)


def may_see_dhr(user) -> bool:
    """Whether this person (None or anonymous: no) may see DHR data, on screen or in a workbook."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and (always_sees_dhr(user) or user.dhr_access))


# ---- the partnership's vocabulary ----------------------------------------------------------

def may_edit_vocabulary(user) -> bool:
    """Other names for areas and indicators (used by every template) are for admins alone."""
    return in_group(user, ADMINS)


# ---- action plans (issue 19) -----------------------------------------------------------------
# One set of pages serves the DHR master action plan (kind "dhr", restricted like all DHR
# data) and the partnership's strategy action plans (kind "partnership").

def may_see_plan(user, kind: str) -> bool:
    """Partnership plans: anyone signed in; the DHR plan: those who may see DHR data."""
    if kind == "dhr":
        return may_see_dhr(user)
    return bool(user is not None and getattr(user, "is_authenticated", False))


def may_manage_plan(user, kind: str) -> bool:
    """Adding and changing plans, objectives and actions: managers and admins (the DHR plan:
    those who may see DHR data, as for its other records)."""
    if kind == "dhr":
        return may_see_dhr(user)
    return may_see_plan(user, kind) and in_group(user, MANAGERS)


def may_update_action(user, kind: str, lead_agency_id: int | None) -> bool:
    """A quarterly update: whoever manages the plan, or an officer of the action's lead agency."""
    if may_manage_plan(user, kind):
        return True
    return (kind != "dhr" and may_see_plan(user, kind) and own_agency_only(user)
            and lead_agency_id is not None and user.agency_id == lead_agency_id)


# ---- signing in ----------------------------------------------------------------------------

def must_use_two_factor(user) -> bool:
    """Everyone who can see restricted DHR data signs in with a second factor (a code from
    an authenticator app); anyone else may choose to."""
    return always_sees_dhr(user) or bool(getattr(user, "dhr_access", False))


def may_reset_two_factor(user, other) -> bool:
    """Clearing someone's second factor (they lost their phone and their recovery codes) is
    for admins, and never their own: another admin must confirm who is asking."""
    return in_group(user, ADMINS) and getattr(other, "id", None) != getattr(user, "id", None)
