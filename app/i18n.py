"""Locale selection and the language switcher."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LOCALE_COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str  # each language in its own script, so everyone finds theirs
    rtl: bool = False


LANGUAGES: tuple[Language, ...] = (
    Language("nl", "Nederlands"),
    Language("en", "English"),
    Language("tr", "Türkçe"),
    Language("ar", "العربية", rtl=True),
    Language("pl", "Polski"),
)
LANGUAGE_CODES = tuple(lang.code for lang in LANGUAGES)
_BY_CODE = {lang.code: lang for lang in LANGUAGES}


def language(code: str) -> Language:
    return _BY_CODE.get(code, _BY_CODE["nl"])


def select_locale() -> str:
    """The visitor's explicit choice, then the staff account, then Accept-Language, then Dutch."""
    if not has_request_context():  # the CLI, background work: the programme's language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen not in LANGUAGE_CODES and current_user and current_user.is_authenticated:
        if current_user.locale in LANGUAGE_CODES:
            return current_user.locale
    return visitor_language(chosen, request.headers.get("Accept-Language"), current_app.config["BABEL_DEFAULT_LOCALE"])


def visitor_language(chosen: str | None, accept_language: str | None, default: str) -> str:
    """The language of a visitor without an account: the one chosen with the language links
    (``chosen``, the cookie), then the browser's (``Accept-Language``), then ``default``."""
    if chosen in LANGUAGE_CODES:
        return chosen
    return parse_accept_header(accept_language, LanguageAccept).best_match(LANGUAGE_CODES) or default


def current_language() -> Language:
    from flask_babel import get_locale

    if "language" not in g:
        g.language = language(str(get_locale() or "nl"))
    return g.language
