import pytest

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/api/v1/missions/" in response.json()["paths"]


def test_docs_page_loads_swagger_ui_from_local_static_files(client):
    response = client.get("/api/docs/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui" in body
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert "cdn" not in body.lower() and "https://" not in body


def test_swagger_assets_are_served(client):
    response = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")

    assert response.status_code == 200


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["broker"]["mode"] == "eager"


def test_home_sends_anonymous_users_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_renders(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_after_login_the_user_sees_their_missions(client, coordinator, other_mission):
    client.post("/accounts/login/", {"username": "coordinator", "password": "pass-word-123"})

    response = client.get("/")

    assert response.status_code == 200
    assert b"Test mission" in response.content
    assert b"Other mission" not in response.content


def test_pages_carry_a_content_security_policy(client):
    response = client.get("/accounts/login/")

    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_healthz_answers_503_json_when_the_database_is_down(client, monkeypatch):
    from django.db import OperationalError, connection

    def refuse():
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')

    monkeypatch.setattr(connection, "ensure_connection", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"]["ok"] is False
    assert "5432 failed" in body["database"]["error"]


def test_an_api_request_while_the_database_is_down_is_a_503_to_retry(api, coordinator, monkeypatch):
    from django.db import OperationalError, connection

    client = api.as_user(coordinator)

    def refuse():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "ensure_connection", refuse)

    response = client.get("/api/v1/missions/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "database" in response.json()["detail"]
