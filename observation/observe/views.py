"""The observer's phone pages under /observe/: stations, the visit form, their visits, the
device login from a QR code, and the service worker that keeps all of it working offline."""

import datetime as dt
import hashlib
import json
from functools import cache

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from common.plurals import script_plural

from ..devices.services import device_session_start, observer_for_device_token
from ..models import Assessment, FindingCategory, Severity
from .selectors import (
    checklists_for_form,
    observer_for,
    observer_missions,
    observer_stations,
    observer_visits,
)

# Static files the service worker stores at install, so the pages work with no network.
OFFLINE_ASSETS = (
    "css/app.css",
    "js/visit_queue.js",
    "js/clock.js",
    "js/observe.js",
    "js/observe_visit.js",
    "js/observe_device.js",
    "js/observe_messages.js",
    "js/plural.js",
)
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 10 * 1024 * 1024

# Texts the page scripts show; translated here so the scripts carry no language of their own.
SCRIPT_STRINGS = {
    "online": gettext_lazy("Online"),
    "offline": gettext_lazy("Offline: visits are kept on this phone"),
    "sending": gettext_lazy("Sending…"),
    "state_waiting": gettext_lazy("Waiting to be sent"),
    "state_photos": gettext_lazy("Stored; photos still being sent"),
    "state_auth": gettext_lazy("Log in again to send it"),
    "state_needs_correction": gettext_lazy("Needs correction"),
    "state_conflict": gettext_lazy("Conflict: a different report with the same identity exists"),
    "correct": gettext_lazy("Correct"),
    "discard": gettext_lazy("Discard"),
    "confirm_discard": gettext_lazy("Delete this report from the phone? It was not stored."),
    "nothing_waiting": gettext_lazy("Nothing is waiting: every visit has been sent."),
    "next_try": gettext_lazy("Next try at %(time)s"),
    "required": gettext_lazy("This question needs an answer."),
    "whole_number": gettext_lazy("Enter a whole number."),
    "at_least": gettext_lazy("The smallest allowed value is"),
    "at_most": gettext_lazy("The largest allowed value is"),
    "choose_station": gettext_lazy("Choose the polling station."),
    "station_code": gettext_lazy("Enter the station's code."),
    "choose_stage": gettext_lazy("Choose the form (stage)."),
    "arrival": gettext_lazy("Enter the time you arrived."),
    "departure_before_arrival": gettext_lazy("The departure cannot be before the arrival."),
    "not_negative": gettext_lazy("Enter zero or more."),
    "above_registered": gettext_lazy(
        "More than the registered voters: the visit will be flagged for review."
    ),
    "assessment": gettext_lazy("Give your overall assessment."),
    "category": gettext_lazy("Choose a category."),
    "severity": gettext_lazy("Choose a severity."),
    "too_many_photos": gettext_lazy("At most 3 photos per finding."),
    "photo_type": gettext_lazy("Photos must be JPEG or PNG images."),
    "photo_size": gettext_lazy("Each photo must be 10 MB or less."),
    "fix_errors": gettext_lazy("Some answers need fixing: see the messages in red."),
    "saved_offline": gettext_lazy("Saved on this phone. It will be sent when you are online."),
    "sent": gettext_lazy("Visit sent."),
    "server_errors": gettext_lazy("The server did not accept this report:"),
    "stored_visit": gettext_lazy("This visit is already stored; it cannot be changed here."),
    "device_saved": gettext_lazy("This phone now sends reports with its device code."),
}
# Texts with a count the scripts fill in: every plural form, for static/js/plural.js.
SCRIPT_PLURALS = {
    "problems": lambda n: ngettext(
        "%(count)s report needs your attention", "%(count)s reports need your attention", n
    ),
}


def _strings() -> dict:
    return {key: str(value) for key, value in SCRIPT_STRINGS.items()} | {
        key: script_plural(translate) for key, translate in SCRIPT_PLURALS.items()
    }


def page_config(request, observer, **extra) -> dict:
    """What the observer pages' scripts read (#observe-config): also used by the messages page
    (reports.operations.views.observe_messages)."""
    mission_id = observer.mission_id
    return {
        "mission": mission_id,
        # Every time the scripts show is on this clock (static/js/clock.js), not the phone's.
        "timezone": observer.mission.timezone,
        "user": request.user.get_username(),
        "strings": _strings(),
        "serviceWorker": reverse("observation:observe-sw"),
        "urls": {
            "stations": reverse("observation:observe-stations", args=[mission_id]),
            "visit": reverse("observation:observe-visit", args=[mission_id]),
            "visits": reverse("observation:observe-visits", args=[mission_id]),
            "checklists": f"/api/v1/missions/{mission_id}/checklists/",
            "apiVisits": "/api/v1/visits/",
            "apiPhotos": "/api/v1/findings/{id}/photos/",
        },
        **extra,
    }


@login_required
@require_GET
def observe_index(request):
    """/observe/: straight to the observer's mission, or a choice when there are several."""
    profiles = observer_missions(user=request.user)
    if len(profiles) == 1:
        return redirect("observation:observe-stations", mission_id=profiles[0].mission_id)
    return render(request, "observation/observe_index.html", {"profiles": profiles})


@login_required
@require_GET
def observe_stations(request, mission_id):
    """My stations: the team's deployment on election day, with the visits made at each."""
    observer = observer_for(user=request.user, mission_id=mission_id)
    rows = observer_stations(observer=observer)
    return render(
        request,
        "observation/observe_stations.html",
        {
            "observer": observer,
            "mission": observer.mission,
            "rows": rows,
            "page_config": page_config(request, observer),
        },
    )


def _day_offsets(mission) -> list[str]:
    """The mission's UTC offset at each hour of election day, "+06:00" style, for the form."""
    offsets = []
    for hour in range(24):
        moment = dt.datetime.combine(mission.election_date, dt.time(hour), tzinfo=mission.tzinfo)
        minutes = int(moment.utcoffset().total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        offsets.append(f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}")
    return offsets


@login_required
@require_GET
def observe_visit(request, mission_id):
    """New visit: the current checklists in the user's language; the script does the rest."""
    observer = observer_for(user=request.user, mission_id=mission_id)
    mission = observer.mission
    checklists = checklists_for_form(mission=mission, language=get_language() or "en")
    rows = observer_stations(observer=observer)
    config = page_config(
        request,
        observer,
        day=mission.election_date.isoformat(),
        offsets=_day_offsets(mission),
        pollsOpen=mission.polls_open.strftime("%H:%M"),
        pollsClose=mission.polls_close.strftime("%H:%M"),
        maxPhotos=MAX_PHOTOS,
        maxPhotoBytes=MAX_PHOTO_BYTES,
    )
    return render(
        request,
        "observation/observe_visit.html",
        {
            "observer": observer,
            "mission": mission,
            "rows": rows,
            "checklists": checklists,
            "assessments": Assessment.choices,
            "categories": FindingCategory.choices,
            "severities": Severity.choices,
            "page_config": config,
        },
    )


@login_required
@require_GET
def observe_visits(request, mission_id):
    """My visits: what the team reported, with status and the reasons for a flag, and what
    still waits on this phone (filled in by the script from the queue)."""
    observer = observer_for(user=request.user, mission_id=mission_id)
    visits = observer_visits(observer=observer)
    return render(
        request,
        "observation/observe_visits.html",
        {
            "observer": observer,
            "mission": observer.mission,
            "visits": visits,
            "page_config": page_config(request, observer),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def observe_device(request):
    """Log a phone in with the device code from its QR code.

    The QR code opens /observe/device/#token=...; the page's script copies the token from
    the fragment into the form and keeps it on the phone for the API. Posting the form
    turns the token into a session.
    """
    error = None
    if request.method == "POST":
        key = request.POST.get("token", "")
        observer = observer_for_device_token(key=key)
        if observer is None:
            error = _("This device code is not valid. Ask your coordinator for a new QR code.")
        else:
            login(request, observer.user, backend="django.contrib.auth.backends.ModelBackend")
            device_session_start(request=request, key=key)  # ends when the token does
            messages.success(request, _("Logged in as %(name)s.") % {"name": observer.full_name})
            return redirect("observation:observe-index")
    response = render(
        request,
        "observation/observe_device.html",
        {"error": error, "strings": _strings()},
        status=400 if error else 200,
    )
    return response


@cache
def _offline_version() -> str:
    """Changes whenever the service worker or an asset it stores changes."""
    digest = hashlib.sha256(get_template("observation/sw.js").template.source.encode())
    for asset in OFFLINE_ASSETS:
        path = finders.find(asset)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
def observe_service_worker(request):
    """The service worker, at /observe/sw.js so that it controls every page under /observe/."""
    from django.templatetags.static import static

    body = render_to_string(
        "observation/sw.js",
        {
            "version": _offline_version(),
            "assets_json": json.dumps([static(asset) for asset in OFFLINE_ASSETS]),
            "offline_text_json": json.dumps(
                _("You are offline and this page was not saved on the phone yet.")
            ),
        },
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/observe/"
    response["Cache-Control"] = "no-cache"
    return response
