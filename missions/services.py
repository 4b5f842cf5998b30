"""Writes to the missions app."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .access import forget_roles, role_in
from .audit import audit_event, audit_record, audit_records
from .languages import mission_languages, required_languages_clean
from .models import MemberRole, Membership, Mission, Team
from .signals import mission_created


def _required_languages_keep(mission: Mission) -> None:
    """Some of the mission's languages, or a ValidationError under ``required_languages``."""
    try:
        mission.required_languages = required_languages_clean(
            list(mission.required_languages or []), languages=mission_languages(mission=mission)
        )
    except ValidationError as error:
        raise ValidationError({"required_languages": error.messages}) from None


@transaction.atomic
def mission_create(*, user, data: dict, now=None, copy_from: int | None = None) -> Mission:
    """Create a mission; the creator becomes its coordinator.

    It gets the default checklists, or with ``copy_from`` (the id of a mission ``user``
    coordinates) that mission's set-up: its current checklists with their questions, its
    teams (their codes: observers are accredited anew) and its candidates. Finding categories
    are the same in every mission. One transaction: a copy that fails creates nothing.
    """
    source = None
    if copy_from is not None:
        source = Mission.objects.filter(pk=copy_from).first()
        if source is None or role_in(user=user, mission_id=source.pk) != MemberRole.COORDINATOR:
            raise ValidationError({"copy_from": [_("Copy from a mission you coordinate.")]})
    data = dict(data)
    if "report_due" in data:  # a null stage means its default: nothing to keep
        data["report_due"] = {k: v for k, v in data["report_due"].items() if v is not None}
    mission = Mission(**data)
    _required_languages_keep(mission)
    mission.full_clean()
    mission.save()
    Membership.objects.create(user=user, mission=mission, role=MemberRole.COORDINATOR)
    forget_roles(user)
    audit_record(
        actor=user,
        mission=mission,
        action="mission.create",
        obj=mission,
        after={**data_of(mission), **({"copied_from": source.pk} if source else {})},
        at=now,
    )
    if source is not None:
        teams_copy(mission=mission, source=source, actor=user, now=now)
    # The observation app gives the mission its checklists and the reports app copies the
    # candidates (missions cannot import them).
    mission_created.send(sender=Mission, mission=mission, actor=user, now=now, source=source)
    return mission


def teams_copy(*, mission: Mission, source: Mission, actor, now=None) -> list[Team]:
    """The source mission's teams, by code, each with its ``team.create`` event."""
    codes = (
        Team.objects.filter(mission=source).order_by("code", "id").values_list("code", flat=True)
    )
    teams = Team.objects.bulk_create([Team(mission=mission, code=code) for code in codes])
    audit_records(
        [
            audit_event(
                actor=actor,
                mission=mission,
                action="team.create",
                obj=team,
                after={"code": team.code, "copied_from": source.pk},
                at=now,
            )
            for team in teams
        ]
    )
    return teams


@transaction.atomic
def mission_update(*, mission: Mission, actor, data: dict, now=None) -> Mission:
    """Change a mission's set-up (``data`` as the serializer validated it), audited.

    ``report_due`` merges: the stages given change (null resets one to its default), the
    others keep what they had.
    """
    before = data_of(mission)
    changes = dict(data)
    if "report_due" in changes:
        due = dict(mission.report_due or {})
        for stage, clock in changes.pop("report_due").items():
            if clock is None:
                due.pop(stage, None)
            else:
                due[stage] = clock
        mission.report_due = due
    for name, value in changes.items():
        setattr(mission, name, value)
    _required_languages_keep(mission)
    mission.full_clean()
    mission.save()
    after = data_of(mission)
    if after != before:
        audit_record(
            actor=actor,
            mission=mission,
            action="mission.update",
            obj=mission,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
            at=now,
        )
    return mission


def data_of(mission: Mission) -> dict:
    return {
        "name": mission.name,
        "country": mission.country,
        "election_date": str(mission.election_date),
        "timezone": mission.timezone,
        "polls_open": str(mission.polls_open)[:5],
        "polls_close": str(mission.polls_close)[:5],
        "registered_voters": mission.registered_voters,
        "report_due": dict(mission.report_due or {}),
        "languages": list(mission.languages or []),
        "required_languages": list(mission.required_languages or []),
    }


MEMBER_ROLES = (MemberRole.COORDINATOR, MemberRole.ANALYST, MemberRole.PRESS)


@transaction.atomic
def member_add(
    *, mission: Mission, username: str, password: str | None, role: str, actor, now=None
) -> tuple[Membership, bool]:
    """Give ``username`` a role in this mission only, creating the account if needed.

    A new account gets ``password``, which Django's password validators must accept. An
    existing account keeps its own password: a coordinator of one mission must not be able to
    take over an account that other missions rely on. Observers come from the observer import,
    so an observer of this mission cannot be turned into a member here, nor can an observer of
    another mission (that mission's coordinators hand its device tokens out).

    Whether the account existed is not told (a coordinator of one mission must not learn who
    has an account): a person who is not yet a member here needs a valid password either way,
    and the answer and the audit row read the same.

    Returns ``(membership, membership_created)``; raises ValidationError.
    """
    User = get_user_model()
    username = (username or "").strip()
    if role not in MEMBER_ROLES:
        raise ValidationError({"role": [_("Use one of %s.") % ", ".join(MEMBER_ROLES)]})
    if not username:
        raise ValidationError({"username": [_("This field is required.")]})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from None
    if len(username) > 150:
        raise ValidationError({"username": [_("At most 150 characters.")]})

    user = User.objects.filter(username=username).first()
    if user is None or not Membership.objects.filter(user=user, mission=mission).exists():
        if not password:
            raise ValidationError(
                {
                    "password": [
                        _("Give a password: a new account gets it, an existing one keeps its own.")
                    ]
                }
            )
        try:
            validate_password(password, user=User(username=username))
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
    if user is None:
        user = User(username=username)
        user.set_password(password)
        user.save()
    elif (
        Membership.objects.filter(user=user, role=MemberRole.OBSERVER)
        .exclude(mission=mission)
        .exists()
    ):
        raise ValidationError(
            {"username": [_("This username cannot be given a role here; choose another.")]}
        )

    membership = Membership.objects.select_for_update().filter(user=user, mission=mission).first()
    if membership is None:
        membership = Membership.objects.create(user=user, mission=mission, role=role)
        audit_record(
            actor=actor,
            mission=mission,
            action="membership.create",
            obj=membership,
            after={"username": username, "role": role},
            at=now,
        )
        forget_roles(user)
        return membership, True

    if membership.role == MemberRole.OBSERVER:
        raise ValidationError(
            {
                "username": [
                    _("This account is an observer of this mission; observers keep one role.")
                ]
            }
        )
    before = membership.role
    if before == MemberRole.COORDINATOR and role != MemberRole.COORDINATOR:
        others = (
            Membership.objects.filter(mission=mission, role=MemberRole.COORDINATOR)
            .exclude(pk=membership.pk)
            .exists()
        )
        if not others:
            raise ValidationError(
                {"role": [_("This is the mission's last coordinator; add another one first.")]}
            )
    if before != role:
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            actor=actor,
            mission=mission,
            action="membership.update",
            obj=membership,
            before={"username": username, "role": before},
            after={"username": username, "role": role},
            at=now,
        )
        forget_roles(user)
    return membership, False


@transaction.atomic
def member_remove(*, mission: Mission, membership: Membership, actor, now=None) -> None:
    """Take a coordinator's, analyst's or press member's role in this mission away.

    The account stays (other missions may rely on it); from now on this mission is hidden
    from it. Observers' memberships belong to the observer import and are not removed here,
    and the mission's last coordinator stays. Raises ValidationError.
    """
    locked = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(pk=membership.pk, mission=mission)
        .first()
    )
    if locked is None:
        raise ValidationError({"membership": [_("This is not a member of this mission.")]})
    if locked.role not in MEMBER_ROLES:
        raise ValidationError(
            {
                "membership": [
                    _("Observers come from the observer import; they are not removed here.")
                ]
            }
        )
    if locked.role == MemberRole.COORDINATOR:
        # Lock every coordinator row: two coordinators removing each other at once must not
        # both succeed.
        coordinators = list(
            Membership.objects.select_for_update()
            .filter(mission=mission, role=MemberRole.COORDINATOR)
            .values_list("pk", flat=True)
        )
        if coordinators == [locked.pk]:
            raise ValidationError(
                {
                    "membership": [
                        _("This is the mission's last coordinator; add another one first.")
                    ]
                }
            )
    audit_record(
        actor=actor,
        mission=mission,
        action="membership.delete",
        obj=locked,
        before={"username": locked.user.username, "role": locked.role},
        at=now,
    )
    locked.delete()
    forget_roles(locked.user)
