import datetime as dt
import uuid
import zoneinfo

import factory

from observation.models import Checklist, Finding, Visit
from tests.missions.factories import ObserverFactory, StationFactory

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
ELECTION_DAY = dt.date(2022, 11, 20)


def local(hour, minute=0, second=0, microsecond=0, *, day=ELECTION_DAY, tz=ALMATY):
    """A time on the election day in the mission's timezone (the factories' default)."""
    return dt.datetime.combine(day, dt.time(hour, minute, second, microsecond), tzinfo=tz)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    station = factory.SubFactory(StationFactory)
    mission = factory.SelfAttribute("station.mission")
    observer = factory.SubFactory(ObserverFactory, mission=factory.SelfAttribute("..mission"))
    team = factory.SelfAttribute("observer.team")
    stage = "VOTING"
    checklist = factory.LazyAttribute(
        lambda o: Checklist.objects.get(mission=o.mission, stage=o.stage, is_current=True)
    )
    client_uuid = factory.LazyFunction(uuid.uuid4)
    arrived_at = factory.LazyFunction(lambda: local(10, 30))
    departed_at = factory.LazyAttribute(lambda o: o.arrived_at + dt.timedelta(minutes=20))
    voters_so_far = None
    assessment = None


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    visit = factory.SubFactory(VisitFactory)
    category = "SECRECY"
    severity = "SERIOUS"
    description = "Voters marked ballots in the open."
