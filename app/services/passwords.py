"""Password hashing: argon2id (argon2-cffi), with the hashes of the scheme before it
(Werkzeug's scrypt and pbkdf2) still accepted so each person's hash is replaced the next
time they sign in.

``PASSWORD_ARGON2`` (app/config.py) holds argon2-cffi's parameters; empty means its
defaults (RFC 9106's low-memory profile: 3 passes over 64 MiB). A hash made with other
parameters is "due a rehash" too, so raising them upgrades everyone as they sign in.

argon2-cffi is imported the first time a password is hashed or checked, not with the app.
"""
from __future__ import annotations

from contextlib import suppress
from functools import lru_cache
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash

if TYPE_CHECKING:
    from argon2 import PasswordHasher

ARGON2_PREFIX = "$argon2"


@lru_cache(maxsize=8)
def _hasher_for(parameters: tuple) -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher(**dict(parameters))


def _hasher() -> PasswordHasher:
    parameters = current_app.config.get("PASSWORD_ARGON2") or {} if has_app_context() else {}
    return _hasher_for(tuple(sorted(parameters.items())))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    if password_hash.startswith(ARGON2_PREFIX):
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(password_hash, password)  # the scheme before argon2
    except ValueError:
        return False


def needs_rehash(password_hash: str) -> bool:
    """Made with an older scheme, or with argon2 parameters other than today's."""
    return not password_hash.startswith(ARGON2_PREFIX) or _hasher().check_needs_rehash(password_hash)


@lru_cache(maxsize=8)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("a password nobody has")


def verify_nothing(password: str) -> None:
    """The work of checking a password, for an email with no account: the answer then takes
    as long as for one with an account, so timing does not tell who has one."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    with suppress(VerificationError, InvalidHashError):
        hasher.verify(_dummy_hash(hasher), password)
