"""Production settings, login rate limiting, password validation."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env}
    # The e2e tests set this in the test process; a deployment never has it.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    environment.pop("DJANGO_SECRET_KEY", None) if "DJANGO_SECRET_KEY" not in env else None
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=secrets.token_urlsafe(64)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("key", ["", "insecure-local-development-key-change-me", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    result = _manage("check", DJANGO_SECRET_KEY=key)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_passwords_lock_the_login_even_for_the_right_one(client, coordinator):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "coordinator", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "coordinator", "password": "pass-word-123"}
    )

    assert response.status_code == 429
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_token_endpoint_is_rate_limited_too(api, coordinator):
    for _ in range(3):
        api.post(
            "/api/v1/auth/token/", {"username": "coordinator", "password": "wrong"}, format="json"
        )

    response = api.post(
        "/api/v1/auth/token/",
        {"username": "coordinator", "password": "pass-word-123"},
        format="json",
    )

    assert response.status_code == 429
    assert "Too many failed login attempts" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(("hours", "wait"), [(1 / 60, "1 minute,"), (0.25, "15 minutes,")])
def test_the_lock_out_says_how_many_minutes_to_wait(api, coordinator, settings, hours, wait):
    settings.AXES_FAILURE_LIMIT = 1
    settings.AXES_COOLOFF_TIME = hours
    body = {"username": "coordinator", "password": "wrong"}
    api.post("/api/v1/auth/token/", body, format="json")

    response = api.post("/api/v1/auth/token/", body, format="json")

    assert response.status_code == 429
    assert f"Try again in {wait} or ask" in response.json()["detail"]


@pytest.mark.django_db
def test_a_good_login_after_one_mistake_works(client, coordinator):
    client.post("/accounts/login/", {"username": "coordinator", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "coordinator", "password": "pass-word-123"}
    )

    assert response.status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_is_a_400_that_says_so(client, coordinator):
    response = client.post("/accounts/login/", {"username": "coordinator", "password": "wrong"})

    assert response.status_code == 400
    assert b"Your username and password did not match" in response.content
    assert "_auth_user_id" not in client.session


# --- NUL characters: PostgreSQL stores and compares none, so each was a 500 -----------------


@pytest.mark.django_db
def test_a_device_code_with_a_nul_character_is_refused_not_a_server_error(client, observer):
    response = client.post("/observe/device/", {"token": "ab\x00cd"})

    assert response.status_code == 400
    assert "This device code is not valid" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_withdrawal_reason_with_a_nul_character_is_refused_and_withdraws_nothing(
    client, coordinator, mission
):
    from django.utils import timezone

    from missions.models import AuditEvent
    from reports.briefings.services import briefing_publish

    briefing = briefing_publish(mission=mission, user=coordinator, now=timezone.now())
    client.force_login(coordinator)

    response = client.post(f"/briefings/{briefing.pk}/withdraw/", {"reason": "typo\x00"})

    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.withdrawn_at is None
    assert not AuditEvent.objects.filter(action="briefing.withdraw").exists()


# --- The lock-out counts failures per client, not per proxy ----------------------------------

PROXY = "10.0.0.2"


def _via_proxy(client, forwarded_for, **data):
    return client.post(
        "/accounts/login/", data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for
    )


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_an_attacker_locks_out_only_themselves(client, coordinator):
    for _ in range(3):
        _via_proxy(client, "203.0.113.9", username="coordinator", password="wrong")
    # Writing someone else's address in the header does not help: the proxy appends the real one.
    spoofed = _via_proxy(
        client, "198.51.100.7, 203.0.113.9", username="coordinator", password="pass-word-123"
    )

    response = _via_proxy(client, "198.51.100.7", username="coordinator", password="pass-word-123")

    assert spoofed.status_code == 429
    assert response.status_code == 302


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=0)
def test_without_a_proxy_the_forwarded_header_is_not_believed(client, coordinator):
    for n in range(3):
        client.post(
            "/accounts/login/",
            {"username": "coordinator", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )

    response = client.post(
        "/accounts/login/",
        {"username": "coordinator", "password": "pass-word-123"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert response.status_code == 429
