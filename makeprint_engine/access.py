"""Who may use a shared ``makeprint serve``: accounts, signed sessions, CSRF tokens, throttling.

Accounts live in a TOML file (``users.toml``): one table per person holding an Argon2id hash
(argon2-cffi, its default parameters), written by ``makeprint users add``. The key that signs
session cookies and CSRF tokens is made once, beside that file (``users.key``, mode 0600), so
sessions survive a restart and the key never enters a repository (.gitignore lists both).

A session cookie is ``payload.signature``: the payload names the person, a random session id,
when it was issued and a tag of the person's password hash (a changed password or a removed
account ends every session at once). Sign-out revokes the session id for the rest of its
life. The CSRF token of a session is an HMAC of its id, sent with every POST. Failed sign-ins
are counted per address and per account over a window; past the limit, sign-in is refused
(even with the right password) until the oldest failure leaves the window.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
import tomllib
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from .errors import MakeprintError, Problem

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
SESSION_SECONDS = 12 * 3600  # a working day: sign in once a shift
WINDOW_SECONDS = 15 * 60
ACCOUNT_FAILURES = 5  # wrong passwords for one account within the window
ADDRESS_FAILURES = 20  # wrong passwords from one address within the window (any accounts)
COOKIE = "makeprint_session"
SIGNIN_COOKIE = "makeprint_signin"  # the sign-in form's own CSRF nonce (no session yet)
_HEADER = (
    "# makeprint users: one table per person, an Argon2 hash of their password.\n"
    "# Add or change one with: makeprint users add NAME. Keep this file out of any repository.\n"
)


def key_path(users: Path) -> Path:
    """Where the signing key of ``users`` is kept: ``users.key`` beside ``users.toml``."""
    return users.with_name(users.stem + ".key")


def check_name(name: str) -> None:
    if not NAME_RE.match(name):
        raise MakeprintError(
            [
                Problem(
                    f'"{name[:70]}" is not a usable account name — use 1 to 64 letters, '
                    "digits, '.', '_', '@' or '-', starting with a letter or digit"
                )
            ]
        )


def read_users(path: Path) -> dict[str, str]:
    """Account name → Argon2 hash; a missing file is no accounts."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MakeprintError([Problem(f"{path}: cannot read the accounts: {exc}")]) from None
    users = data.get("users", {})
    problems = []
    found: dict[str, str] = {}
    if not isinstance(users, dict):
        raise MakeprintError([Problem(f"{path}: 'users' must be a table of accounts")])
    for name, entry in users.items():
        digest = entry.get("hash") if isinstance(entry, dict) else None
        if not NAME_RE.match(name) or not isinstance(digest, str) or not digest.startswith(
            "$argon2"
        ):
            problems.append(
                Problem(
                    f"{path}: users.{name}: not an account with an Argon2 hash — "
                    "run makeprint users add NAME again"
                )
            )
            continue
        found[name] = digest
    if problems:
        raise MakeprintError(problems)
    return found


def write_users(path: Path, users: dict[str, str]) -> None:
    """Write the accounts atomically, readable by this user only."""
    lines = [_HEADER]
    for name in sorted(users):
        lines.append(f'\n[users."{name}"]\nhash = "{users[name]}"\n')
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write("".join(lines))
    os.replace(partial, path)


def hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def add_user(path: Path, name: str, password: str) -> bool:
    """Add ``name`` or change their password; True when the account is new."""
    check_name(name)
    if len(password) < MIN_PASSWORD:
        raise MakeprintError(
            [Problem(f"the password is too short — use at least {MIN_PASSWORD} characters")]
        )
    users = read_users(path)
    new = name not in users
    users[name] = hasher().hash(password)
    write_users(path, users)
    signing_key(path)  # made now, so the first serve finds it
    return new


def remove_user(path: Path, name: str) -> None:
    users = read_users(path)
    if name not in users:
        raise MakeprintError([Problem(f"{path}: there is no account named {name!r}")])
    del users[name]
    write_users(path, users)


def signing_key(users: Path) -> bytes:
    """The key beside ``users``, made once (32 random bytes, mode 0600)."""
    path = key_path(users)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) < 32:
            raise MakeprintError(
                [Problem(f"{path}: the signing key is damaged — delete it; one is made again")]
            ) from None
        return key
    key = secrets.token_bytes(32)
    with os.fdopen(handle, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
    return key


def same(given: str, expected: str) -> bool:
    """Constant-time equality of a token someone sent (any text) with the expected one."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Session:
    user: str
    sid: str
    issued: int
    csrf: str


class Throttle:
    """Failed sign-ins per address and per account within a sliding window."""

    def __init__(
        self,
        window: float = WINDOW_SECONDS,
        per_account: int = ACCOUNT_FAILURES,
        per_address: int = ADDRESS_FAILURES,
    ):
        self.window = window
        self.limits = {"account": per_account, "address": per_address}
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def wait(self, address: str, account: str) -> tuple[str, float] | None:
        """``(what, seconds)`` to wait before trying again, or None."""
        now = time.monotonic()
        with self._lock:
            for what, value in (("account", account.lower()), ("address", address)):
                times = self._recent((what, value), now)
                if len(times) >= self.limits[what]:
                    return what, times[0] + self.window - now
        return None

    def failed(self, address: str, account: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (("account", account.lower()), ("address", address)):
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times
            if len(self._failures) > 10_000:  # forget idle keys rather than grow for ever
                self._failures = {k: v for k, v in self._failures.items() if v}


class Access:
    """Sign-in against a users file; makes and checks session cookies and CSRF tokens."""

    def __init__(self, users: Path, throttle: Throttle | None = None):
        self.path = users
        self.key = signing_key(users)
        self.throttle = throttle or Throttle()
        self._users: dict[str, str] = {}
        self._stamp: tuple[int, int] | None = None
        self._revoked: dict[str, float] = {}
        self._lock = threading.Lock()
        self.users()  # a broken file stops serve before it starts
        # Verified against when the name is unknown, so both take as long.
        self._decoy = hasher().hash(secrets.token_hex(16))

    def users(self) -> dict[str, str]:
        """The accounts, read again when the file changes (added or removed while serving)."""
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = (0, 0)
        with self._lock:
            if stamp != self._stamp:
                self._users = read_users(self.path)
                self._stamp = stamp
            return self._users

    def _mac(self, purpose: str, text: str) -> str:
        return hmac.new(self.key, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()

    def authenticate(self, name: str, password: str) -> bool:
        """True for a known name with its password (slow on purpose: Argon2)."""
        from argon2.exceptions import Argon2Error, InvalidHashError

        digest = self.users().get(name)
        try:
            hasher().verify(digest or self._decoy, password)
        except (Argon2Error, InvalidHashError):
            return False
        return digest is not None

    def new_session(self, user: str) -> str:
        """A signed cookie value for ``user``."""
        payload = {
            "u": user,
            "s": secrets.token_hex(16),
            "t": int(time.time()),
            "h": self._mac("hash", self.users().get(user, ""))[:16],
        }
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{self._mac('session', body)}"

    def session(self, cookie: str | None) -> Session | None:
        """The session a cookie proves, or None (forged, expired, signed out, account gone)."""
        if not cookie or "." not in cookie or len(cookie) > 1024:
            return None
        body, signature = cookie.rsplit(".", 1)
        if not same(signature, self._mac("session", body)):
            return None
        try:
            payload = json.loads(_unb64(body))
            user, sid, issued, tag = payload["u"], payload["s"], payload["t"], payload["h"]
        except (ValueError, KeyError, TypeError):
            return None
        if not isinstance(issued, int) or time.time() - issued > SESSION_SECONDS:
            return None
        digest = self.users().get(user)
        if digest is None or not isinstance(tag, str) or not same(
            tag, self._mac("hash", digest)[:16]
        ):
            return None
        with self._lock:
            if sid in self._revoked:
                return None
        return Session(user, sid, issued, self._mac("csrf", sid)[:32])

    def revoke(self, session: Session) -> None:
        now = time.time()
        with self._lock:
            self._revoked = {
                s: t for s, t in self._revoked.items() if now - t < SESSION_SECONDS
            }
            self._revoked[session.sid] = session.issued

    def signin_token(self, nonce: str) -> str:
        """The sign-in form's CSRF token for the nonce in its cookie."""
        return self._mac("signin", nonce)[:32]

    def check_signin_token(self, nonce: str | None, token: str | None) -> bool:
        return bool(nonce and token) and same(str(token), self.signin_token(str(nonce)))
