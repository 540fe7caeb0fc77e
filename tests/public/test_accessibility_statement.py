"""The accessibility statement at /toegankelijkheid (issue 14): the Dutch model's parts
(scope, compliance status, known problems, contact and feedback route, date), in all five
languages, linked from every footer."""

import pytest

HEADINGS = {  # written from the glossary, not read from the catalogues
    "nl": ("Toegankelijkheidsverklaring", "Toegankelijkheid", "Nationale ombudsman"),
    "en": ("Accessibility statement", "Accessibility", "Nationale ombudsman"),
    "tr": ("Erişilebilirlik beyanı", "Erişilebilirlik", "Nationale ombudsman"),
    "ar": ("بيان إمكانية الوصول", "إمكانية الوصول", "Nationale ombudsman"),
    "pl": ("Deklaracja dostępności", "Dostępność", "Nationale ombudsman"),
}


@pytest.mark.parametrize("locale", sorted(HEADINGS))
def test_statement_in_every_language(client, locale):
    client.set_cookie("lang", locale)
    response = client.get("/toegankelijkheid")
    html = response.get_data(as_text=True)
    title, footer, ombudsman = HEADINGS[locale]
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in html
    assert html.count("<h2>") == 4  # scope, status, known problems, feedback
    assert 'href="mailto:toegankelijkheid@samennieuwwest.example"' in html and ombudsman in html
    assert "WCAG 2.1" in html and "EN 301 549" in html
    assert f'<a href="/toegankelijkheid">{footer}</a>' in html
    if locale == "ar":
        assert '<html lang="ar" dir="rtl">' in html


@pytest.mark.parametrize(
    "path", ["/", "/proposals", "/councils", "/finance", "/receipt", "/t", "/privacy", "/does-not-exist"]
)
def test_every_footer_links_to_it(client, path):
    client.set_cookie("lang", "nl")
    assert '<a href="/toegankelijkheid">Toegankelijkheid</a>' in client.get(path).get_data(as_text=True)


def test_the_contact_address_is_configurable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESSIBILITY_CONTACT", "hulp@example.org")
    assert 'href="mailto:hulp@example.org"' in client.get("/toegankelijkheid").get_data(as_text=True)
