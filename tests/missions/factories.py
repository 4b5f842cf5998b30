import datetime as dt

import factory
from django.contrib.auth import get_user_model

from missions.models import (
    Area,
    AreaLevel,
    Membership,
    Mission,
    Observer,
    Organisation,
    PollingStation,
    Team,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-word-123")


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Mission {n}")
    country = "KZ"
    election_date = dt.date(2022, 11, 20)
    timezone = "Asia/Almaty"
    polls_open = dt.time(7, 0)
    polls_close = dt.time(20, 0)
    registered_voters = 100_000

    @factory.post_generation
    def checklists(mission, create, extracted, **kwargs):
        if create and extracted is not False:
            from observation.checklists import checklists_create_default

            checklists_create_default(mission=mission)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    mission = factory.SubFactory(MissionFactory)
    level = AreaLevel.REGION
    depth = 1
    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.Sequence(lambda n: f"Region {n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    parent = factory.SubFactory(RegionFactory)
    mission = factory.SelfAttribute("parent.mission")
    level = AreaLevel.DISTRICT
    depth = 2
    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"District {n}")


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PollingStation

    district = factory.SubFactory(DistrictFactory)
    mission = factory.SelfAttribute("district.mission")
    region = factory.SelfAttribute("district.parent")
    area = factory.SelfAttribute("district")
    code = factory.Sequence(lambda n: f"PS{n:05d}")
    name = factory.Sequence(lambda n: f"Polling station {n}")
    registered_voters = 1000


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("mission", "name")

    mission = factory.SubFactory(MissionFactory)
    name = "OSCE/ODIHR"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    mission = factory.SubFactory(MissionFactory)
    code = factory.Sequence(lambda n: f"T{n:03d}")


class ObserverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observer
        skip_postgeneration_save = True

    mission = factory.SubFactory(MissionFactory)
    user = factory.SubFactory(UserFactory)
    full_name = factory.Faker("name")
    organisation = factory.SubFactory(
        OrganisationFactory, mission=factory.SelfAttribute("..mission")
    )
    nationality = "DE"
    role = "STO"
    team = factory.SubFactory(TeamFactory, mission=factory.SelfAttribute("..mission"))

    @factory.post_generation
    def membership(observer, create, extracted, **kwargs):
        if create:
            Membership.objects.get_or_create(
                user=observer.user, mission=observer.mission, defaults={"role": "OBSERVER"}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    mission = factory.SubFactory(MissionFactory)
    role = "COORDINATOR"
