"""The press pages: the briefings a visitor may read, and one briefing with its charts.

Coordinators also publish (a small form on the list page) and withdraw from here; the same
services back the API (``reports.briefings.api``).
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from missions.access import missions_for
from missions.models import MemberRole
from reports.briefings.packs import briefing_pack_get
from reports.briefings.selectors import (
    briefing_chart_spec,
    briefing_charts,
    briefing_content,
    briefing_file_name,
    briefing_get,
    briefing_is_staff,
    briefing_may_withdraw,
    briefings_visible,
    request_language,
)
from reports.briefings.services import briefing_publish, briefing_withdraw
from reports.charts import rendering
from reports.models import BriefingPackStatus


class WithdrawForm(forms.Form):
    # A form field refuses NUL characters, which PostgreSQL cannot store (a 500 before).
    reason = forms.CharField(max_length=2000, required=False)


class PublishForm(forms.Form):
    mission = forms.TypedChoiceField(label=gettext_lazy("Mission"), coerce=int)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    embargo_until = forms.DateTimeField(
        label=gettext_lazy("Embargoed until (the mission's local time; empty: at once)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    public = forms.BooleanField(
        label=gettext_lazy("Public: readable without logging in"), required=False
    )

    def __init__(self, *args, missions, **kwargs):
        super().__init__(*args, **kwargs)
        self.missions = {m.pk: m for m in missions}
        self.fields["mission"].choices = [(m.pk, m.name) for m in missions]

    def clean(self):
        data = super().clean()
        mission = self.missions.get(data.get("mission"))
        embargo = data.get("embargo_until")
        if mission is not None and embargo is not None:
            # The form's time is the mission's wall-clock time, whatever the server's zone.
            naive = timezone.make_naive(embargo) if timezone.is_aware(embargo) else embargo
            data["embargo_until"] = naive.replace(tzinfo=mission.tzinfo)
        data["mission_object"] = mission
        return data


def _coordinated(user):
    if not user.is_authenticated:
        return []
    return list(
        missions_for(user=user, roles=(MemberRole.COORDINATOR,)).order_by("-election_date", "id")
    )


@require_GET
def briefing_list(request):
    """Briefings the visitor may read (public ones for anyone), newest first."""
    now = timezone.now()
    briefings = list(briefings_visible(user=request.user, now=now).defer("snapshot")[:200])
    coordinated = _coordinated(request.user)
    form = PublishForm(missions=coordinated) if coordinated else None
    rows = [
        {
            "briefing": b,
            "staff": briefing_is_staff(user=request.user, briefing=b),
            "embargoed": b.embargo_until is not None and b.embargo_until > now,
        }
        for b in briefings
    ]
    return render(request, "reports/briefing_list.html", {"rows": rows, "form": form, "now": now})


@login_required
@require_POST
def briefing_publish_page(request):
    coordinated = _coordinated(request.user)
    if not coordinated:
        raise Http404
    form = PublishForm(request.POST, missions=coordinated)
    if not form.is_valid():
        now = timezone.now()
        rows = [
            {
                "briefing": b,
                "staff": briefing_is_staff(user=request.user, briefing=b),
                "embargoed": b.embargo_until is not None and b.embargo_until > now,
            }
            for b in briefings_visible(user=request.user, now=now).defer("snapshot")[:200]
        ]
        return render(
            request,
            "reports/briefing_list.html",
            {"rows": rows, "form": form, "now": now},
            status=400,
        )
    data = form.cleaned_data
    briefing = briefing_publish(
        mission=data["mission_object"],
        user=request.user,
        now=timezone.now(),
        title=data["title"],
        embargo_until=data["embargo_until"],
        public=data["public"],
    )
    messages.success(request, _("The briefing is published."))
    return redirect("reports:briefing", briefing.pk)


@require_GET
def briefing_page(request, briefing_id):
    now = timezone.now()
    briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=now)
    content = briefing_content(briefing=briefing)
    chart_list = []
    figures = {}
    for chart in briefing_charts(briefing=briefing):
        name = chart["name"]
        figures[name] = briefing_chart_spec(briefing=briefing, name=name)
        chart_list.append(
            {
                **chart,
                "filename": briefing_file_name(briefing=briefing, name=name, fmt="png")[:-4],
                "links": [
                    (
                        fmt.upper(),
                        reverse("briefing-chart-file", args=[briefing.pk, name, fmt]),
                    )
                    for fmt in ("png", "svg", "pdf", "csv")
                ],
            }
        )
    pack = briefing_pack_get(briefing=briefing, language=request_language())
    context = {
        "briefing": briefing,
        "mission": briefing.mission,
        "snapshot_mission": briefing.snapshot["mission"],
        "content": content,
        "charts": chart_list,
        "figures": figures,
        "staff": briefing_is_staff(user=request.user, briefing=briefing),
        "may_withdraw": briefing_may_withdraw(user=request.user, briefing=briefing),
        "embargoed": briefing.embargo_until is not None and briefing.embargo_until > now,
        "chromium": rendering.chromium_available(),
        "pack_ready": pack is not None and pack.status == BriefingPackStatus.READY,
        "pack_url": reverse("briefing-pack-file", args=[briefing.pk]),
        "pack_status_url": reverse("briefing-pack", args=[briefing.pk]),
        "election_date": dt.date.fromisoformat(briefing.snapshot["mission"]["election_date"]),
    }
    return render(request, "reports/briefing.html", context)


@login_required
@require_POST
def briefing_withdraw_page(request, briefing_id):
    now = timezone.now()
    briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=now)
    if not briefing_may_withdraw(user=request.user, briefing=briefing):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect("reports:briefing", briefing.pk)
    briefing_withdraw(
        briefing=briefing, user=request.user, now=now, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("The briefing is withdrawn: the press no longer sees it."))
    return redirect("reports:briefings")
