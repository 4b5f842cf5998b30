"""Languages: which the site speaks, which a mission works in, which each person reads.

One place for every question of the kind "in which language?":
- the site's languages are ``settings.LANGUAGES`` (English, the six official languages of
  the United Nations, and Kazakh); ``language_code`` reads a code as people write it
  (``"RU"``, ``"zh_Hans"``, ``"fr-CA"``) and answers the site's code, or None;
- a mission's languages (``Mission.languages``, the first its observers' default) and those
  its checklists must be complete in before they go live (``Mission.required_languages``);
- a person's language is kept on their account (``Profile.language``): the switcher sets
  it, and so does the observer import (the first of an observer's ``languages`` the site
  speaks). ``UserLanguageMiddleware`` (after LocaleMiddleware and authentication) turns the
  interface to it on each request of a signed-in user; the choice is read once per session
  (``SESSION_KEY``), so a page costs no query for it;
- texts kept per language (``{"ru": "...", "kk": "..."}`` beside an English original) are
  read with ``text_in``, which says which language it found, so a page can mark a fallback
  to English (``lang="en"``).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Profile

# Where a signed-in session keeps its user's language: [user id, code] ("" for none).
SESSION_KEY = "_account_language"


def site_languages() -> list[str]:
    """The site's languages, its default (English) first."""
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    """A language's name in the active language ("Russian", "русский"...)."""
    info = LANG_INFO.get(code) or LANG_INFO.get(code.split("-")[0]) or {}
    return translation.gettext(info["name"]) if "name" in info else code


def language_code(value) -> str | None:
    """The site's code for a language as people write it, or None if the site lacks it:
    ``"RU"`` -> ``"ru"``, ``"zh_Hans"``/``"zh-CN"``/``"zh"`` -> ``"zh-hans"``, ``"fr-CA"`` ->
    ``"fr"``."""
    code = str(value or "").strip().lower().replace("_", "-")
    if not code:
        return None
    known = site_languages()
    if code in known:
        return code
    try:
        found = translation.get_supported_language_variant(code)
    except LookupError:
        return None
    return found if found in known else None


LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def list_text(items) -> str:
    """Words listed as the active language lists them ("a, b", Chinese "a、b", Arabic "a، b")."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


def languages_parse(text: str) -> list[str]:
    """The language codes in ``"ru, en"`` / ``"ru;kk"`` / ``"ru kk"``, lower case, in order,
    each once. Raises ValidationError naming any that is no language code (``LANG_INFO``
    knows about a hundred; an observer may speak one the site does not)."""
    found: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,;\s]+", str(text or "").strip()):
        if not part:
            continue
        code = part.lower().replace("_", "-")
        site = language_code(code)
        if site is None and not (
            LANGUAGE_TAG.match(code) and (code in LANG_INFO or code.split("-")[0] in LANG_INFO)
        ):
            unknown.append(part[:20])
            continue
        code = site or code
        if code not in found:
            found.append(code)
    if unknown:
        raise ValidationError(
            _('Unknown language "%(value)s": write language codes such as %(example)s.')
            % {"value": ", ".join(unknown[:3]), "example": "ru, en"}
        )
    return found


def languages_clean(value) -> list[str]:
    """A mission's ``languages`` body checked: a list of the site's codes, no repeats."""
    known = site_languages()
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_('Give the languages as a list, e.g. ["en", "ru"].'))
    unknown = [code for code in value if code not in known]
    if unknown:
        raise ValidationError(
            _("Unknown language %(codes)s (use %(known)s).")
            % {"codes": ", ".join(c[:20] for c in unknown[:5]), "known": ", ".join(known)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Name each language once."))
    return list(value)


def required_languages_clean(value, *, languages: list[str]) -> list[str]:
    """The languages a checklist must be complete in before it goes live: some of the
    mission's ``languages`` (English, the checklists' own language, need not be named)."""
    value = languages_clean(value)
    outside = [code for code in value if code not in languages]
    if outside:
        raise ValidationError(
            _("%(codes)s is not one of the mission's languages (%(languages)s).")
            % {"codes": ", ".join(outside), "languages": ", ".join(languages)}
        )
    return [code for code in value if code != settings.LANGUAGE_CODE]


def mission_languages(*, mission) -> list[str]:
    """The mission's languages, its default first; all the site's when none are set."""
    languages = [code for code in (mission.languages or []) if code in site_languages()]
    return languages or site_languages()


def mission_language(*, mission) -> str:
    """The mission's default language (its observers' when they have none of their own)."""
    if mission is None:
        return settings.LANGUAGE_CODE
    languages = [code for code in (mission.languages or []) if code in site_languages()]
    return languages[0] if languages else settings.LANGUAGE_CODE


def translation_languages(*, mission) -> list[str]:
    """The languages a mission's texts are translated into: its languages but English."""
    return [code for code in mission_languages(mission=mission) if code != settings.LANGUAGE_CODE]


def required_languages(*, mission) -> list[str]:
    return [code for code in (mission.required_languages or []) if code in site_languages()]


def spoken_language(languages_text: str) -> str | None:
    """The first of an observer's ``languages`` (``"de, ru, en"``) that the site speaks."""
    for part in re.split(r"[,;\s]+", str(languages_text or "")):
        code = language_code(part)
        if code:
            return code
    return None


def account_language(user) -> str | None:
    """The language kept on the account (None: none chosen yet)."""
    if user is None or not getattr(user, "pk", None):
        return None
    return _account_language_of(user.pk)


def _account_language_of(user_id) -> str | None:
    language = Profile.objects.filter(user_id=user_id).values_list("language", flat=True).first()
    return language if language in site_languages() else None


def observer_language(*, observer, account: str | None = None, mission=None) -> str:
    """The language to write to an observer in (an SMS reply, a message): their account's,
    which the import sets from their ``languages`` and the switcher changes; else the first
    of their ``languages`` the site speaks; else the mission's default. ``account`` and
    ``mission``, when the caller has them, save the queries for them."""
    if account is None:
        account = _account_language_of(observer.user_id)
    return (
        (account if account in site_languages() else None)
        or spoken_language(observer.languages)
        or mission_language(mission=mission or observer.mission)
    )


def observer_languages(*, observer, account: str | None = None, mission=None) -> list[str]:
    """The languages an observer reads, theirs first, then the interface's (``account`` and
    ``mission`` as for ``observer_language``)."""
    found = [observer_language(observer=observer, account=account, mission=mission)]
    current = language_code(translation.get_language())
    if current and current not in found:
        found.append(current)
    return found


def account_language_set(*, user, language: str) -> None:
    """Keep ``language`` (a site language) as the account's choice."""
    if language not in site_languages():
        raise ValidationError(_("Unknown language %(code)s.") % {"code": str(language)[:20]})
    Profile.objects.update_or_create(user=user, defaults={"language": language})


def accounts_language_set(*, language_by_user: dict[int, str]) -> None:
    """Set several accounts' languages at once (the observer import)."""
    if not language_by_user:
        return
    Profile.objects.bulk_create(
        [Profile(user_id=user_id, language=code) for user_id, code in language_by_user.items()],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["language"],
    )


class Localised(str):
    """A text in the language asked for, or the original when that has no translation: a
    ``str`` that knows its ``language`` and whether it is a ``fallback``, so a page can say
    so (``<span lang="en">`` and an "EN" mark)."""

    language: str
    fallback: bool

    def __new__(cls, text: str, language: str, fallback: bool):
        value = super().__new__(cls, text)
        value.language = language
        value.fallback = fallback
        return value

    @property
    def text(self) -> str:
        return str.__str__(self)


def text_in(text: str, translations: dict | None, language: str | None = None) -> Localised:
    """``text`` (in English) in ``language`` (the active one by default) when translated."""
    language = language_code(language or translation.get_language()) or settings.LANGUAGE_CODE
    translations = translations or {}
    if language == settings.LANGUAGE_CODE:
        return Localised(text or "", language, False)
    translated = translations.get(language)
    if translated:
        return Localised(translated, language, False)
    return Localised(text or "", settings.LANGUAGE_CODE, bool(text))


def session_language(request) -> str | None:
    """The signed-in user's language, read from the account once per session."""
    user = request.user
    if not user.is_authenticated:
        return None
    kept = request.session.get(SESSION_KEY)
    if isinstance(kept, list) and len(kept) == 2 and kept[0] == user.pk:
        return kept[1] or None
    language = account_language(user) or ""
    request.session[SESSION_KEY] = [user.pk, language]
    return language or None


def session_language_keep(request, language: str) -> None:
    if request.user.is_authenticated:
        request.session[SESSION_KEY] = [request.user.pk, language]


def session_language_login(sender, request, user, **kwargs):
    """``user_logged_in``: the new session starts with the account's language."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = [user.pk, account_language(user) or ""]


class UserLanguageMiddleware:
    """After LocaleMiddleware, authentication and the device session: a signed-in user (an
    observer too) reads the interface in the language kept on their account, whatever the
    browser asks for. Without one, LocaleMiddleware's choice stands (the ``lang`` cookie,
    else Accept-Language). Token-authenticated API calls have no session: they follow the
    cookie or Accept-Language (API.md "Languages")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        # A request with a token never reads the session's user (API.md: the cookie or
        # Accept-Language decide), so a phone's API calls pay nothing here.
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
        ):
            language = session_language(request)
            if language and language != request.LANGUAGE_CODE:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # The cookie follows the account, so the phone's API calls (which carry a token and
        # the cookie, not the session) answer in the language its pages are in.
        if (
            language
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies  # the switcher's own
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
