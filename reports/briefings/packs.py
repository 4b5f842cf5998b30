"""The briefing pack: a PDF of a title page and one captioned page per chart, built by the
``build_briefing_pack`` task page by page (its progress on the ``BriefingPack`` row).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import textwrap

from django.utils import formats, translation
from django.utils.translation import gettext as _

from observation.models import Severity
from reports import charts
from reports.briefings.selectors import (
    briefing_charts,
    briefing_content,
    briefing_figure,
    count_text,
    storage_read,
    storage_write,
    stored_name,
)
from reports.charts import rendering
from reports.models import Briefing, BriefingPack, BriefingPackStatus

# --- the briefing pack ----------------------------------------------------------------------

logger = logging.getLogger(__name__)

PACK_PAGE_WIDTH = 1123  # A4 landscape at 96 px per inch
PACK_PAGE_HEIGHT = 794


def _wrap(text: str, width: int = 110) -> list[str]:
    return textwrap.wrap(text, width=width) or [""]


def pack_title_figure(*, briefing: Briefing):
    """The pack's title page: mission, election, time of the snapshot, key figures."""
    snapshot = briefing.snapshot
    mission = snapshot["mission"]
    content = briefing_content(briefing=briefing)
    election = dt.date.fromisoformat(mission["election_date"])
    lines = _wrap(content["key_figures"]["statement"])
    for row in content["assessments"]:
        lines += _wrap(row["statement"])
    lines += _wrap(content["turnout"]["statement"])
    findings = content["findings"]
    table = [
        [row["label"] for row in findings],
        [count_text(row["critical"]) for row in findings],
        [count_text(row["serious"]) for row in findings],
        [count_text(row["minor"]) for row in findings],
        [count_text(row["total"]) for row in findings],
    ]
    return charts.briefing_title_figure(
        heading=mission["name"],
        subheading=_("Election of %(date)s · %(country)s")
        % {"date": formats.date_format(election, "DATE_FORMAT"), "country": mission["country"]},
        title=briefing.title,
        snapshot=_("Observers' reports as of %(time)s · published %(published)s")
        % {
            "time": content["as_of_text"] or _("(no reports yet)"),
            "published": formats.date_format(
                briefing.published_at.astimezone(charts.zone_of(mission["timezone"])),
                "DATETIME_FORMAT",
            ),
        },
        statements=lines,
        table_header=[
            _("Findings by category"),
            str(Severity.CRITICAL.label),
            str(Severity.SERIOUS.label),
            str(Severity.MINOR.label),
            _("Total"),
        ],
        table_columns=table if findings else [],
        width=PACK_PAGE_WIDTH,
        height=PACK_PAGE_HEIGHT,
    )


def pack_chart_caption(*, briefing: Briefing, number: int, title: str, as_of_text: str) -> str:
    return _(
        "Figure %(number)s. %(title)s. Source: %(mission)s, observers' reports as of %(time)s."
    ) % {
        "number": number,
        "title": title,
        "mission": briefing.snapshot["mission"]["name"],
        "time": as_of_text or _("(no reports yet)"),
    }


def pack_pages(*, briefing: Briefing) -> list:
    """The pack's pages as figures: the title page, then every chart with its caption."""
    pages = [pack_title_figure(briefing=briefing)]
    as_of_text = briefing_content(briefing=briefing)["as_of_text"]
    for number, chart in enumerate(briefing_charts(briefing=briefing), start=1):
        figure = briefing_figure(briefing=briefing, name=chart["name"])
        caption = pack_chart_caption(
            briefing=briefing, number=number, title=chart["title"], as_of_text=as_of_text
        )
        pages.append(
            charts.captioned_figure(
                figure=figure, caption=caption, width=PACK_PAGE_WIDTH, min_height=PACK_PAGE_HEIGHT
            )
        )
    return pages


def _pack_progress(pack: BriefingPack, **fields) -> None:
    for key, value in fields.items():
        setattr(pack, key, value)
    pack.save(update_fields=list(fields))


def briefing_pack_build(*, pack_id: int, now) -> None:
    """Render every page of the pack, join them into one PDF and store it (the Celery task).

    Writes its progress after every page. Idempotent: a pack already built is left as it is.
    ``now`` is a callable, so that start and end times are the real ones.
    """
    from pypdf import PdfReader, PdfWriter

    pack = BriefingPack.objects.select_related("briefing__mission").filter(pk=pack_id).first()
    if pack is None or pack.status == BriefingPackStatus.READY:
        return
    briefing = pack.briefing
    with translation.override(pack.language):
        _pack_progress(pack, status=BriefingPackStatus.BUILDING, done=0, started_at=now())
        writer = PdfWriter()
        try:
            pages = pack_pages(briefing=briefing)
            _pack_progress(pack, total=len(pages))
            for number, page in enumerate(pages, start=1):
                pdf = rendering.figure_render(figure=page, fmt="pdf")
                writer.append(PdfReader(io.BytesIO(pdf)))
                _pack_progress(pack, done=number)
        except rendering.ChromiumUnavailable as exc:
            logger.warning("Briefing pack %s: %s", pack_id, exc)
            _pack_progress(
                pack,
                status=BriefingPackStatus.FAILED,
                error=rendering.INSTALL_HINT,
                finished_at=now(),
            )
            return
        except Exception as exc:
            logger.exception("Briefing pack %s could not be built", pack_id)
            _pack_progress(
                pack,
                status=BriefingPackStatus.FAILED,
                error=_("The pack could not be built; try again in a minute."),
                finished_at=now(),
            )
            if isinstance(exc, rendering.RenderFailed):
                return  # a browser hiccup: the next request queues the build again
            raise
        writer.add_metadata(
            {
                "/Title": f"{briefing.snapshot['mission']['name']}: {briefing.title}",
                "/Producer": "Observatory",
            }
        )
        buffer = io.BytesIO()
        writer.write(buffer)
    name = storage_write(stored_name(briefing, pack.language, "pack.pdf"), buffer.getvalue())
    _pack_progress(pack, status=BriefingPackStatus.READY, file_name=name, finished_at=now())


def briefing_pack_file(*, pack: BriefingPack) -> bytes | None:
    if pack.status != BriefingPackStatus.READY or not pack.file_name:
        return None
    return storage_read(pack.file_name)


def briefing_pack_get(*, briefing: Briefing, language: str) -> BriefingPack | None:
    return BriefingPack.objects.filter(briefing=briefing, language=language).first()
