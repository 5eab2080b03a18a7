"""Who may see what. Flask-free so services, routes and exports share one rule."""


def visible_agency_ids(user) -> list[int] | None:
    """None means every agency; officers see only their own."""
    if user.role == "officer":
        return [user.agency_id] if user.agency_id else []
    return None


def can_see_agency(user, agency_id: int | None) -> bool:
    allowed = visible_agency_ids(user)
    return allowed is None or (agency_id is not None and agency_id in allowed)


# ---- Domestic Homicide Reviews ----

# These roles always see DHR data; a manager or officer only once an admin grants access.
DHR_ROLES = ("admin", "dhr_coordinator")


def may_see_dhr(user) -> bool:
    """Whether this person (None or anonymous: no) may see DHR data, on screen or in a workbook."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and (user.role in DHR_ROLES or user.dhr_access))
