"""Private: the languages geotel writes for people, and the one check of a ``lang``
argument (every writer raises the same error for a language it does not write)."""

from __future__ import annotations

from typing import Literal

from geotel.errors import ValueRangeError

__all__ = ["LANGS", "Lang", "check_lang"]

Lang = Literal["vi", "en"]
#: Vietnamese (the users' language, the default) and English.
LANGS: tuple[Lang, ...] = ("vi", "en")


def check_lang(lang: object, *, allowed: tuple[str, ...] = LANGS) -> str:
    """``lang`` when it is one of ``allowed``; :class:`ValueRangeError` otherwise.

    Examples
    --------
    >>> check_lang("vi")
    'vi'
    >>> check_lang("fr")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geotel.errors.ValueRangeError: column 'lang': lang = 'fr' is not supported ...
    """
    if lang not in allowed:
        choices = " or ".join(f"lang='{a}'" for a in allowed)
        raise ValueRangeError(f"lang = {lang!r} is not supported (Vietnamese 'vi' or "
                              "English 'en')", column="lang", fix=f"use {choices}")
    return str(lang)
