"""The coordinator's page for the turnout the election commission announces."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from missions.access import STAFF_ROLES, mission_for, object_or_404, role_in
from missions.models import Area, MemberRole
from reports.aggregates import selectors
from reports.aggregates.services import official_turnout_create, official_turnout_delete
from reports.models import NATIONAL_CODE, OfficialTurnout


class OfficialTurnoutForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"))
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time (local)"), widget=forms.TimeInput(attrs={"type": "time"}))
    percent = forms.DecimalField(
        label=_("Turnout %"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Area.objects.filter(mission=mission, depth__lte=2).order_by("depth", "code", "id")
        self.fields["area"].choices = [(NATIONAL_CODE, _("National"))] + [
            (area.code, f"{area.code} {area.name}") for area in areas
        ]
        self.fields["day"].initial = mission.election_date


@login_required
@require_http_methods(["GET", "POST"])
def official_turnout(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    may_edit = role_in(user=request.user, mission_id=mission.pk) == MemberRole.COORDINATOR
    form = OfficialTurnoutForm(mission=mission)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if "delete" in request.POST:
            official = object_or_404(
                OfficialTurnout.objects.filter(mission=mission), request.POST["delete"]
            )
            official_turnout_delete(official=official, actor=request.user, now=timezone.now())
            messages.success(request, _("Figure deleted."))
            return redirect("reports:official-turnout", mission_id=mission.pk)
        form = OfficialTurnoutForm(request.POST, mission=mission)
        if form.is_valid():
            data = form.cleaned_data
            at = dt.datetime.combine(data["day"], data["time"], tzinfo=mission.tzinfo)
            try:
                official_turnout_create(
                    mission=mission,
                    actor=request.user,
                    area_code=data["area"],
                    at=at,
                    percent=data["percent"],
                    now=timezone.now(),
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error("time" if field == "at" else None, errors)
            else:
                messages.success(request, _("Figure recorded."))
                return redirect("reports:official-turnout", mission_id=mission.pk)
    return render(
        request,
        "reports/official_turnout.html",
        {
            "mission": mission,
            "rows": selectors.official_turnout_rows(mission=mission),
            "form": form,
            "may_edit": may_edit,
        },
        status=400 if form.is_bound and form.errors else 200,  # bad input: a 400, as the API
    )
