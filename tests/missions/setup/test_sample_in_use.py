"""The sample the estimates read is chosen, not the latest drawn (``Sample.in_use``).

A draw takes the place of the sample in use only while none of that sample's stations has sent
a count; once counts arrive the sample is locked: a redraw is a new sample not in use, and a
coordinator switches the estimates to it with a reason, audited.
"""

import pytest
from django.db import IntegrityError, transaction

from common.clock import clock_text
from missions.models import AuditEvent, Sample
from missions.sampling import sample_draw, sample_stations_reporting
from reports.models import Candidate
from tests.missions.factories import DistrictFactory, RegionFactory, StationFactory
from tests.reports.factories import VisitFactory, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def frame(mission):
    """Two regions of six stations each."""
    stations = []
    for code in ("N", "S"):
        district = DistrictFactory(
            parent=RegionFactory(mission=mission, code=code), mission=mission
        )
        stations += StationFactory.create_batch(6, district=district, registered_voters=1000)
    return stations


def in_use(mission) -> list[int]:
    return list(Sample.objects.filter(mission=mission, in_use=True).values_list("pk", flat=True))


def count_at(sample, **fields):
    """A turnout report from the first of the sample's stations."""
    station = sample.stations.order_by("id").first().station
    return VisitFactory(
        **{"station": station, "voters_so_far": 120, "arrived_at": local(10, 5), **fields}
    )


def estimate_sample(api, user, mission) -> dict:
    response = api.as_user(user).get(f"/api/v1/missions/{mission.pk}/estimates/turnout/")
    assert response.status_code == 200
    return response.json()["sample"]


def test_the_first_sample_is_the_one_the_estimates_read(api, coordinator, mission, frame):
    sample = sample_draw(mission=mission, size=4, seed=1, actor=coordinator)

    assert sample.in_use
    assert estimate_sample(api, coordinator, mission)["id"] == sample.pk


def test_a_redraw_before_any_count_takes_the_place(api, coordinator, mission, frame):
    first = sample_draw(mission=mission, size=4, seed=1, actor=coordinator)

    second = sample_draw(mission=mission, size=4, seed=2, actor=coordinator)

    assert in_use(mission) == [second.pk]
    event = AuditEvent.objects.get(action="sample.draw", object_id=str(second.pk))
    assert event.after["in_use"] is True and event.after["replaces"] == first.pk
    assert estimate_sample(api, coordinator, mission)["id"] == second.pk


def test_once_counts_arrive_a_redraw_is_a_new_sample_not_in_use(api, coordinator, mission, frame):
    first = sample_draw(mission=mission, size=4, seed=1, actor=coordinator)
    count_at(first)

    second = sample_draw(mission=mission, size=4, seed=2, actor=coordinator)

    assert not second.in_use
    assert in_use(mission) == [first.pk]
    shown = estimate_sample(api, coordinator, mission)
    assert (shown["id"], shown["stations_reporting"]) == (first.pk, 1)
    assert (
        AuditEvent.objects.get(action="sample.draw", object_id=str(second.pk)).after["in_use"]
        is False
    )


def test_a_rejected_report_does_not_lock_the_sample(coordinator, mission, frame):
    first = sample_draw(mission=mission, size=4, seed=1, actor=coordinator)
    count_at(first, status="REJECTED")

    assert sample_stations_reporting(sample=first) == 0
    assert sample_draw(mission=mission, size=4, seed=2, actor=coordinator).in_use


def test_a_report_without_a_count_does_not_lock_the_sample(coordinator, mission, frame):
    first = sample_draw(mission=mission, size=4, seed=1, actor=coordinator)
    count_at(first, voters_so_far=None)

    assert sample_stations_reporting(sample=first) == 0


def test_a_counting_form_locks_the_sample(coordinator, mission, frame):
    first = sample_draw(mission=mission, size=4, seed=1, actor=coordinator)
    count_at(first, voters_so_far=None, stage="COUNTING", arrived_at=local(21))

    assert sample_stations_reporting(sample=first) == 1


def test_the_database_keeps_one_sample_in_use_per_mission(coordinator, mission, frame):
    first = sample_draw(mission=mission, size=4, seed=1, actor=coordinator)
    count_at(first)
    second = sample_draw(mission=mission, size=4, seed=2, actor=coordinator)

    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.objects.filter(pk=second.pk).update(in_use=True)


# --- Switching, in the browser ----------------------------------------------------------------


@pytest.fixture
def locked(coordinator, mission, frame):
    """Sample 1 in use with a count from one of its stations; sample 2 drawn after, not in use."""
    first = sample_draw(mission=mission, size=4, seed=1, actor=coordinator)
    count_at(first)
    second = sample_draw(mission=mission, size=4, seed=2, actor=coordinator)
    return first, second


def page(mission, sample):
    return f"/missions/{mission.pk}/samples/{sample.pk}/"


def test_drawing_says_when_the_estimates_keep_their_sample(client, coordinator, mission, locked):
    client.force_login(coordinator)

    response = client.post(f"/missions/{mission.pk}/samples/", {"size": 4, "seed": 3}, follow=True)

    html = response.content.decode()
    assert "The estimates keep the sample they use" in html
    assert 'id="sample-use-form"' in html


def test_a_coordinator_switches_with_a_reason(client, coordinator, mission, locked):
    first, second = locked
    client.force_login(coordinator)

    response = client.post(page(mission, second), {"reason": "Sample 1 missed region S"})

    assert response.status_code == 302
    assert in_use(mission) == [second.pk]
    event = AuditEvent.objects.get(action="sample.use")
    assert (event.actor, event.reason) == (coordinator, "Sample 1 missed region S")
    assert (event.before, event.after) == (
        {"sample": first.pk, "stations_reporting": 1},
        {"sample": second.pk},
    )
    html = client.get(f"/missions/{mission.pk}/turnout-estimate/").content.decode()
    assert f'href="/missions/{mission.pk}/samples/{second.pk}/">sample {second.pk}</a>' in html


def test_switching_without_a_reason_changes_nothing(client, coordinator, mission, locked):
    first, second = locked
    client.force_login(coordinator)

    response = client.post(page(mission, second), {"reason": "  "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert in_use(mission) == [first.pk]
    assert not AuditEvent.objects.filter(action="sample.use").exists()


def test_the_sample_page_says_which_sample_is_in_use_and_that_it_is_locked(
    client, analyst, mission, locked
):
    first, second = locked
    client.force_login(analyst)

    used = client.get(page(mission, first)).content.decode()
    other = client.get(page(mission, second)).content.decode()

    assert "In use" in used and "Locked: 1 of its stations has sent counts" in used
    assert "Not in use: the estimates read <a" in other and f"sample {first.pk}</a>" in other
    # Analysts read; only coordinators get the form.
    assert 'id="sample-use-form"' not in other


def test_analysts_may_not_switch(client, analyst, mission, locked):
    first, second = locked
    client.force_login(analyst)

    assert client.post(page(mission, second), {"reason": "Why not"}).status_code == 403
    assert in_use(mission) == [first.pk]


def test_another_missions_coordinator_gets_a_404(
    client, other_mission_coordinator, mission, locked
):
    client.force_login(other_mission_coordinator)

    assert client.post(page(mission, locked[1]), {"reason": "Mine now"}).status_code == 404
    assert in_use(mission) == [locked[0].pk]


# --- Switching through the API ----------------------------------------------------------------


def use_url(mission, sample):
    return f"/api/v1/missions/{mission.pk}/samples/{sample.pk}/use/"


def test_switching_through_the_api(api, coordinator, mission, locked):
    first, second = locked

    response = api.as_user(coordinator).post(
        use_url(mission, second), {"reason": "Redrawn"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["in_use"] is True
    listed = api.get(f"/api/v1/missions/{mission.pk}/samples/").json()["results"]
    assert {s["id"]: s["in_use"] for s in listed} == {first.pk: False, second.pk: True}


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 2001}])
def test_the_api_wants_a_reason(api, coordinator, mission, locked, body):
    response = api.as_user(coordinator).post(use_url(mission, locked[1]), body, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()
    assert in_use(mission) == [locked[0].pk]


def test_the_api_refuses_the_sample_already_in_use(api, coordinator, mission, locked):
    response = api.as_user(coordinator).post(
        use_url(mission, locked[0]), {"reason": "Again"}, format="json"
    )

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="sample.use").exists()


def test_the_api_lets_only_coordinators_switch(api, analyst, mission, locked):
    response = api.as_user(analyst).post(
        use_url(mission, locked[1]), {"reason": "Why"}, format="json"
    )

    assert response.status_code == 403
    assert in_use(mission) == [locked[0].pk]


# --- The estimate pages say which sample ------------------------------------------------------


@pytest.mark.parametrize("path", ["turnout-estimate", "quick-count"])
def test_the_estimate_pages_name_the_sample_its_size_and_when_it_was_drawn(
    client, analyst, mission, locked, path
):
    first, _second = locked
    Candidate.objects.create(mission=mission, code="A", name="A", position=1)
    client.force_login(analyst)

    html = client.get(f"/missions/{mission.pk}/{path}/").content.decode()

    drawn = clock_text(first.created_at, mission, date=True)  # "Nov. 20, 2022 10:00 (Asia/Almaty)"
    assert f"sample {first.pk}</a>: 4 of 12 polling stations, drawn {drawn}." in html
    assert "Locked: 1 sampled station has sent counts" in html
