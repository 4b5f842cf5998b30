import pytest

from bench.seed import add_visits, seed_scale
from observation.models import Finding, Visit

pytestmark = pytest.mark.django_db


def test_benchmark_seed_writes_valid_visits_at_small_size():
    mission = seed_scale(visits=500, size="small")

    visits = Visit.objects.filter(mission=mission)
    assert visits.count() == 500
    every_twentieth = [pk for pk in visits.values_list("id", flat=True) if pk % 20 == 0]
    assert Finding.objects.filter(visit__mission=mission).count() == len(every_twentieth)
    for visit in visits.select_related("station")[:50]:
        assert visit.voters_so_far <= visit.station.registered_voters
        local = visit.arrived_at.astimezone(mission.tzinfo)
        assert local.date() == mission.election_date
        assert 7 <= local.hour < 20
        assert ("V02" in visit.answers) == (visit.answers["V01"] is True)
    assert not visits.filter(aggregated=True).exists()

    add_visits(mission=mission, count=40, aggregated=True)

    assert visits.count() == 540
    assert visits.filter(aggregated=True).count() == 40
