"""The five seed tables as templates, and as published templates using the demo partnership's indicators.

``demo_definitions`` builds them with slugs made from the seed labels; the demo
partnership gives its indicators shorter slugs, so ``demo_template_definitions``
re-points rows by name.

Agencies: living-without-abuse (the LLR domestic abuse & sexual violence service
provider) submits Appendix 2 and Table 2; cambridgeshire-idva the Cambridgeshire
quarterly return; rotherham-council Rotherham's Table 4; leicestershire-county-council
(which manages the pooled DHR budget) the DHR budget return; leicestershire-police the
county's crime rates (Appendix 1).
Areas: districts B C H HB M NW O, county LC, wider LLR; CAMBS with CAM, HUNTS, FEN;
ROTH; RUT.
"""
from dataclasses import replace

from app.definition import (
    ColumnSpec,
    CrossRule,
    FieldSelector,
    RowSpec,
    SheetLayout,
    TemplateDefinition,
    decimal_rule,
    money_rule,
    percent_rule,
    slugify,
    text_rule,
    whole_rule,
)

LEICESTERSHIRE_DISTRICTS = (
    ("Blaby", "B", ()),
    ("Charnwood", "C", ("C/wood",)),
    ("Harborough", "H", ("H'boro",)),
    ("Hinckley & Bosworth", "HB", ("H&B",)),
    ("Melton", "M", ()),
    ("North West Leicestershire", "NW", ("NWLDC",)),
    ("Oadby & Wigston", "O", ("O&W",)),
)

APPENDIX_2_ROWS = (
    ("Helpline calls received", ("Helpline calls received (district & county are Q4 only)",),
     "District and county figures are for the quarter only."),
    ("New callers to the helpline", (), ""),
    ("Business line calls received", ("Business line calls received (district & county are Q4 only)",),
     "District and county figures are for the quarter only."),
    ("Safety plans established", (), ""),
    ("Service users starting face to face support (cases opened)",
     ("Service users starting face to face support", "Cases opened"), ""),
    ("Telephone contacts to existing service users", (), ""),
    ("Face to face contacts with existing service users", (), ""),
)

TABLE_2_ROWS = (
    "Service user feels safer following intervention - measured at exit",
    "Service user experiences reduction in domestic violence - measured at exit",
    "Local practitioners report an increase in confidence in dealing with SVDV, post training",
    "Service users gain increased access to justice",
    "Service users experience reduced psychological distress",
    "Service users experience improved health and well-being",
    "Local stakeholders are confident in the service provided",
    "Service user ethnicity reflects the local BME population",
    "Those aged 13-18 affected by SVDV are supported",
    "Service engages service users",
)

# (label, aliases, indicator label, area, rule type, N/A allowed)
CAMBRIDGESHIRE_ROWS = (
    ("Total number of domestic abuse incidents reported to the Police", (), None, None, "whole", False),
    ("% of referrals into the IDVA service that engage with the service", (), None, None, "percent", False),
    ("% of IDVA clients that are 'repeat' clients", (), None, None, "percent", False),
    ("% of cases heard at MARAC that were repeats (resubmitted within 12 months)",
     ("% of cases heard at MARAC that were repeats",), None, None, "percent", False),
    ("Total number of domestic abuse cases that went to court", (), None, None, "whole", True),
    ("Bobby Scheme interventions to increase home security", ("Bobby Scheme interventions",), None, None,
     "whole", False),
    ("Refuge occupancy rate - Cambridge", (), "Refuge occupancy rate", "CAM", "percent", False),
    ("Refuge occupancy rate - Hunts", (), "Refuge occupancy rate", "HUNTS", "percent", False),
    ("Refuge occupancy rate - Fenland", (), "Refuge occupancy rate", "FEN", "percent", False),
    ("Women housed at the refuges - Cambridge", (), "Women housed at the refuges", "CAM", "whole", False),
)

ROTHERHAM_ROWS = (
    ("Domestic Crimes", "whole"),
    ("Outcome Rate", "percent"),
    ("No. of referrals to the MARAC", "whole"),
    ("Repeat cases heard at the MARAC", "whole"),
    ("Proportion of cases heard at the MARAC that are repeats", "percent"),
    ("Satisfaction Rate (DA Victim Satisfaction Survey)", "percent"),
)

# (label, aliases, rule)
DHR_BUDGET_ROWS = (
    ("Reserve carried forward from last year", ("Opening reserve", "Carried forward"), money_rule()),
    ("Partner contributions due this year", ("Contributions due", "Funding contributions"), money_rule()),
    ("Contributions received in advance", ("Already in the pot",), money_rule()),
    ("Safeguarding Board Business Office costs", ("Business office costs", "Costs business office"),
     money_rule()),
    ("Independent chairs and authors", ("Independent chairs and authors costs",), money_rule()),
    ("Reviews expected this year", ("Expected reviews", "DHRs expected"), decimal_rule()),
    ("Estimated cost per review", ("Cost per review", "Cost per DHR"), money_rule()),
)


# Appendix 1's crime rates, which Leicestershire Police supply for the county each year.
POLICE_ROWS = (
    ("Total Crime rate (per 1,000 population)", ("Total crime rate",)),
    ("Domestic Burglary rate (per 1,000 population)", ("Domestic burglary rate",)),
    ("Vehicle Crime rate (per 1,000 population)", ("Vehicle crime rate",)),
    ("Violence with Injury rate (per 1,000 population)", ("Violence with injury rate",)),
)


def _demo_indicator_slugs() -> dict[str, str]:
    labels = [label for label, _, _ in APPENDIX_2_ROWS] + list(TABLE_2_ROWS)
    mapping = {label: slugify(label) for label in labels}
    for label, _, indicator_label, _, _, _ in CAMBRIDGESHIRE_ROWS:
        mapping[label] = slugify(indicator_label or label)
    mapping.update({label: slugify(label) for label, _ in ROTHERHAM_ROWS})
    mapping.update({label: slugify(label) for label, _, _ in DHR_BUDGET_ROWS})
    mapping.update({label: slugify(label) for label, _ in POLICE_ROWS})
    return mapping


# Seed row label → indicator slug (slugify of the label; the Cambridgeshire refuge rows
# share one indicator per measure, the row fixing the refuge's area).
DEMO_INDICATOR_SLUGS: dict[str, str] = _demo_indicator_slugs()


def _one_sheet(slug: str, name: str, frequency: str, agency: str, due_days: int, instructions: str,
               sheet: SheetLayout, check: CrossRule) -> TemplateDefinition:
    """A demo template: one agency, one sheet, one cross rule (on that sheet)."""
    return TemplateDefinition(slug=slug, name=name, frequency=frequency, agencies=[agency], due_days=due_days,
                              instructions=instructions, sheets=[sheet], cross_rules=[replace(check, sheet=sheet.name)])


def _appendix_2() -> TemplateDefinition:
    columns = [ColumnSpec(header=name, kind="area", area=code, aliases=list(aliases))
               for name, code, aliases in LEICESTERSHIRE_DISTRICTS]
    columns += [
        ColumnSpec(header="Total Leics County", kind="area", area="LC", role="total",
                   aliases=["Total Leicestershire County", "County total"]),
        ColumnSpec(header="LLR figure", kind="area", area="LLR", aliases=["LLR"]),
        ColumnSpec(header="LLR target", kind="measure", measure="target", area="LLR",
                   rule=whole_rule(required=False)),
    ]
    rows = [RowSpec(label=label, aliases=list(aliases), indicator=DEMO_INDICATOR_SLUGS[label], help=help_text)
            for label, aliases, help_text in APPENDIX_2_ROWS]
    return _one_sheet(
        "appendix-2-da-sv-outputs", "Domestic Abuse & Sexual Violence Support Service: output indicators",
        "span", "living-without-abuse", 28,  # the seed table covers Dec 2015 to Mar 2016
        "Enter the service's output figures for the quarter for each district, the Leicestershire county total, "
        "the whole Leicester, Leicestershire & Rutland (LLR) figure and the LLR target. The county total must "
        "equal the sum of the seven districts.",
        SheetLayout(name="Appendix 2", layout="indicator_by_area", rows=rows, columns=columns,
                    title="Domestic Abuse & Sexual Violence Support Service summary figures"),
        CrossRule(kind="sum_equals", sheet="",
                  parts=[FieldSelector(column=name) for name, _, _ in LEICESTERSHIRE_DISTRICTS],
                  total=FieldSelector(column="Total Leics County")),
    )


def _table_2() -> TemplateDefinition:
    rows = [RowSpec(label=label, indicator=DEMO_INDICATOR_SLUGS[label], rule=percent_rule(allow_na=True))
            for label in TABLE_2_ROWS]
    columns = [
        ColumnSpec(header="Target", kind="measure", measure="target", rule=percent_rule()),
        ColumnSpec(header="Performance", kind="measure", measure="value"),
        ColumnSpec(header="Comment", kind="measure", measure="comment", rule=text_rule()),
    ]
    return _one_sheet(
        "table-2-da-sv-outcomes", "Domestic Abuse & Sexual Violence Support Service: outcome measures",
        "span", "living-without-abuse", 28,  # the seed table covers Dec 2015 to Mar 2016
        "Enter the target and the performance for each outcome measure for Leicestershire County as a "
        "percentage (75 means 75%). If a measure cannot be reported yet, write N/A and the reason, "
        "e.g. 'N/A - no training courses run yet'.",
        SheetLayout(name="Table 2", layout="indicator_by_measure", rows=rows, columns=columns,
                    title="Outcome measures: Leicestershire County", default_area="LC", note_column=False),
        CrossRule(kind="percent_range", sheet="",
                  parts=[FieldSelector(column="Target"), FieldSelector(column="Performance")]),
    )


def _cambridgeshire() -> TemplateDefinition:
    rows = [
        RowSpec(label=label, aliases=list(aliases), indicator=DEMO_INDICATOR_SLUGS[label], area=area,
                rule=percent_rule(allow_na=na) if kind == "percent" else whole_rule(allow_na=na))
        for label, aliases, _, area, kind, na in CAMBRIDGESHIRE_ROWS
    ]
    columns = [ColumnSpec(header=f"Q{q}", kind="period", period=f"Q{q}") for q in (1, 2, 3, 4)]
    percent_rows = [label for label, _, _, _, kind, _ in CAMBRIDGESHIRE_ROWS if kind == "percent"]
    return _one_sheet(
        "cambridgeshire-da-quarterly", "Cambridgeshire domestic abuse strategy: quarterly management information",
        "quarterly", "cambridgeshire-idva", 28,
        "Enter each quarter of the financial year so far, with the same quarter of the previous year beside it. "
        "Quarters after this return's period may be left blank. Where a figure has not been released yet, "
        "write e.g. 'N/A - not yet released'.",
        SheetLayout(name="Quarterly MI", layout="indicator_by_period", rows=rows, columns=columns,
                    title="Domestic abuse strategy: quarterly figures (previous year beside each quarter)",
                    default_area="CAMBS", with_previous_year=True),
        CrossRule(kind="percent_range", sheet="", parts=[FieldSelector(row=label) for label in percent_rows]),
    )


def _rotherham() -> TemplateDefinition:
    rows = [RowSpec(label=label, indicator=DEMO_INDICATOR_SLUGS[label],
                    rule=percent_rule() if kind == "percent" else whole_rule())
            for label, kind in ROTHERHAM_ROWS]
    columns = [
        ColumnSpec(header="Rolling 12 months, a year earlier", kind="period",
                   period="previous_year:rolling_12_months", aliases=["Previous rolling 12 months"]),
        ColumnSpec(header="Rolling 12 months", kind="period", period="rolling_12_months",
                   aliases=["12 months to"]),
        ColumnSpec(header="Year to date", kind="period", period="year_to_date",
                   aliases=["Year to Date (YTD)", "YTD"]),
    ]
    return _one_sheet(
        "rotherham-table-4", "Rotherham domestic abuse performance (Table 4)", "monthly", "rotherham-council", 21,
        "Enter the rolling 12 months to the end of the month, the same 12 months a year earlier and the year to "
        "date (from April). Percentages are entered as numbers: 35 means 35%. The change columns are worked out "
        "by Safer Returns.",
        SheetLayout(name="Table 4", layout="indicator_by_measure", rows=rows, columns=columns,
                    title="Domestic Abuse", default_area="ROTH"),
        CrossRule(kind="less_or_equal", sheet="", parts=[FieldSelector(row="Repeat cases heard at the MARAC")],
                  total=FieldSelector(row="No. of referrals to the MARAC"),
                  message="Repeat cases heard at the MARAC cannot be more than the referrals."),
    )


def _dhr_budget() -> TemplateDefinition:
    rows = [RowSpec(label=label, aliases=list(aliases), indicator=DEMO_INDICATOR_SLUGS[label], rule=rule)
            for label, aliases, rule in DHR_BUDGET_ROWS]
    return _one_sheet(
        "dhr-budget-return", "Domestic Homicide Review pooled budget", "annual", "leicestershire-county-council", 30,
        "Enter the pooled Domestic Homicide Review budget for Leicestershire & Rutland for the financial year in "
        "pounds: the reserve carried forward, the partner contributions due and those already received in "
        "advance, the costs, and the expected number of reviews.",
        SheetLayout(name="DHR budget", layout="label_value", rows=rows, default_area="LC",
                    title="Domestic Homicide Review pooled budget"),
        CrossRule(kind="less_or_equal", sheet="", parts=[FieldSelector(row="Contributions received in advance")],
                  total=FieldSelector(row="Partner contributions due this year")),
    )


def _police_crime_rates() -> TemplateDefinition:
    rows = [RowSpec(label=label, aliases=list(aliases), indicator=DEMO_INDICATOR_SLUGS[label], rule=decimal_rule())
            for label, aliases in POLICE_ROWS]
    return _one_sheet(
        "police-crime-rates", "Leicestershire Police: crime rates for the county", "annual",
        "leicestershire-police", 30,
        "Enter Leicestershire County's crime rates for the financial year, per 1,000 population (Appendix 1 of "
        "the Safer Communities Performance Dashboard).",
        SheetLayout(name="Crime rates", layout="label_value", rows=rows, default_area="LC",
                    title="Crime rates per 1,000 population: Leicestershire County"),
        CrossRule(kind="less_or_equal", sheet="", parts=[FieldSelector(row=POLICE_ROWS[1][0])],
                  total=FieldSelector(row=POLICE_ROWS[0][0]),
                  message="The domestic burglary rate cannot be more than the total crime rate."),
    )


def demo_definitions() -> list[TemplateDefinition]:
    """The five seed tables as templates (Appendix 2, Table 2, Cambridgeshire, Rotherham
    Table 4 and the DHR budget return) and Leicestershire Police's crime rates of Appendix 1
    (fresh objects on every call)."""
    return [_appendix_2(), _table_2(), _cambridgeshire(), _rotherham(), _dhr_budget(), _police_crime_rates()]


def demo_template_definitions(indicator_names_to_slugs: dict[str, str]) -> list[TemplateDefinition]:
    by_label_slug = {slugify(name): slug for name, slug in indicator_names_to_slugs.items()}
    definitions = demo_definitions()
    for defn in definitions:
        for sheet in defn.sheets:
            for row in sheet.rows:
                row.indicator = by_label_slug.get(row.indicator, row.indicator)
    return definitions
