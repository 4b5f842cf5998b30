"""How the audit log words the reports app's events (``missions.audit.phrasing``); registered
when the app is ready."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from missions.audit.phrasing import Said, audit_object_type, audit_phrase
from observation.models import Stage

from .models import Triage


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _candidate(said: Said, data: dict) -> dict:
    return {"actor": said.actor, "name": data["name"], "code": data["code"]}


@audit_phrase("candidate.create", gettext_lazy("Candidate added"))
def _candidate_create(said: Said) -> str:
    return _("%(actor)s added candidate %(name)s (%(code)s).") % _candidate(said, said.after)


@audit_phrase("candidate.update", gettext_lazy("Candidate changed"))
def _candidate_update(said: Said) -> str:
    return _("%(actor)s changed candidate %(name)s (%(code)s).") % _candidate(said, said.after)


@audit_phrase("candidate.delete", gettext_lazy("Candidate removed"))
def _candidate_delete(said: Said) -> str:
    return _("%(actor)s removed candidate %(name)s (%(code)s).") % _candidate(said, said.before)


def _official(said: Said, data: dict) -> dict:
    area = data["area"]
    return {
        "actor": said.actor,
        "area": _("national") if area == "ALL" else area,
        "at": data["at"][11:16],
        "percent": data["percent"],
    }


@audit_phrase("official_turnout.create", gettext_lazy("Official turnout entered"))
def _official_create(said: Said) -> str:
    return _("%(actor)s entered the official turnout, %(area)s at %(at)s: %(percent)s%%.") % (
        _official(said, said.after)
    )


@audit_phrase("official_turnout.delete", gettext_lazy("Official turnout deleted"))
def _official_delete(said: Said) -> str:
    return _("%(actor)s deleted the official turnout, %(area)s at %(at)s: %(percent)s%%.") % (
        _official(said, said.before)
    )


@audit_phrase("briefing.publish", gettext_lazy("Briefing published"))
def _briefing_publish(said: Said) -> str:
    return _("%(actor)s published the briefing “%(title)s”.") % {
        "actor": said.actor,
        "title": said.after["title"],
    }


@audit_phrase("briefing.withdraw", gettext_lazy("Briefing withdrawn"))
def _briefing_withdraw(said: Said) -> str:
    return _("%(actor)s withdrew briefing %(briefing)s.") % {
        "actor": said.actor,
        "briefing": said.event.object_id,
    }


DATASETS = {
    "visits": gettext_lazy("the visits"),
    "findings": gettext_lazy("the findings"),
    "stations": gettext_lazy("the polling stations"),
    "observers": gettext_lazy("the observers"),
}


@audit_phrase("export.download", gettext_lazy("Data downloaded"))
def _export_download(said: Said) -> str:
    return _("%(actor)s downloaded %(dataset)s as %(format)s.") % {
        "actor": said.actor,
        "dataset": DATASETS[said.after["dataset"]],
        "format": said.after["format"].upper(),
    }


@audit_phrase("team.contact", gettext_lazy("Team contacted"))
def _team_contact(said: Said) -> str:
    return _("%(actor)s contacted team %(team)s about its %(stage)s report.") % {
        "actor": said.actor,
        "team": said.team(said.event.object_id),
        "stage": _label(Stage, said.after["stage"]),
    }


@audit_phrase("incident.triage", gettext_lazy("Incident followed up"))
def _incident_triage(said: Said) -> str:
    values = {
        "actor": said.actor,
        "finding": said.event.object_id,
        "status": _label(Triage, said.after["status"]),
    }
    if said.after.get("assignee"):
        return _("%(actor)s set incident %(finding)s to %(status)s, for %(assignee)s.") % {
            **values,
            "assignee": said.after["assignee"],
        }
    return _("%(actor)s set incident %(finding)s to %(status)s.") % values


@audit_phrase("message.send", gettext_lazy("Message sent"))
def _message_send(said: Said) -> str:
    count = said.after["recipients"]
    return ngettext(
        "%(actor)s sent a message to %(count)s observer.",
        "%(actor)s sent a message to %(count)s observers.",
        count,
    ) % {"actor": said.actor, "count": count}


@audit_phrase("mission.outlines_upload", gettext_lazy("Region outlines uploaded"))
def _outlines_upload(said: Said) -> str:
    return _("%(actor)s uploaded the regions' outlines.") % {"actor": said.actor}


audit_object_type("reports.candidate", gettext_lazy("Candidate"))
audit_object_type("reports.officialturnout", gettext_lazy("Official turnout"))
audit_object_type("reports.briefing", gettext_lazy("Briefing"))
audit_object_type("reports.observermessage", gettext_lazy("Message"))
