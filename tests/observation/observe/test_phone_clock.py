"""The phone pages on the mission's clock (issue 20): "My visits" puts the visit just sent
first and writes its times with the zone's name; the scripts get the zone, and write "Next
try at" from a whole sentence."""

import json
import re

import pytest

from observation.models import Visit
from tests.observation.observe.test_pages import make_visit

pytestmark = pytest.mark.django_db


def config_of(body: str) -> dict:
    found = re.search(r'<script id="observe-config" type="application/json">(.*?)</script>', body)
    return json.loads(found.group(1))


def test_the_visit_just_sent_heads_my_visits_whatever_arrival_it_reports(
    client, observer, station, other_station
):
    earlier_sent = make_visit(observer, station, hour=15)
    just_sent = make_visit(observer, other_station, hour=9)  # reported later, arrived earlier
    client.force_login(observer.user)

    body = client.get(f"/observe/{observer.mission_id}/visits/").content.decode()

    order = [int(pk) for pk in re.findall(r'data-visit="(\d+)"', body)]
    assert order == [just_sent.pk, earlier_sent.pk]
    assert "09:00\u201309:30 (Asia/Almaty)" in body
    assert Visit.objects.count() == 2


def test_the_phone_scripts_get_the_missions_zone_and_a_whole_sentence(client, observer):
    client.force_login(observer.user)

    for url in (f"/observe/{observer.mission_id}/visit/", f"/observe/{observer.mission_id}/"):
        config = config_of(client.get(url).content.decode())

        assert config["timezone"] == "Asia/Almaty"
        assert config["strings"]["next_try"] == "Next try at %(time)s"


def test_the_form_names_the_zone_of_its_times(client, observer):
    client.force_login(observer.user)

    body = client.get(f"/observe/{observer.mission_id}/visit/").content.decode()

    assert "Times on the mission's clock: Asia/Almaty." in body
