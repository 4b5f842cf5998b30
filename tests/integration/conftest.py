import pytest
import redis
from django.conf import settings

from .workers import require_services


@pytest.fixture
def test_redis():
    """The tests' own Redis database (TEST_REDIS_URL), empty before and after."""
    require_services()
    client = redis.Redis.from_url(settings.TEST_REDIS_URL)
    client.flushdb()  # our own database number only
    yield settings.TEST_REDIS_URL
    client.flushdb()
