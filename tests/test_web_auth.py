"""Signing in to the web: passwords, sessions, CSRF, throttling, sign-out."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.conftest import WEB_PASSWORD


def text(response) -> str:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ", strip=True)


def test_signed_out_pages_go_to_sign_in_and_come_back(web):
    client = web()
    response = client.get("/cases?stratum=custody")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/cases")
    response = client.post(
        "/sign-in?next=/cases?stratum%3Dcustody", {"name": "pat", "password": WEB_PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/cases?stratum=custody"
    assert "Signed in as pat (dudley)" in text(client.get("/cases"))


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(web):
    client = web()
    wrong, unknown = (
        client.sign_in("pat", "not the password at all"),
        client.sign_in("nobody", WEB_PASSWORD),
    )
    assert wrong.status_code == unknown.status_code == 400
    assert "The user name or password is not right" in text(wrong)
    assert text(wrong).replace("pat", "X") == text(unknown).replace("nobody", "X")
    assert not client.signed_in


def test_the_cookie_is_httponly_and_samesite(web):
    response = web().sign_in("pat")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert WEB_PASSWORD not in cookie


def test_a_post_without_the_csrf_token_is_refused(web):
    client = web()
    response = client.post("/sign-in", {"name": "pat", "password": WEB_PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "The form had expired" in text(response)
    assert not client.signed_in
    signed = web("pat")
    assert signed.post("/sign-out", csrf=False).status_code == 400
    assert signed.signed_in


def test_sign_out_ends_the_session(web):
    client = web("pat")
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert not client.signed_in
    assert client.get("/cases").status_code == 302
    assert "You have signed out" in text(client.get("/sign-in"))


def test_repeated_failures_pause_that_user_name_even_with_the_right_password(web):
    client = web()
    for _ in range(5):
        assert client.sign_in("pat", "wrong password here").status_code == 400
    response = client.sign_in("pat")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in text(response)
    assert web("lena").signed_in  # another user name is not held up


def test_a_new_password_or_disabling_ends_existing_sessions(web, altar):
    pat = web("pat")
    result = altar("--user", "boss", "user", "passwd", "pat", input="a brand new passphrase\n" * 2)
    assert result.exit_code == 0, result.output
    response = pat.get("/cases")
    assert response.status_code == 302
    assert "Your password was changed" in text(pat.get("/sign-in"))
    lena = web("lena")
    assert altar("--user", "boss", "user", "disable", "lena").exit_code == 0
    assert lena.get("/cases").status_code == 302
    assert web().sign_in("lena").status_code == 400


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/%5Cevil.example/",
        "/%5C%5Cevil.example",
        "/%09/evil.example",
        "javascript:alert(1)",
    ],
)
def test_no_open_redirect_after_sign_in(web, target):
    client = web()
    response = client.post(f"/sign-in?next={target}", {"name": "pat", "password": WEB_PASSWORD})
    assert response.headers["Location"] == "/cases"


def test_pages_forbid_framing_and_caching(web):
    response = web("pat").get("/cases")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_an_oversized_post_is_refused_and_writes_nothing(web):
    response = web("pat").post("/sign-out", {"x": "a" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too big" in text(response)


@pytest.mark.parametrize(
    "password, problem", [("short one", "at least 12"), ("pat-is-my-password", "user's name")]
)
def test_weak_passwords_are_refused_at_the_prompt(
    altar, web_users, password, problem, assert_user_error
):
    result = altar("--user", "boss", "user", "passwd", "pat", input=f"{password}\n" * 2)
    assert_user_error(result, problem)


def test_a_user_may_change_only_their_own_password_unless_admin(
    altar, web_users, assert_user_error
):
    result = altar("--user", "pat", "user", "passwd", "walt", input="another fine passphrase\n" * 2)
    assert_user_error(result, "only an admin")
    result = altar("--user", "pat", "user", "passwd", "pat", input="another fine passphrase\n" * 2)
    assert result.exit_code == 0, result.output
    log = altar("--user", "boss", "audit", "--format", "csv").output
    assert "pat.password" in log and "argon2" not in log and "another fine" not in log


def test_the_hash_is_argon2_and_the_password_is_not_stored(query, web_users):
    (stored,) = query("SELECT password_hash FROM users WHERE name = 'pat'")[0]
    assert stored.startswith("$argon2id$") and WEB_PASSWORD not in stored


def test_a_password_piped_in_from_a_script_is_read_without_a_prompt_or_echo_warning(
    db_path, tmp_path
):
    import os
    import subprocess
    import sys
    from pathlib import Path

    altar_exe = str(Path(sys.executable).parent / "altar")
    env = {**os.environ, "ALTAR_DB": str(db_path), "ALTAR_USER": ""}
    done = subprocess.run(
        [altar_exe, "user", "add", "root_admin", "--role", "admin"],
        input=f"{WEB_PASSWORD}\n" * 2,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "echoed" not in done.stderr and "Web password" not in done.stderr + done.stdout
    assert "Added user root_admin (admin)." in done.stdout + done.stderr


def test_the_real_altar_hashes_at_argon2s_recommended_costs(db_path, query):
    # The other tests hash at the cheapest costs (conftest); altar as its own
    # process must use the library's defaults.
    import os
    import subprocess
    import sys
    from pathlib import Path

    from argon2 import extract_parameters
    from argon2.profiles import get_default_parameters

    done = subprocess.run(
        [str(Path(sys.executable).parent / "altar"), "user", "add", "rk_admin", "--role", "admin"],
        input=f"{WEB_PASSWORD}\n" * 2,
        capture_output=True,
        text=True,
        env={**os.environ, "ALTAR_DB": str(db_path), "ALTAR_USER": ""},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (stored,) = query("SELECT password_hash FROM users WHERE name = 'rk_admin'")[0]
    assert extract_parameters(stored) == get_default_parameters()


@pytest.mark.parametrize(
    "sent, problem",
    [
        ("one good passphrase\nanother good phrase\n", "differ"),
        ("", "no web password for walt on standard input"),
    ],
)
def test_piped_passwords_that_differ_or_are_missing_are_refused(
    altar, web_users, query, sent, problem, assert_user_error
):
    result = altar(
        "--user",
        "boss",
        "user",
        "add",
        "walt2",
        "--role",
        "practitioner",
        "--authority",
        "walsall",
        input=sent,
    )
    assert_user_error(result, problem.replace("walt", "walt2"))
    assert query("SELECT count(*) FROM users WHERE name = 'walt2'") == [(0,)]


# --- changing your own password ------------------------------------------------------------

NEW_PASSWORD = "purple monkey dishwasher"


def change(client, current=WEB_PASSWORD, new=NEW_PASSWORD, confirm=None):  # type: ignore[no-untyped-def]
    return client.post(
        "/account/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def summary(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    box = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(class_="error-summary")
    return [(a["href"], a.get_text(" ", strip=True)) for a in box.find_all("a")] if box else []


def password_hash(query, name: str = "pat") -> str:  # type: ignore[no-untyped-def]
    return query("SELECT password_hash FROM users WHERE name = ?", (name,))[0][0]


def test_a_user_changes_their_own_password_and_other_sessions_end(web, query, altar):
    here, elsewhere = web("pat"), web("pat")
    assert "Change password" in text(here.get("/cases"))
    response = change(here)
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    assert "Your password has been changed" in text(here.get("/account/password"))
    assert here.get("/cases").status_code == 200  # this session carries on
    assert elsewhere.get("/cases").status_code == 302  # the other one is signed out
    assert (
        web().sign_in("pat").status_code == 400
        and web().sign_in("pat", NEW_PASSWORD).status_code == 302
    )
    log = query(
        "SELECT actor, command, field, new_value FROM change_log WHERE entity = 'user' AND actor = 'pat'"
    )
    assert log == [("pat", "altar serve auth.change_password", "pat.password", "changed")]
    assert NEW_PASSWORD not in password_hash(query) and password_hash(query).startswith(
        "$argon2id$"
    )


@pytest.mark.parametrize(
    "current, new, confirm, expected",
    [
        (
            "",
            "",
            "",
            [
                ("#current_password", "Enter your current password"),
                ("#new_password", "Enter a new password"),
                ("#confirm_password", "Enter the new password again"),
            ],
        ),
        (
            "not my password",
            NEW_PASSWORD,
            None,
            [("#current_password", "Your current password is not right")],
        ),
        (
            WEB_PASSWORD,
            "too short",
            None,
            [
                (
                    "#new_password",
                    "A password needs at least 12 characters (three random "
                    "words are easy to remember and hard to guess).",
                )
            ],
        ),
        (
            WEB_PASSWORD,
            "pat's own passphrase",
            None,
            [("#new_password", "A password must not contain the user's name.")],
        ),
        (
            WEB_PASSWORD,
            WEB_PASSWORD,
            None,
            [("#new_password", "The new password is the same as the current one.")],
        ),
        (
            WEB_PASSWORD,
            NEW_PASSWORD,
            "purple monkey dishwashers",
            [("#confirm_password", "The two new passwords differ: type the same one twice.")],
        ),
    ],
)
def test_a_bad_change_is_refused_by_field_and_changes_nothing(
    web, query, current, new, confirm, expected
):
    client, before = web("pat"), password_hash(query)
    response = change(client, current, new, confirm)
    assert response.status_code == 400
    assert summary(response) == expected
    assert password_hash(query) == before and client.get("/cases").status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert all(
        field.get("value", "") == "" for field in page.select("input[type=password]")
    )  # never sent back


def test_guessing_the_current_password_is_paused_like_sign_in(web, query):
    client, before = web("pat"), password_hash(query)
    for _ in range(5):
        assert change(client, current="a wrong guess at it").status_code == 400
    response = change(client)  # even the right one must now wait
    assert response.status_code == 429 and "Too many wrong passwords" in text(response)
    assert password_hash(query) == before
    assert web().sign_in("pat").status_code == 429  # the same pause as signing in


def test_an_unexpected_error_says_nothing_was_saved_and_shows_no_traceback(
    web_app, web, monkeypatch
):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug with a secret in it")

    monkeypatch.setattr("altar.web.views.cases.caseload_page", broken)
    web_app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    response = web("pat").get("/cases")
    assert response.status_code == 500
    assert "Something went wrong" in text(response) and "nothing was saved" in text(response)
    assert "secret" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(
        as_text=True
    )
