"""The audit log in words: one sentence per event, and what changed, key by key.

Each app words its own actions: ``@audit_phrase("membership.create", _("Member added"))`` over a
function of the event (``Said``) that returns the sentence. The missions app's are below; the
observation and reports apps register theirs when they are ready (``audit_phrases.py`` in each),
so this lower app names no upper app's model. A sentence is one translatable string with named
placeholders, never fragments put together. An action nobody words, or an old event that lacks
a value its sentence needs, still reads "<who>: <action> (<object>)".

``audit_diff`` is what changed: nested values are compared key by key (a checklist's questions
question by question, by their code), so a revised checklist shows the one text that changed,
not the whole checklist twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..models import AuditEvent, ImportKind, MemberRole, Observer, Team
from ..selectors import audit_changes


@dataclass(frozen=True)
class Phrase:
    label: str  # the action as the filter menu names it
    sentence: Callable[[Said], str]


PHRASES: dict[str, Phrase] = {}
OBJECT_TYPES: dict[str, str] = {}  # "observation.visit" -> "Visit"


def audit_phrase(action: str, label) -> Callable:
    """Register the sentence of ``action`` (and its label in the filter menu)."""

    def register(sentence: Callable[[Said], str]) -> Callable[[Said], str]:
        PHRASES[action] = Phrase(label=label, sentence=sentence)
        return sentence

    return register


def audit_object_type(object_type: str, label) -> None:
    OBJECT_TYPES[object_type] = label


@dataclass
class Said:
    """What a sentence is made of: the event, its actor's name, its values and the names of
    the observers and teams it mentions (looked up once for the whole page)."""

    event: AuditEvent
    names: dict = field(default_factory=dict)

    @property
    def actor(self) -> str:
        user = self.event.actor
        if user is None:
            return _("The system")
        return user.get_full_name() or user.get_username()

    @property
    def before(self) -> dict:
        return self.event.before if isinstance(self.event.before, dict) else {}

    @property
    def after(self) -> dict:
        return self.event.after if isinstance(self.event.after, dict) else {}

    def observer(self, *, username=None, pk=None) -> str:
        """An observer's full name, else what identifies them."""
        if username is not None:
            return self.names.get("usernames", {}).get(username, username)
        return self.names.get("observers", {}).get(str(pk), f"#{pk}")

    def team(self, pk) -> str:
        return self.names.get("teams", {}).get(str(pk), f"#{pk}")


def object_type_label(object_type: str) -> str:
    """``missions.importjob`` as "Import"."""
    label = OBJECT_TYPES.get(object_type)
    if label is None:
        try:
            label = apps.get_model(object_type)._meta.verbose_name
        except (LookupError, ValueError):
            return object_type
    return capfirst(str(label))


def object_label(event: AuditEvent) -> str:
    """``missions.importjob`` #2 as "Import 2"."""
    return _("%(kind)s %(id)s") % {
        "kind": object_type_label(event.object_type),
        "id": event.object_id,
    }


def action_label(action: str) -> str:
    phrase = PHRASES.get(action)
    return str(phrase.label) if phrase else action


def event_sentence(event: AuditEvent, names: dict | None = None) -> str:
    said = Said(event=event, names=names or {})
    phrase = PHRASES.get(event.action)
    if phrase is not None:
        try:
            return phrase.sentence(said)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # an event recorded before its sentence's values were: the plain wording
    return _("%(actor)s: %(action)s (%(object)s).") % {
        "actor": said.actor,
        "action": action_label(event.action),
        "object": object_label(event),
    }


def audit_names(events: list[AuditEvent]) -> dict:
    """The observers and teams the events name, by username and by id: two queries at most."""
    usernames, observer_ids, team_ids = set(), set(), set()
    for event in events:
        after = event.after if isinstance(event.after, dict) else {}
        if event.action == "team.assign":
            usernames.update(u for u in after.get("observers", []) if isinstance(u, str))
        elif event.object_type == "missions.observer" and event.object_id.isdigit():
            observer_ids.add(int(event.object_id))
        elif event.object_type == "missions.team" and event.object_id.isdigit():
            team_ids.add(int(event.object_id))
    names = {"usernames": {}, "observers": {}, "teams": {}}
    mission_ids = {event.mission_id for event in events}
    if usernames or observer_ids:
        observers = Observer.objects.filter(mission_id__in=mission_ids).filter(
            Q(user__username__in=usernames) | Q(pk__in=observer_ids)
        )
        for pk, username, full_name in observers.values_list("pk", "user__username", "full_name"):
            names["usernames"][username] = full_name
            names["observers"][str(pk)] = full_name
    if team_ids:
        teams = Team.objects.filter(mission_id__in=mission_ids, pk__in=team_ids)
        names["teams"] = {str(pk): code for pk, code in teams.values_list("pk", "code")}
    return names


# --- What changed --------------------------------------------------------------------------


def _by_code(value) -> dict | None:
    """A list of dicts that each have a distinct ``code`` (a checklist's questions) as a dict
    by code; None for anything else."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(item, dict) and "code" in item for item in value):
        return None
    coded = {str(item["code"]): item for item in value}
    return coded if len(coded) == len(value) else None


def _comparable(value):
    return _by_code(value) if _by_code(value) is not None else value


def audit_diff(*, before: dict | None, after: dict | None, path: str = "") -> list[dict]:
    """``audit_changes`` down to the values that differ: where both sides hold a dict (or a
    list of coded dicts), the keys inside it that changed, named by their path (``questions
    › V03 › text``)."""
    rows = []
    for change in audit_changes(before=before, after=after):
        key = f"{path} › {change['key']}" if path else str(change["key"])
        old, new = _comparable(change["before"]), _comparable(change["after"])
        if (
            change["had_before"]
            and change["has_after"]
            and isinstance(old, dict)
            and isinstance(new, dict)
        ):
            rows += audit_diff(before=old, after=new, path=key)
        else:
            rows.append({**change, "key": key})
    return rows


def shown(value) -> str:
    """A recorded value as the log shows it: text as it is, yes/no, lists joined, the rest as
    compact JSON. Plain text: the template escapes it."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# --- The missions app's sentences ------------------------------------------------------------


def _role(value) -> str:
    try:
        return str(MemberRole(value).label)
    except ValueError:
        return str(value)


@audit_phrase("mission.create", gettext_lazy("Mission set up"))
def _mission_create(said: Said) -> str:
    if "copied_from" in said.after:
        return _("%(actor)s set the mission up as a copy of mission %(source)s.") % {
            "actor": said.actor,
            "source": said.after["copied_from"],
        }
    return _("%(actor)s set the mission up.") % {"actor": said.actor}


@audit_phrase("mission.update", gettext_lazy("Mission changed"))
def _mission_update(said: Said) -> str:
    return _("%(actor)s changed the mission's set-up.") % {"actor": said.actor}


@audit_phrase("membership.create", gettext_lazy("Member added"))
def _membership_create(said: Said) -> str:
    return _("%(actor)s gave %(user)s the role %(role)s.") % {
        "actor": said.actor,
        "user": said.after["username"],
        "role": _role(said.after["role"]),
    }


@audit_phrase("membership.update", gettext_lazy("Member's role changed"))
def _membership_update(said: Said) -> str:
    return _("%(actor)s changed the role of %(user)s from %(before)s to %(after)s.") % {
        "actor": said.actor,
        "user": said.after["username"],
        "before": _role(said.before["role"]),
        "after": _role(said.after["role"]),
    }


@audit_phrase("membership.delete", gettext_lazy("Member removed"))
def _membership_delete(said: Said) -> str:
    return _("%(actor)s took the role %(role)s in this mission from %(user)s.") % {
        "actor": said.actor,
        "user": said.before["username"],
        "role": _role(said.before["role"]),
    }


@audit_phrase("team.create", gettext_lazy("Team formed"))
def _team_create(said: Said) -> str:
    return _("%(actor)s formed team %(team)s.") % {"actor": said.actor, "team": said.after["code"]}


@audit_phrase("team.assign", gettext_lazy("Observers put in a team"))
def _team_assign(said: Said) -> str:
    observers = [said.observer(username=u) for u in said.after["observers"]]
    return ngettext(
        "%(actor)s added %(observers)s to team %(team)s.",
        "%(actor)s added %(observers)s to team %(team)s.",
        len(observers),
    ) % {"actor": said.actor, "observers": ", ".join(observers), "team": said.after["team"]}


@audit_phrase("team.unassign", gettext_lazy("Observer taken out of a team"))
def _team_unassign(said: Said) -> str:
    return _("%(actor)s took %(observer)s out of team %(team)s.") % {
        "actor": said.actor,
        "observer": said.observer(pk=said.event.object_id),
        "team": said.before["team"],
    }


@audit_phrase("deployment.create", gettext_lazy("Team deployed"))
def _deployment_create(said: Said) -> str:
    values = {"actor": said.actor, "team": said.after["team"], "day": said.after["day"]}
    if said.after.get("area"):
        return _("%(actor)s deployed team %(team)s to %(area)s on %(day)s.") % {
            **values,
            "area": said.after["area"],
        }
    count = len(said.after["stations"])
    return ngettext(
        "%(actor)s deployed team %(team)s to %(count)s polling station on %(day)s.",
        "%(actor)s deployed team %(team)s to %(count)s polling stations on %(day)s.",
        count,
    ) % {**values, "count": count}


@audit_phrase("deployment.delete", gettext_lazy("Deployment cancelled"))
def _deployment_delete(said: Said) -> str:
    return _("%(actor)s cancelled the deployment of team %(team)s on %(day)s.") % {
        "actor": said.actor,
        "team": said.before["team"],
        "day": said.before["day"],
    }


@audit_phrase("import.upload", gettext_lazy("File uploaded"))
def _import_upload(said: Said) -> str:
    values = {"actor": said.actor, "file": said.after["file"], "rows": said.after["rows"]}
    if said.after["kind"] == ImportKind.STATIONS:
        return (
            ngettext(
                "%(actor)s uploaded %(file)s, polling stations in %(rows)s row.",
                "%(actor)s uploaded %(file)s, polling stations in %(rows)s rows.",
                values["rows"],
            )
            % values
        )
    return (
        ngettext(
            "%(actor)s uploaded %(file)s, observers in %(rows)s row.",
            "%(actor)s uploaded %(file)s, observers in %(rows)s rows.",
            values["rows"],
        )
        % values
    )


@audit_phrase("import.confirm", gettext_lazy("Import confirmed"))
def _import_confirm(said: Said) -> str:
    return _("%(actor)s confirmed the import of %(file)s.") % {
        "actor": said.actor,
        "file": said.after["file"],
    }


def _imported(said: Said) -> dict:
    return {
        "actor": said.actor,
        "file": said.after.get("file"),
        "created": said.after["created"],
        "updated": said.after["updated"],
        "unchanged": said.after.get("unchanged", 0),
    }


@audit_phrase("stations.import", gettext_lazy("Polling stations imported"))
def _stations_import(said: Said) -> str:
    values = _imported(said)
    if values["file"]:
        return (
            _(
                "%(actor)s imported polling stations from %(file)s (new: %(created)s, updated: "
                "%(updated)s, unchanged: %(unchanged)s)."
            )
            % values
        )
    return (
        _(
            "%(actor)s imported polling stations (new: %(created)s, updated: %(updated)s, "
            "unchanged: %(unchanged)s)."
        )
        % values
    )


@audit_phrase("observers.import", gettext_lazy("Observers imported"))
def _observers_import(said: Said) -> str:
    values = _imported(said)
    if values["file"]:
        return (
            _(
                "%(actor)s imported observers from %(file)s (new: %(created)s, updated: "
                "%(updated)s, unchanged: %(unchanged)s)."
            )
            % values
        )
    return (
        _(
            "%(actor)s imported observers (new: %(created)s, updated: %(updated)s, unchanged: "
            "%(unchanged)s)."
        )
        % values
    )


@audit_phrase("sample.draw", gettext_lazy("Sample drawn"))
def _sample_draw(said: Said) -> str:
    values = {
        "actor": said.actor,
        "sample": said.event.object_id,
        "size": said.after["size"],
        "frame": said.after["frame_size"],
    }
    if said.after.get("in_use") is True:
        return (
            _(
                "%(actor)s drew sample %(sample)s, %(size)s of %(frame)s polling stations; the "
                "estimates use it."
            )
            % values
        )
    if said.after.get("in_use") is False:
        return (
            _(
                "%(actor)s drew sample %(sample)s, %(size)s of %(frame)s polling stations; the "
                "estimates keep the sample they use."
            )
            % values
        )
    return _("%(actor)s drew sample %(sample)s, %(size)s of %(frame)s polling stations.") % values


@audit_phrase("sample.use", gettext_lazy("Sample switched"))
def _sample_use(said: Said) -> str:
    values = {"actor": said.actor, "sample": said.after["sample"]}
    if said.before.get("sample") is None:
        return _("%(actor)s made the estimates use sample %(sample)s.") % values
    return _("%(actor)s made the estimates use sample %(sample)s instead of sample %(before)s.") % {
        **values,
        "before": said.before["sample"],
    }


audit_object_type("missions.mission", gettext_lazy("Mission"))
audit_object_type("missions.membership", gettext_lazy("Membership"))
audit_object_type("missions.team", gettext_lazy("Team"))
audit_object_type("missions.observer", gettext_lazy("Observer"))
audit_object_type("missions.deployment", gettext_lazy("Deployment"))
audit_object_type("missions.importjob", gettext_lazy("Import"))
audit_object_type("missions.sample", gettext_lazy("Sample"))
