"""A plan's photo survives a validation error and "More cost lines"; a photo over the limit is
refused beside its field with everything typed kept (no bare 413), and in the browser before
any upload."""

import io
import re

from PIL import Image
from sqlalchemy import select

from app.proposals.models import Proposal
from tests.proposals.test_routes import form_data


def jpeg(colour="orange") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, format="JPEG")
    return out.getvalue()


def kept_token(html: str) -> str:
    return re.search(r'name="kept_image" type="hidden" value="([^"]*)"', html).group(1)


def test_the_photo_is_kept_after_a_validation_error_and_more_cost_lines(client, login_as, aanjager, db):
    client.set_cookie("lang", "en")
    login_as(user=aanjager)
    first = client.post(
        "/staff/proposals/new",
        content_type="multipart/form-data",
        data=form_data(english=True, title="", image=(io.BytesIO(jpeg()), "foto.jpg")),
    )
    html = first.get_data(as_text=True)
    assert 'id="title-error"' in html and "Your photo is kept." in html and 'src="data:image/jpeg;base64,' in html
    token = kept_token(html)
    assert token

    more = client.post(
        "/staff/proposals/new",
        content_type="multipart/form-data",
        data=form_data(english=True, title="Huiswerkklas", kept_image=token, add_line="1"),
    )
    html = more.get_data(as_text=True)
    assert "Your photo is kept." in html and kept_token(html) == token and 'name="cost_lines-2-description"' in html

    saved = client.post(
        "/staff/proposals/new", content_type="multipart/form-data", data=form_data(english=True, kept_image=token)
    )
    assert saved.status_code == 303
    proposal = db.session.scalar(select(Proposal))
    assert proposal.image is not None
    with Image.open(io.BytesIO(proposal.image.data)) as image:
        assert image.size == (800, 600)


def test_a_kept_photo_belongs_to_its_uploader(client, login_as, aanjager, make_user, db):
    from app.roles import Role

    login_as(user=aanjager)
    html = client.post(
        "/staff/proposals/new",
        content_type="multipart/form-data",
        data=form_data(title="", image=(io.BytesIO(jpeg()), "foto.jpg")),
    ).get_data(as_text=True)
    token = kept_token(html)
    other = make_user(Role.aanjager)
    login_as(user=other)
    html = client.post(
        "/staff/proposals/new", content_type="multipart/form-data", data=form_data(title="", kept_image=token)
    ).get_data(as_text=True)
    assert "Your photo is kept." not in html and kept_token(html) == ""


def test_a_20_mb_photo_is_refused_beside_the_field_and_the_text_stays(client, login_as, aanjager, db):
    client.set_cookie("lang", "en")
    login_as(user=aanjager)
    big = b"\xff\xd8" + b"0" * (20 * 1024 * 1024)
    response = client.post(
        "/staff/proposals/new",
        content_type="multipart/form-data",
        data=form_data(english=True, title="Speeltuin Wildeman", image=(io.BytesIO(big), "groot.jpg")),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # not a bare 413
    assert 'id="image-error"' in html and "larger than 5 MB" in html
    assert 'value="Speeltuin Wildeman"' in html and "Drie middagen per week." in html
    assert db.session.scalar(select(Proposal)) is None


def test_the_browser_is_told_the_limit(client, login_as, aanjager):
    login_as(user=aanjager)
    html = client.get("/staff/proposals/new").get_data(as_text=True)
    assert 'data-max-bytes="5242880"' in html and re.search(r'src="/static/js/upload\.[0-9a-f]+\.js"', html)
