"""The service worker that keeps the observer pages offline, and the device-code login."""

import json
import re

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def sw_assets(body: str) -> list[str]:
    return json.loads(re.search(r"var ASSETS = (\[.*?\]);", body).group(1))


def test_the_service_worker_is_served_for_the_observe_scope(client):
    response = client.get("/observe/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/observe/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert re.search(r'var VERSION = "[0-9a-f]{12}";', body)
    assert "/static/js/visit_queue.js" in sw_assets(body)
    assert "&quot;" not in body, "the script is not HTML-escaped"


def test_every_asset_the_service_worker_stores_exists(client):
    # One missing file makes the whole install fail, and with it every offline page.
    assets = sw_assets(client.get("/observe/sw.js").content.decode())

    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url


def test_every_script_of_the_observer_pages_is_stored_for_offline_use(client, observer):
    client.force_login(observer.user)
    page = client.get(f"/observe/{observer.mission_id}/").content.decode()

    scripts = re.findall(r'<script src="([^"]+)"', page)

    assert "/static/js/plural.js" in scripts
    assert set(scripts) <= set(sw_assets(client.get("/observe/sw.js").content.decode()))


def test_the_device_page_offers_a_form_and_no_token(client):
    response = client.get("/observe/device/")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="token"' in body and "csrfmiddlewaretoken" in body
    assert "/static/js/observe_device.js" in body
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_device_token_logs_the_observer_in(client, observer, device_key):
    token = device_key(observer)

    response = client.post("/observe/device/", {"token": token})

    assert response.status_code == 302
    assert response["Location"] == "/observe/"
    assert client.get("/observe/").url == f"/observe/{observer.mission_id}/"
    assert client.get(f"/observe/{observer.mission_id}/").status_code == 200


def test_the_token_keeps_working_for_the_api_after_the_device_login(
    client, api, observer, device_key
):
    token = device_key(observer)
    client.post("/observe/device/", {"token": token})
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api.get("/api/v1/missions/")

    assert response.status_code == 200
    assert [m["id"] for m in response.json()["results"]] == [observer.mission_id]


@pytest.mark.parametrize("key", ["", "nonsense", "0" * 40, "x" * 200])
def test_a_wrong_device_code_is_refused(client, observer, key, device_key):
    device_key(observer)

    response = client.post("/observe/device/", {"token": key})

    assert response.status_code == 400
    assert "This device code is not valid." in response.content.decode()
    assert client.get(f"/observe/{observer.mission_id}/").status_code == 302


def test_the_token_of_a_user_who_is_no_observer_is_refused(client, coordinator):
    token = Token.objects.create(user=coordinator)  # a login token is no device code

    response = client.post("/observe/device/", {"token": token.key})

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_token_of_a_deactivated_observer_is_refused(client, observer, device_key):
    token = device_key(observer)
    observer.user.is_active = False
    observer.user.save(update_fields=["is_active"])

    response = client.post("/observe/device/", {"token": token})

    assert response.status_code == 400


def test_the_device_login_needs_the_csrf_token(observer, device_key):
    from django.test import Client

    token = device_key(observer)
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/observe/device/", {"token": token})

    assert response.status_code == 403


# --- F2: a device token ends, and the phone's session with it --------------------------------


@pytest.mark.parametrize("how", ["revoke", "replace"])
def test_revoking_or_replacing_the_token_ends_the_phones_session(
    client, api, observer, coordinator, device_key, how
):
    key = device_key(observer)
    client.post("/observe/device/", {"token": key})
    assert client.get(f"/observe/{observer.mission_id}/").status_code == 200
    coordinators_api = api.as_user(coordinator)
    if how == "revoke":
        coordinators_api.delete(f"/api/v1/observers/{observer.pk}/token/")
    else:
        coordinators_api.post(f"/api/v1/observers/{observer.pk}/token/")

    page = client.get(f"/observe/{observer.mission_id}/")
    api_answer = client.get("/api/v1/visits/")

    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert api_answer.status_code in (401, 403)
    assert "_auth_user_id" not in client.session


def test_a_password_login_of_the_same_account_is_not_ended_by_a_revoke(
    client, api, observer, coordinator, device_key
):
    device_key(observer)
    client.force_login(observer.user)

    api.as_user(coordinator).delete(f"/api/v1/observers/{observer.pk}/token/")

    assert client.get(f"/observe/{observer.mission_id}/").status_code == 200
