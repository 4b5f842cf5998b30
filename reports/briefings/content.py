"""What a briefing says: its sentences, tables and notes, for the page, the API and the pack.

Pure functions over a briefing's frozen snapshot (``Briefing.snapshot``); ``briefing_content``
gathers them, in the active language:

- ``source_line``: "<mission> observers, N reports, as of <time> <zone>", under every chart
  file, slide and embedded chart;
- ``chart_subtitle``: one line that says what the chart counts;
- ``turnout_same_hour``: observed turnout beside the official figure *of the same hour* (the
  pack once set the observers' 21:00 beside the commission's 20:00);
- ``turnout_station_notes``: where the number of stations reporting in an hour moves the
  curve (observed turnout is the share at the stations reported from in that hour: when
  other stations report, the curve can dip although turnout only rises);
- the coverage, assessment and turnout sentences, the findings table, the methodology note
  and the summary (Markdown, sanitised, in the reader's language).

Every figure here is written by ``common.numbers`` (rounded once, from the exact counts).
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.markdown import markdown_html
from common.numbers import figure_plain, figure_text, share_exact
from observation.models import FindingCategory, Severity, Stage
from observation.serializers import translated
from reports.charts.base import assessment_figures
from reports.statistics.phrasing import negative_sentence

# An hour whose stations are fewer than this share of the day's median is called out.
FEW_STATIONS = 0.5


def _zone(snapshot: dict) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(snapshot["mission"].get("timezone") or "UTC")


def _moment(value) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def source_line(snapshot: dict) -> str:
    """ "Mission X observers, 5,030 reports, as of 20.11.2022 21:05 Asia/Almaty"."""
    reports = snapshot.get("key_figures", {}).get("visits") or 0
    as_of = _moment(snapshot.get("as_of"))
    text = ngettext(
        "%(mission)s observers, %(count)s report",
        "%(mission)s observers, %(count)s reports",
        reports,
    ) % {"mission": snapshot["mission"]["name"], "count": figure_text(reports, kind="count")}
    if as_of is None:
        return text
    return _("%(source)s, as of %(time)s") % {
        "source": text,
        "time": figure_text(as_of, kind="datetime", timezone=_zone(snapshot)),
    }


def chart_subtitle(name: str) -> str:
    """What the chart counts, in one sentence."""
    return {
        "turnout_day": _(
            "Observed: ballots issued over registered voters at the polling stations "
            "observers reported from in each hour. Official: as the election commission "
            "announced it."
        ),
        "turnout_by_area": _(
            "Observed turnout per region in the last hour with reports, at the polling "
            "stations observers reported from."
        ),
        "coverage_by_area": _("Polling stations observers visited, of all polling stations."),
        "assessments": _(
            # xgettext:no-python-format
            "Share of observed polling stations by overall assessment; the diamond marks "
            "the share assessed bad or very bad, the line its 95% interval."
        ),
        "findings_by_category": _("Findings reported by observers, by severity."),
        "findings_heatmap": _("Findings reported by observers, all severities."),
    }.get(name, "")


def _observed(rows) -> list[dict]:
    return sorted(rows or [], key=lambda r: _moment(r["bucket_end"]))


def observed_share(row: dict):
    """An hour's observed turnout, exact (voters over registered), for ``figure_*``."""
    return share_exact(row.get("voters"), row.get("registered")) or row.get("turnout_pct")


def turnout_same_hour(*, national_rows, official_rows) -> dict | None:
    """The latest hour with both an observed and an official national figure:
    ``{"at", "observed", "official", "stations"}`` (the observed share exact), or None."""
    official = {_moment(r.get("at") or r.get("bucket_end")): r for r in official_rows or []}
    for row in reversed(_observed(national_rows)):
        at = _moment(row["bucket_end"])
        if at in official:
            return {
                "at": at,
                "observed": observed_share(row),
                "official": official[at]["turnout_pct"],
                "stations": row["stations_reporting"],
                "voters": row["voters"],
                "registered": row["registered"],
            }
    return None


def turnout_station_notes(*, national_rows, timezone) -> list[dict]:
    """Hours where the stations reporting move the observed curve: ``{"at", "text"}`` each.

    Two cases: an hour whose stations are fewer than ``FEW_STATIONS`` of the day's median,
    and an hour where observed turnout falls (cumulative turnout cannot fall: other stations
    reported).
    """
    rows = _observed(national_rows)
    if not rows:
        return []
    median = statistics.median(r["stations_reporting"] for r in rows)
    notes = []
    previous = None
    for row in rows:
        at = _moment(row["bucket_end"])
        hour = figure_text(at, kind="time", timezone=timezone)
        stations = row["stations_reporting"]
        share = observed_share(row)
        if previous is not None and figure_text(share, kind="share") != figure_text(
            observed_share(previous), kind="share"
        ):
            falls = share < observed_share(previous)
        else:
            falls = False
        if falls:
            notes.append(
                {
                    "at": at,
                    "stations": stations,
                    "text": _(
                        "%(hour)s: observed turnout falls from %(before)s to %(after)s because "
                        "other polling stations reported (%(stations)s at %(hour)s, "
                        "%(previous)s at %(previous_hour)s); turnout itself cannot fall."
                    )
                    % {
                        "hour": hour,
                        "before": figure_text(observed_share(previous), kind="share"),
                        "after": figure_text(share, kind="share"),
                        "stations": figure_text(stations, kind="count"),
                        "previous": figure_text(previous["stations_reporting"], kind="count"),
                        "previous_hour": figure_text(
                            _moment(previous["bucket_end"]), kind="time", timezone=timezone
                        ),
                    },
                }
            )
        elif stations < FEW_STATIONS * median:
            notes.append(
                {
                    "at": at,
                    "stations": stations,
                    "text": _(
                        "%(hour)s: only %(stations)s polling stations reported "
                        "(%(median)s in a typical hour): the figure is less certain."
                    )
                    % {
                        "hour": hour,
                        "stations": figure_text(stations, kind="count"),
                        "median": figure_text(round(median), kind="count"),
                    },
                }
            )
        previous = row
    return notes


def turnout_same_hour_text(pair: dict, *, timezone) -> str:
    return _(
        "At %(hour)s observers counted %(observed)s at the %(stations)s polling stations they "
        "reported from; the election commission announced %(official)s for the same hour."
    ) % {
        "hour": figure_text(pair["at"], kind="time", timezone=timezone),
        "observed": figure_text(pair["observed"], kind="share"),
        "stations": figure_text(pair["stations"], kind="count"),
        "official": figure_text(pair["official"], kind="share"),
    }


# --- the sentences and tables ----------------------------------------------------------------


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _count(value) -> str:
    return figure_text(value or 0, kind="count")


def coverage_statement(key_figures: dict) -> str:
    """ "641 observers took part in the observation. They came from 35 states. 10 organisations
    sent them. They visited 1,234 of 10,101 polling stations. Reports came from all 20
    regions." One whole sentence per count (its nouns agree with it), never fragments."""
    k = key_figures
    observers, states = k["observers"] or 0, k["states"] or 0
    organisations, stations = k["organisations"] or 0, k["stations_total"] or 0
    regions = k["regions_total"] or 0
    sentences = [
        ngettext(
            "%(count)s observer took part in the observation.",
            "%(count)s observers took part in the observation.",
            observers,
        )
        % {"count": _count(observers)},
        ngettext("They came from %(count)s state.", "They came from %(count)s states.", states)
        % {"count": _count(states)},
        ngettext(
            "%(count)s organisation sent them.", "%(count)s organisations sent them.", organisations
        )
        % {"count": _count(organisations)},
        ngettext(
            "They visited %(visited)s of %(total)s polling station.",
            "They visited %(visited)s of %(total)s polling stations.",
            stations,
        )
        % {"visited": _count(k["stations_visited"]), "total": _count(stations)},
    ]
    if regions and k["regions_visited"] == regions:
        sentences.append(
            ngettext(
                "Reports came from the only region.",
                "Reports came from all %(total)s regions.",
                regions,
            )
            % {"total": _count(regions)}
        )
    else:
        sentences.append(
            ngettext(
                "Reports came from %(visited)s of %(total)s region.",
                "Reports came from %(visited)s of %(total)s regions.",
                regions,
            )
            % {"visited": _count(k["regions_visited"]), "total": _count(regions)}
        )
    return " ".join(sentences)


def assessment_statements(rows: list[dict]) -> list[dict]:
    """Per stage, the share of observed stations where it was assessed bad or very bad."""
    order = {stage: index for index, stage in enumerate(Stage.values)}
    out = []
    for row in sorted(rows, key=lambda r: order.get(r["stage"], 99)):
        if not row.get("total"):
            continue
        figures = assessment_figures(row)
        stage = _label(Stage, row["stage"])
        out.append(
            {
                "stage": row["stage"],
                "label": stage,
                **figures,
                "statement": negative_sentence(
                    stage=row["stage"],
                    texts={
                        "share": figures["share_text"],
                        "interval": figures["interval_text"],
                        "k": _count(figures["negative"]),
                        "n": _count(figures["total"]),
                    },
                    total=figures["total"],
                ),
            }
        )
    return out


def turnout_hours(*, national_rows, official_rows, timezone) -> list[dict]:
    """Hour by hour: stations reporting, observed turnout and the official figure of that
    hour (None where the commission announced none)."""
    official = {_moment(r.get("at") or r.get("bucket_end")): r for r in official_rows or []}
    hours = sorted(set(official) | {_moment(r["bucket_end"]) for r in national_rows or []})
    observed = {_moment(r["bucket_end"]): r for r in national_rows or []}
    out = []
    for at in hours:
        row = observed.get(at)
        out.append(
            {
                "at": at,
                "hour": figure_text(at, kind="time", timezone=timezone),
                "stations": row["stations_reporting"] if row else None,
                "voters": row["voters"] if row else None,
                "registered": row["registered"] if row else None,
                "observed_text": figure_text(observed_share(row) if row else None, kind="share"),
                "official_text": figure_text(
                    official[at]["turnout_pct"] if at in official else None, kind="share"
                ),
            }
        )
    return out


def turnout_summary(*, national_rows, official_rows, timezone) -> dict:
    """The latest observed hour, the same-hour comparison with the official figure, the notes
    on stations reporting, and the sentence that says it."""
    rows = _observed(national_rows)
    if not rows:
        return {
            "statement": _(
                "No turnout figures had been reported when this briefing was published."
            ),
            "notes": [],
            "hours": [],
        }
    latest = rows[-1]
    share = observed_share(latest)
    statement = ngettext(
        "Observed turnout at %(hour)s: %(share)s (%(voters)s of %(registered)s registered "
        "voters at the %(stations)s polling station observers reported from in that hour).",
        "Observed turnout at %(hour)s: %(share)s (%(voters)s of %(registered)s registered "
        "voters at the %(stations)s polling stations observers reported from in that hour).",
        latest["stations_reporting"],
    ) % {
        "hour": figure_text(_moment(latest["bucket_end"]), kind="time", timezone=timezone),
        "share": figure_text(share, kind="share"),
        "voters": _count(latest["voters"]),
        "registered": _count(latest["registered"]),
        "stations": _count(latest["stations_reporting"]),
    }
    pair = turnout_same_hour(national_rows=rows, official_rows=official_rows)
    if pair:
        statement += " " + turnout_same_hour_text(pair, timezone=timezone)
    notes = turnout_station_notes(national_rows=rows, timezone=timezone)
    return {
        "bucket_end": latest["bucket_end"],
        "turnout_pct": figure_plain(share, kind="share"),
        "stations_reporting": latest["stations_reporting"],
        "voters": latest["voters"],
        "registered": latest["registered"],
        "official_at": pair["at"].isoformat() if pair else None,
        "official_pct": figure_plain(pair["official"], kind="share") if pair else None,
        "same_hour_pct": figure_plain(pair["observed"], kind="share") if pair else None,
        "statement": statement,
        "notes": [n["text"] for n in notes],
        "hours": turnout_hours(national_rows=rows, official_rows=official_rows, timezone=timezone),
    }


def findings_table(rows: list[dict]) -> list[dict]:
    """Findings per category (all areas), by severity, most frequent first."""
    per_category: dict[str, dict] = {}
    for row in rows:
        entry = per_category.setdefault(
            row["category"],
            {
                "category": row["category"],
                "label": _label(FindingCategory, row["category"]),
                **{severity.lower(): 0 for severity in Severity.values},
                "total": 0,
            },
        )
        key = row["severity"].lower()
        entry[key] = entry.get(key, 0) + row["count"]
        entry["total"] += row["count"]
    order = {category: index for index, category in enumerate(FindingCategory.values)}
    return sorted(per_category.values(), key=lambda e: (-e["total"], order.get(e["category"], 99)))


def methodology(snapshot: dict) -> list[str]:
    """The note on method the pack prints: who observed, what counts, what intervals mean."""
    k = snapshot["key_figures"]
    as_of = _moment(snapshot.get("as_of"))
    return [
        _(
            "%(observers)s observers in teams of two reported %(reports)s visits to %(visited)s "
            "of %(total)s polling stations; this briefing counts the reports the mission had "
            "received by %(time)s. Reports the mission rejected on review never count."
        )
        % {
            "observers": _count(k.get("observers")),
            "reports": _count(k.get("visits")),
            "visited": _count(k.get("stations_visited")),
            "total": _count(k.get("stations_total")),
            "time": figure_text(as_of, kind="datetime", timezone=_zone(snapshot)),
        },
        _(
            # xgettext:no-python-format
            "Shares are of the polling stations observed, not of all polling stations: a "
            "share says what observers saw where they were. Each share comes with its 95% "
            "interval (Wilson score interval): the range that, with this number of "
            "observations, holds the share of all comparable stations 95 times in 100. Few "
            "observations give a wide interval."
        ),
        _(
            "Observed turnout is the ballots issued so far over the registered voters at the "
            "polling stations observers reported from in that hour: when other stations "
            "report in the next hour, the curve can move although turnout only rises. The "
            "official figure is set beside the observed one of the same hour."
        ),
        _(
            "Every figure is rounded once, to one decimal, from the counts: it reads the same "
            "in the text, the tables, the charts and their CSV files."
        ),
    ]


def briefing_summary_html(*, summary: str, summary_i18n: dict | None) -> str:
    """The summary in the active language (else the original), as sanitised HTML."""
    return markdown_html(translated(summary or "", summary_i18n or {}))


def briefing_content(*, briefing) -> dict:
    """The key figures, in numbers and in the sentences a mission's statement uses."""
    snapshot = briefing.snapshot
    timezone = snapshot["mission"]["timezone"]
    as_of = _moment(snapshot.get("as_of"))
    turnout_day = next(
        (c["arguments"] for c in snapshot.get("charts", []) if c["name"] == "turnout_day"), {}
    )
    return {
        "key_figures": {
            **snapshot["key_figures"],
            "statement": coverage_statement(snapshot["key_figures"]),
        },
        "assessments": assessment_statements(snapshot["assessments"]),
        "turnout": turnout_summary(
            national_rows=turnout_day.get("national_rows") or [],
            official_rows=turnout_day.get("official_rows") or [],
            timezone=timezone,
        ),
        "findings": findings_table(snapshot["findings"]),
        "as_of": as_of,
        "as_of_text": figure_text(as_of, kind="datetime", timezone=timezone) if as_of else "",
        "source": source_line(snapshot),
        "methodology": methodology(snapshot),
        "summary_html": briefing_summary_html(
            summary=briefing.summary,
            summary_i18n=briefing.summary_i18n,
        ),
    }
