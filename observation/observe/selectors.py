"""Reads for the observer's phone pages: who they are, where they go, what they reported."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from missions.access import device_mission_id, mission_for
from missions.languages import Localised, text_in
from missions.models import Area, Deployment, MemberRole, Observer, PollingStation

from ..models import Checklist, Question, QuestionType, Stage, Visit

# Labels of the plain-string choice values used by the default checklists; a choice stored
# as {"value", "label", "label_i18n"} carries its own labels instead.
CHOICE_LABELS = {
    "POLICE": _("Police"),
    "LOCAL_AUTHORITY": _("Local authority"),
    "PARTY_AGENT": _("Party agent"),
    "SECURITY": _("Security service"),
    "OTHER": pgettext_lazy("institution of people present without authorisation", "Other"),
    "NONE": _("Not crowded"),
    "QUEUE": _("Queue"),
    "OVERCROWDED": _("Overcrowded"),
}


def observer_for(*, user, mission_id) -> Observer:
    """The user's observer profile in the mission; Http404 for anyone else."""
    mission = mission_for(user=user, mission_id=mission_id, roles=(MemberRole.OBSERVER,))
    try:
        observer = Observer.objects.select_related("team", "organisation").get(
            mission=mission, user=user
        )
    except Observer.DoesNotExist:
        raise Http404 from None
    observer.mission = mission
    return observer


def observer_missions(*, user) -> list[Observer]:
    """The user's observer profiles, newest election first."""
    if not user.is_authenticated:
        return []
    profiles = Observer.objects.filter(
        user=user,
        mission__memberships__user=user,
        mission__memberships__role=MemberRole.OBSERVER,
    )
    if device_mission_id(user) is not None:  # a device token: its observer only
        profiles = profiles.filter(mission_id=device_mission_id(user))
    return list(
        profiles.select_related("mission", "team").order_by("-mission__election_date", "mission_id")
    )


@dataclass
class StationRow:
    station: PollingStation
    visits: list = field(default_factory=list)


def _area_and_descendants(area_ids: set[int]) -> set[int]:
    found, frontier = set(area_ids), set(area_ids)
    while frontier:
        frontier = set(Area.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier -= found
        found |= frontier
    return found


def observer_stations(*, observer: Observer) -> list[StationRow]:
    """The stations of the observer's team on election day, each with the team's visits there.

    A deployment to an area covers every station of that area at any depth; a deployment to
    a list of stations covers those.
    """
    if observer.team_id is None:
        return []
    deployments = Deployment.objects.filter(
        team_id=observer.team_id, day=observer.mission.election_date
    )
    area_ids = set(deployments.exclude(area=None).values_list("area_id", flat=True))
    covered = Q(deployments__in=deployments)
    if area_ids:
        covered |= Q(area_id__in=_area_and_descendants(area_ids))
    stations = (
        PollingStation.objects.filter(covered, mission_id=observer.mission_id)
        .select_related("region", "district")
        .distinct()
        .order_by("code", "id")
    )
    rows = {station.pk: StationRow(station=station) for station in stations}
    if rows:
        visits = (
            Visit.objects.filter(team_id=observer.team_id, station_id__in=list(rows))
            .only("id", "station_id", "stage", "arrived_at", "status", "assessment")
            .order_by("arrived_at", "id")
        )
        for visit in visits:
            rows[visit.station_id].visits.append(visit)
    return list(rows.values())


def observer_visits(*, observer: Observer) -> list[Visit]:
    """The visits of the observer's team (their own when they have no team), the last received
    first: a visit just sent heads the list whatever arrival time it reports."""
    visits = Visit.objects.filter(mission_id=observer.mission_id)
    if observer.team_id is None:
        visits = visits.filter(observer=observer)
    else:
        visits = visits.filter(team_id=observer.team_id)
    return list(
        visits.select_related("station", "observer", "checklist")
        .annotate(finding_count=Count("findings"))
        .order_by("-created_at", "-id")
    )


def choice_label(choice, language: str | None = None) -> Localised:
    """A choice's label in ``language`` (the active one by default), English when the
    checklist has no label in it; a plain value takes its label from the catalogs."""
    if isinstance(choice, dict):
        return text_in(choice.get("label") or choice["value"], choice.get("label_i18n"), language)
    if choice in CHOICE_LABELS:
        with translation.override(language or translation.get_language()):
            return Localised(str(CHOICE_LABELS[choice]), language or "", False)
    return Localised(choice.replace("_", " ").capitalize(), "en", False)


def question_text(question: Question, language: str | None = None) -> Localised:
    return text_in(question.text, question.text_i18n, language)


def question_help(question: Question, language: str | None = None) -> Localised:
    return text_in(question.help, question.help_i18n, language)


def checklists_for_form(*, mission, language: str) -> list[dict]:
    """The mission's current checklists in stage order, as plain data in the user's language."""
    checklists = Checklist.objects.filter(mission=mission, is_current=True).prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
    )
    stage_order = {stage: index for index, stage in enumerate(Stage.values)}
    result = []
    for checklist in sorted(checklists, key=lambda c: stage_order[c.stage]):
        questions = []
        for question in checklist.questions.all():
            choices = []
            if question.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
                choices = [
                    {
                        "value": c["value"] if isinstance(c, dict) else c,
                        "label": (label := choice_label(c, language)),
                        "lang": label.language,
                    }
                    for c in question.choices
                ]
            text = question_text(question, language)
            help_text = question_help(question, language)
            questions.append(
                {
                    "code": question.code,
                    "text": text,
                    # The language the text is in: English when not translated into the
                    # observer's, which the form marks (lang="en" and "EN").
                    "text_lang": text.language,
                    "text_fallback": text.fallback,
                    "help": help_text,
                    "help_lang": help_text.language,
                    "type": question.type,
                    "required": question.required,
                    "min": question.min,
                    "max": question.max,
                    "choices": choices,
                    "show_if": question.show_if,
                }
            )
        result.append(
            {
                "id": checklist.pk,
                "stage": checklist.stage,
                "stage_label": checklist.get_stage_display(),
                "version": checklist.version,
                "questions": questions,
            }
        )
    return result
