import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from missions.models import Membership, Mission, PollingStation
from observation.models import Checklist, Question
from tests.missions.factories import MissionFactory, ObserverFactory, StationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_station_code_is_unique_within_a_mission(station):
    with pytest.raises(IntegrityError), transaction.atomic():
        StationFactory(
            mission=station.mission,
            district=station.district,
            region=station.region,
            area=station.district,
            code=station.code,
        )


def test_the_same_station_code_may_exist_in_two_missions(station, other_mission):
    copy = StationFactory(district__parent__mission=other_mission, code=station.code)

    assert PollingStation.objects.filter(code=station.code).count() == 2
    assert copy.mission == other_mission


def test_polls_must_open_before_they_close():
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionFactory(polls_open=dt.time(20, 0), polls_close=dt.time(7, 0), checklists=False)


def test_mission_country_must_be_two_capital_letters():
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionFactory(country="kz", checklists=False)


def test_mission_timezone_is_validated_as_an_iana_name():
    mission = Mission(
        name="x", country="KZ", election_date=dt.date(2022, 11, 20), timezone="Mars/Olympus"
    )

    with pytest.raises(Exception, match="IANA"):
        mission.full_clean()


def test_a_user_has_one_role_per_mission(mission):
    user = UserFactory()
    Membership.objects.create(user=user, mission=mission, role="PRESS")

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, mission=mission, role="COORDINATOR")


def test_observer_nationality_must_be_an_iso_code(mission):
    with pytest.raises(IntegrityError), transaction.atomic():
        ObserverFactory(mission=mission, nationality="de")


def test_station_coordinates_are_range_checked(station):
    station.latitude = 123
    with pytest.raises(IntegrityError), transaction.atomic():
        station.save(update_fields=["latitude"])


def test_a_new_mission_gets_one_current_checklist_per_stage(mission):
    stages = set(
        Checklist.objects.filter(mission=mission, is_current=True).values_list("stage", flat=True)
    )

    assert stages == {"OPENING", "VOTING", "CLOSING", "COUNTING", "TABULATION"}


def test_only_one_current_checklist_per_stage(mission):
    with pytest.raises(IntegrityError), transaction.atomic():
        Checklist.objects.create(mission=mission, stage="VOTING", version=2, is_current=True)


def test_question_bounds_must_be_ordered(mission):
    checklist = Checklist.objects.get(mission=mission, stage="VOTING")

    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(
            checklist=checklist, code="X1", text="?", type="INTEGER", min=5, max=1
        )
