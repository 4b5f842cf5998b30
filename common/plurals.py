"""Plural forms for page scripts: a count a script learns in the browser ("3 visits need your
attention", a live badge) takes the form the active language's catalog gives for that count,
as ``ngettext`` would on the server. Two forms (one / many) are not enough: Russian has three
(1, 21 / 2-4, 22 / 5-20, 25), Arabic six.

``script_plural(lambda n: ngettext("%(count)s visit ...", "%(count)s visits ...", n))`` gives
``{"forms": [...], "index": "0120..."}``: the distinct texts, still holding ``%(count)s``, and
for each n from 0 to 199 the digit of its form. ``static/js/plural.js`` reads it: ``n`` for
n < 200, else ``100 + n % 100``. That is exact for the plural rules of every language the site
speaks (they look at n % 10, n % 100 and at 0, 1, 2 themselves; French and Spanish also
single out whole millions, which no count on these pages reaches):
``tests/common/test_plurals.py`` checks it against ``ngettext`` up to 10,000 in each of
``settings.LANGUAGES``. The lambda keeps the literal ``ngettext`` call that makemessages
extracts; call this with the reader's language active.

A table takes 200 lookups (2-3 ms), and the live alert's is on every coordinator page: each is
made once per process and language (the catalogs do not change while it runs).
"""

from collections.abc import Callable
from functools import cache

from django.utils import translation

SPAN = 200  # the index covers 0..199; larger counts are read as 100 + n % 100


def script_plural(translate: Callable[[int], str]) -> dict:
    """The forms of ``translate(n)`` and which one each count takes, for ``plural.js``, in the
    active language. ``translate`` is a module-level function: it keys the cache."""
    return _table(translate, translation.get_language())


@cache
def _table(translate: Callable[[int], str], language: str | None) -> dict:
    texts = [translate(n) for n in range(SPAN)]
    forms = list(dict.fromkeys(texts))
    return {"forms": forms, "index": "".join(str(forms.index(text)) for text in texts)}
