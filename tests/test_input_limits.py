"""Input limits (issue 13): images over 40 megapixels are refused before decoding, and ids
beyond the database's integer range are 404 on every route that takes one."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select

from app.proposals.images import ImageRejected, process_upload
from app.proposals.models import Proposal
from app.roles import Role
from tests.proposals.conftest import aanjager, buurt  # noqa: F401  (fixtures)
from tests.proposals.test_routes import form_data


def png(width: int, height: int) -> bytes:
    """A bilevel PNG: a few kilobytes on disk, width x height pixels once decoded."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("width", "height", "accepted"),
    [
        (2000, 1500, True),  # 3 MP
        (8000, 5000, True),  # exactly 40 MP
        (8000, 5001, False),  # just over
        (9990, 8000, False),  # the 79.9 MP (under Pillow's own hard limit of twice 40 MP)
    ],
)
def test_images_over_40_megapixels_are_refused(width, height, accepted):
    raw = png(width, height)
    assert len(raw) < 5 * 1024 * 1024
    if accepted:
        assert process_upload(raw).width > 0
    else:
        with pytest.raises(ImageRejected) as refused:
            process_upload(raw)
        assert refused.value.code == "too_many_pixels"


def test_the_bomb_is_refused_before_it_is_decoded(monkeypatch):
    decoded = []
    original = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or original(self))
    with pytest.raises(ImageRejected):
        process_upload(png(9990, 8000))
    assert decoded == []


def test_the_form_says_why_and_keeps_the_text(client, login_as, aanjager, db):
    client.set_cookie("lang", "en")
    login_as(user=aanjager)
    data = form_data(english=True, image=(io.BytesIO(png(9990, 8000)), "groot.png"))
    response = client.post("/staff/proposals/new", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "more than 40 megapixels" in html and 'value="Huiswerkklas"' in html
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


@pytest.mark.parametrize("huge", [2**31, 2**63, 2**64, 10**30])
def test_ids_beyond_the_integer_range_are_404_on_every_route(app, client, login_as, huge):
    login_as(*Role)  # every role, so that no access check answers first
    rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert len(rules) > 40
    for rule in rules:
        url = re.sub(r"<int:[^>]+>", str(huge), rule.rule)
        url = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip(), url)
        url = re.sub(r"<(?:string:|path:)?[^>]+>", "x", url)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 404, (rule.rule, response.status_code)
