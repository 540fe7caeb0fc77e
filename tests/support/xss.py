"""A small corpus of script-injection payloads and a check that a page shows them as text."""

from html.parser import HTMLParser

PAYLOADS = [
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    '" onmouseover=alert(1) x="',
    "' autofocus onfocus=alert(1) '",
    "x onerror=alert(1) src=y",
    "<img src=x onerror=alert(1)>",
    "=cmd|' /C calc'!A0",
    "</textarea><script>alert(1)</script>",
    "{{ 7*7 }}",
]


class _ActiveMarkup(HTMLParser):
    """Collects what a browser would run: event-handler attributes, javascript: URLs and
    script elements. Escaped text inside attribute values is data, not markup, so a form
    field whose value="&lt;svg onload=...&gt;" is (rightly) not reported."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name.lower() in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script":
            self._in_script = True
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.found.append(f"<script src={src!r}>")
        if tag in ("svg", "img") and any(n.lower() in ("onload", "onerror") for n, _v in attrs):
            self.found.append(f"<{tag} with a handler>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in_script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert" in data:
            self.found.append("inline script")


def assert_inert(html: str, payload: str) -> None:
    """The raw payload never appears unescaped, and no element gains an event handler,
    a javascript: link or a script of its own."""
    if "<" in payload or '"' in payload:
        assert payload not in html, "payload appears unescaped"
    parser = _ActiveMarkup()
    parser.feed(html)
    parser.close()
    assert not parser.found, f"active markup on the page: {parser.found}"
    assert 'href="javascript:' not in html.lower()
