import pytest

from app import create_app
from app.i18n import LANGUAGE_CODES
from config import TestingConfig

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_home_in_every_language_sets_lang_and_direction(client, code):
    client.set_cookie("lang", code)
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in html


def test_home_is_dutch_by_default_and_translated(client):
    html = client.get("/").get_data(as_text=True)
    assert "Jouw buurt beslist" in html or "Uw buurt beslist" in html


def test_accept_language_is_used_without_a_choice(client):
    html = client.get("/", headers={"Accept-Language": "tr-TR,tr;q=0.9"}).get_data(as_text=True)
    assert '<html lang="tr"' in html


def test_explicit_choice_beats_accept_language(client):
    response = client.get("/lang/ar?next=/privacy", headers={"Accept-Language": "en"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/privacy")
    html = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html


def test_language_switch_refuses_foreign_redirects(client):
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_unknown_language_is_404(client):
    assert client.get("/lang/xx").status_code == 404


def test_switcher_lists_each_language_in_its_own_script(client):
    html = client.get("/").get_data(as_text=True)
    for name in ("Nederlands", "English", "Türkçe", "العربية", "Polski"):
        assert name in html


def test_security_headers_on_every_response(client):
    for path in ("/", "/privacy", "/does-not-exist", "/login"):
        response = client.get(path)
        for header, value in EXPECTED_HEADERS.items():
            assert response.headers[header] == value
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "default-src 'self'" in csp


def test_pages_have_no_inline_scripts_or_styles_and_no_foreign_hosts(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "<style" not in html
    assert "http://" not in html.replace("http://localhost", "") and "https://" not in html


def test_not_found_page_is_translated_and_friendly(client):
    client.set_cookie("lang", "en")
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    client.set_cookie("lang", "nl")
    assert "Pagina niet gevonden" in client.get("/nowhere").get_data(as_text=True)


def test_server_error_shows_no_stack_trace():
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")

    @app.route("/_boom_for_test")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/_boom_for_test")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert '<html lang="nl"' in body


def test_health_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
