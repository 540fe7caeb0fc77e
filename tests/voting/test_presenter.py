"""The presenter view and the results page on a phone (issue 14): large labelled bars per
plan, funded plans marked, money left, "provisional" until approval in the evening's
languages, a QR code (that decodes) to the results page; results as cards with the chart's
labels in HTML text."""

import re

import zxingcpp
from PIL import Image, ImageDraw

from app.councils.models import Council
from app.roles import Role
from tests.voting.test_receipt_result import CONFIRM, voted  # noqa: F401  (fixture)


def qr_image(svg: str) -> Image.Image:
    size = int(re.search(r'viewBox="-4 -4 (\d+) ', svg).group(1))
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in re.findall(r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" fill="#000">', svg):
        x, y, w, h = (int(v) for v in (x, y, w, h))
        draw.rectangle([(x + 4) * scale, (y + 4) * scale, (x + 4 + w) * scale - 1, (y + 4 + h) * scale - 1], fill=0)
    return image


def test_presenter_after_the_reveal(app, client, login_as, login_facilitator, voted, db):
    round_, _phone = voted()  # one ballot for A (40k) and C (20k) of 60k: both funded, nothing left
    council = db.session.get(Council, round_.council_id)
    council.languages = ["nl", "ar"]
    db.session.commit()
    client.set_cookie("lang", "en")
    facilitator = login_facilitator(round_)  # the council's own facilitator presents
    before = client.get(f"/staff/rounds/{round_.id}/present").get_data(as_text=True)
    assert "plan-bar" not in before and "Voorlopige uitslag" not in before
    client.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM)
    html = client.get(f"/staff/rounds/{round_.id}/present").get_data(as_text=True)
    status = re.search(r'<p class="presenter-status provisional"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert (
        '<span lang="nl" dir="ltr">Voorlopige uitslag</span>' in status
        and '<span lang="ar" dir="rtl">نتيجة مؤقتة</span>' in status
    )
    assert re.search(r'class="money-left">.*Geld over.*: <strong>€0.00</strong>', html, re.S)
    bars = re.findall(
        r'<li class="(funded|not-funded)">\s*<p class="plan-label"><strong[^>]*>([^<]+)</strong>\s*<span class="badge">([^<]+)</span>',
        html,
    )
    assert bars == [
        ("funded", "Plan A", "✓ Funded"),
        ("funded", "Plan C", "✓ Funded"),
        ("not-funded", "Plan B", "Not funded"),
    ]
    assert html.count('<svg class="plan-bar"') == 3
    assert "Support: <strong>1</strong>" in html and "Cost: <strong>€40,000.00</strong>" in html
    svg = re.search(r'<figure class="presenter-qr">(.*?)</figure>', html, re.S).group(1)
    [decoded] = zxingcpp.read_barcodes(qr_image(svg))
    assert decoded.text == f"http://localhost/rounds/{round_.id}/results"

    login_as(Role.board)
    client.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM)
    login_as(user=facilitator)
    final = client.get(f"/staff/rounds/{round_.id}/present").get_data(as_text=True)
    assert 'class="presenter-status final"' in final and "Definitieve uitslag" in final


def test_results_are_cards_with_the_chart_labels_in_text(app, client, login_as, voted, db):
    round_, _phone = voted()
    login_as(Role.board)
    client.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM)
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    html = visitor.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    assert "<table" not in html
    cards = re.findall(r'<li class="result-card (funded|not-funded)">\s*<h3><a [^>]*>([^<]+)</a></h3>', html)
    assert cards == [("funded", "Plan A"), ("funded", "Plan C"), ("not-funded", "Plan B")]
    legend = re.search(r'<ul class="bar-legend">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r'dir="auto">([^<]+)</span>: ([^<]+)</li>', legend) == [
        ("Plan A", "€40,000.00"),
        ("Plan C", "€20,000.00"),
    ]
    assert "Left over" not in legend  # 60k of 60k spent
