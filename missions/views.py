"""Browser pages of the missions app: the user's missions, and setting a new one up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from .access import may_create_missions, missions_for
from .forms import MissionForm
from .languages import account_language_set, language_code, session_language_keep
from .models import MemberRole, Membership, Mission
from .services import mission_create
from .setup.shared import form_errors


@login_required
@require_GET
def home(request):
    """The user's missions, each with the pages their role opens."""
    if request.user.is_superuser:
        rows = [
            (mission, MemberRole.COORDINATOR)
            for mission in Mission.objects.order_by("-election_date", "id")
        ]
    else:
        memberships = (
            Membership.objects.filter(user=request.user)
            .select_related("mission")
            .order_by("-mission__election_date", "mission_id")
        )
        rows = [(m.mission, MemberRole(m.role)) for m in memberships]
    return render(
        request,
        "missions/home.html",
        {"rows": rows, "may_create": may_create_missions(user=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mission_new(request):
    """A new mission, set up from the defaults or as a copy of one the user coordinates.

    Platform staff and the coordinators of a mission create missions; anyone else gets a 403.
    """
    if not may_create_missions(user=request.user):
        raise PermissionDenied
    sources = missions_for(user=request.user, roles=[MemberRole.COORDINATOR]).order_by(
        "-election_date", "id"
    )
    form = MissionForm(request.POST or None, sources=sources)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            source = form.cleaned_data["copy_from"]
            try:
                mission = mission_create(
                    user=request.user,
                    data=form.mission_data(),
                    now=timezone.now(),
                    copy_from=source.pk if source else None,
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Mission %(name)s is set up. Next: import its polling stations.")
                    % {"name": mission.name},
                )
                return redirect("missions:import", mission.pk, "stations")
        status = 400
    return render(request, "missions/mission_new.html", {"form": form}, status=status)


@require_POST
def language_set(request):
    """The language switcher: Django's ``set_language`` (the ``lang`` cookie, back to
    ``next``), and for a signed-in user the choice kept on their account, so every device
    they sign in on follows it."""
    response = set_language(request)
    language = language_code(request.POST.get("language"))
    if language and request.user.is_authenticated:
        account_language_set(user=request.user, language=language)
        session_language_keep(request, language)
    return response
