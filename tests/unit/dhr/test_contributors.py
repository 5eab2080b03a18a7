"""Who pays a contribution: a member agency, found by its name or by the place it serves,
or a named member that is not an agency. A partner is never an area."""
from decimal import Decimal

from app.demo.dhr import LEICESTERSHIRE_PARTNERS
from app.dhr.budget import (
    BudgetYear, Contribution, CostLine, MemberAgency, RETURN_INDICATORS, ReturnFigure, contributing_agency,
    fill_from_return, validate_budget,
)

# The demo partnership's agencies (app/demo/partnership.json) with their areas' names.
AGENCIES = [
    MemberAgency("leicestershire-police", "Leicestershire Police", ("Leicestershire",)),
    MemberAgency("leicestershire-county-council", "Leicestershire County Council", ("Leicestershire",)),
    MemberAgency("leicestershire-youth-offending-service", "Leicestershire Youth Offending Service",
                 ("Leicestershire",)),
    MemberAgency("blaby-district-council", "Blaby District Council", ("Blaby",)),
    MemberAgency("charnwood-borough-council", "Charnwood Borough Council", ("Charnwood", "Charnwood BC")),
    MemberAgency("harborough-district-council", "Harborough District Council", ("Harborough",)),
    MemberAgency("hinckley-bosworth-borough-council", "Hinckley & Bosworth Borough Council",
                 ("Hinckley & Bosworth",)),
    MemberAgency("melton-borough-council", "Melton Borough Council", ("Melton",)),
    MemberAgency("north-west-leicestershire-district-council", "North West Leicestershire District Council",
                 ("North West Leicestershire", "NWLDC")),
    MemberAgency("oadby-wigston-borough-council", "Oadby & Wigston Borough Council", ("Oadby & Wigston",)),
    MemberAgency("rutland-county-council", "Rutland County Council", ("Rutland",)),
]


def paid_by(partner: str) -> str | None:
    agency = contributing_agency(partner, AGENCIES)
    return agency.slug if agency else None


def test_each_seed_partner_is_a_member_agency():
    """The board paper's ten partners (Agenda Item 9 para 24): two by the agency's name, the
    districts and Rutland by the place their council serves."""
    assert {partner: paid_by(partner) for partner in LEICESTERSHIRE_PARTNERS} == {
        "Leicestershire County Council": "leicestershire-county-council",
        "Leicestershire Police": "leicestershire-police",
        "Blaby": "blaby-district-council",
        "Charnwood": "charnwood-borough-council",
        "Harborough": "harborough-district-council",
        "Hinckley & Bosworth": "hinckley-bosworth-borough-council",
        "Melton": "melton-borough-council",
        "North West Leicestershire": "north-west-leicestershire-district-council",
        "Oadby & Wigston": "oadby-wigston-borough-council",
        "Rutland": "rutland-county-council",
    }


def test_names_are_compared_as_labels_and_aliases_of_the_place_count():
    assert paid_by("leicestershire  police") == "leicestershire-police"
    assert paid_by("Hinckley and Bosworth") == "hinckley-bosworth-borough-council"
    assert paid_by("NWLDC") == "north-west-leicestershire-district-council"
    assert paid_by("charnwood-borough-council") == "charnwood-borough-council"


def test_a_partner_no_agency_fits_is_a_named_member():
    # Three agencies serve Leicestershire: the place alone does not say which pays.
    assert paid_by("Leicestershire") is None
    assert paid_by("Office of the Police and Crime Commissioner") is None
    assert paid_by("Probation") is None
    assert paid_by("  ") is None


def test_an_agency_pays_one_line_a_year():
    year = BudgetYear(2017, 0, [Contribution("Charnwood", 2500, agency="Charnwood Borough Council"),
                                Contribution("OPCC", 5000),
                                Contribution("Charnwood CSP", 100, agency="Charnwood Borough Council")],
                      [CostLine("Office", "fixed_support", 0)], Decimal(1), Decimal(0), Decimal(0))
    problems = validate_budget(year)
    assert [(p.field, p.message) for p in problems] == [
        ("contributions[2].agency", "Charnwood and Charnwood CSP are both Charnwood Borough Council's contribution. "
                                    "Put all of an agency's contribution on one line.")]


def test_per_partner_return_lines_are_paid_by_the_agency_they_name():
    totals = {RETURN_INDICATORS["opening_reserve"]: 25500, RETURN_INDICATORS["contributions_due"]: 66000,
              RETURN_INDICATORS["received_in_advance"]: 2500, RETURN_INDICATORS["business_office"]: 42089,
              RETURN_INDICATORS["chairs_authors"]: 25500, RETURN_INDICATORS["reviews_expected"]: 2.5,
              RETURN_INDICATORS["cost_per_review"]: 8500}
    lines = {"dhr-contribution-due-leicestershire-county-council": ("Contribution due", 30000),
             "dhr-contribution-due-police": ("Contribution due: Leicestershire Police", 16000),
             "dhr-contribution-due-districts": ("Contribution due: Districts and Rutland", 20000),
             "dhr-received-in-advance-districts": ("Received in advance: Districts and Rutland", 2500)}
    figures = [ReturnFigure(slug, slug, "LC", value, "actual", None) for slug, value in totals.items()]
    figures += [ReturnFigure(slug, name, "LC", value, "actual", None) for slug, (name, value) in lines.items()]
    filled = fill_from_return(figures, 2016, None, AGENCIES)
    assert [(c.partner, c.due, c.received_in_advance, c.agency) for c in filled.year.contributions] == [
        ("leicestershire-county-council", 30000, 0, "Leicestershire County Council"),  # by the slug
        ("Leicestershire Police", 16000, 0, "Leicestershire Police"),  # by the name
        ("Districts and Rutland", 20000, 2500, None),  # a named member
    ]
