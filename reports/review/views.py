"""Browser pages of review: the review queue, a visit's page, and the coordinator's verdict on a
visit or a finding (one implementation for both, over the review services of
``observation.services``).

Access as for the dashboard: the mission's coordinators and analysts see the pages, everyone
else gets a 404; reviewing is for coordinators (an analyst posting gets a 403).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from observation import services as observation_services
from observation.models import Finding, Visit
from reports.dashboard import selectors as dashboard
from reports.dashboard.views import dashboard_filters, is_coordinator, staff_mission
from reports.review import selectors as review
from reports.review.forms import FindingReviewForm, ReviewForm, VisitReviewForm


@login_required
@require_GET
def visit_page(request, mission_id, visit_id):
    mission = staff_mission(request, mission_id)
    visit = review.visit_for(mission=mission, visit_id=visit_id)
    if visit is None:
        raise Http404

    answers = review.visit_answers(visit=visit)
    audit = review.visit_audit(visit=visit)

    return render(
        request,
        "reports/visit.html",
        {
            "mission": mission,
            "visit": visit,
            "answers": answers,
            "audit": audit,
            "is_coordinator": is_coordinator(request, mission),
            "visit_form": VisitReviewForm(),
            "finding_form": FindingReviewForm(),
            "next": request.get_full_path(),
        },
    )


REVIEW_PAGE_SIZE = 25


# --- review ---------------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request, mission_id):
    mission = staff_mission(request, mission_id)
    areas = dashboard.mission_areas(mission=mission)
    organisations = dashboard.mission_organisations(mission=mission)
    form, filters = dashboard_filters(request, mission, areas, organisations)

    page = Paginator(
        review.review_queue(mission=mission, filters=filters), REVIEW_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    findings = review.review_queue_findings(visits=page.object_list)

    return render(
        request,
        "reports/review.html",
        {
            "mission": mission,
            "form": form,
            "page": page,
            "rows": [(visit, findings.get(visit.pk, [])) for visit in page.object_list],
            "query": _without_page(request),
            "is_coordinator": is_coordinator(request, mission),
            "visit_form": VisitReviewForm(),
            "finding_form": FindingReviewForm(),
            "next": request.get_full_path(),
        },
    )


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _back(request, mission, fallback: str):
    target = request.POST.get("next") or ""
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith(f"/missions/{mission.pk}/")
    ):
        return redirect(target)
    return redirect(fallback)


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(m for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(error.messages)


@dataclass(frozen=True)
class _Review:
    """What differs between reviewing a visit and a finding; ``_review`` does the rest."""

    form: type[ReviewForm]
    invalid: str  # the message for a form without a reason or a verdict
    load: Callable  # (mission, pk) -> the visit or finding of the mission, or None
    visit_id: Callable  # the object -> its visit's id (the page to go back to)
    review: Callable  # the service: (object, *, actor, status, reason, now)
    done: Callable  # the object, reviewed -> the success message


def _review(request, mission_id, pk, kind: _Review):
    mission = staff_mission(request, mission_id)
    target = kind.load(mission, pk)
    if target is None:
        raise Http404
    if not is_coordinator(request, mission):
        raise PermissionDenied
    form = kind.form(request.POST)
    fallback = reverse("reports:visit", args=[mission.pk, kind.visit_id(target)])
    if not form.is_valid():
        messages.error(request, str(kind.invalid))
        return _back(request, mission, fallback)
    try:
        kind.review(
            target,
            actor=request.user,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back(request, mission, fallback)
    messages.success(request, kind.done(target))
    return _back(request, mission, fallback)


VISIT_REVIEW = _Review(
    form=VisitReviewForm,
    invalid=gettext_lazy("Give a reason and choose verify or reject."),
    load=lambda mission, pk: Visit.objects.filter(mission=mission, pk=pk).first(),
    visit_id=lambda visit: visit.pk,
    review=lambda visit, **kwargs: observation_services.visit_review(visit=visit, **kwargs),
    done=lambda visit: (
        _("Visit %(visit)s is now %(status)s.")
        % {
            "visit": f"{visit.station.code} {visit.get_stage_display()}",
            "status": visit.get_status_display(),
        }
    ),
)

FINDING_REVIEW = _Review(
    form=FindingReviewForm,
    invalid=gettext_lazy("Give a reason and choose confirm or dismiss."),
    load=lambda mission, pk: (
        Finding.objects.filter(visit__mission=mission, pk=pk)
        .select_related("visit__station")
        .first()
    ),
    visit_id=lambda finding: finding.visit_id,
    review=lambda finding, **kwargs: observation_services.finding_review(finding=finding, **kwargs),
    done=lambda finding: (
        _("Finding %(finding)s is now %(status)s.")
        % {
            "finding": finding.get_category_display(),
            "status": finding.get_review_status_display(),
        }
    ),
)


@login_required
@require_POST
def visit_review(request, mission_id, visit_id):
    return _review(request, mission_id, visit_id, VISIT_REVIEW)


@login_required
@require_POST
def finding_review(request, mission_id, finding_id):
    return _review(request, mission_id, finding_id, FINDING_REVIEW)
