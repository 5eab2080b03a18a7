"""The demo data, read back as the indicator engine's inputs."""
from app.store.indicator_inputs import area_specs, current_values, indicator_specs, targets


def test_demo_data_as_engine_inputs(demo):
    specs = indicator_specs()
    assert specs["hate-incidents-rate"].polarity == "higher_is_better"
    assert (
        specs["domestic-burglary-rate"].rag.method == "previous_year"
        and specs["domestic-burglary-rate"].rag.amber_within == 10
    )
    areas = {a.code: a for a in area_specs()}
    assert areas["HB"].parent == "LC" and areas["LC"].populations[2015] == 674800
    values = current_values()
    burglary = values[(values.indicator == "domestic-burglary-rate")].set_index("period")["value"].to_dict()
    assert burglary == {"2014/15": 3.10, "2015/16": 3.53}
    na = values[(values.indicator == "outcome-stakeholder-confidence")].iloc[0]
    assert na.flag == "not_available" and na.value != na.value  # NaN, never zero
    assert len(targets()) == 17
