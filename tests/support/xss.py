"""A small corpus of script-injection payloads and a check that a page shows them as text."""
import re

PAYLOADS = [
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    "\" onmouseover=alert(1) x=\"",
    "' autofocus onfocus=alert(1) '",
    "x onerror=alert(1) src=y",
    "<img src=x onerror=alert(1)>",
    "=cmd|' /C calc'!A0",
    "</textarea><script>alert(1)</script>",
    "{{ 7*7 }}",
]


def assert_inert(html: str, payload: str) -> None:
    """The raw payload never appears unescaped, and no element gains an event handler."""
    if "<" in payload or '"' in payload:
        assert payload not in html, "payload appears unescaped"
    assert not re.search(r"<(script|svg|img)[^>]*(onload|onerror)", html, re.I)
    assert not re.search(r"<[a-z]+[^>]*\son\w+=alert", html, re.I)
    assert 'href="javascript:' not in html.lower()
