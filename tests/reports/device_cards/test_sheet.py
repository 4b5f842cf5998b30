"""A sheet of device QR cards for a team or the whole mission (issue 20: the QR codes printed
one observer at a time), printed by a real Chromium and read back from the PDF: each card
names its observer and team, and the code it prints logs that observer's phone in."""

import io
import os
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from missions.models import AuditEvent, MemberRole, Membership
from observation.models import DeviceToken
from reports.charts import rendering
from tests.missions.factories import ObserverFactory, TeamFactory

pytestmark = pytest.mark.django_db
URL = "/missions/{}/observers/qr-cards/"
KEY = re.compile(r"\b([0-9a-f]{8}(?: [0-9a-f]{8}){4})\b")


@pytest.fixture(scope="module")
def chromium():
    if not rendering.chromium_available():
        reason = "Chromium is not installed (apt-get install chromium): no sheet to print"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)


@pytest.fixture
def nine(mission, observer):
    """Team T001: the ``observer`` and eight more (nine cards: two A4 pages); team T009: one."""
    crew = [observer] + [
        ObserverFactory(mission=mission, team=observer.team, full_name=f"Сауле Member {n}")
        for n in range(8)
    ]
    other = ObserverFactory(
        mission=mission, team=TeamFactory(mission=mission, code="T009"), full_name="Elsewhere"
    )
    for person in [*crew, other]:
        Membership.objects.get_or_create(
            user=person.user, mission=mission, defaults={"role": MemberRole.OBSERVER}
        )
    return crew, other


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def print_sheet(client, coordinator, mission, **data):
    client.force_login(coordinator)
    return client.post(URL.format(mission.pk), data)


def test_a_teams_sheet_names_each_observer_and_its_codes_log_their_phones_in(
    client, coordinator, mission, nine, chromium
):
    crew, other = nine

    response = print_sheet(client, coordinator, mission, team=crew[0].team.pk, who="ALL")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pages, text = text_of(response.content)
    assert pages == 2  # eight cards to a page
    for person in crew:
        assert person.full_name in text
    assert "Elsewhere" not in text
    assert text.count("Team T001") == 9
    keys = KEY.findall(text)
    assert len(keys) == 9
    assert DeviceToken.objects.filter(observer__in=crew).count() == 9
    assert not DeviceToken.objects.filter(observer=other).exists()
    assert AuditEvent.objects.filter(action="observer.token_issue").count() == 9
    # A phone types a code off a card, spaces and all, and is that card's observer.
    names = set()
    for key in keys:
        phone = Client()
        answer = phone.post("/observe/device/", {"token": key}, follow=True)
        assert answer.status_code == 200
        names.add(answer.wsgi_request.user.observer_profiles.get().full_name)
    assert names == {person.full_name for person in crew}


def test_only_observers_without_a_code_keep_everyone_elses(
    client, coordinator, mission, nine, device_key, chromium
):
    crew, other = nine
    kept = device_key(crew[0])

    response = print_sheet(client, coordinator, mission, who="NEW")

    pages, text = text_of(response.content)
    assert pages == 2 and len(KEY.findall(text)) == 9  # the mission's ten, less the one
    assert crew[0].full_name not in text and other.full_name in text
    phone = Client()
    assert phone.post("/observe/device/", {"token": kept}).status_code == 302


def test_without_chromium_nobody_loses_their_code(
    client, coordinator, mission, nine, device_key, monkeypatch
):
    crew, _other = nine
    kept = device_key(crew[0])

    def missing():
        raise rendering.ChromiumUnavailable("no chromium found on PATH")

    monkeypatch.setattr(rendering, "chromium_path", missing)
    response = print_sheet(client, coordinator, mission, team=crew[0].team.pk, who="ALL")

    assert response.status_code == 503
    assert "apt-get install chromium" in response.content.decode()
    assert DeviceToken.objects.count() == 1
    assert Client().post("/observe/device/", {"token": kept}).status_code == 302
    assert not AuditEvent.objects.filter(action="observer.token_issue").exclude(actor=None).exists()


def test_nobody_to_print_says_so(client, coordinator, mission, observer, device_key):
    device_key(observer)

    response = print_sheet(client, coordinator, mission, team=observer.team.pk, who="NEW")

    assert response.status_code == 400
    assert "Nobody to print" in response.content.decode()


def test_another_missions_team_is_no_choice(client, coordinator, mission, other_mission, observer):
    foreign = TeamFactory(mission=other_mission, code="F1")

    response = print_sheet(client, coordinator, mission, team=foreign.pk, who="ALL")

    assert response.status_code == 400
    assert not DeviceToken.objects.exists()


def test_the_teams_page_links_each_teams_cards(client, coordinator, mission, observer):
    client.force_login(coordinator)

    page = client.get(f"/missions/{mission.pk}/teams/").content.decode()
    form = client.get(URL.format(mission.pk) + f"?team={observer.team.pk}").content.decode()

    assert f"/missions/{mission.pk}/observers/qr-cards/?team={observer.team.pk}" in page
    assert f'<option value="{observer.team.pk}" selected>T001</option>' in form
