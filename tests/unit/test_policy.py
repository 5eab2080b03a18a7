"""Who may do what (app/policy.py): each rule on plain stand-ins for people and things."""
from types import SimpleNamespace as Thing

import pytest

from app import policy

officer = Thing(role="officer", agency_id=3)
officer_without_agency = Thing(role="officer", agency_id=None)
manager = Thing(role="manager", agency_id=None)
admin = Thing(role="admin", agency_id=None)
coordinator = Thing(role="dhr_coordinator", agency_id=None)
EVERY_PERSON = [officer, manager, admin, coordinator]

own_agency, other_agency = Thing(id=3), Thing(id=4)


def test_role_groups():
    assert policy.ROLES == ("officer", "manager", "admin", "dhr_coordinator")
    assert policy.EVERYONE == policy.ROLES
    assert policy.READERS == ("officer", "manager", "admin")
    assert policy.UPLOADERS == ("officer", "admin")
    assert policy.MANAGERS == ("manager", "admin")
    assert policy.ADMINS == ("admin",)


def test_in_group():
    assert policy.in_group(officer, policy.UPLOADERS)
    assert not policy.in_group(manager, policy.UPLOADERS)
    assert [policy.in_group(p, policy.READERS) for p in EVERY_PERSON] == [True, True, True, False]


def test_own_agency_only():
    assert [policy.own_agency_only(p) for p in EVERY_PERSON] == [True, False, False, False]


@pytest.mark.parametrize("role, needs", [("officer", True), ("manager", False), ("admin", False),
                                         ("dhr_coordinator", False)])
def test_role_needs_agency(role, needs):
    assert policy.role_needs_agency(role) is needs


def test_visible_agency_ids():
    assert policy.visible_agency_ids(officer) == [3]
    assert policy.visible_agency_ids(officer_without_agency) == []
    assert [policy.visible_agency_ids(p) for p in (manager, admin, coordinator)] == [None, None, None]


def test_can_see_agency():
    assert policy.can_see_agency(officer, 3)
    assert not policy.can_see_agency(officer, 4)
    assert not policy.can_see_agency(officer, None)
    assert not policy.can_see_agency(officer_without_agency, 3)
    assert policy.can_see_agency(manager, 4)
    assert policy.can_see_agency(admin, None)


def test_may_upload():
    assert [policy.may_upload(p) for p in EVERY_PERSON] == [True, False, True, False]


def test_may_upload_for():
    assert policy.may_upload_for(officer, own_agency)
    assert not policy.may_upload_for(officer, other_agency)
    assert policy.may_upload_for(admin, other_agency)
    assert not policy.may_upload_for(manager, own_agency)
    assert not policy.may_upload_for(coordinator, own_agency)


def test_may_see_submission():
    assert policy.may_see_submission(officer, Thing(agency_id=3))
    assert not policy.may_see_submission(officer, Thing(agency_id=4))
    assert all(policy.may_see_submission(p, Thing(agency_id=4)) for p in (manager, admin, coordinator))


def test_may_download_original():
    assert policy.may_download_original(officer, Thing(agency_id=3))
    assert not policy.may_download_original(officer, Thing(agency_id=4))
    assert policy.may_download_original(admin, Thing(agency_id=4))
    assert not policy.may_download_original(manager, Thing(agency_id=4))
    assert not policy.may_download_original(coordinator, Thing(agency_id=4))


def test_may_manage_templates():
    assert [policy.may_manage_templates(p) for p in EVERY_PERSON] == [False, False, True, False]


def test_may_see_template():
    assert policy.may_see_template(officer, [2, 3])
    assert not policy.may_see_template(officer, [2])
    assert not policy.may_see_template(officer, [])
    assert all(policy.may_see_template(p, []) for p in (manager, admin, coordinator))


def test_may_download_blank_returns():
    assert [policy.may_download_blank_returns(p) for p in EVERY_PERSON] == [True, False, True, False]


def test_may_download_blank_return_for():
    assert policy.may_download_blank_return_for(officer, own_agency)
    assert not policy.may_download_blank_return_for(officer, other_agency)
    assert policy.may_download_blank_return_for(admin, other_agency)


def test_may_manage_performance():
    assert [policy.may_manage_performance(p) for p in EVERY_PERSON] == [False, True, True, False]


def test_targets_are_read_by_managers_and_changed_by_admins():
    assert [policy.may_see_targets(p) for p in EVERY_PERSON] == [False, True, True, False]
    assert [policy.may_manage_targets(p) for p in EVERY_PERSON] == [False, False, True, False]


def test_may_unlock_periods():
    assert [policy.may_unlock_periods(p) for p in EVERY_PERSON] == [False, False, True, False]


def test_always_sees_dhr():
    assert [policy.always_sees_dhr(p) for p in EVERY_PERSON] == [False, False, True, True]


def test_may_manage_dhr_access():
    assert [policy.may_manage_dhr_access(p) for p in EVERY_PERSON] == [False, False, True, False]


def test_may_see_dhr_by_role_or_by_grant_and_never_signed_out():
    signed_in = [Thing(**vars(p), is_authenticated=True, dhr_access=False) for p in EVERY_PERSON]
    assert [policy.may_see_dhr(p) for p in signed_in] == [False, False, True, True]
    granted = Thing(role="manager", agency_id=None, is_authenticated=True, dhr_access=True)
    assert policy.may_see_dhr(granted)
    assert not policy.may_see_dhr(None)
    assert not policy.may_see_dhr(Thing(role="admin", is_authenticated=False, dhr_access=True))
