"""Coordinators hand out device codes: the observers list and each observer's QR page."""

import re

import pytest
import segno

from common.authentication import token_digest
from missions.models import AuditEvent
from observation.models import DeviceToken
from tests.missions.factories import ObserverFactory

pytestmark = pytest.mark.django_db
ISSUE = {"action": "issue"}  # what the page's button sends


def qr_url(mission, observer):
    return f"/missions/{mission.pk}/observers/{observer.pk}/qr/"


def test_making_a_code_shows_an_svg_carrying_the_server_and_the_token(
    client, coordinator, observer
):
    client.force_login(coordinator)

    response = client.post(qr_url(observer.mission, observer), ISSUE)

    body = response.content.decode()
    assert response.status_code == 200
    key = re.search(r"#token=([0-9a-f]{40})", body).group(1)
    assert DeviceToken.objects.get(observer=observer).digest == token_digest(key)
    url = f"http://testserver/observe/device/#token={key}"
    assert f'data-url="{url}"' in body
    svg = re.search(r'<div class="qr" id="qr" data-url="[^"]*">(.*?)</div>', body, re.S).group(1)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    # The same data drawn by segno gives the same picture: the code encodes this URL.
    assert svg == segno.make(url, error="m").svg_inline(
        scale=6, omitsize=True, title="Device QR code"
    )
    assert "Olga Observer" in body
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_the_qr_code_logs_the_phone_in(client, coordinator, observer):
    client.force_login(coordinator)
    body = client.post(qr_url(observer.mission, observer), ISSUE).content.decode()
    key = re.search(r"#token=([0-9a-f]+)", body).group(1)
    client.logout()

    response = client.post("/observe/device/", {"token": key})

    assert response.status_code == 302
    assert client.get(f"/observe/{observer.mission_id}/").status_code == 200


def test_the_code_is_shown_once_then_only_said_to_exist(client, coordinator, observer):
    client.force_login(coordinator)
    none_yet = client.get(qr_url(observer.mission, observer)).content.decode()
    made = client.post(qr_url(observer.mission, observer), ISSUE).content.decode()
    key = re.search(r"#token=([0-9a-f]+)", made).group(1)

    later = client.get(qr_url(observer.mission, observer)).content.decode()

    assert "no device code yet" in none_yet and "#token=" not in none_yet
    assert key not in later and "#token=" not in later and "cannot be shown again" in later
    events = AuditEvent.objects.filter(action="observer.token_issue")
    assert {(e.actor, e.object_id) for e in events} == {(coordinator, str(observer.pk))}


def test_a_new_code_replaces_the_old_one(client, coordinator, observer, device_key):
    old = device_key(observer)
    client.force_login(coordinator)

    response = client.post(qr_url(observer.mission, observer), ISSUE)

    new = re.search(r"#token=([0-9a-f]+)", response.content.decode()).group(1)
    assert new != old
    assert DeviceToken.objects.filter(observer=observer).count() == 1
    client.logout()
    assert client.post("/observe/device/", {"token": old}).status_code == 400
    assert client.post("/observe/device/", {"token": new}).status_code == 302


def test_the_observers_list_links_each_observer_to_their_qr_page(
    client, coordinator, observer, other_team_observer
):
    client.force_login(coordinator)

    response = client.get(f"/missions/{observer.mission_id}/observers/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Olga Observer" in body
    assert qr_url(observer.mission, observer) in body
    assert qr_url(observer.mission, other_team_observer) in body
    assert "T001" in body and "T002" in body


def test_the_observers_list_escapes_names(client, coordinator, mission):
    ObserverFactory(mission=mission, full_name="<i>Eve</i>")
    client.force_login(coordinator)

    body = client.get(f"/missions/{mission.pk}/observers/").content.decode()

    assert "<i>Eve</i>" not in body and "&lt;i&gt;Eve&lt;/i&gt;" in body


def test_the_observers_list_takes_a_fixed_number_of_queries(
    client, coordinator, mission, django_assert_max_num_queries
):
    for _ in range(5):
        ObserverFactory(mission=mission)
    client.force_login(coordinator)

    with django_assert_max_num_queries(8):
        response = client.get(f"/missions/{mission.pk}/observers/")

    assert response.status_code == 200


# --- Who may see device codes -------------------------------------------------------------


def test_an_analyst_sees_the_observers_but_no_qr_code(client, observer, analyst):
    client.force_login(analyst)

    listing = client.get(f"/missions/{observer.mission_id}/observers/")
    qr = client.get(qr_url(observer.mission, observer))
    rotate = client.post(qr_url(observer.mission, observer), ISSUE)

    assert listing.status_code == 200
    assert observer.full_name in listing.content.decode()
    assert qr_url(observer.mission, observer) not in listing.content.decode()
    assert (qr.status_code, rotate.status_code) == (403, 403)
    assert not DeviceToken.objects.filter(observer=observer).exists()


@pytest.mark.parametrize(
    "persona", ["press", "outsider", "other_mission_coordinator", "other_team_observer"]
)
def test_only_the_missions_coordinators_see_qr_codes(client, observer, persona, request):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    client.force_login(user)

    qr = client.get(qr_url(observer.mission, observer))
    rotate = client.post(qr_url(observer.mission, observer), ISSUE)
    listing = client.get(f"/missions/{observer.mission_id}/observers/")

    assert (qr.status_code, rotate.status_code, listing.status_code) == (404, 404, 404)
    assert not DeviceToken.objects.filter(observer=observer).exists()


def test_an_observer_cannot_see_their_own_qr_page(client, observer):
    client.force_login(observer.user)

    assert client.get(qr_url(observer.mission, observer)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, observer):
    response = client.get(qr_url(observer.mission, observer))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_missions_observer_is_404_through_this_mission(
    client, coordinator, mission, other_mission
):
    foreign = ObserverFactory(mission=other_mission)
    client.force_login(coordinator)

    response = client.get(qr_url(mission, foreign))

    assert response.status_code == 404
    assert not DeviceToken.objects.filter(observer=foreign).exists()
