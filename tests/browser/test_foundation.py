from app.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_fits_phone, axe_violations


def test_home_in_dutch_at_phone_size_is_accessible(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "ltr"
    assert page.locator("h1").inner_text() == "Jouw buurt beslist"
    assert_fits_phone(page)
    assert axe_violations(page) == []


def test_language_switch_to_arabic_renders_right_to_left(page):
    page.goto("/")
    page.get_by_role("link", name="العربية").click()
    page.wait_for_url("**/")
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # The brand sits at the right edge in a right-to-left layout.
    box = page.locator(".brand").bounding_box()
    assert box["x"] + box["width"] > 360 / 2
    assert_fits_phone(page)
    assert axe_violations(page) == []
    # The choice is remembered on the next page.
    page.goto("/privacy")
    assert page.locator("html").get_attribute("dir") == "rtl"


def test_skip_link_and_visible_focus(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_staff_login_at_phone_size(page):
    page.goto("/login")
    assert axe_violations(page) == []
    page.get_by_label("E-mailadres").fill("admin@wijkstem.example")
    page.get_by_label("Wachtwoord").fill("fout wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    assert page.locator(".error").first.is_visible()
    assert page.get_by_label("E-mailadres").input_value() == "admin@wijkstem.example"
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    # Administrators sign in with a second step: the demo's published authenticator key.
    page.wait_for_url("**/login/code")
    assert axe_violations(page) == []
    import pyotp

    from app.demo import DEMO_TOTP_SECRET

    page.get_by_label("Code").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/staff")
    assert "Anouk Admin" in page.locator("h1").inner_text()
    assert_fits_phone(page)
    assert axe_violations(page) == []


def test_touch_targets_are_at_least_44_px(page):
    page.goto("/")
    # Links inside running text may stay inline (WCAG 2.5.8 exempts them); everything else is big.
    small = page.evaluate(
        """[...document.querySelectorAll('main a, main button, .languages a, .site-header a, .site-header button, footer a')]
            .filter(e => e.offsetParent !== null && !e.closest('p'))
            .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
            .filter(([t, h]) => h < 44)"""
    )
    assert small == []
