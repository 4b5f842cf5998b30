"""``/missions/<id>/observers/qr-cards/``: coordinators print a sheet of device QR cards for a
team or the whole mission. GET shows the choice; POST makes the codes and answers the PDF
(the codes are in that answer only: nothing keeps them). Analysts get a 403 (printing hands
out device codes), everyone else a 404, as on an observer's own QR page."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from missions.access import STAFF_ROLES, coordinator_mission_for, mission_for
from missions.forms import MissionTeamField
from missions.models import Team
from reports.charts import rendering

from .services import device_cards_issue, sheet_observers

EVERYONE, WITHOUT_CODE = "ALL", "NEW"


class CardsForm(forms.Form):
    team = MissionTeamField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("The whole mission"),
    )
    who = forms.ChoiceField(
        label=gettext_lazy("Observers"),
        widget=forms.RadioSelect,
        choices=[
            (WITHOUT_CODE, gettext_lazy("Only those who have no device code yet")),
            (
                EVERYONE,
                gettext_lazy(
                    "Everyone: observers who have a code get a new one, and their phones "
                    "must scan the new card"
                ),
            ),
        ],
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(mission=mission).order_by("code", "id")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def device_cards(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    coordinator_mission_for(user=request.user, mission_id=mission.pk)  # analysts: 403
    if request.method == "GET":
        form = CardsForm(
            initial={"team": request.GET.get("team"), "who": WITHOUT_CODE}, mission=mission
        )
        return _page(request, mission, form)
    form = CardsForm(request.POST, mission=mission)
    if not form.is_valid():
        return _page(request, mission, form, status=400)
    team = form.cleaned_data["team"]
    observers = list(
        sheet_observers(
            mission=mission, team=team, without_code=form.cleaned_data["who"] == WITHOUT_CODE
        )
    )
    if not observers:
        form.add_error(
            None,
            _(
                "Nobody to print: every observer here already has a device code. Choose "
                "“Everyone” to make new codes."
            )
            if form.cleaned_data["who"] == WITHOUT_CODE
            else _("This team has no observers.")
            if team
            else _("This mission has no observers."),
        )
        return _page(request, mission, form, status=400)
    title = (
        _("Device codes of team %(team)s") % {"team": team.code}
        if team
        else _("Device codes of the mission")
    )
    try:
        pdf = device_cards_issue(
            mission=mission,
            observers=observers,
            actor=request.user,
            now=timezone.now(),
            server=request.build_absolute_uri("/"),
            title=title,
        )
    except rendering.ChromiumUnavailable:
        form.add_error(None, rendering.INSTALL_HINT)
        return _page(request, mission, form, status=503)
    except rendering.RenderFailed:
        form.add_error(None, _("The sheet could not be printed just now; try again."))
        return _page(request, mission, form, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"mission-{mission.pk}-qr-cards" + (f"-team-{team.pk}" if team else "") + ".pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _page(request, mission, form, status=200):
    return render(
        request,
        "reports/device_cards/form.html",
        {"mission": mission, "form": form, "chromium": rendering.chromium_available()},
        status=status,
    )
