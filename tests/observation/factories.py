import datetime as dt
import uuid

import factory

from observation.models import Checklist, Finding, Visit

# Answers to every required question of the default VOTING checklist, skip logic closed.
VOTING_ANSWERS = {
    "V01": False,
    "V03": True,
    "V04": True,
    "V05": False,
    "V06": False,
    "V07": "QUEUE",
    "V08": False,
    "V09": False,
    "V11": False,
    "V12": False,
}


def election_time(hour, minute=0):
    """A time on the test mission's election day (2022-11-20, Asia/Almaty, +06:00)."""
    return dt.datetime(2022, 11, 20, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=6)))


class VisitFactory(factory.django.DjangoModelFactory):
    """A stored visit of ``observer`` at ``station`` (pass both); VOTING unless told."""

    class Meta:
        model = Visit

    client_uuid = factory.LazyFunction(uuid.uuid4)
    mission = factory.SelfAttribute("observer.mission")
    team = factory.SelfAttribute("observer.team")
    stage = "VOTING"
    checklist = factory.LazyAttribute(
        lambda v: Checklist.objects.get(mission=v.mission, stage=v.stage, is_current=True)
    )
    arrived_at = factory.LazyFunction(lambda: election_time(10))
    departed_at = factory.LazyAttribute(lambda v: v.arrived_at + dt.timedelta(minutes=30))
    answers = factory.LazyFunction(dict)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    category = "SECRECY"
    severity = "SERIOUS"
    description = "Voters marked ballots in the open."
