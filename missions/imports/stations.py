"""Polling-station import: codes, names, areas (made on the way), voters, place."""

from django.utils.translation import gettext as _

from reports.pipeline import stations_changed

from ..bulk import bulk_insert_fast, bulk_update_fast
from ..models import (
    Area,
    AreaLevel,
    PollingStation,
)
from .cells import _boolean, _coordinate, _count, _plain, _RowErrors, _same_ref, _text
from .plans import BATCH_SIZE, ImportResult, Progress, _Plan, import_run

STATION_REQUIRED = ("code", "name", "region", "district", "registered_voters")
STATION_OPTIONAL = ("latitude", "longitude", "urban", "abroad")


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


class _StationPlan(_Plan):
    required = STATION_REQUIRED
    action = "stations.import"

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

    def also_created(self) -> dict:
        return {"areas": len(self.areas.new_regions) + len(self.areas.new_districts)}

    def written(self, result: ImportResult) -> None:
        if result.created or result.updated:
            # Coverage totals, registered voters and areas changed: rebuild the aggregates.
            stations_changed(mission_id=self.mission.pk)

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


def stations_import(
    *, mission, file, dry_run: bool = False, actor=None, now=None, progress: Progress = None
) -> ImportResult:
    """Import polling stations from a CSV or XLSX file; re-importing a code updates it.

    Validates every row first; if any is bad, nothing is written and ``errors`` lists them
    all. With ``dry_run`` nothing is written either way.
    """
    return import_run(
        mission=mission,
        file=file,
        plan=_StationPlan,
        dry_run=dry_run,
        actor=actor,
        now=now,
        progress=progress,
    )
