"""The coordinators' SMS pages: the mission's SMS log with its settings, the simulator and the
printable cheat-sheets.

Who sees what: the log, the settings and the simulator show observers' phone numbers and act
for observers, so they are the mission's coordinators' only (analysts and everyone else get a
404, as the reporting status hides phones from analysts). The cheat-sheets hold no personal
data: coordinators and analysts read them.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from missions.access import STAFF_ROLES, mission_for
from missions.languages import mission_languages
from missions.models import MemberRole

from ..models import Checklist, SmsDirection, SmsGateway, SmsStatus
from . import gateways, selectors, services
from .forms import SimulatorForm, SmsSettingsForm, simulator_default_time

PAGE_SIZE = 100
COORDINATORS = (MemberRole.COORDINATOR,)


def _gateway_state(request) -> dict:
    return {
        "send": gateways.send_configured(),
        "twilio_in": bool(settings.SMS_TWILIO_AUTH_TOKEN),
        "generic_in": bool(settings.SMS_INBOUND_SECRET),
        "twilio_url": request.build_absolute_uri(reverse("sms-twilio")),
        "generic_url": request.build_absolute_uri(reverse("sms-inbound")),
    }


def _log_context(request, mission, form=None) -> dict:
    status = request.GET.get("status", "")
    if status not in SmsStatus.values:
        status = ""
    rows = selectors.sms_log(mission=mission, status=status or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    checklists = selectors.current_checklists(mission=mission)
    if form is None:
        numbers = ", ".join(selectors.sms_numbers(mission=mission))
        form = SmsSettingsForm(initial={"numbers": numbers}, mission=mission, checklists=checklists)
    return {
        "mission": mission,
        "page": page,
        "status": status,
        "statuses": [
            (value, label)
            for value, label in SmsStatus.choices
            if value in (SmsStatus.STORED, SmsStatus.REFUSED, SmsStatus.UNKNOWN_SENDER)
        ],
        "gateway": _gateway_state(request),
        "form": form,
        "keyword_fields": [(c, form[f"keyword_{c.pk}"]) for c in checklists],
        "numbers": selectors.sms_numbers(mission=mission),
        "without_phone": selectors.observers_without_sms_phone(mission=mission),
        "IN": SmsDirection.IN,
    }


@login_required
@require_GET
def sms_log(request, mission_id):
    """Every message in and out, newest first, with the settings and the gateways' state."""
    mission = mission_for(user=request.user, mission_id=mission_id, roles=COORDINATORS)
    return render(request, "observation/sms/log.html", _log_context(request, mission))


@login_required
@require_POST
def sms_settings(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=COORDINATORS)
    checklists = selectors.current_checklists(mission=mission)
    form = SmsSettingsForm(request.POST, mission=mission, checklists=checklists)
    if form.is_valid():
        try:
            services.sms_settings_update(
                mission=mission,
                numbers=form.cleaned_data["numbers"],
                keywords=form.keywords(),
                actor=request.user,
                now=timezone.now(),
            )
        except services.SmsSettingsInvalid as exc:
            for key, problems in exc.errors.items():
                field = "numbers" if key == "numbers" else f"keyword_{key}"
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("SMS settings saved."))
            return redirect("observation:sms-log", mission_id=mission.pk)
    return render(
        request, "observation/sms/log.html", _log_context(request, mission, form), status=400
    )


def _new_message_id() -> str:
    return uuid.uuid4().hex


@login_required
@require_http_methods(["GET", "POST"])
def sms_simulator(request, mission_id):
    """A coordinator sends a message "from" an observer's number and reads the reply.

    It goes through ``services.sms_receive``, the webhooks' own service, for this mission
    only. The form carries its message id, so sending the same form twice is a replay."""
    mission = mission_for(user=request.user, mission_id=mission_id, roles=COORDINATORS)
    now = timezone.now()
    reply = None
    if request.method == "POST":
        form = SimulatorForm(request.POST, mission=mission)
        message_id = request.POST.get("message_id", "")
        try:
            message_id = uuid.UUID(message_id).hex
        except ValueError:
            form.add_error(None, _("The form is out of date: send it again."))
        if form.is_valid():
            reply = services.sms_receive(
                gateway=SmsGateway.SIMULATOR,
                message_id=message_id,
                sender=form.cleaned_data["sender"],
                recipient=(selectors.sms_numbers(mission=mission) or [""])[0],
                text=form.cleaned_data["text"],
                now=form.cleaned_data["at"] or now,
                mission=mission,
            )
            form = SimulatorForm(
                initial={
                    "sender": form.cleaned_data["sender"],
                    "text": form.cleaned_data["text"],
                    "at": form.cleaned_data["at"],
                },
                mission=mission,
            )
    else:
        form = SimulatorForm(
            initial={"at": simulator_default_time(mission=mission, now=now)}, mission=mission
        )
    return render(
        request,
        "observation/sms/simulator.html",
        {
            "mission": mission,
            "form": form,
            "reply": reply,
            "message_id": _new_message_id(),
            "observers": selectors.observers_for_simulator(mission=mission),
            "checklists": selectors.current_checklists(mission=mission),
            "recent": selectors.sms_log(mission=mission, gateway=SmsGateway.SIMULATOR)[:10],
        },
        status=400 if request.method == "POST" and reply is None else 200,
    )


@login_required
@require_GET
def sms_cheatsheet(request, mission_id, checklist_id):
    """The printable card of one checklist, in one of the mission's languages (``?lang=``)."""
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    checklist = get_object_or_404(Checklist, pk=checklist_id, mission=mission)
    languages = mission_languages(mission=mission)
    language = request.GET.get("lang")
    if language not in languages:
        current = get_language() or ""
        language = current if current in languages else languages[0]
    return render(
        request,
        "observation/sms/cheatsheet.html",
        {
            "mission": mission,
            "checklist": checklist,
            "sheet": selectors.checklist_cheatsheet(checklist=checklist, language=language),
            "languages": languages,
            "numbers": selectors.sms_numbers(mission=mission),
        },
    )
