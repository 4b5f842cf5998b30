"""Two identical posts racing on separate connections make one visit, and both succeed."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from observation.models import Finding, Visit
from observation.services import visits as services

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_identical_posts_at_once_make_one_visit(api, observer, visit_body, monkeypatch):
    body = visit_body()
    api.as_user(observer.user)  # makes the token before the threads start
    token = api._credentials["HTTP_AUTHORIZATION"]
    # Hold both requests after validation, just before the insert, so they truly overlap.
    both_validated = threading.Barrier(2, timeout=10)
    real_hash = services._payload_hash

    def hash_then_wait(**kwargs):
        digest = real_hash(**kwargs)
        both_validated.wait()
        return digest

    monkeypatch.setattr(services, "_payload_hash", hash_then_wait)
    statuses, problems = [], []

    def send():
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=token)
            response = client.post("/api/v1/visits/", body, format="json")
            statuses.append((response.status_code, response.json()["id"]))
        except Exception as exc:  # noqa: BLE001 - reported below
            problems.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert problems == []
    assert sorted(code for code, _ in statuses) == [200, 201]
    assert len({visit_id for _, visit_id in statuses}) == 1
    assert Visit.objects.count() == 1
    assert Finding.objects.count() == 1
