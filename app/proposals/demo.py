"""Demo proposals: realistic plans in Dutch across the five domains (youth first), in
different states, some translated, some with a locally drawn picture."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image, ImageDraw
from sqlalchemy import select

from app.extensions import db
from app.proposals.images import process_upload
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, ProgressUpdate, Proposal, ProposalImage, ProposalTranslation
from app.roles import Role

# (title, summary, domain, buurt or None for district-wide, status, [(cost line, euros)], backers, origin)
PLANS = [
    (
        "Huiswerkklas in het buurthuis",
        "Drie middagen per week hulp bij huiswerk voor kinderen van 10 tot 14 jaar, met vrijwilligers uit de buurt.",
        "youth",
        "Wildeman",
        Status.on_ballot,
        [("Begeleiders (vrijwilligersvergoeding)", 9600), ("Lesmateriaal", 1400), ("Laptops (4 stuks)", 2800)],
        64,
        "council",
    ),
    (
        "Voetbalkooi opknappen",
        "De kooi aan de Wildemanstraat krijgt nieuwe netten, verlichting en een bankje voor ouders.",
        "youth",
        "Wildeman",
        Status.on_ballot,
        [("Netten en doelen", 6500), ("Ledverlichting", 8200), ("Bankje en afvalbak", 1900)],
        112,
        "buurt_meeting",
    ),
    (
        "Meidenclub Jacob Geelbuurt",
        "Een veilige plek voor meiden van 12 tot 18 om te praten, te sporten en plannen te maken.",
        "youth",
        "Jacob Geelbuurt",
        Status.on_ballot,
        [("Jongerenwerker (1 dag per week)", 14000), ("Activiteiten", 3000)],
        48,
        "school",
    ),
    (
        "Stageplekken bij ondernemers",
        "Jongeren uit de buurt lopen stage bij lokale winkels en bedrijven, met een vaste coach.",
        "youth",
        None,
        Status.on_ballot,
        [("Coach", 18000), ("Reiskosten en lunch", 4000)],
        75,
        "organisation",
    ),
    (
        "Zomerschool Confuciusbuurt",
        "Twee weken zomerschool met taal, rekenen en uitstapjes voor kinderen die extra steun kunnen gebruiken.",
        "youth",
        "Confuciusbuurt",
        Status.funded,
        [("Docenten", 12000), ("Uitstapjes", 3500), ("Lunch", 2500)],
        90,
        "school",
    ),
    (
        "Buurtkamer met open inloop",
        "Een huiskamer in de buurt waar iedereen binnen kan lopen voor koffie, hulp met brieven en een praatje.",
        "democracy",
        "Reimerswaal",
        Status.on_ballot,
        [("Huur ruimte (1 jaar)", 9000), ("Inrichting", 4000), ("Koffie en thee", 1200)],
        58,
        "alliance",
    ),
    (
        "Bewonersbudget voor kleine ideeën",
        "Bewoners vragen tot 500 euro aan voor een buurtactiviteit; een bewonersjury beslist.",
        "democracy",
        None,
        Status.approved,
        [("Budget voor ideeën", 15000), ("Organisatie jury", 2000)],
        40,
        "council",
    ),
    (
        "Tolk bij bewonersavonden",
        "Bij elke bewonersavond zijn tolken Arabisch en Turks aanwezig, zodat iedereen mee kan praten.",
        "democracy",
        None,
        Status.in_review,
        [("Tolken (10 avonden)", 6000)],
        33,
        "council",
    ),
    (
        "Betere verlichting in de brandgangen",
        "Donkere brandgangen achter de Dichtersbuurt krijgen ledlampen met bewegingssensor.",
        "safety",
        "Dichtersbuurt",
        Status.on_ballot,
        [("Lampen en sensoren", 11000), ("Installatie", 5000)],
        87,
        "buurt_meeting",
    ),
    (
        "Buurtvaders op straat",
        "Vaders lopen op vrijdag- en zaterdagavond rondes en spreken jongeren aan.",
        "safety",
        "Louis Couperusbuurt",
        Status.rejected,
        [("Jassen en telefoons", 2500), ("Training", 3000)],
        21,
        "alliance",
    ),
    (
        "Schuldhulp-spreekuur",
        "Elke week een spreekuur waar bewoners zonder afspraak hulp krijgen met rekeningen en schulden.",
        "work",
        "Lodewijk van Deysselbuurt",
        Status.on_ballot,
        [("Schuldhulpmaatje-coördinator", 10000), ("Ruimte en koffie", 1500)],
        66,
        "organisation",
    ),
    (
        "Taal en werk voor moeders",
        "Nederlandse les gecombineerd met een werkervaringsplek, met kinderopvang erbij.",
        "work",
        "Wegener Sleeswijkbuurt",
        Status.in_progress,
        [("Docent", 8000), ("Kinderopvang", 6000), ("Werkplekbegeleiding", 4000)],
        52,
        "council",
    ),
    (
        "Reparatiecafé",
        "Eens per maand repareren vrijwilligers kapotte spullen; bewoners leren het zelf te doen.",
        "work",
        "Johan Jongkindbuurt",
        Status.submitted,
        [("Gereedschap", 2500), ("Onderdelen", 1000)],
        29,
        "buurt_meeting",
    ),
    (
        "Geveltuinen in de Ruys de Beerenbroukbuurt",
        "Bewoners planten samen geveltuinen; de gemeente haalt tegels weg.",
        "housing",
        "Ruys de Beerenbroukbuurt",
        Status.on_ballot,
        [("Planten en aarde", 3500), ("Begeleiding", 2500)],
        71,
        "alliance",
    ),
    (
        "Energiecoaches aan huis",
        "Getrainde buurtbewoners helpen huishoudens hun energierekening omlaag te krijgen.",
        "housing",
        None,
        Status.on_ballot,
        [("Training coaches", 5000), ("Vergoeding coaches", 12000), ("Kleine maatregelen", 8000)],
        95,
        "organisation",
    ),
    (
        "Speeltuin De Aker vernieuwen",
        "De oude speeltoestellen worden vervangen door een natuurspeelplek.",
        "housing",
        "De Aker-Oost",
        Status.draft,
        [("Speeltoestellen", 38000), ("Aanleg", 12000)],
        0,
        "buurt_meeting",
    ),
    (
        "Opruimdag met de hele buurt",
        "Vier keer per jaar een opruimdag met containers, grijpers en een buurtmaaltijd.",
        "housing",
        "Osdorp-Midden",
        Status.changes_requested,
        [("Containers", 2400), ("Buurtmaaltijd", 1600)],
        37,
        "council",
    ),
]

TRANSLATIONS = {
    "Huiswerkklas in het buurthuis": {
        "en": (
            "Homework class in the community centre",
            "Homework help three afternoons a week for children aged 10 to 14, with volunteers from the neighbourhood.",
        ),
        "tr": (
            "Mahalle evinde ödev sınıfı",
            "10-14 yaş arası çocuklara haftada üç öğleden sonra, mahalleden gönüllülerle ödev yardımı.",
        ),
        "ar": (
            "صف الواجبات في المركز الاجتماعي",
            "مساعدة في الواجبات المدرسية ثلاث مرات في الأسبوع للأطفال من 10 إلى 14 سنة، مع متطوعين من الحي.",
        ),
        "pl": (
            "Zajęcia z odrabiania lekcji w domu sąsiedzkim",
            "Pomoc w lekcjach trzy popołudnia w tygodniu dla dzieci od 10 do 14 lat, z wolontariuszami z okolicy.",
        ),
    },
    "Voetbalkooi opknappen": {
        "en": (
            "Fix up the football cage",
            "The cage on Wildemanstraat gets new nets, lighting and a bench for parents.",
        ),
        "tr": (
            "Futbol kafesini yenilemek",
            "Wildemanstraat'taki kafese yeni filelar, aydınlatma ve ebeveynler için bir bank geliyor.",
        ),
        "ar": ("تجديد ملعب كرة القدم", "يحصل الملعب في شارع فيلدمان على شباك جديدة وإضاءة ومقعد للأهل."),
    },
    "Betere verlichting in de brandgangen": {
        "en": (
            "Better lighting in the back alleys",
            "Dark alleys behind the Dichtersbuurt get LED lamps with motion sensors.",
        ),
        "ar": ("إضاءة أفضل في الممرات الخلفية", "تحصل الممرات المظلمة خلف حي الشعراء على مصابيح LED بحساسات حركة."),
    },
}

DOMAIN_COLOURS = {
    "youth": "#e07a1f",
    "democracy": "#2d6cb5",
    "safety": "#6b4fa0",
    "work": "#2f8a4c",
    "housing": "#b23a48",
}


def draw_picture(domain: str, seed: int) -> bytes:
    """A simple drawing made here (no downloads): sky, ground and a few shapes."""
    image = Image.new("RGB", (800, 500), "#dfeef7")
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 330, 800, 500), fill="#8fc27a")
    colour = DOMAIN_COLOURS[domain]
    for i in range(3 + seed % 3):
        x = 80 + i * 200 + (seed * 37) % 60
        pen.rectangle((x, 180 - (i % 2) * 40, x + 120, 330), fill=colour)
        pen.ellipse((x + 30, 120 - (i % 2) * 40, x + 90, 180 - (i % 2) * 40), fill="#f4d35e")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_proposals(users, buurten, **_kwargs) -> None:
    if db.session.scalar(select(Proposal.id).limit(1)) is not None:
        return
    aanjager, reviewer = users[Role.aanjager], users[Role.reviewer]
    for index, (title, summary, domain, buurt, status, lines, backers, origin) in enumerate(PLANS):
        neighbourhood = buurten.get(buurt) if buurt else None
        proposal = Proposal(
            title=title,
            summary=summary,
            description=summary + "\n\nMeer informatie volgt na de eerste gesprekken.",
            language="nl",
            domain=domain,
            neighbourhood=neighbourhood,
            alliance=neighbourhood.alliance if neighbourhood else None,
            origin=origin,
            backers_count=backers,
            author=aanjager,
            status=Status.draft,
            cost_lines=[
                CostLine(position=i, description=what, amount_cents=euros * 100)
                for i, (what, euros) in enumerate(lines)
            ],
        )
        db.session.add(proposal)
        for locale, (t_title, t_summary) in TRANSLATIONS.get(title, {}).items():
            proposal.translations.append(ProposalTranslation(locale=locale, title=t_title, summary=t_summary))
        if index % 3 == 0:
            picture = process_upload(draw_picture(domain, index))
            proposal.image = ProposalImage(
                content_type=picture.content_type,
                data=picture.data,
                thumbnail=picture.thumbnail,
                width=picture.width,
                height=picture.height,
                alt_text=title,
            )
        _walk_to(proposal, status, aanjager, reviewer)
    db.session.flush()


def _walk_to(proposal: Proposal, status: Status, aanjager, reviewer) -> None:
    """Move a demo proposal through the real state machine, so its timeline is real too."""
    path = {
        Status.draft: [],
        Status.submitted: [Status.submitted],
        Status.in_review: [Status.submitted, Status.in_review],
        Status.changes_requested: [Status.submitted, Status.in_review, Status.changes_requested],
        Status.approved: [Status.submitted, Status.in_review, Status.approved],
        Status.rejected: [Status.submitted, Status.in_review, Status.rejected],
        Status.on_ballot: [Status.submitted, Status.in_review, Status.approved],
        Status.funded: [Status.submitted, Status.in_review, Status.approved, Status.on_ballot, Status.funded],
        Status.in_progress: [
            Status.submitted,
            Status.in_review,
            Status.approved,
            Status.on_ballot,
            Status.funded,
            Status.in_progress,
        ],
    }[status]
    reasons = {
        Status.rejected: "De politie en de gemeente doen dit al; we steunen liever het bestaande buurtvaderproject.",
        Status.changes_requested: "Kun je aangeven wie de containers regelt en wat het per keer kost?",
        Status.approved: "Haalbaar binnen een jaar; de kosten kloppen.",
    }
    for target in path:
        actor = aanjager if target == Status.submitted else reviewer
        proposal.move_to(target, actor, reasons.get(target, ""))
        if target == Status.approved:
            proposal.feasible = True
            proposal.public_reason = reasons[Status.approved]
        if target == Status.rejected:
            proposal.feasible = False
            proposal.public_reason = reasons[Status.rejected]
        if target == Status.changes_requested:
            proposal.review_comment = reasons[Status.changes_requested]
    if status == Status.in_progress:
        proposal.progress_updates.append(
            ProgressUpdate(
                happened_on=date(2024, 3, 4),
                text="De eerste groep van twaalf moeders is begonnen.",
                spent_cents=550000,
            )
        )
