"""Exports for analysts (API.md "Exports"): visits, findings, stations and observers.

Each ``*_export`` selector returns an ``Export``: a header and a lazy iterator of rows read
with ``values_list(...).iterator(chunk_size=...)`` (a server-side cursor on PostgreSQL), so
no export holds more than one chunk of rows in memory and none issues a query per row.
``csv_chunks`` and ``xlsx_stream`` turn an export into chunks of CSV or XLSX for a
``StreamingHttpResponse``: the download starts at once and memory stays flat however many
rows there are (``reports/exports/xlsx.py`` says why XLSX is not written with openpyxl).

Cells that a spreadsheet program would run as a formula (text starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading apostrophe (OWASP "CSV injection").

Each ``*_export(mission=, typed=)`` writes its cells for one kind of file. CSV (``typed``
False): times are ISO 8601 in the mission's time zone with their offset
(``2022-11-20T10:05:00+06:00``), yes/no is ``true``/``false``, coordinates as stored. XLSX
(``typed`` True, issue 20): times are date-times on the mission's clock, the zone named in
the header (``arrived_at (Asia/Almaty)``), yes/no are booleans and coordinates numbers.
"""

import json
from collections.abc import Iterator

from django.db.models import TextField
from django.db.models.functions import Cast

from common.csv_export import guard
from common.streaming import Export, csv_chunks, streamed, streamed_ahead  # noqa: F401
from missions.models import Observer, PollingStation, Team
from observation.models import Checklist, Finding, Question, Stage, Visit
from reports.exports.xlsx import xlsx_chunks

_text = guard


def _answer(value):
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float or value is None:
        return value
    if kind is str:
        return guard(value)
    if kind is list:
        return guard(";".join(str(v) for v in value))
    return guard(str(value))


def _moments(tz, *, typed: bool):
    """The function that writes a moment for the file: ISO 8601 with the offset
    (``2022-11-20T10:05:00+06:00``) for CSV, the wall-clock time on the mission's clock (a
    naive datetime, an Excel date-time) for XLSX. Reports cluster on whole minutes, so each
    moment is converted once."""
    cache: dict = {}

    def written(moment):
        if moment is None:
            return None
        value = cache.get(moment)
        if value is None:
            if len(cache) > 50_000:
                cache.clear()
            local = moment.astimezone(tz)
            value = cache[moment] = local.replace(tzinfo=None) if typed else local.isoformat()
        return value

    return written


def _yes_no(*, typed: bool):
    """(yes, no) as the file writes them: booleans in XLSX, ``true``/``false`` in CSV."""
    return (True, False) if typed else ("true", "false")


def _bool(value, *, typed: bool = False):
    if value is None:
        return None
    yes, no = _yes_no(typed=typed)
    return yes if value else no


def _header(columns: list[str], times: set[str], mission, *, typed: bool) -> list[str]:
    """The columns; in XLSX the time columns name the mission's zone:
    ``arrived_at (Asia/Almaty)``."""
    if not typed:
        return list(columns)
    return [f"{c} ({mission.timezone})" if c in times else c for c in columns]


def question_codes(*, mission) -> list[str]:
    """Every question code of the mission's checklists, by stage, version and position."""
    order = {stage: index for index, stage in enumerate(Stage.values)}
    rows = Question.objects.filter(checklist__mission=mission).values_list(
        "code", "checklist__stage", "checklist__version", "position", "id"
    )
    codes = []
    seen = set()
    for code, *_rest in sorted(rows, key=lambda r: (order.get(r[1], 99), r[2], r[3], r[4])):
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


VISIT_COLUMNS = [
    "visit_id",
    "station_code",
    "station_name",
    "region",
    "district",
    "team",
    "observer",
    "observer_name",
    "stage",
    "checklist_version",
    "arrived_at",
    "departed_at",
    "voters_so_far",
    "registered_voters",
    "assessment",
    "status",
    "flags",
    "notes",
]


VISIT_TIMES = {"arrived_at", "departed_at"}


def visits_export(*, mission, typed: bool = False) -> Export:
    """One row per visit, one column per question code across the mission's checklists."""
    codes = question_codes(mission=mission)
    return Export(
        name="visits",
        header=_header(VISIT_COLUMNS, VISIT_TIMES, mission, typed=typed) + codes,
        rows=_visit_rows(mission=mission, codes=codes, typed=typed),
    )


def _visit_rows(*, mission, codes: list[str], typed: bool = False) -> Iterator[list]:
    """The visits with their station, team, observer and checklist looked up in Python.

    The mission's stations, teams, observers and checklists are few (10,101 stations, 641
    observers) and are read once; the visits are read alone, in primary-key order, without
    joins. ``answers`` and ``flags`` are read as JSON text and decoded here, not through the
    JSONField's converter. A million visits: ~34 s with the joins and converters, see
    BENCHMARKS.md for the figures since.
    """
    moment = _moments(mission.tzinfo, typed=typed)
    yes, no = _yes_no(typed=typed)
    text = _text

    def station_cells(rows):
        return {
            pk: (text(code), text(name), text(region), text(district), registered)
            for pk, code, name, region, district, registered in rows.values_list(
                "id", "code", "name", "region__name", "district__name", "registered_voters"
            )
        }

    def team_cells(rows):
        return {pk: text(code) for pk, code in rows.values_list("id", "code")}

    def observer_cells(rows):
        return {
            pk: (text(username), text(full_name))
            for pk, username, full_name in rows.values_list("id", "user__username", "full_name")
        }

    def version_cells(rows):
        return dict(rows.values_list("id", "version"))

    # Read before the visits, in their own snapshots: a station, team, observer or checklist
    # added (or a team removed) in between is looked up when a visit names it.
    stations = _Lookup(station_cells, PollingStation.objects.filter(mission=mission))
    teams = _Lookup(team_cells, Team.objects.filter(mission=mission), missing=None)
    teams[None] = None
    observers = _Lookup(observer_cells, Observer.objects.filter(mission=mission))
    versions = _Lookup(version_cells, Checklist.objects.filter(mission=mission))
    queryset = (
        Visit.objects.filter(mission=mission)
        .order_by("id")
        .annotate(flags_json=Cast("flags", TextField()), answers_json=Cast("answers", TextField()))
        .values_list(
            "id",
            "station_id",
            "team_id",
            "observer_id",
            "checklist_id",
            "stage",
            "arrived_at",
            "departed_at",
            "voters_so_far",
            "assessment",
            "status",
            "flags_json",
            "notes",
            "answers_json",
        )
    )
    width = len(codes)
    position = {code: index for index, code in enumerate(codes)}
    loads = json.loads
    where = position.get
    for (
        visit_id,
        station_id,
        team_id,
        observer_id,
        checklist_id,
        stage,
        arrived_at,
        departed_at,
        voters,
        assessment,
        status,
        flags,
        notes,
        answers,
    ) in streamed_ahead(queryset):
        code, name, region, district, registered = stations[station_id]
        username, full_name = observers[observer_id]
        # A visit answers one checklist, a few of the mission's columns: fill only those.
        cells = [None] * width
        if answers and answers != "{}":
            for key, value in loads(answers).items():
                index = where(key)
                if index is not None:
                    # Most answers are yes or no: spare them the call.
                    if value is True:
                        cells[index] = yes
                    elif value is False:
                        cells[index] = no
                    else:
                        cells[index] = _answer(value)
        yield [
            visit_id,
            code,
            name,
            region,
            district,
            teams[team_id],
            username,
            full_name,
            stage,
            versions[checklist_id],
            moment(arrived_at),
            moment(departed_at),
            voters,
            registered,
            assessment,
            status,
            _flag_codes(flags),
            text(notes),
            *cells,
        ]


class _Lookup(dict):
    """Cells of a mission's rows by id, read at once; an id read later is fetched alone."""

    _absent = object()

    def __init__(self, cells, rows, missing=_absent):
        super().__init__(cells(rows))
        self.cells, self.rows, self.missing = cells, rows, missing

    def __missing__(self, pk):
        found = self.cells(self.rows.filter(pk=pk)).get(pk, self.missing)
        if found is self._absent:
            raise KeyError(pk)
        self[pk] = found
        return found


def _flag_codes(flags: str | None) -> str:
    if not flags or flags == "[]":
        return ""
    return ";".join(f.get("code", "") for f in json.loads(flags) if isinstance(f, dict))


FINDING_FIELDS = {
    "finding_id": "id",
    "visit_id": "visit_id",
    "station_code": "visit__station__code",
    "station_name": "visit__station__name",
    "region": "visit__station__region__name",
    "district": "visit__station__district__name",
    "team": "visit__team__code",
    "observer": "visit__observer__user__username",
    "stage": "visit__stage",
    "arrived_at": "visit__arrived_at",
    "visit_status": "visit__status",
    "category": "category",
    "severity": "severity",
    "description": "description",
    "review_status": "review_status",
    "review_reason": "review_reason",
    "reported_at": "created_at",
}
FINDING_COLUMNS = list(FINDING_FIELDS)


FINDING_TIMES = {"arrived_at", "reported_at"}


def findings_export(*, mission, typed: bool = False) -> Export:
    """One row per finding, with its visit's station, region, team and time."""
    return Export(
        name="findings",
        header=_header(FINDING_COLUMNS, FINDING_TIMES, mission, typed=typed),
        rows=_finding_rows(mission=mission, typed=typed),
    )


def _finding_rows(*, mission, typed: bool = False) -> Iterator[list]:
    moment = _moments(mission.tzinfo, typed=typed)
    queryset = (
        Finding.objects.filter(visit__mission=mission)
        .order_by("id")
        .values_list(*FINDING_FIELDS.values())
    )
    for row in streamed(queryset):
        row = [_text(v) for v in row]
        row[9] = moment(row[9])
        row[16] = moment(row[16])
        yield row


# Exactly the columns the station import reads, so an export can be edited and re-imported.
STATION_FIELDS = {
    "code": "code",
    "name": "name",
    "region": "region__name",
    "district": "district__name",
    "registered_voters": "registered_voters",
    "latitude": "latitude",
    "longitude": "longitude",
    "urban": "urban",
    "abroad": "abroad",
    "region_code": "region__code",
    "district_code": "district__code",
    "id": "id",
}
STATION_COLUMNS = list(STATION_FIELDS)


def stations_export(*, mission, typed: bool = False) -> Export:
    """Coordinates as stored (``43.250000``), numbers in XLSX; urban and abroad yes/no."""
    queryset = (
        PollingStation.objects.filter(mission=mission)
        .order_by("code", "id")
        .values_list(*STATION_FIELDS.values())
    )

    def rows():
        for row in streamed(queryset):
            row = [_text(v) for v in row]
            if not typed:
                row[5] = None if row[5] is None else str(row[5])
                row[6] = None if row[6] is None else str(row[6])
            row[7] = _bool(row[7], typed=typed)
            row[8] = _bool(row[8], typed=typed)
            yield row

    return Export(name="stations", header=STATION_COLUMNS, rows=rows())


# The observer import's columns, then the profile's id.
OBSERVER_FIELDS = {
    "username": "user__username",
    "full_name": "full_name",
    "organisation": "organisation__name",
    "nationality": "nationality",
    "role": "role",
    "team": "team__code",
    "email": "email",
    "phone": "phone",
    "languages": "languages",
    "id": "id",
}
OBSERVER_COLUMNS = list(OBSERVER_FIELDS)


def observers_export(*, mission, typed: bool = False) -> Export:
    queryset = (
        Observer.objects.filter(mission=mission)
        .order_by("user__username", "id")
        .values_list(*OBSERVER_FIELDS.values())
    )
    rows = ([_text(v) for v in row] for row in streamed(queryset))
    return Export(name="observers", header=OBSERVER_COLUMNS, rows=rows)


EXPORTS = {
    "visits": visits_export,
    "findings": findings_export,
    "stations": stations_export,
    "observers": observers_export,
}


def xlsx_stream(export: Export) -> Iterator[bytes]:
    """The export as an XLSX workbook, streamed as it is written (see ``reports/xlsx.py``)."""
    return xlsx_chunks(name=export.name, header=export.header, rows=export.rows)
