"""After ``flask demo load`` the partnership is coherent as at its board meeting (8 June
2016): every demo user has something to do on their start page, returns are late by days
(not the years between 2016 and today), and the DHR clocks agree with the action plan."""
import re
from datetime import date

import pytest

from app.services.settings import today
from tests.conftest import DEMO_ADMIN, DEMO_DHR, DEMO_LWA_OFFICER, DEMO_MANAGER, DEMO_POLICE_OFFICER, signed_in


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()).replace("&#39;", "'")


def longest_lateness(text: str) -> int:
    """The largest "N days" a page states (0 if none)."""
    return max((int(n.replace(",", "")) for n in re.findall(r"(\d[\d,]*) days?\b", text)), default=0)


# role → (login, pages it can read, what its start page must say it has to do)
USERS = {
    # Its 2015/16 crime rates came in on 3 May 2016, 3 days after their deadline (app/demo/returns.py).
    "police officer": (DEMO_POLICE_OFFICER, ["/"], [
        "Leicestershire Police: crime rates for the county 2016/17 30 April 2017 Due Due in 326 days",
        "Leicestershire Police: crime rates for the county 2015/16 30 April 2016 Received Received 3 days late",
    ]),
    # Appendix 2 came in on 25 April 2016 (on time), Table 2 on 9 May (11 days late); a
    # manager added the next quarter's Appendix 2.
    "LWA officer": (DEMO_LWA_OFFICER, ["/"], [
        "Domestic Abuse & Sexual Violence Support Service: output indicators 2016/17 Q1 28 July 2016 Due "
        "Due in 50 days",
        "Domestic Abuse & Sexual Violence Support Service: output indicators Dec 2015 – Mar 2016 28 April 2016 "
        "Received Received on time",
        "Domestic Abuse & Sexual Violence Support Service: outcome measures Dec 2015 – Mar 2016 28 April 2016 "
        "Received Received 11 days late",
    ]),
    # Of the 5 returns due by 8 June 2016, 3 came in; Cambridgeshire's 2015/16 Q4 and
    # Rotherham's April 2016 have not.
    "manager": (DEMO_MANAGER, ["/", "/performance/completeness", "/performance/reporting-rates"], [
        "2 expected returns have not come in (60% received over the last 8 periods)",
    ]),
    "admin": (DEMO_ADMIN, ["/", "/performance/completeness", "/performance/reporting-rates", "/settings"], [
        "2 expected returns have not come in",
        "Lateness and clocks are worked out as at 8 June 2016",
    ]),
    "DHR co-ordinator": (DEMO_DHR, ["/", "/dhr/cases", "/dhr/actions"], [
        # EF's review and JK's decision are overdue; one action was due at the end of May 2016.
        "Domestic homicide reviews 2 cases with an overdue clock and 1 overdue action",
    ]),
}


@pytest.mark.parametrize("who", USERS)
def test_each_demo_user_has_work_in_a_coherent_partnership(demo, client, who):
    login, pages, work = USERS[who]
    assert today() == date(2016, 6, 8)
    signed_in(client, login)
    home = text_of(client.get("/"))
    for line in work:
        assert line.replace("&", "&amp;") in home or line in home, f"{who}: {line!r} not in {home}"
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        # Nothing is late by years: the longest lateness is Cambridgeshire's 2015/16 Q4, 41 days overdue.
        assert longest_lateness(text_of(response)) <= 366, (url, text_of(response))


def test_the_dhr_clocks_and_the_action_plan_agree_on_the_date(demo, client):
    signed_in(client, DEMO_DHR)
    actions = text_of(client.get("/dhr/actions"))
    # "Currently being finalised; will be completed by the end of May": 8 days overdue on 8 June 2016.
    assert "Overdue by 8 days (due 31 May 2016)" in actions
    assert "Due in" not in actions or "(due 31 December 2016)" not in actions
    signed_in(client, DEMO_ADMIN)
    settings = client.get("/settings").get_data(as_text=True)
    assert 'value="08/06/2016"' in settings
