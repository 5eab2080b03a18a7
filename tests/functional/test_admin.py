"""Admins manage users, areas, agencies, outcomes and indicators through the forms."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Agency, Area, AuditEvent, Indicator, Outcome, User

GOOD_INDICATOR = {
    "name": "Domestic Burglary rate (per 1,000 population)", "slug": "domestic-burglary-rate", "unit": "rate_per_1000",
    "polarity": "lower_is_better", "aggregation": "none", "decimals": "2", "rag_method": "previous_year",
    "rag_band_kind": "percent", "rag_green_within": "2", "rag_amber_within": "10",
}


@pytest.fixture
def admin(sign_in_as):
    return sign_in_as("admin")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_admin_creates_an_indicator(admin):
    outcome = Outcome(name="Ongoing reductions in crime")
    db.session.add(outcome)
    db.session.commit()
    response = admin.post("/admin/indicators/new", data={**GOOD_INDICATOR, "outcome_id": str(outcome.id)})
    assert response.status_code == 302, response.data
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == "domestic-burglary-rate"))
    assert (indicator.unit, indicator.polarity, indicator.outcome.name) == (
        "rate_per_1000",
        "lower_is_better",
        outcome.name,
    )
    assert (indicator.rag_method, indicator.rag_green_within, indicator.rag_amber_within) == ("previous_year", 2, 10)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "indicator_created")).user_id is not None
    assert b"Domestic Burglary rate" in admin.get("/admin/indicators").data


@pytest.mark.parametrize(
    "change, field_message",
    [
        ({"name": ""}, b"Enter a name for the indicator"),
        ({"unit": "furlongs"}, b"Select a unit from the list"),
        ({"polarity": "sideways"}, b"Select a direction from the list"),
        ({"slug": "Not A Slug"}, b"Use lower-case letters, numbers and hyphens only"),
        (
            {"rag_green_within": "10", "rag_amber_within": "2"},
            b"The amber band must be at least as wide as the green band",
        ),
        ({"aggregation": "recompute"}, b"choose the count it is a rate of as the numerator indicator"),
        ({"aggregation": "recompute", "unit": "percent"}, b"choose both a numerator and a denominator indicator"),
        ({"aggregation": "recompute", "unit": "count"}, b"A count cannot be recomputed from a numerator"),
    ],
)
def test_indicator_form_errors_sit_next_to_the_field(admin, change, field_message):
    response = admin.post("/admin/indicators/new", data={**GOOD_INDICATOR, **change})
    assert response.status_code == 400
    assert field_message in response.data
    assert b"govuk-error-message" in response.data and b"There is a problem" in response.data
    assert count(Indicator) == 0  # nothing saved from an invalid form


def test_duplicate_indicator_short_name(admin):
    assert admin.post("/admin/indicators/new", data=GOOD_INDICATOR).status_code == 302
    response = admin.post("/admin/indicators/new", data={**GOOD_INDICATOR, "name": "Another"})
    assert b"Another indicator already uses this short name" in response.data
    assert count(Indicator) == 1


def test_area_with_negative_population_is_refused(admin):
    response = admin.post(
        "/admin/areas/new",
        data={"name": "Blaby", "code": "B", "kind": "district", "population_year": "2015", "population": "-5"},
    )
    assert response.status_code == 400
    assert b"Population must be a positive whole number" in response.data
    assert count(Area) == 1  # only the fixture's county


def test_admin_creates_an_area_with_population_and_parent(admin, people):
    county = people["county"]
    response = admin.post(
        "/admin/areas/new",
        data={
            "name": "Hinckley & Bosworth",
            "code": "hb",
            "kind": "district",
            "parent_id": str(county.id),
            "population_year": "2015",
            "population": "108600",
        },
    )
    assert response.status_code == 302
    area = db.session.scalar(select(Area).where(Area.code == "HB"))
    assert area.parent is county and area.population_for(2016) == 108600
    # Editing adds another year without losing the first.
    admin.post(
        f"/admin/areas/{area.id}",
        data={
            "name": area.name,
            "code": "HB",
            "kind": "district",
            "parent_id": str(county.id),
            "population_year": "2016",
            "population": "109000",
        },
    )
    db.session.refresh(area)
    assert [(p.year, p.population) for p in area.populations] == [(2015, 108600), (2016, 109000)]


def test_area_cannot_be_part_of_itself(admin, people):
    county = people["county"]
    response = admin.post(
        f"/admin/areas/{county.id}",
        data={"name": county.name, "code": "LC", "kind": "county", "parent_id": str(county.id)},
    )
    assert b"An area cannot be part of itself" in response.data


def test_admin_creates_an_agency_and_an_officer(admin, people):
    response = admin.post(
        "/admin/agencies/new", data={"name": "Melton Borough Council", "slug": "melton-council", "area_id": ""}
    )
    assert response.status_code == 302
    agency = db.session.scalar(select(Agency).where(Agency.slug == "melton-council"))
    # An officer must have an agency.
    response = admin.post(
        "/admin/users/new",
        data={
            "name": "Mel Officer",
            "email": "mel@melton.example.org",
            "role": "officer",
            "agency_id": "",
            "password": "a long enough password",
            "active": "y",
        },
    )
    assert b"Select the agency this officer reports for" in response.data
    response = admin.post(
        "/admin/users/new",
        data={
            "name": "Mel Officer",
            "email": "mel@melton.example.org",
            "role": "officer",
            "agency_id": str(agency.id),
            "password": "a long enough password",
            "active": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "mel@melton.example.org"))
    assert user.agency is agency and user.check_password("a long enough password")


def test_duplicate_user_email_and_short_password(admin, people):
    response = admin.post(
        "/admin/users/new", data={"name": "Dup", "email": "MANAGER@example.org", "role": "manager", "password": "short"}
    )
    assert b"Use at least 12 characters" in response.data
    response = admin.post(
        "/admin/users/new",
        data={"name": "Dup", "email": "MANAGER@example.org", "role": "manager", "password": "long enough password"},
    )
    assert b"A user with this email address already exists" in response.data


def test_admin_edits_an_outcome(admin):
    admin.post("/admin/outcomes/new", data={"name": "Reduce re-offending", "sort_order": "2"})
    outcome = db.session.scalar(select(Outcome))
    response = admin.post(
        f"/admin/outcomes/{outcome.id}", data={"name": "Reduce offending and re-offending", "sort_order": "2"}
    )
    assert response.status_code == 302
    db.session.refresh(outcome)
    assert outcome.name == "Reduce offending and re-offending"
    assert admin.get("/admin/outcomes/99999").status_code == 404
