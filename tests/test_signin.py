"""Sign-in for a shared makeprint serve, through an HTTP client: sessions, CSRF, throttling."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from conftest import copy_project, run_cli
from test_server import Served, doc_query, event_form

import makeprint
from makeprint_engine.access import (
    ACCOUNT_FAILURES,
    Access,
    add_user,
    key_path,
    read_users,
    remove_user,
)

PASSWORD = "correct horse battery"


def typed(*args: str, input: str):  # type: ignore[no-untyped-def]  # noqa: A002
    """The command with ``input`` typed at its prompts."""
    return CliRunner().invoke(makeprint.cli, list(args), input=input, catch_exceptions=False)


class Browser:
    """A client that keeps cookies, as a browser would (one per person)."""

    def __init__(self, site: Served):
        self.site = site
        self.cookies: dict[str, str] = {}
        self.last_set: list[str] = []

    def request(
        self, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> tuple[int, object, bytes]:
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, got, raw = self.site.request(method, path, body, headers)
        self.last_set = got.get_all("Set-Cookie") or []
        for line in self.last_set:
            name, value = line.split(";", 1)[0].split("=", 1)
            if "Max-Age=0" in line:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return status, got, raw

    def signin_form(self) -> str:
        status, _, page = self.request("GET", "/signin")
        assert status == 200
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.decode())
        assert found
        return found[1]

    def sign_in(self, name: str, password: str, csrf: str | None = None, **headers: str):  # type: ignore[no-untyped-def]
        token = self.signin_form() if csrf is None else csrf
        form = {"name": name, "password": password, **({"csrf": token} if token else {})}
        return self.request(
            "POST",
            "/signin",
            urlencode(form).encode(),
            **{"Content-Type": "application/x-www-form-urlencoded", **headers},
        )

    def page_token(self) -> str:
        status, _, page = self.request("GET", "/")
        assert status == 200
        found = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page.decode())
        assert found
        return found[1]


@pytest.fixture(scope="module")
def users(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "users.toml"
    add_user(path, "dana", PASSWORD)
    add_user(path, "sam", PASSWORD + "!")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, users: Path) -> Iterator[Served]:
    root = copy_project(tmp_path_factory.mktemp("signin") / "proj")
    running = Served(root, watch=False, users=users)
    yield running
    running.close()


def test_accounts_file_and_key_are_private_and_hashed(users: Path) -> None:
    text = users.read_text()
    assert PASSWORD not in text and '[users."dana"]' in text
    assert read_users(users)["dana"].startswith("$argon2id$")
    for path in (users, key_path(users)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert key_path(users).name == "users.key"
    assert Access(users).authenticate("dana", PASSWORD)
    assert not Access(users).authenticate("dana", "wrong password")
    assert not Access(users).authenticate("nobody", PASSWORD)


def test_without_a_session_only_the_sign_in_page_answers(site: Served) -> None:
    anonymous = Browser(site)
    for path in ("/", "/app.js", "/?x=1"):
        status, headers, _ = anonymous.request("GET", path)
        assert status == 303 and headers["Location"] == "/signin", path
    for path in (
        "/api/catalog",
        "/api/version",
        "/api/pdf?" + doc_query("east-harbor", "en", "flyer"),
        "/api/page.png?" + doc_query("east-harbor", "en", "flyer", page="1"),
    ):
        status, headers, body = anonymous.request("GET", path)
        assert status == 401 and json.loads(body) == {"error": "sign in first"}, path
        assert b"east-harbor" not in body and b"Harbor" not in body
    status, _, body = anonymous.request(
        "POST", "/api/event", json.dumps(event_form()).encode(),
        **{"Content-Type": "application/json"},
    )
    assert status == 401
    status, headers, page = anonymous.request("GET", "/signin")
    assert status == 200 and "default-src 'none'" in headers["Content-Security-Policy"]
    html = page.decode()
    assert '<link rel="stylesheet" href="/app.css">' in html and "<script" not in html
    assert 'for="name"' in html and 'for="password"' in html
    assert "East Harbor" not in html  # no location, nothing but the form
    assert anonymous.request("GET", "/app.css")[0] == 200  # the sign-in page's style


def test_sign_in_use_and_sign_out(site: Served) -> None:
    dana = Browser(site)
    status, headers, _ = dana.sign_in("dana", PASSWORD)
    assert status == 303 and headers["Location"] == "/"
    session = next(line for line in dana.last_set if line.startswith("makeprint_session="))
    assert "HttpOnly" in session and "SameSite=Strict" in session
    assert "Secure" not in session  # plain http on loopback: a Secure cookie would not return
    token = dana.page_token()
    status, _, page = dana.request("GET", "/")
    assert "Signed in as dana" in page.decode() and 'action="/signout"' in page.decode()
    status, _, body = dana.request("GET", "/api/catalog")
    assert status == 200 and json.loads(body)["locations"]
    status, headers, pdf = dana.request("GET", "/api/pdf?" + doc_query("east-harbor", "en",
                                                                       "wallet-card"))
    assert status == 200 and pdf.startswith(b"%PDF")

    # Every POST needs the session's token: missing or wrong is 403, and nothing is made.
    form = json.dumps(event_form(phone="555-CALL-NOW")).encode()
    for headers_sent in ({}, {"X-CSRF-Token": "0" * 32}):
        status, _, body = dana.request(
            "POST", "/api/event", form, **{"Content-Type": "application/json", **headers_sent}
        )
        assert status == 403 and "security token" in json.loads(body)["error"]
    status, _, body = dana.request(
        "POST", "/api/event", form, **{"Content-Type": "application/json", "X-CSRF-Token": token}
    )
    assert status == 422 and "phone" in json.loads(body)["errors"]  # the form itself is checked

    # Another person's session is their own.
    sam = Browser(site)
    assert sam.sign_in("sam", PASSWORD + "!")[0] == 303
    assert sam.page_token() != token

    # Sign-out needs the token too, then the old cookie is worth nothing, even if kept.
    kept = dict(dana.cookies)
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    assert dana.request("POST", "/signout", b"", **form_type)[0] == 403
    status, headers, _ = dana.request(
        "POST", "/signout", urlencode({"csrf": token}).encode(), **form_type
    )
    assert status == 303 and headers["Location"] == "/signin"
    assert "makeprint_session" not in dana.cookies
    dana.cookies = kept
    assert dana.request("GET", "/api/catalog")[0] == 401
    assert sam.request("GET", "/api/catalog")[0] == 200


def test_the_sign_in_form_itself_needs_its_token(site: Served) -> None:
    someone = Browser(site)
    someone.signin_form()
    status, _, page = someone.sign_in("dana", PASSWORD, csrf="")
    assert status == 403 and b"security token" in page
    assert "makeprint_session" not in someone.cookies
    status, _, page = someone.sign_in("dana", PASSWORD, csrf="f" * 32)
    assert status == 403


def test_forged_or_altered_cookies_are_refused(site: Served) -> None:
    dana = Browser(site)
    assert dana.sign_in("dana", PASSWORD)[0] == 303
    body, signature = dana.cookies["makeprint_session"].rsplit(".", 1)
    forged = Browser(site)
    for value in (f"{body}.{'0' * len(signature)}", f"{body[:-2]}xx.{signature}", "x", "",
                  f"{body}.\u00e9{signature[1:]}"):
        forged.cookies = {"makeprint_session": value}
        assert forged.request("GET", "/api/catalog")[0] == 401, value
    # Tokens that are not even ASCII are wrong tokens, not a crash.
    form = json.dumps(event_form()).encode()
    status, _, _ = dana.request(
        "POST", "/api/event", form,
        **{"Content-Type": "application/json", "X-CSRF-Token": "\u00e9" * 32},
    )
    assert status == 403
    status, _, _ = dana.request(
        "POST", "/signout", b"csrf=%C3%A9",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403


def test_wrong_passwords_are_throttled_per_account_and_per_address(
    tmp_path: Path, project: Path
) -> None:
    users = tmp_path / "users.toml"
    add_user(users, "dana", PASSWORD)
    add_user(users, "sam", PASSWORD)
    running = Served(project, watch=False, users=users)
    try:
        guesser = Browser(running)
        for _ in range(ACCOUNT_FAILURES):
            status, _, page = guesser.sign_in("dana", "not the password")
            assert status == 401 and b"do not match" in page
        # The right password no longer helps, for this account, from anywhere.
        status, headers, page = guesser.sign_in("dana", PASSWORD)
        assert status == 429 and b"Too many wrong passwords for this name" in page
        assert 0 < int(headers["Retry-After"]) <= 15 * 60
        assert Browser(running).sign_in("Dana", PASSWORD)[0] == 429  # names in any case
        assert "makeprint_session" not in guesser.cookies
        # Another account is not locked by dana's failures.
        assert Browser(running).sign_in("sam", PASSWORD)[0] == 303
        # Per address: many names guessed from one address lock that address out.
        throttle = running.server.web.access.throttle
        for n in range(throttle.limits["address"]):
            throttle.failed("127.0.0.1", f"guess-{n}")
        status, _, page = Browser(running).sign_in("sam", PASSWORD)
        assert status == 429 and b"from this device" in page
    finally:
        running.close()


def test_removing_an_account_ends_its_sessions(tmp_path: Path, project: Path) -> None:
    users = tmp_path / "users.toml"
    add_user(users, "dana", PASSWORD)
    add_user(users, "sam", PASSWORD)
    running = Served(project, watch=False, users=users)
    try:
        dana, sam = Browser(running), Browser(running)
        assert dana.sign_in("dana", PASSWORD)[0] == 303 and sam.sign_in("sam", PASSWORD)[0] == 303
        remove_user(users, "dana")
        assert dana.request("GET", "/api/catalog")[0] == 401
        add_user(users, "sam", "a brand new password")  # a new password: sign in again
        assert sam.request("GET", "/api/catalog")[0] == 401
    finally:
        running.close()


def test_behind_a_proxy_https_makes_the_cookie_secure(tmp_path: Path, project: Path) -> None:
    users = tmp_path / "users.toml"
    add_user(users, "dana", PASSWORD)
    for behind, secure in ((True, True), (False, False)):
        running = Served(project, watch=False, users=users, behind_proxy=behind)
        try:
            dana = Browser(running)
            status, _, _ = dana.sign_in(
                "dana", PASSWORD, **{"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.7"}
            )
            assert status == 303
            session = next(s for s in dana.last_set if s.startswith("makeprint_session="))
            assert ("Secure" in session) is secure
        finally:
            running.close()


def test_users_commands_prompt_hide_and_confirm(tmp_path: Path) -> None:
    users = tmp_path / "team" / "users.toml"
    users.parent.mkdir()
    result = typed("users", "add", "dana", "--users", str(users),
                     input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden
    assert "added dana" in result.output and "dana" in read_users(users)
    result = typed("users", "add", "sam", "--users", str(users),
                     input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0 and "do not match" in result.output.lower()
    result = typed("users", "add", "kim", "--users", str(users), input="short\nshort\n")
    assert result.exit_code == 1 and "too short" in result.output
    result = typed("users", "add", "../x", "--users", str(users), input="")
    assert result.exit_code == 1 and "not a usable account name" in result.output
    assert run_cli("users", "list", "--users", str(users)).output.split() == ["dana", "sam"]
    assert run_cli("users", "remove", "dana", "--users", str(users)).exit_code == 0
    assert list(read_users(users)) == ["sam"]
    assert run_cli("users", "remove", "dana", "--users", str(users)).exit_code == 1


def test_serve_with_an_empty_users_file_refuses_to_start(tmp_path: Path, project: Path) -> None:
    result = run_cli("serve", "--project", str(project), "--host", "0.0.0.0", "--port", "0",
                     "--users", str(tmp_path / "none.toml"))
    assert result.exit_code == 2 and "has no accounts" in result.output
