"""In the browser, a photo over 5 MB is refused as soon as it is chosen, before anything is sent."""

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in, log_out


def test_an_oversize_photo_is_refused_before_upload(page):
    log_in(page, "aanjager@wijkstem.example", DEMO_PASSWORD)
    page.goto("/staff/proposals/new")
    page.fill("#title", "Speeltuin")
    uploads = []
    page.on("request", lambda request: uploads.append(request) if request.method == "POST" else None)
    page.set_input_files(
        "#image",
        files=[{"name": "groot.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"0" * (6 * 1024 * 1024)}],
    )
    assert page.locator("#image-size-error").is_visible()
    assert page.eval_on_selector("#image", "input => input.files.length") == 0
    assert page.input_value("#title") == "Speeltuin"
    assert uploads == []
    page.set_input_files("#image", files=[{"name": "klein.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8small"}])
    assert not page.locator("#image-size-error").is_visible()
    log_out(page)
