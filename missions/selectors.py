"""Reads of the missions app: samples, teams and the deployment plan against what happened."""

from .models import SampleStation


def sample_stations(*, sample):
    """The sampled stations, stratum by stratum, with what an estimator needs."""
    return (
        SampleStation.objects.filter(sample=sample)
        .select_related("station__region", "station__district")
        .order_by("stratum", "station__code", "id")
    )
