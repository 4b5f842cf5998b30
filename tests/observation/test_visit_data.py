"""The visit POST answers with ``visit_data``, built by hand for speed: it must say exactly
what ``VisitSerializer`` (the list and detail endpoints) says about the same visit."""

import json

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from observation.models import Visit
from observation.serializers import VisitSerializer, visit_data
from tests.missions.factories import ObserverFactory
from tests.observation.factories import FindingFactory, VisitFactory

pytestmark = pytest.mark.django_db


def as_json(data):
    return json.loads(JSONRenderer().render(data))


def loaded(visit):
    return (
        Visit.objects.select_related("mission", "station", "team", "observer")
        .prefetch_related("findings__photos")
        .get(pk=visit.pk)
    )


def test_the_answer_to_a_post_equals_the_detail_endpoints(api, observer, visit_body):
    body = visit_body(voters_so_far=99_999)  # above registered voters: FLAGGED, with a reason

    posted = api.as_user(observer.user).post("/api/v1/visits/", body, format="json")

    assert posted.status_code == 201
    data = posted.json()
    assert data["status"] == "FLAGGED" and data["flags"][0]["code"] == "VOTERS_ABOVE_REGISTERED"
    assert data["findings"][0]["description"] == "Open booths."
    detail = api.as_user(observer.user).get(f"/api/v1/visits/{data['id']}/")
    assert detail.json() == data


def test_a_reviewed_visit_without_team_or_departure_reads_the_same(mission, station):
    loner = ObserverFactory(mission=mission, team=None)
    visit = VisitFactory(
        observer=loner,
        station=station,
        team=None,
        departed_at=None,
        status="REJECTED",
        review_reason="Duplicate <b>report</b>",
        reviewed_at=timezone.now(),
        notes="Ünïcode notes",
    )
    FindingFactory(visit=visit)
    FindingFactory(visit=visit, category="PROCEDURE", severity="CRITICAL")
    visit = loaded(visit)

    assert as_json(visit_data(visit)) == as_json(VisitSerializer(visit).data)
    assert visit_data(visit)["team_code"] is None


def test_a_finding_with_photos_lists_them_the_same(api, observer, coordinator, visit_body):
    from tests.observation.services.test_photos import image_bytes, send, upload

    posted = api.as_user(observer.user).post("/api/v1/visits/", visit_body(), format="json")
    finding_id = posted.json()["findings"][0]["id"]
    visit = Visit.objects.get(pk=posted.json()["id"])
    finding = visit.findings.get(pk=finding_id)
    send(api, observer.user, finding, upload("a.png", image_bytes("PNG")))
    visit = loaded(visit)

    data = as_json(visit_data(visit))

    assert data == as_json(VisitSerializer(visit).data)
    assert len(data["findings"][0]["photos"]) == 1
