"""Stratified random samples of polling stations, for statistically representative deployment.

The frame is every polling station of the mission when the sample is drawn. Strata cross the
region with urban/rural (stations whose ``urban`` is unknown form their own stratum). The size
is allocated to strata in proportion to their number of stations (largest remainders, so the
allocations add up to the size exactly), with at least two stations per stratum whenever the
size allows it: a stratum with one sampled station has no variance estimate, and the design
weights (N_h / n_h) correct estimates for the small departure from proportionality.

Within each stratum, stations sorted by code are drawn with ``random.Random(seed).sample``,
strata taken in key order, so the same frame and seed always give the same sample. The seed,
the strata and each stratum's population (stations and registered voters) are stored with the
sample, which is what ratio estimators weight by.

The turnout estimate and the quick count read the mission's sample ``in_use``, never simply
the latest. A new draw takes that place only while the sample in use has no counts yet
(nothing read from it is lost); once counts arrive it is locked: a redraw is a new sample not
in use, and only a coordinator switches the estimates to it, with a reason (``sample_use``,
audited).
"""

import random
import secrets
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import Mission, PollingStation, Sample, SampleStation
from .signals import sample_reporting

MIN_PER_STRATUM = 2
MAX_SEED = 2**63 - 1


# A sample's stations as the API and the CSV download list them.
SAMPLE_COLUMNS = [
    "code",
    "name",
    "region",
    "district",
    "urban",
    "registered_voters",
    "stratum",
    "stratum_population",
    "stratum_sample_size",
    "weight",
]


def urban_label(urban: bool | None) -> str:
    return {True: "URBAN", False: "RURAL"}.get(urban, "UNKNOWN")


def allocate(populations: dict[str, int], size: int) -> dict[str, int]:
    """Share ``size`` among strata in proportion to ``populations`` (stations per stratum).

    Largest-remainder rounding, ties broken by stratum key; then every stratum is raised to
    ``min(MIN_PER_STRATUM, N_h)`` if the size allows, taking the stations from the strata
    whose allocation most exceeds their exact proportional share (then from the largest).
    """
    total = sum(populations.values())
    if not 0 < size <= total:
        raise ValueError("size must be between 1 and the number of stations in the frame")
    keys = sorted(populations)
    quota = {k: size * populations[k] / total for k in keys}
    alloc = {k: int(quota[k]) for k in keys}
    remaining = size - sum(alloc.values())
    for k in sorted(keys, key=lambda k: (-(quota[k] - alloc[k]), k))[:remaining]:
        alloc[k] += 1

    floor = {k: min(MIN_PER_STRATUM, populations[k]) for k in keys}
    if size >= sum(floor.values()):
        for k in keys:
            while alloc[k] < floor[k]:
                donors = [d for d in keys if alloc[d] > floor[d]]
                # The stratum furthest above its share; on a tie the largest, then by key.
                donor = max(donors, key=lambda d: (alloc[d] - quota[d], alloc[d], d))
                alloc[donor] -= 1
                alloc[k] += 1
    return alloc


@transaction.atomic
def sample_draw(*, mission, size: int, seed: int | None = None, actor=None, now=None) -> Sample:
    """Draw and store a stratified random sample of ``size`` of the mission's stations."""
    now = now or timezone.now()
    frame = list(
        PollingStation.objects.filter(mission=mission)
        .order_by("code", "id")
        .values_list(
            "id", "region_id", "region__code", "region__name", "urban", "registered_voters"
        )
    )
    if not frame:
        raise ValidationError({"size": [_("The mission has no polling stations to sample.")]})
    if not isinstance(size, int) or not 1 <= size <= len(frame):
        raise ValidationError(
            {
                "size": [
                    _("Choose a size between 1 and %(n)s (the stations in the frame).")
                    % {"n": len(frame)}
                ]
            }
        )
    if seed is None:
        seed = secrets.randbelow(2**31)
    if not 0 <= seed <= MAX_SEED:
        raise ValidationError({"seed": [_("Use a whole number between 0 and 2^63 - 1.")]})

    members = defaultdict(list)
    info = {}
    for station_id, region_id, region_code, region_name, urban, registered in frame:
        key = f"{region_code}|{urban_label(urban)}"
        members[key].append(station_id)
        stratum = info.setdefault(
            key,
            {
                "key": key,
                "region_id": region_id,
                "region_code": region_code,
                "region_name": region_name,
                "urban": urban,
                "population": 0,
                "registered": 0,
            },
        )
        stratum["population"] += 1
        stratum["registered"] += registered
    allocation = allocate({k: v["population"] for k, v in info.items()}, size)
    # One draw or switch of this mission at a time: two must not both take the in-use place.
    Mission.objects.select_for_update().filter(pk=mission.pk).first()
    current = Sample.objects.filter(mission=mission, in_use=True).first()
    in_use = current is None or sample_stations_reporting(sample=current) == 0
    if in_use and current is not None:
        current.in_use = False
        current.save(update_fields=["in_use"])

    rng = random.Random(seed)
    chosen = []
    for key in sorted(members):
        n_h = allocation[key]
        info[key]["sample_size"] = n_h
        if n_h:
            chosen.extend((key, station_id) for station_id in rng.sample(members[key], n_h))

    sample = Sample.objects.create(
        mission=mission,
        size=size,
        seed=seed,
        frame_size=len(frame),
        strata={
            "by": ["region", "urban"],
            "allocation": "proportional",
            "rounding": "largest remainder",
            "min_per_stratum": MIN_PER_STRATUM,
            "strata": [info[k] for k in sorted(info)],
        },
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
        in_use=in_use,
    )
    SampleStation.objects.bulk_create(
        [
            SampleStation(
                sample=sample,
                station_id=station_id,
                stratum=key,
                stratum_population=info[key]["population"],
                stratum_sample_size=info[key]["sample_size"],
                weight=info[key]["population"] / info[key]["sample_size"],
            )
            for key, station_id in chosen
        ],
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        mission=mission,
        action="sample.draw",
        obj=sample,
        after={
            "size": size,
            "seed": seed,
            "frame_size": len(frame),
            "strata": len(info),
            "in_use": in_use,
            **({"replaces": current.pk} if in_use and current is not None else {}),
        },
        at=now,
    )
    return sample


def sample_stations_reporting(*, sample: Sample) -> int:
    """How many of the sample's stations have sent a count the estimates use: turnout (ballots
    issued so far) or a counting form, from a report that is not rejected. More than none and
    the sample is locked in its place (the reports app counts, through ``sample_reporting``)."""
    answers = sample_reporting.send(sender=Sample, sample=sample)
    return max((answer or 0 for _receiver, answer in answers), default=0)


REASON_MAX = 2000


@transaction.atomic
def sample_use(*, mission, sample: Sample, reason: str, actor, now=None) -> Sample:
    """Make ``sample`` the one the turnout estimate and the quick count read, audited with the
    coordinator's reason (required: the estimates restart from this sample's counts)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the estimates should use this sample.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("At most %(max)s characters.") % {"max": REASON_MAX}]})
    Mission.objects.select_for_update().filter(pk=mission.pk).first()
    sample = Sample.objects.filter(mission=mission, pk=sample.pk).first()
    if sample is None:
        raise ValidationError({"sample": [_("This is not a sample of this mission.")]})
    if sample.in_use:
        raise ValidationError({"sample": [_("The estimates already use this sample.")]})
    current = Sample.objects.filter(mission=mission, in_use=True).first()
    before = {"sample": None}
    if current is not None:
        before = {
            "sample": current.pk,
            "stations_reporting": sample_stations_reporting(sample=current),
        }
        current.in_use = False
        current.save(update_fields=["in_use"])
    sample.in_use = True
    sample.save(update_fields=["in_use"])
    audit_record(
        actor=actor,
        mission=mission,
        action="sample.use",
        obj=sample,
        before=before,
        after={"sample": sample.pk},
        reason=reason,
        at=now,
    )
    return sample
