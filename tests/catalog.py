"""Translations a test needs before the catalogs hold them.

A new msgid is translated when the lead rebuilds ``locale/`` after a merge; a test of its plural
forms in Russian cannot wait for that. ``translated("ru", {...})`` puts entries into the loaded
Russian catalog for the block, keyed as gettext keys them: ``"msgid"``, ``("msgid", form)`` for
the plural forms (Russian: 0 one, 1 few, 2 many, 3 fractions), ``"context\\x04msgid"`` under a
context. The language's own plural rule picks among them, as it will among the real ones.
"""

from contextlib import contextmanager
from unittest import mock

from django.utils.translation import trans_real

from common import plurals


@contextmanager
def translated(language: str, entries: dict):
    # The first of the catalogs Django merged for the language: the one its plural rule reads.
    catalog = trans_real.translation(language)._catalog._catalogs[0]
    plurals._table.cache_clear()  # tables made from the catalog as it was
    try:
        with mock.patch.dict(catalog, entries):
            yield
    finally:
        plurals._table.cache_clear()  # and those made from the entries


def plural(msgid: str, *forms: str, context: str = "") -> dict:
    """Entries of the plural ``forms`` of ``msgid`` (its singular), optionally in a context."""
    key = f"{context}\x04{msgid}" if context else msgid
    return {(key, index): form for index, form in enumerate(forms)}
