"""``common.authentication.TokenAuthentication`` answers exactly as DRF's own class does."""

import pytest
from django.utils import translation
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token
from rest_framework.test import APIRequestFactory

from common.authentication import TokenAuthentication
from tests.missions.factories import UserFactory

pytestmark = pytest.mark.django_db


def outcome(authenticator, header):
    request = APIRequestFactory().get("/api/v1/visits/", HTTP_AUTHORIZATION=header)
    try:
        result = authenticator.authenticate(request)
    except exceptions.AuthenticationFailed as exc:
        return ("401", str(exc.detail), exc.detail.code)
    if result is None:
        return None
    user, token = result
    return (user.pk, user.username, user.is_active, token.key, token.user_id, token.user is user)


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_every_answer_is_drfs(language):
    active = UserFactory()
    inactive = UserFactory(is_active=False)
    good = Token.objects.create(user=active).key
    dormant = Token.objects.create(user=inactive).key
    revoked_user = UserFactory()
    revoked = Token.objects.create(user=revoked_user).key
    Token.objects.filter(user=revoked_user).delete()
    headers = [
        f"Token {good}",
        f"token {good}",
        f"Token {dormant}",
        f"Token {revoked}",
        "Token nope",
        "Token " + "x" * 300,
        "Token",
        "Token a b",
        f"Bearer {good}",
        "",
    ]

    with translation.override(language):
        for header in headers:
            ours = outcome(TokenAuthentication(), header)
            theirs = outcome(authentication.TokenAuthentication(), header)
            assert ours == theirs, header
    assert outcome(TokenAuthentication(), f"Token {good}")[0] == active.pk


def test_the_lookup_is_one_query(django_assert_num_queries):
    key = Token.objects.create(user=UserFactory()).key
    outcome(TokenAuthentication(), f"Token {key}")  # prepares the statement (PostgreSQL)

    with django_assert_num_queries(1):
        outcome(TokenAuthentication(), f"Token {key}")


def test_a_device_token_is_one_query_too(django_assert_num_queries, observer, coordinator):
    from django.utils import timezone

    from observation.devices.services import observer_token_issue

    key = observer_token_issue(observer=observer, actor=coordinator, now=timezone.now())
    request = APIRequestFactory().get("/api/v1/visits/", HTTP_AUTHORIZATION=f"Token {key}")
    TokenAuthentication().authenticate(request)  # prepares the statement

    with django_assert_num_queries(1):
        user, token = TokenAuthentication().authenticate(request)

    assert user == observer.user and user.device_mission_id == observer.mission_id
    assert token.observer_id == observer.pk
