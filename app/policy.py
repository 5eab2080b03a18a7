"""Who may see what. Flask-free so services, routes and exports share one rule."""


def visible_agency_ids(user) -> list[int] | None:
    """None means every agency; officers see only their own."""
    if user.role == "officer":
        return [user.agency_id] if user.agency_id else []
    return None


def can_see_agency(user, agency_id: int | None) -> bool:
    allowed = visible_agency_ids(user)
    return allowed is None or (agency_id is not None and agency_id in allowed)
