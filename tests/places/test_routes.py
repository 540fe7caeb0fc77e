from sqlalchemy import select

from app.auth.models import AuditEvent
from app.places.models import Alliance, Area, Neighbourhood
from app.roles import Role


def test_admin_manages_areas_buurten_and_alliances(client, login_as, make_user, db):
    client.set_cookie("lang", "en")
    login_as(Role.admin)
    aanjager = make_user(Role.aanjager, name="Samira")
    assert client.post("/staff/places/areas/new", data={"name": "Osdorp"}).status_code == 303
    area = db.session.scalar(select(Area))
    assert (
        client.post(
            "/staff/places/buurten/new", data={"name": "Wildeman", "area_id": str(area.id), "is_focus": "y"}
        ).status_code
        == 303
    )
    buurt = db.session.scalar(select(Neighbourhood))
    assert buurt.is_focus and buurt.area_id == area.id
    response = client.post(
        f"/staff/places/buurten/{buurt.id}/alliance",
        data={"name": "Wijkalliantie Wildeman", "meeting_place": "Buurthuis", "aanjager_ids": [str(aanjager.id)]},
    )
    assert response.status_code == 303
    alliance = db.session.scalar(select(Alliance))
    assert [u.name for u in alliance.aanjagers] == ["Samira"]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"place.area.save", "place.buurt.save", "place.alliance.save"} <= actions
    page = client.get("/staff/places").get_data(as_text=True)
    assert "Wijkalliantie Wildeman" in page and "Samira" in page


def test_duplicate_names_get_a_message_not_an_error(client, login_as, db):
    client.set_cookie("lang", "en")
    login_as(Role.admin)
    client.post("/staff/places/areas/new", data={"name": "Osdorp"})
    again = client.post("/staff/places/areas/new", data={"name": "Osdorp"})
    assert again.status_code == 200 and "already in use" in again.get_data(as_text=True)
    assert 'value="Osdorp"' in again.get_data(as_text=True)
