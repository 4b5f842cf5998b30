"""Issue the device codes of a sheet of QR cards and print it: one transaction, so a sheet that
cannot be printed (no Chromium) replaces nobody's code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from missions.models import Observer
from observation.devices.services import (
    DEVICE_PATH,
    device_key_text,
    device_login_url,
    device_qr_svg,
    observer_tokens_issue,
)
from reports.charts import printing

CARDS_PER_PAGE = 8  # 2 x 4 cards of 105 x 74.25 mm: an A4 sheet cut in eight


@dataclass
class Card:
    observer: Observer
    key_text: str
    svg: str


def sheet_observers(*, mission, team=None, without_code: bool):
    """The observers a sheet is for: the team's, or the whole mission's, by team and name;
    with ``without_code``, only those who have no device code yet."""
    observers = Observer.objects.filter(mission=mission)
    if team is not None:
        observers = observers.filter(team=team)
    if without_code:
        observers = observers.filter(device_token__isnull=True)
    return observers.select_related("user", "team", "organisation", "mission").order_by(
        "team__code", "full_name", "id"
    )


def device_cards_html(*, mission, cards: list[Card], server: str, title: str) -> str:
    pages = [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    return render_to_string(
        "reports/device_cards/sheet.html",
        {
            "mission": mission,
            "pages": pages,
            "title": title,
            "device_page": f"{server.rstrip('/')}{DEVICE_PATH}",
            "language": get_language() or "en",
        },
    )


@transaction.atomic
def device_cards_issue(
    *, mission, observers: list[Observer], actor, now: dt.datetime, server: str, title: str
) -> bytes:
    """New device codes for ``observers`` and their sheet of cards as PDF bytes. Raises what
    ``printing.html_print`` raises (ChromiumUnavailable, RenderFailed): then the transaction
    rolls back and every observer keeps the code they had."""
    keys = observer_tokens_issue(observers=observers, actor=actor, now=now)
    cards = [
        Card(
            observer=observer,
            key_text=device_key_text(keys[observer.pk]),
            svg=device_qr_svg(
                url=device_login_url(server=server, token=keys[observer.pk]),
                title=_("Device QR code"),
            ),
        )
        for observer in observers
    ]
    html = device_cards_html(mission=mission, cards=cards, server=server, title=title)
    return printing.html_print(html=html)
