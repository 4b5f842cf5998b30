"""How the audit log words the observation app's events (``missions.audit.phrasing``);
registered when the app is ready."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from missions.audit.phrasing import Said, audit_object_type, audit_phrase

from .models import FindingCategory, ReviewStatus, Severity, Stage, VisitStatus


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@audit_phrase("visit.submit", gettext_lazy("Visit reported"))
def _visit_submit(said: Said) -> str:
    return _("%(actor)s reported a visit to %(station)s (%(stage)s).") % {
        "actor": said.actor,
        "station": said.after["station"],
        "stage": _label(Stage, said.after["stage"]),
    }


@audit_phrase("finding.create", gettext_lazy("Finding reported"))
def _finding_create(said: Said) -> str:
    return _("%(actor)s reported a finding: %(category)s (%(severity)s).") % {
        "actor": said.actor,
        "category": _label(FindingCategory, said.after["category"]),
        "severity": _label(Severity, said.after["severity"]),
    }


@audit_phrase("visit.review", gettext_lazy("Visit reviewed"))
def _visit_review(said: Said) -> str:
    values = {"actor": said.actor, "visit": said.event.object_id}
    if said.after["status"] == VisitStatus.REJECTED:
        return _("%(actor)s rejected visit %(visit)s.") % values
    return _("%(actor)s verified visit %(visit)s.") % values


@audit_phrase("finding.review", gettext_lazy("Finding reviewed"))
def _finding_review(said: Said) -> str:
    values = {"actor": said.actor, "finding": said.event.object_id}
    if said.after["review_status"] == ReviewStatus.DISMISSED:
        return _("%(actor)s dismissed finding %(finding)s.") % values
    return _("%(actor)s confirmed finding %(finding)s.") % values


@audit_phrase("visit.delete", gettext_lazy("Visit deleted"))
def _visit_delete(said: Said) -> str:
    return _("%(actor)s deleted visit %(visit)s (%(stage)s).") % {
        "actor": said.actor,
        "visit": said.event.object_id,
        "stage": _label(Stage, said.before["stage"]),
    }


@audit_phrase("finding.photo_add", gettext_lazy("Photo added"))
def _photo_add(said: Said) -> str:
    return _("%(actor)s added a photo to finding %(finding)s.") % {
        "actor": said.actor,
        "finding": said.after["finding"],
    }


@audit_phrase("checklist.create", gettext_lazy("Checklist created"))
def _checklist_create(said: Said) -> str:
    values = {"actor": said.actor, "stage": _label(Stage, said.after["stage"])}
    if "copied_from" in said.after:
        return _("%(actor)s copied the %(stage)s checklist from an earlier mission.") % values
    return _("%(actor)s created the %(stage)s checklist.") % values


@audit_phrase("checklist.revise", gettext_lazy("Checklist revised"))
def _checklist_revise(said: Said) -> str:
    if "stage" not in said.after:  # recorded before the stage was
        return _("%(actor)s revised checklist %(checklist)s (version %(version)s).") % {
            "actor": said.actor,
            "checklist": said.event.object_id,
            "version": said.after["version"],
        }
    values = {
        "actor": said.actor,
        "stage": _label(Stage, said.after["stage"]),
        "version": said.after["version"],
    }
    if said.after.get("new_version"):
        return _("%(actor)s revised the %(stage)s checklist as version %(version)s.") % values
    return _("%(actor)s edited the %(stage)s checklist (version %(version)s).") % values


@audit_phrase("observer.token_issue", gettext_lazy("Device code issued"))
def _token_issue(said: Said) -> str:
    return _("%(actor)s issued a device code to %(observer)s.") % {
        "actor": said.actor,
        "observer": said.observer(pk=said.event.object_id),
    }


@audit_phrase("observer.token_revoke", gettext_lazy("Device code revoked"))
def _token_revoke(said: Said) -> str:
    return _("%(actor)s revoked the device code of %(observer)s.") % {
        "actor": said.actor,
        "observer": said.observer(pk=said.event.object_id),
    }


@audit_phrase("sms.settings", gettext_lazy("SMS settings changed"))
def _sms_settings(said: Said) -> str:
    return _("%(actor)s changed the SMS settings.") % {"actor": said.actor}


audit_object_type("observation.visit", gettext_lazy("Visit"))
audit_object_type("observation.finding", gettext_lazy("Finding"))
audit_object_type("observation.findingphoto", gettext_lazy("Photo"))
audit_object_type("observation.checklist", gettext_lazy("Checklist"))
