"""Station and observer imports (API.md "Missions, areas, stations, observers").

Both services read the whole file, check every row, and only then write, in bulk and in one
transaction: one bad row and nothing is imported, and the answer lists every bad row with its
spreadsheet row number, its column and what is wrong. The number of queries does not grow
with the number of rows (a handful of reads, then batched inserts and updates).

Rows are checked by hand rather than with ``Model.full_clean()``: ``full_clean`` runs a
uniqueness query per row, which is exactly the query-per-row this module must avoid, and the
checks here give messages in the coordinator's terms (the column name, the value).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .bulk import bulk_insert_fast, bulk_update_fast
from .countries import COUNTRIES
from .models import (
    Area,
    AreaLevel,
    ImportJob,
    ImportKind,
    ImportStatus,
    MemberRole,
    Membership,
    Observer,
    ObserverRole,
    Organisation,
    PollingStation,
    Team,
)
from .phones import PhoneInvalid, phone_normalise
from .spreadsheets import FileProblem, duplicate_columns, rows_estimate, table_read

STATION_REQUIRED = ("code", "name", "region", "district", "registered_voters")
STATION_OPTIONAL = ("latitude", "longitude", "urban", "abroad")
OBSERVER_REQUIRED = ("username", "full_name", "organisation", "nationality", "role", "team")
OBSERVER_OPTIONAL = ("email", "phone", "languages")

# The browser preview keeps this many rows beside every row with an error.
PREVIEW_ROWS = 500
BATCH_SIZE = 2000
MAX_INT = 2_147_483_647

TRUE_WORDS = {"1", "true", "yes", "y", "t", "x", "да", "иә", "urban", "город", "қала"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "нет", "жоқ", "rural", "село", "ауыл"}
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
INTEGER = re.compile(r"^[+-]?\d+$")

Progress = Callable[[int], None] | None


class BadValue(Exception):
    """One cell is wrong; the message names the value and says what was expected."""


@dataclass
class ImportResult:
    """What an import did, or would do (``dry_run``), and every problem it found."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = False
    # Related rows made on the way: {"areas": 3} or {"users": 5, "teams": 2, ...}.
    also_created: dict = field(default_factory=dict)
    # Row by row, for the browser: {"row", "action", "values", "changes", "errors"}.
    preview: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_response(self) -> dict:
        """The API answer: counts are 0 when anything is wrong, since nothing was imported."""
        ok = self.ok
        return {
            "created": self.created if ok else 0,
            "updated": self.updated if ok else 0,
            "unchanged": self.unchanged if ok else 0,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "also_created": self.also_created if ok else {},
            "errors": self.errors,
        }


def _file_error(message: str, *, dry_run: bool) -> ImportResult:
    return ImportResult(
        errors=[{"row": None, "field": "file", "message": message}], dry_run=dry_run
    )


def _report(progress: Progress, percent: int) -> None:
    if progress is not None:
        progress(percent)


def _header_errors(columns: list[str], required: tuple[str, ...]) -> list[dict]:
    errors = []
    present = set(columns)
    for name in required:
        if name not in present:
            errors.append(
                {
                    "row": 1,
                    "field": name,
                    "message": _(
                        'Missing required column "%(column)s". The header row must name: '
                        "%(required)s."
                    )
                    % {"column": name, "required": ", ".join(required)},
                }
            )
    for name in duplicate_columns(columns):
        errors.append(
            {
                "row": 1,
                "field": name,
                "message": _('The column "%(column)s" appears more than once.') % {"column": name},
            }
        )
    return errors


# Cell parsers: each returns a clean value or raises BadValue with a message.


def _text(value, *, max_length: int, required: bool = True) -> str:
    # An XLSX cell holding the code 1001 arrives as the number 1001.0.
    text = _plain_text(value) if value is not None else ""
    if required and not text:
        raise BadValue(_("This column must not be empty."))
    if len(text) > max_length:
        raise BadValue(
            _("Too long: at most %(max)s characters, this has %(length)s.")
            % {"max": max_length, "length": len(text)}
        )
    return text


def _count(value) -> int:
    """A count of voters: a whole number, zero or more. ``12 345`` is read as 12345."""
    if isinstance(value, bool):
        raise BadValue(_("Expected a whole number, got %(value)s.") % {"value": value})
    if isinstance(value, float):
        if not value.is_integer():
            raise BadValue(_("Expected a whole number, got %(value)s.") % {"value": value})
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = SPACES.sub("", str(value))
        if not text:
            raise BadValue(_("This column must not be empty."))
        if not INTEGER.match(text):
            raise BadValue(
                _('Expected a whole number, got "%(value)s".') % {"value": str(value)[:50]}
            )
        number = int(text)
    if number < 0:
        raise BadValue(_("Cannot be negative (got %(value)s).") % {"value": number})
    if number > MAX_INT:
        raise BadValue(_("Too large (got %(value)s).") % {"value": number})
    return number


def _coordinate(value, *, limit: int) -> Decimal | None:
    if value == "" or value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(_("Expected a number such as 43.238949."))
    text = str(value).strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # 43,238949 from a semicolon-separated file
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(
            _('Expected a number such as 43.238949, got "%(value)s".') % {"value": text[:50]}
        ) from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise BadValue(
            _("Must be between -%(limit)s and %(limit)s (got %(value)s).")
            % {"limit": limit, "value": text[:50]}
        )
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _boolean(value, *, empty):
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text == "":
        return empty
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise BadValue(
        _('Expected yes or no (or true/false, 1/0), got "%(value)s".') % {"value": str(value)[:50]}
    )


class _RowErrors:
    """Collects ``{"row", "field", "message"}`` for one file."""

    def __init__(self):
        self.items: list[dict] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.items.append({"row": row, "field": column, "message": message})

    def parse(self, row: int, column: str, parser, *args, **kwargs):
        try:
            return parser(*args, **kwargs), True
        except BadValue as exc:
            self.add(row, column, str(exc))
            return None, False


# ---------------------------------------------------------------------------------------------
# Polling stations


class _AreaIndex:
    """The mission's regions and districts, matched by name or code, whatever the case.

    Areas named in the file that do not exist yet are planned as unsaved ``Area`` objects and
    saved in two bulk inserts (regions, then districts under them).
    """

    def __init__(self, mission):
        self.mission = mission
        self.regions: dict[str, Area] = {}
        self.districts: dict[tuple[int | str, str], Area] = {}
        self.codes: set[str] = set()
        self.new_regions: list[Area] = []
        self.new_districts: list[Area] = []
        areas = list(Area.objects.filter(mission=mission, depth__lte=2).order_by("depth", "id"))
        self.codes = {
            code.casefold()
            for code in Area.objects.filter(mission=mission).values_list("code", flat=True)
        }
        self.by_id = by_id = {}
        for area in areas:
            by_id[area.pk] = area
            if area.depth == 1:
                self.regions.setdefault(area.name.casefold(), area)
                self.regions.setdefault(area.code.casefold(), area)
        for area in areas:
            if area.depth == 2 and area.parent_id in by_id:
                self.districts.setdefault((area.parent_id, area.name.casefold()), area)
                self.districts.setdefault((area.parent_id, area.code.casefold()), area)

    def _new_code(self, base: str) -> str:
        code = base[:64]
        suffix = 2
        while code.casefold() in self.codes:
            tail = f"~{suffix}"
            code = base[: 64 - len(tail)] + tail
            suffix += 1
        self.codes.add(code.casefold())
        return code

    @staticmethod
    def _key(area: Area):
        return area.pk if area.pk is not None else f"new:{id(area)}"

    def region(self, name: str) -> Area:
        key = name.casefold()
        if key not in self.regions:
            area = Area(
                mission=self.mission,
                level=AreaLevel.REGION,
                depth=1,
                code=self._new_code(name),
                name=name[:200],
            )
            self.regions[key] = area
            self.new_regions.append(area)
        return self.regions[key]

    def district(self, region: Area, name: str) -> Area:
        key = (self._key(region), name.casefold())
        if key not in self.districts:
            area = Area(
                mission=self.mission,
                parent=region,
                level=AreaLevel.DISTRICT,
                depth=2,
                code=self._new_code(f"{region.code}/{name}"),
                name=name[:200],
            )
            self.districts[key] = area
            self.new_districts.append(area)
        return self.districts[key]

    def name_of(self, area_id) -> str | None:
        area = self.by_id.get(area_id)
        return area.name if area else None

    def save_new(self) -> int:
        Area.objects.bulk_create(self.new_regions, batch_size=BATCH_SIZE)
        Area.objects.bulk_create(self.new_districts, batch_size=BATCH_SIZE)
        return len(self.new_regions) + len(self.new_districts)


def _same_ref(current_id, planned) -> bool:
    """Whether a foreign key holding ``current_id`` already points at ``planned``."""
    if planned is None:
        return current_id is None
    return planned.pk is not None and planned.pk == current_id


class _Preview:
    """Keeps the rows the browser preview shows: the first ones, and every row in error."""

    preview: list[dict]

    def _preview(self, number, action, values, *, changes=None, errors=None) -> None:
        if errors or len(self.preview) < PREVIEW_ROWS:
            self.preview.append(
                {
                    "row": number,
                    "action": action,
                    "values": values,
                    "changes": changes or {},
                    "errors": errors or [],
                }
            )


class _StationPlan(_Preview):
    def __init__(self, *, mission, columns: list[str]):
        self.mission = mission
        self.optional = [c for c in STATION_OPTIONAL if c in columns]
        self.areas = _AreaIndex(mission)
        self.existing = {
            s.code: s
            for s in PollingStation.objects.filter(mission=mission).only(
                "id",
                "code",
                "name",
                "area_id",
                "region_id",
                "district_id",
                "registered_voters",
                "latitude",
                "longitude",
                "urban",
                "abroad",
            )
        }
        self.errors = _RowErrors()
        self.seen: dict[str, int] = {}
        # (code, values, region, district) and (station, region, district): the areas may
        # not be saved yet; a None region means the station stays where it is.
        self.to_create: list[tuple] = []
        self.to_update: list[tuple] = []
        self.unchanged = 0
        self.preview: list[dict] = []

    def add(self, number: int, values: dict) -> None:
        errors_before = len(self.errors.items)
        parse = self.errors.parse
        code, ok_code = parse(number, "code", _text, values["code"], max_length=64)
        name, _ok = parse(number, "name", _text, values["name"], max_length=300)
        region_name, _ok = parse(number, "region", _text, values["region"], max_length=200)
        district_name, _ok = parse(
            number, "district", _text, values["district"], max_length=200, required=False
        )
        voters, _ok = parse(number, "registered_voters", _count, values["registered_voters"])
        parsed = {}
        if "latitude" in self.optional:
            parsed["latitude"], _ok = parse(
                number, "latitude", _coordinate, values["latitude"], limit=90
            )
        if "longitude" in self.optional:
            parsed["longitude"], _ok = parse(
                number, "longitude", _coordinate, values["longitude"], limit=180
            )
        if "urban" in self.optional:
            parsed["urban"], _ok = parse(number, "urban", _boolean, values["urban"], empty=None)
        if "abroad" in self.optional:
            parsed["abroad"], _ok = parse(number, "abroad", _boolean, values["abroad"], empty=False)
        if ok_code:
            if code in self.seen:
                self.errors.add(
                    number,
                    "code",
                    _('The code "%(code)s" appears twice in the file (rows %(first)s and %(row)s).')
                    % {"code": code, "first": self.seen[code], "row": number},
                )
            else:
                self.seen[code] = number
        row_values = {
            "code": code,
            "name": name,
            "region": region_name,
            "district": district_name,
            "registered_voters": voters,
            **{k: (str(v) if v is not None else None) for k, v in parsed.items()},
        }
        if len(self.errors.items) > errors_before:
            self._preview(number, "error", row_values, errors=self.errors.items[errors_before:])
            return
        region = self.areas.region(region_name)
        district = self.areas.district(region, district_name) if district_name else None
        target = {
            "name": name,
            "registered_voters": voters,
            **parsed,
        }
        station = self.existing.get(code)
        if station is None:
            self.to_create.append((code, target, region, district))
            self._preview(number, "create", row_values)
            return
        changes = {
            key: [_plain(getattr(station, key)), _plain(value)]
            for key, value in target.items()
            if getattr(station, key) != value
        }
        moved = False
        if not _same_ref(station.region_id, region):
            changes["region"] = [self.areas.name_of(station.region_id), region_name]
            moved = True
        if not _same_ref(station.district_id, district):
            changes["district"] = [self.areas.name_of(station.district_id), district_name]
            moved = True
        if not changes:
            self.unchanged += 1
            self._preview(number, "unchanged", row_values)
            return
        for key, value in target.items():
            setattr(station, key, value)
        self.to_update.append((station, region, district) if moved else (station, None, None))
        self._preview(number, "update", row_values, changes=changes)

    def write(self) -> int:
        # New areas get their primary keys first; stations are then written as plain rows.
        areas_created = self.areas.save_new()
        mission_id = self.mission.pk
        optional_defaults = {"latitude": None, "longitude": None, "urban": None, "abroad": False}
        bulk_insert_fast(
            PollingStation,
            [
                {
                    **optional_defaults,
                    "mission_id": mission_id,
                    "code": code,
                    "region_id": region.pk,
                    "district_id": district.pk if district else None,
                    "area_id": (district or region).pk,
                    **target,
                }
                for code, target, region, district in self.to_create
            ],
        )
        stations = []
        for station, region, district in self.to_update:
            if region is not None:
                station.region_id = region.pk
                station.district_id = district.pk if district else None
                station.area_id = (district or region).pk
            stations.append(station)
        fields = ["name", "area", "region", "district", "registered_voters", *self.optional]
        bulk_update_fast(PollingStation, stations, fields)
        return areas_created


def _plain_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def stations_import(
    *, mission, file, dry_run: bool = False, actor=None, now=None, progress: Progress = None
) -> ImportResult:
    """Import polling stations from a CSV or XLSX file; re-importing a code updates it.

    Validates every row first; if any is bad, nothing is written and ``errors`` lists them
    all. With ``dry_run`` nothing is written either way.
    """
    now = now or timezone.now()
    try:
        table = table_read(file=file)
    except FileProblem as problem:
        return _file_error(problem.message, dry_run=dry_run)
    header_errors = _header_errors(table.columns, STATION_REQUIRED)
    if header_errors:
        return ImportResult(errors=header_errors, rows=len(table.rows), dry_run=dry_run)
    _report(progress, 10)

    plan = _StationPlan(mission=mission, columns=table.columns)
    _report(progress, 20)
    step = max(1, len(table.rows) // 10)
    for index, (number, values) in enumerate(table.rows, start=1):
        plan.add(number, values)
        if index % step == 0:
            _report(progress, 20 + 40 * index // len(table.rows))
    result = ImportResult(
        created=len(plan.to_create),
        updated=len(plan.to_update),
        unchanged=plan.unchanged,
        rows=len(table.rows),
        errors=plan.errors.items,
        dry_run=dry_run,
        also_created={"areas": len(plan.areas.new_regions) + len(plan.areas.new_districts)},
        preview=plan.preview,
    )
    _report(progress, 60)
    if not result.ok or dry_run:
        return result

    with transaction.atomic():
        plan.write()
        if result.created or result.updated:
            # Coverage totals, registered voters and areas changed: rebuild the aggregates.
            from reports.pipeline import stations_changed

            stations_changed(mission_id=mission.pk)
        audit_record(
            actor=actor,
            mission=mission,
            action="stations.import",
            obj=mission,
            after={
                "file": getattr(file, "name", ""),
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "areas_created": result.also_created["areas"],
            },
            at=now,
        )
    _report(progress, 100)
    return result


# ---------------------------------------------------------------------------------------------
# Observers


class _ObserverPlan(_Preview):
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
        self.username_validator = UnicodeUsernameValidator()

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
                number, "languages", _text, values["languages"], max_length=200, required=False
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
        for key, value in target.items():
            setattr(observer, key, value)
        self.to_update.append(observer)
        self._preview(number, "update", row_values, changes=changes)

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


def observers_import(
    *, mission, file, dry_run: bool = False, actor=None, now=None, progress: Progress = None
) -> ImportResult:
    """Import accredited observers: their accounts, organisations, teams and memberships.

    New accounts get an unusable password until a coordinator sets one or a device token is
    issued. Re-importing a username updates that observer. All or nothing, like stations.
    """
    now = now or timezone.now()
    try:
        table = table_read(file=file)
    except FileProblem as problem:
        return _file_error(problem.message, dry_run=dry_run)
    header_errors = _header_errors(table.columns, OBSERVER_REQUIRED)
    if header_errors:
        return ImportResult(errors=header_errors, rows=len(table.rows), dry_run=dry_run)
    _report(progress, 10)

    usernames = [_plain_text(values["username"]) for _n, values in table.rows]
    plan = _ObserverPlan(mission=mission, columns=table.columns, usernames=usernames)
    _report(progress, 20)
    step = max(1, len(table.rows) // 10)
    for index, (number, values) in enumerate(table.rows, start=1):
        plan.add(number, values)
        if index % step == 0:
            _report(progress, 20 + 40 * index // len(table.rows))
    result = ImportResult(
        created=len(plan.to_create),
        updated=len(plan.to_update),
        unchanged=plan.unchanged,
        rows=len(table.rows),
        errors=plan.errors.items,
        dry_run=dry_run,
        also_created={
            "users": len(plan.new_users),
            "organisations": len(plan.new_organisations),
            "teams": len(plan.new_teams),
        },
        preview=plan.preview,
    )
    _report(progress, 60)
    if not result.ok or dry_run:
        return result

    with transaction.atomic():
        plan.write()
        audit_record(
            actor=actor,
            mission=mission,
            action="observers.import",
            obj=mission,
            after={
                "file": getattr(file, "name", ""),
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                **{f"{k}_created": v for k, v in result.also_created.items()},
            },
            at=now,
        )
    _report(progress, 100)
    return result


# ---------------------------------------------------------------------------------------------
# Browser imports: upload, check (preview), confirm. Large files go through a Celery task.

IMPORTERS = {ImportKind.STATIONS: stations_import, ImportKind.OBSERVERS: observers_import}
STORED_ERRORS = 2000


def import_progress_key(job_id: int) -> str:
    return f"missions:import-job:{job_id}:progress"


def _progress_reporter(job_id: int) -> Callable[[int], None]:
    def report(percent: int) -> None:
        cache.set(import_progress_key(job_id), int(percent), timeout=3600)

    return report


def import_job_runs_in_worker(job: ImportJob) -> bool:
    return job.rows > settings.IMPORT_ASYNC_ROWS


def import_job_create(*, mission, kind: str, upload, actor, now=None) -> ImportJob:
    """Keep the uploaded file in storage and count its rows; nothing is imported yet."""
    now = now or timezone.now()
    if kind not in IMPORTERS:
        raise ValidationError({"kind": [_("Unknown import.")]})
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("The file is larger than the limit of %(limit)s MB.")
                    % {"limit": f"{settings.IMPORT_MAX_BYTES / (1024 * 1024):g}"}
                ]
            }
        )
    job = ImportJob(
        mission=mission,
        kind=kind,
        filename=(upload.name or "upload")[-255:],
        size=upload.size,
        rows=rows_estimate(file=upload),
        created_by=actor,
        created_at=now,
    )
    job.file.save(job.filename, upload, save=False)
    job.save()
    audit_record(
        actor=actor,
        mission=mission,
        action="import.upload",
        obj=job,
        after={"kind": kind, "file": job.filename, "size": job.size, "rows": job.rows},
        at=now,
    )
    return job


def _stored_result(result: ImportResult) -> dict:
    body = result.as_response()
    body["would_create"] = result.created
    body["would_update"] = result.updated
    body["would_keep"] = result.unchanged
    body["errors_total"] = len(result.errors)
    body["errors"] = result.errors[:STORED_ERRORS]
    body["preview"] = result.preview
    return body


def import_job_check(*, job: ImportJob, now=None) -> ImportJob:
    """Dry-run the stored file: the job becomes VALID (with a preview) or INVALID."""
    now = now or timezone.now()
    if job.status not in (ImportStatus.PENDING, ImportStatus.VALIDATING):
        return job  # already checked: running twice changes nothing
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING)
    with job.file.open("rb") as handle:
        result = IMPORTERS[job.kind](
            mission=job.mission,
            file=File(handle, name=job.filename),
            dry_run=True,
            actor=job.created_by,
            now=now,
            progress=_progress_reporter(job.pk),
        )
    job.status = ImportStatus.VALID if result.ok else ImportStatus.INVALID
    job.result = _stored_result(result)
    job.progress = 100
    job.finished_at = now
    job.save(update_fields=["status", "result", "progress", "finished_at"])
    cache.delete(import_progress_key(job.pk))
    if job.status == ImportStatus.INVALID:
        # The preview keeps what the coordinator needs to fix it; the file itself (names,
        # phone numbers) is kept no longer than needed.
        transaction.on_commit(lambda: job.file.delete(save=True))
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, actor, now=None) -> ImportJob:
    """Mark a checked job for import by ``actor``; the import itself is ``import_job_apply``."""
    now = now or timezone.now()
    if job.status != ImportStatus.VALID:
        raise ValidationError(
            {"status": [_("Only a checked file without errors can be imported.")]}
        )
    job.status = ImportStatus.IMPORTING
    job.confirmed_by = actor
    job.progress = 0
    job.save(update_fields=["status", "confirmed_by", "progress"])
    audit_record(
        actor=actor,
        mission=job.mission,
        action="import.confirm",
        obj=job,
        before={"status": ImportStatus.VALID},
        after={"status": job.status, "kind": job.kind, "file": job.filename},
        at=now,
    )
    return job


def import_job_apply(*, job: ImportJob, now=None) -> ImportJob:
    """Import the stored file for real, all or nothing; the file is checked again first."""
    now = now or timezone.now()
    if job.status != ImportStatus.IMPORTING:
        return job  # done already, or never confirmed
    with transaction.atomic():
        with job.file.open("rb") as handle:
            result = IMPORTERS[job.kind](
                mission=job.mission,
                file=File(handle, name=job.filename),
                dry_run=False,
                actor=job.confirmed_by,
                now=now,
                progress=_progress_reporter(job.pk),
            )
        job.status = ImportStatus.DONE if result.ok else ImportStatus.INVALID
        job.result = _stored_result(result)
        job.progress = 100
        job.finished_at = now
        job.save(update_fields=["status", "result", "progress", "finished_at"])
    cache.delete(import_progress_key(job.pk))
    if job.status == ImportStatus.DONE:
        # The accreditation list names people: keep it no longer than needed.
        transaction.on_commit(lambda: job.file.delete(save=True))
    return job


def import_job_fail(*, job_id: int, message: str, now=None) -> None:
    """Record that a worker gave up on the job (time limit, crash)."""
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportStatus.DONE).update(
        status=ImportStatus.FAILED,
        result={"errors": [{"row": None, "field": "file", "message": message}], "errors_total": 1},
        finished_at=now or timezone.now(),
    )
    cache.delete(import_progress_key(job_id))


def import_job_state(*, job: ImportJob) -> dict:
    """What the progress bar shows."""
    running = job.status in (
        ImportStatus.PENDING,
        ImportStatus.VALIDATING,
        ImportStatus.IMPORTING,
    )
    progress = cache.get(import_progress_key(job.pk)) if running else None
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": progress if progress is not None else job.progress,
        "running": running,
    }
