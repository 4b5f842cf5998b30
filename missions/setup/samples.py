"""Browser pages of a mission's samples: draw one, see which the estimates use, switch with
a reason, download its stations. Coordinators and analysts see them; only coordinators
change anything."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.csv_export import bom_wanted, csv_chunks
from common.streaming import streamed

from .. import selectors
from ..forms import SampleForm, SampleUseForm
from ..models import Sample
from ..sampling import SAMPLE_COLUMNS, sample_draw, sample_stations_reporting, sample_use
from .shared import form_errors, staff_mission


@login_required
@require_http_methods(["GET", "POST"])
def samples_page(request, mission_id):
    mission, is_coordinator = staff_mission(request, mission_id)
    form = SampleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sample = sample_draw(
                    mission=mission,
                    size=form.cleaned_data["size"],
                    seed=form.cleaned_data["seed"],
                    actor=request.user,
                    now=timezone.now(),
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                if sample.in_use:
                    messages.success(
                        request,
                        _("The turnout estimate and the quick count now use sample %(id)s.")
                        % {"id": sample.pk},
                    )
                else:
                    messages.warning(
                        request,
                        _(
                            "The estimates keep the sample they use: its stations have sent "
                            "counts. To switch them to sample %(id)s, give a reason below."
                        )
                        % {"id": sample.pk},
                    )
                return redirect("missions:sample", mission.pk, sample.pk)
        status = 400
    samples = (
        Sample.objects.filter(mission=mission)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )
    frame = mission.stations.count()
    return render(
        request,
        "missions/samples.html",
        {
            "mission": mission,
            "is_coordinator": is_coordinator,
            "form": form,
            "samples": samples,
            "frame": frame,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sample_page(request, mission_id, sample_id):
    """One sample; a coordinator's POST (with a reason) makes the estimates use it."""
    mission, is_coordinator = staff_mission(request, mission_id)
    sample = get_object_or_404(
        Sample.objects.select_related("created_by"), mission=mission, pk=sample_id
    )
    in_use = (
        sample if sample.in_use else Sample.objects.filter(mission=mission, in_use=True).first()
    )
    use_form = SampleUseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if use_form.is_valid():
            try:
                sample_use(
                    mission=mission,
                    sample=sample,
                    reason=use_form.cleaned_data["reason"],
                    actor=request.user,
                    now=timezone.now(),
                )
            except ValidationError as error:
                form_errors(use_form, error)
            else:
                messages.success(
                    request,
                    _("The turnout estimate and the quick count now use sample %(id)s.")
                    % {"id": sample.pk},
                )
                return redirect("missions:sample", mission.pk, sample.pk)
        status = 400
    strata = sample.strata.get("strata", [])
    for stratum in strata:
        stratum["weight"] = (
            stratum["population"] / stratum["sample_size"] if stratum["sample_size"] else None
        )
    return render(
        request,
        "missions/sample.html",
        {
            "mission": mission,
            "is_coordinator": is_coordinator,
            "sample": sample,
            "in_use": in_use,
            "in_use_reporting": sample_stations_reporting(sample=in_use) if in_use else 0,
            "use_form": use_form,
            "strata": strata,
            "stations": selectors.sample_stations(sample=sample),
        },
        status=status,
    )


@login_required
@require_GET
@transaction.non_atomic_requests
def sample_csv(request, mission_id, sample_id):
    mission, _is_coordinator = staff_mission(request, mission_id)
    sample = get_object_or_404(Sample, mission=mission, pk=sample_id)
    rows = (
        [
            row.station.code,
            row.station.name,
            row.station.region.name,
            row.station.district.name if row.station.district else None,
            {True: "true", False: "false"}.get(row.station.urban),
            row.station.registered_voters,
            row.stratum,
            row.stratum_population,
            row.stratum_sample_size,
            row.weight,
        ]
        for row in streamed(selectors.sample_stations(sample=sample))
    )
    # common.csv_export guards every cell: station names come from the commission's file.
    response = StreamingHttpResponse(
        csv_chunks(SAMPLE_COLUMNS, rows, bom=bom_wanted(request.GET)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="mission-{mission.pk}-sample-{sample.pk}.csv"'
    )
    return response
