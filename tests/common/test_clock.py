"""Every time people read is on the mission's clock and names its zone (issue 20): the one
helper (common.clock), its template filters, and no template that writes a time another way."""

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from common.clock import clock_span, clock_text

# 21:59 UTC on election day is 03:59 the next morning in Almaty (UTC+6 in 2022).
LATE = dt.datetime(2022, 11, 20, 21, 59, 34, tzinfo=dt.UTC)


def test_a_time_is_on_the_missions_clock_with_the_zone_named():
    assert clock_text(LATE, "Asia/Almaty") == "03:59 (Asia/Almaty)"
    assert clock_text(LATE, "Asia/Almaty", date=True) == "Nov. 21, 2022 03:59 (Asia/Almaty)"
    assert clock_text(LATE, "UTC") == "21:59 (UTC)"
    assert clock_text(None, "Asia/Almaty") == ""


def test_a_stay_names_the_zone_once_and_a_second_day_when_it_has_one():
    arrived = dt.datetime(2022, 11, 20, 4, 5, tzinfo=dt.UTC)

    assert clock_span(arrived, arrived + dt.timedelta(minutes=35), "Asia/Almaty") == (
        "10:05\u201310:40 (Asia/Almaty)"
    )
    assert clock_span(arrived, LATE, "Asia/Almaty", date=True) == (
        "Nov. 20, 2022 10:05\u2013Nov. 21, 2022 03:59 (Asia/Almaty)"
    )
    assert clock_span(arrived, None, "Asia/Almaty") == "10:05 (Asia/Almaty)"


def test_the_date_is_written_in_the_readers_language():
    with translation.override("ru"):
        russian = clock_text(LATE, "Asia/Almaty", date=True)
    with translation.override("kk"):
        kazakh = clock_text(LATE, "Asia/Almaty", date=True)

    assert russian == "21 ноября 2022 г. 03:59 (Asia/Almaty)"
    assert kazakh == "21 Қараша 2022 ж. 03:59 (Asia/Almaty)"


def test_the_filters_take_the_mission_whatever_zone_the_page_has_active():
    class Mission:
        timezone = "Asia/Almaty"

    template = Template(
        "{% load tz clock %}{% timezone 'America/New_York' %}"
        "{{ at|mission_time:mission }} | {{ at|mission_datetime:mission }} | "
        "{{ at|mission_time:'Asia/Tashkent' }}{% endtimezone %}"
    )

    text = template.render(Context({"at": LATE, "mission": Mission()}))

    assert text == (
        "03:59 (Asia/Almaty) | Nov. 21, 2022 03:59 (Asia/Almaty) | 02:59 (Asia/Tashkent)"
    )


# A time written straight from a datetime: |time, or |date with an hour in its format.
# Dates alone ("Y-m-d", "DATE_FORMAT") and machine-readable ISO ("c", in datetime="...") pass.
RAW_TIME = re.compile(r"""\|time\b|\|date:["'](?![^"']*\bc\b)[^"']*[HhGgiAaPs]""")
DATE_ONLY = {'|date:"Y-m-d"', "|date:'Y-m-d'", '|date:"DATE_FORMAT"'}


def test_no_template_writes_a_time_past_the_missions_clock():
    offenders = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in RAW_TIME.finditer(line):
                fragment = line[match.start() : match.start() + 40]
                if not any(fragment.startswith(ok) for ok in DATE_ONLY):
                    offenders.append(f"{path.name}:{number}: {fragment}")

    assert offenders == []
