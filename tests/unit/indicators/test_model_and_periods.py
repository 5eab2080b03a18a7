import pytest

from app.indicators import AreaSpec, IndicatorSpec, RagRule
from app.indicators.periods import (
    due_date,
    population_year,
    previous_year_key,
    quarter_keys,
    rolling_12_months_key,
    rolling_12_months_parts,
    trend_period_keys,
    year_to_date_key,
    year_to_date_parts,
)
from app.periods import PeriodError, parse_period


# ---- specs --------------------------------------------------------------------------

def test_recomputed_percentage_needs_numerator_and_denominator():
    with pytest.raises(ValueError, match="needs a numerator"):
        IndicatorSpec("p", "Repeat %", "percent", aggregation="recompute", denominator="cases")
    with pytest.raises(ValueError, match="needs a denominator"):
        IndicatorSpec("p", "Repeat %", "percent", aggregation="recompute", numerator="repeats")


def test_recomputed_rate_may_use_population_instead_of_a_denominator():
    spec = IndicatorSpec("r", "Burglary rate", "rate_per_1000", aggregation="recompute", numerator="burglaries")
    assert spec.denominator is None
    assert spec.change_kind == "relative"


def test_counts_cannot_be_recomputed():
    with pytest.raises(ValueError, match="only percentages, rates and ratios"):
        IndicatorSpec("c", "Crimes", "count", aggregation="recompute", numerator="a", denominator="b")


@pytest.mark.parametrize("field", ["unit", "polarity", "aggregation"])
def test_unknown_vocabulary_is_refused(field):
    with pytest.raises(ValueError, match="must be one of"):
        IndicatorSpec("x", "X", **{field: "sideways"})


def test_rag_bands_must_be_ordered():
    with pytest.raises(ValueError, match="green band ≤ amber band"):
        RagRule("previous_year", "percent", green_within=10, amber_within=2)
    with pytest.raises(ValueError, match="RAG method"):
        RagRule("by_feel")


def test_population_uses_the_nearest_earlier_year():
    area = AreaSpec("B", "Blaby", populations={2011: 94_000, 2015: 97_000})
    assert area.population_for(2015) == 97_000
    assert area.population_for(2014) == 94_000
    assert area.population_for(2020) == 97_000
    assert area.population_for(2010) is None


# ---- periods ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("2015/16", "2014/15"),
        ("2015/16 Q4", "2014/15 Q4"),
        ("2017-10", "2016-10"),
        ("2016-11..2017-10", "2015-11..2016-10"),
        ("2015-12..2016-03", "2014-12..2015-03"),
    ],
)
def test_previous_year_equivalent(key, expected):
    assert previous_year_key(key) == expected


def test_previous_year_of_rotherhams_rolling_twelve_months():
    latest = parse_period("12 months to 31st October 2017").key
    assert previous_year_key(latest) == parse_period("12 months to 31st October 2016").key


def test_quarters_of_a_year():
    assert quarter_keys(2015) == ["2015/16 Q1", "2015/16 Q2", "2015/16 Q3", "2015/16 Q4"]


def test_year_to_date_from_months_matches_rotherhams_column():
    assert year_to_date_key("2017-10") == parse_period("Apr - Oct 2017").key == "2017-04..2017-10"
    assert year_to_date_parts("2017-10") == [f"2017-{m:02d}" for m in range(4, 11)]


def test_year_to_date_from_quarters():
    assert year_to_date_parts("2015/16 Q3", "quarter") == ["2015/16 Q1", "2015/16 Q2", "2015/16 Q3"]


def test_year_to_date_in_quarters_must_end_at_a_quarter_end():
    with pytest.raises(PeriodError, match="not made of whole quarters"):
        year_to_date_parts("2017-11", "quarter")


def test_rolling_twelve_months_of_months_and_of_quarters():
    assert rolling_12_months_key("2017-10") == "2016-11..2017-10"
    months = rolling_12_months_parts("2017-10")
    assert len(months) == 12 and months[0] == "2016-11" and months[-1] == "2017-10"
    assert rolling_12_months_parts("2015/16 Q4", "quarter") == quarter_keys(2015)
    assert rolling_12_months_parts("2016/17 Q1", "quarter") == ["2015/16 Q2", "2015/16 Q3", "2015/16 Q4", "2016/17 Q1"]


def test_trend_periods_default_by_kind():
    assert trend_period_keys("2015/16 Q4") == quarter_keys(2015)
    assert trend_period_keys("2015/16") == ["2013/14", "2014/15", "2015/16"]
    assert trend_period_keys("2017-10", 3) == ["2017-08", "2017-09", "2017-10"]
    assert trend_period_keys("2016-11..2017-10") == ["2014-11..2015-10", "2015-11..2016-10", "2016-11..2017-10"]
    assert trend_period_keys("2016/17 Q2", 6)[:2] == ["2015/16 Q1", "2015/16 Q2"]


def test_population_year_is_the_start_of_the_financial_year():
    assert population_year("2015/16") == 2015
    assert population_year("2015/16 Q4") == 2015
    assert population_year("2017-10") == 2017
    assert population_year("2018-02") == 2017


def test_due_date_counts_days_after_the_period_ends():
    assert str(due_date("2015/16 Q4", 28)) == "2016-04-28"


def test_month_keys_are_months_even_when_they_look_like_financial_years():
    from app.indicators.periods import period_of

    assert period_of("2010-11").kind == "month"
    assert previous_year_key("2010-11") == "2009-11"
    assert period_of("2010/11").kind == "year"
