"""Observer import: accounts, organisations, teams and memberships of accredited observers."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from ..bulk import bulk_update_fast
from ..countries import COUNTRIES
from ..languages import accounts_language_set, languages_parse, spoken_language
from ..models import (
    MemberRole,
    Membership,
    Observer,
    ObserverRole,
    Organisation,
    Team,
)
from ..phones import PhoneInvalid, phone_normalise
from .cells import BadValue, _plain_text, _RowErrors, _same_ref, _text
from .plans import BATCH_SIZE, ImportResult, Progress, _Plan, import_run

OBSERVER_REQUIRED = ("username", "full_name", "organisation", "nationality", "role", "team")
OBSERVER_OPTIONAL = ("email", "phone", "languages")


class _ObserverPlan(_Plan):
    required = OBSERVER_REQUIRED
    action = "observers.import"

    def __init__(self, *, mission, columns: list[str], usernames: list[str]):
        User = get_user_model()
        self.mission = mission
        self.optional = [c for c in OBSERVER_OPTIONAL if c in columns]
        self.errors = _RowErrors()
        self.seen: dict[str, int] = {}
        self.preview: list[dict] = []
        self.unchanged = 0
        self.observers = {
            o.user.username: o
            for o in Observer.objects.filter(mission=mission).select_related("user")
        }
        wanted = [u for u in usernames if u and u not in self.observers]
        self.users = {u.username: u for u in User.objects.filter(username__in=wanted)}
        self.other_roles: dict[int, str] = {}
        for user_id, mission_id, role in Membership.objects.filter(
            user__in=[u.pk for u in self.users.values()]
        ).values_list("user_id", "mission_id", "role"):
            if mission_id != mission.pk or role != MemberRole.OBSERVER:
                self.other_roles.setdefault(user_id, role)
        self.organisations = {
            o.name.casefold(): o for o in Organisation.objects.filter(mission=mission)
        }
        self.teams = {t.code.casefold(): t for t in Team.objects.filter(mission=mission)}
        self.names = {
            "organisation": {o.pk: o.name for o in self.organisations.values()},
            "team": {t.pk: t.code for t in self.teams.values()},
        }
        # Phones must name one observer: those of observers the file leaves alone are taken.
        listed = set(usernames)
        self.phones_taken = {
            o.phone: username
            for username, o in self.observers.items()
            if o.phone and username not in listed
        }
        self.phones_seen: dict[str, int] = {}
        self.new_users: list = []
        self.new_organisations: list[Organisation] = []
        self.new_teams: list[Team] = []
        self.to_create: list[Observer] = []
        self.to_update: list[Observer] = []
        # Accounts whose language the file sets: new observers', and those whose
        # ``languages`` the file changes (a re-import leaves an observer's own choice alone).
        self.account_languages: list[tuple] = []  # (user, language); new users have no pk yet
        self.username_validator = UnicodeUsernameValidator()

    @classmethod
    def for_table(cls, *, mission, table) -> "_ObserverPlan":
        usernames = [_plain_text(values["username"]) for _n, values in table.rows]
        return cls(mission=mission, columns=table.columns, usernames=usernames)

    def also_created(self) -> dict:
        return {
            "users": len(self.new_users),
            "organisations": len(self.new_organisations),
            "teams": len(self.new_teams),
        }

    def _username(self, value) -> str:
        username = _text(value, max_length=150)
        try:
            self.username_validator(username)
        except ValidationError:
            raise BadValue(
                _('Usernames may contain only letters, digits and @ . + - _ (got "%(value)s").')
                % {"value": username[:50]}
            ) from None
        return username

    @staticmethod
    def _nationality(value) -> str:
        code = _text(value, max_length=50).upper()
        if code not in COUNTRIES:
            raise BadValue(
                _(
                    'Unknown nationality "%(value)s": use an ISO 3166-1 alpha-2 country code '
                    "such as DE or KZ."
                )
                % {"value": code[:50]}
            )
        return code

    def _phone(self, value) -> str:
        try:
            return phone_normalise(
                _text(value, max_length=50, required=False), country=self.mission.country
            )
        except PhoneInvalid as exc:
            raise BadValue(str(exc)) from None

    def _phone_unique(self, number: int, phone: str) -> None:
        """An SMS is matched to its observer by phone: two observers may not share one."""
        if phone in self.phones_seen:
            self.errors.add(
                number,
                "phone",
                _("The phone %(phone)s appears twice in the file (rows %(first)s and %(row)s).")
                % {"phone": phone, "first": self.phones_seen[phone], "row": number},
            )
        elif phone in self.phones_taken:
            self.errors.add(
                number,
                "phone",
                _("The phone %(phone)s is already the phone of the observer %(username)s.")
                % {"phone": phone, "username": self.phones_taken[phone]},
            )
        self.phones_seen.setdefault(phone, number)

    @staticmethod
    def _languages(value) -> str:
        """``"ru, en"``: language codes, the observer's own first (it becomes their account's
        language when the site speaks it); kept as ``"ru, en"``."""
        text = _text(value, max_length=200, required=False)
        try:
            return ", ".join(languages_parse(text))
        except ValidationError as exc:
            raise BadValue(exc.messages[0]) from None

    @staticmethod
    def _role(value) -> str:
        role = _text(value, max_length=50).upper()
        if role not in ObserverRole.values:
            raise BadValue(
                _('Unknown role "%(value)s": use one of %(roles)s.')
                % {"value": role[:50], "roles": ", ".join(ObserverRole.values)}
            )
        return role

    @staticmethod
    def _email(value) -> str:
        email = _text(value, max_length=254, required=False)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise BadValue(
                    _('Not a valid email address: "%(value)s".') % {"value": email[:50]}
                ) from None
        return email

    def _organisation(self, name: str) -> Organisation:
        key = name.casefold()
        if key not in self.organisations:
            organisation = Organisation(mission=self.mission, name=name)
            self.organisations[key] = organisation
            self.new_organisations.append(organisation)
        return self.organisations[key]

    def _team(self, code: str) -> Team | None:
        if not code:
            return None
        key = code.casefold()
        if key not in self.teams:
            team = Team(mission=self.mission, code=code)
            self.teams[key] = team
            self.new_teams.append(team)
        return self.teams[key]

    def add(self, number: int, values: dict) -> None:
        errors_before = len(self.errors.items)
        parse = self.errors.parse
        username, ok_username = parse(number, "username", self._username, values["username"])
        full_name, _ok = parse(number, "full_name", _text, values["full_name"], max_length=200)
        organisation, _ok = parse(
            number, "organisation", _text, values["organisation"], max_length=200
        )
        nationality, _ok = parse(number, "nationality", self._nationality, values["nationality"])
        role, _ok = parse(number, "role", self._role, values["role"])
        team_code, _ok = parse(number, "team", _text, values["team"], max_length=64, required=False)
        optional = {}
        if "email" in self.optional:
            optional["email"], _ok = parse(number, "email", self._email, values["email"])
        if "phone" in self.optional:
            optional["phone"], ok_phone = parse(number, "phone", self._phone, values["phone"])
            if ok_phone and optional["phone"]:
                self._phone_unique(number, optional["phone"])
        if "languages" in self.optional:
            optional["languages"], _ok = parse(
                number, "languages", self._languages, values["languages"]
            )
        if ok_username:
            key = username.casefold()
            if key in self.seen:
                self.errors.add(
                    number,
                    "username",
                    _(
                        'The username "%(username)s" appears twice in the file '
                        "(rows %(first)s and %(row)s)."
                    )
                    % {"username": username, "first": self.seen[key], "row": number},
                )
            else:
                self.seen[key] = number
            user = self.users.get(username)
            if username not in self.observers and user is not None:
                if user.is_staff or user.is_superuser or user.pk in self.other_roles:
                    self.errors.add(
                        number,
                        "username",
                        _(
                            'The username "%(username)s" belongs to an existing account that '
                            "is not an observer of this mission; choose another username."
                        )
                        % {"username": username},
                    )
        row_values = {
            "username": username,
            "full_name": full_name,
            "organisation": organisation,
            "nationality": nationality,
            "role": role,
            "team": team_code,
            **optional,
        }
        if len(self.errors.items) > errors_before:
            self._preview(number, "error", row_values, errors=self.errors.items[errors_before:])
            return

        target = {
            "full_name": full_name,
            "organisation": self._organisation(organisation),
            "nationality": nationality,
            "role": role,
            "team": self._team(team_code),
            **optional,
        }
        observer = self.observers.get(username)
        if observer is None:
            user = self.users.get(username)
            if user is None:
                User = get_user_model()
                user = User(
                    username=username,
                    email=optional.get("email", ""),
                    password=make_password(None),  # unusable until a password or token is set
                )
                self.users[username] = user
                self.new_users.append(user)
            self.to_create.append(Observer(mission=self.mission, user=user, **target))
            self._account_language(user, optional)
            self._preview(number, "create", row_values)
            return
        changes = {}
        for key, value in target.items():
            if key in ("organisation", "team"):
                current_id = getattr(observer, f"{key}_id")
                if not _same_ref(current_id, value):
                    changes[key] = [self.names[key].get(current_id), row_values[key]]
            elif getattr(observer, key) != value:
                changes[key] = [getattr(observer, key), value]
        if not changes:
            self.unchanged += 1
            self._preview(number, "unchanged", row_values)
            return
        if "languages" in changes:
            self._account_language(observer.user, optional)
        for key, value in target.items():
            setattr(observer, key, value)
        self.to_update.append(observer)
        self._preview(number, "update", row_values, changes=changes)

    def _account_language(self, user, optional: dict) -> None:
        language = spoken_language(optional.get("languages", ""))
        if language:
            self.account_languages.append((user, language))

    def write(self) -> None:
        # Users, organisations and teams saved first get primary keys, which bulk_create and
        # bulk_update copy onto the observers' foreign keys.
        User = get_user_model()
        User.objects.bulk_create(self.new_users, batch_size=BATCH_SIZE)
        Organisation.objects.bulk_create(self.new_organisations)
        Team.objects.bulk_create(self.new_teams, batch_size=BATCH_SIZE)
        Observer.objects.bulk_create(self.to_create, batch_size=BATCH_SIZE)
        fields = ["full_name", "organisation", "nationality", "role", "team", *self.optional]
        bulk_update_fast(Observer, self.to_update, fields)
        Membership.objects.bulk_create(
            [
                Membership(user=o.user, mission=self.mission, role=MemberRole.OBSERVER)
                for o in self.to_create
            ],
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,  # a reused account may already hold its OBSERVER row
        )
        accounts_language_set(
            language_by_user={user.pk: code for user, code in self.account_languages}
        )


def observers_import(
    *, mission, file, dry_run: bool = False, actor=None, now=None, progress: Progress = None
) -> ImportResult:
    """Import accredited observers: their accounts, organisations, teams and memberships.

    New accounts get an unusable password until a coordinator sets one or a device token is
    issued. Re-importing a username updates that observer. All or nothing, like stations.
    """
    return import_run(
        mission=mission,
        file=file,
        plan=_ObserverPlan,
        dry_run=dry_run,
        actor=actor,
        now=now,
        progress=progress,
    )
