"""The reach report: who came to each council and who voted, compared with who lives there.

Every count leaves this module through `app.disclosure` (one rule everywhere)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from app import disclosure
from app.auth import audit
from app.auth.models import User
from app.councils.models import AGE_BANDS, Council, CouncilStatus
from app.councils.reach import ProfileFacts, profiles_for
from app.councils.services import attendance
from app.disclosure import Count
from app.extensions import db
from app.i18n import LANGUAGE_CODES
from app.places.models import Neighbourhood
from app.reach.measures import half_year, representativeness, under_represented
from app.reach.models import ReferencePopulation
from app.types import utcnow
from app.voting.models import BudgetRound
from app.voting.services import turnout

UNSAID = "unsaid"
BUURT_GROUPS = ("focus", "other", UNSAID)
FIRST_TIME_GROUPS = ("yes", "no", UNSAID)
CHANNELS = ("phone", "paper")


@dataclass
class CouncilReach:
    council: Council
    attendees: Count
    attendees_by_channel: dict[str, Count]
    voters: Count
    voters_by_channel: dict[str, Count]
    buurt_groups: dict[str, Count]
    age_bands: dict[str, Count]
    first_time: dict[str, Count]
    languages: dict[str, Count]
    #: 1 - total variation distance over age bands against the residents of the council's area.
    representativeness: float | None = None
    under_represented_ages: list[str] = field(default_factory=list)
    under_represented_buurten: list[str] = field(default_factory=list)

    @property
    def half_year(self) -> tuple[int, int]:
        return half_year(self.council.starts_at.date())

    @property
    def focus_share(self) -> float | None:
        """Share of focus buurten among attendees who named their buurt."""
        focus, other = self.buurt_groups["focus"], self.buurt_groups["other"]
        if not (focus.shown and other.shown) or not focus.value + other.value:
            return None
        return focus.value / (focus.value + other.value)


def _partition(cells: dict[str, int], total: int) -> dict[str, Count]:
    published, _total = disclosure.table(cells, total)
    return published


def _voters(council: Council) -> dict[str, int]:
    """Confirmed ballots of the council's round (the largest, if it had more than one)."""
    best = {"phone": 0, "paper": 0}
    for round_ in db.session.scalars(select(BudgetRound).where(BudgetRound.council_id == council.id)):
        t = turnout(round_)
        counts = {
            "phone": t.by_channel.get("council", 0) + t.by_channel.get("online", 0),
            "paper": t.by_channel.get("paper", 0),
        }
        if sum(counts.values()) > sum(best.values()):
            best = counts
    return best


def reference_by_area() -> dict[int | None, dict[int, dict[str, int]]]:
    """{area id: {buurt id: {age band: residents}}}; the key None holds every buurt."""
    result: dict = defaultdict(lambda: defaultdict(dict))
    rows = db.session.execute(
        select(
            ReferencePopulation.neighbourhood_id,
            Neighbourhood.area_id,
            ReferencePopulation.age_band,
            ReferencePopulation.residents,
        ).join(Neighbourhood, Neighbourhood.id == ReferencePopulation.neighbourhood_id)
    ).all()
    for buurt_id, area_id, band, residents in rows:
        result[area_id][buurt_id][band] = residents
        result[None][buurt_id][band] = residents
    return result


def council_reach(
    council: Council, profiles: list[ProfileFacts], reference=None, focus_ids: set[int] | None = None
) -> CouncilReach:
    reference = reference_by_area() if reference is None else reference
    if focus_ids is None:
        focus_ids = set(db.session.scalars(select(Neighbourhood.id).where(Neighbourhood.is_focus.is_(True))))
    seen = attendance(council)
    total = max(seen.signed_in, len(profiles))
    voters = _voters(council)
    voters_total = sum(voters.values())

    buurt = Counter("focus" if p.neighbourhood_id in focus_ids else "other" for p in profiles if p.neighbourhood_id)
    ages = Counter(p.age_band for p in profiles if p.age_band in AGE_BANDS)
    first = Counter(p.first_time for p in profiles if p.first_time in ("yes", "no"))
    languages = Counter(p.language for p in profiles if p.language in LANGUAGE_CODES)

    def with_unsaid(counter: Counter, keys) -> dict[str, int]:
        cells = {k: counter.get(k, 0) for k in keys}
        cells[UNSAID] = total - sum(cells.values())
        return cells

    attendees_cells = {"phone": seen.by_phone, "paper": seen.at_desk}
    published_attendees, attendees_count = disclosure.table(attendees_cells, seen.signed_in)
    published_voters, voters_count = disclosure.table(voters, voters_total)
    report = CouncilReach(
        council=council,
        attendees=attendees_count,
        attendees_by_channel=published_attendees,
        voters=voters_count,
        voters_by_channel=published_voters,
        buurt_groups=_partition(with_unsaid(buurt, ("focus", "other")), total),
        age_bands=_partition(with_unsaid(ages, AGE_BANDS), total),
        first_time=_partition(with_unsaid(first, ("yes", "no")), total),
        languages=_partition(with_unsaid(languages, LANGUAGE_CODES), total),
    )
    area_reference = reference.get(council.area_id) or reference.get(None) or {}
    if area_reference:
        residents_by_age = Counter()
        residents_by_buurt = Counter()
        for buurt_id, bands in area_reference.items():
            for band, residents in bands.items():
                residents_by_age[band] += residents
                residents_by_buurt[buurt_id] += residents
        report.representativeness = representativeness(dict(ages), dict(residents_by_age))
        report.under_represented_ages = under_represented(dict(ages), dict(residents_by_age))
        attendees_by_buurt = Counter(str(p.neighbourhood_id) for p in profiles if p.neighbourhood_id in area_reference)
        missing = under_represented(dict(attendees_by_buurt), {str(k): v for k, v in residents_by_buurt.items()})
        names = dict(db.session.execute(select(Neighbourhood.id, Neighbourhood.name)).all())
        report.under_represented_buurten = [names[int(k)] for k in missing if int(k) in names]
    return report


def reportable(council: Council) -> bool:
    """The report is meant for after the evening: once it is closed, published or over."""
    return council.status in (CouncilStatus.closed, CouncilStatus.outcomes_published) or council.ends_at <= utcnow()


def report_for(council: Council) -> CouncilReach:
    return council_reach(council, profiles_for([council.id]))


def past_reports() -> list[CouncilReach]:
    """Every council whose evening is over, newest first."""
    councils = [
        c for c in db.session.scalars(select(Council).order_by(Council.starts_at.desc(), Council.id)) if reportable(c)
    ]
    profiles = defaultdict(list)
    for facts in profiles_for([c.id for c in councils]):
        profiles[facts.council_id].append(facts)
    reference = reference_by_area()
    focus_ids = set(db.session.scalars(select(Neighbourhood.id).where(Neighbourhood.is_focus.is_(True))))
    return [council_reach(c, profiles[c.id], reference, focus_ids) for c in councils]


@dataclass
class PeriodRow:
    area: str | None
    year: int
    half: int
    councils: int
    attendees: Count
    first_timers: Count
    focus: Count
    named_buurt: Count

    @property
    def focus_share(self) -> float | None:
        return self.focus.share_of(self.named_buurt)

    @property
    def first_time_share(self) -> float | None:
        return self.first_timers.share_of(self.attendees)


def over_time(reports: list[CouncilReach]) -> list[PeriodRow]:
    """Per area and half-year. A sum is shown only when every council's figure in it is."""
    groups: dict[tuple, list[CouncilReach]] = defaultdict(list)
    for report in reports:
        area = report.council.area.name if report.council.area else None
        groups[(area or "", *report.half_year)].append(report)
    rows = []
    for (area, year, half), items in sorted(groups.items(), key=lambda kv: (-kv[0][1], -kv[0][2], kv[0][0])):
        named = [disclosure.combine([r.buurt_groups["focus"], r.buurt_groups["other"]]) for r in items]
        rows.append(
            PeriodRow(
                area or None,
                year,
                half,
                len(items),
                attendees=disclosure.combine(r.attendees for r in items),
                first_timers=disclosure.combine(r.first_time["yes"] for r in items),
                focus=disclosure.combine(r.buurt_groups["focus"] for r in items),
                named_buurt=disclosure.combine(named),
            )
        )
    return rows


# --- the public summary --------------------------------------------------------------------
@dataclass(frozen=True)
class PublicSummary:
    council: Council
    attendees: Count
    first_timers: Count
    focus_share: float | None


def public_summary(council: Council, focus_ids: set[int] | None = None) -> PublicSummary | None:
    """ "42 residents, 18 for the first time, 60 % from focus buurten" — once the outcomes are out."""
    if council.status != CouncilStatus.outcomes_published:
        return None
    report = council_reach(council, profiles_for([council.id]), reference={}, focus_ids=focus_ids)
    # The number of residents is public on the council's page too: the same count, the same rule.
    return PublicSummary(
        council, disclosure.single(attendance(council).signed_in), report.first_time["yes"], report.focus_share
    )


def recent_summaries(limit: int = 3) -> list[PublicSummary]:
    councils = db.session.scalars(
        select(Council)
        .where(Council.status == CouncilStatus.outcomes_published)
        .order_by(Council.starts_at.desc(), Council.id)
        .limit(limit)
    )
    focus_ids = set(db.session.scalars(select(Neighbourhood.id).where(Neighbourhood.is_focus.is_(True))))
    return [s for c in councils if (s := public_summary(c, focus_ids))]


# --- the reference distribution ------------------------------------------------------------
def replace_reference(rows: dict[tuple[int, str], int], actor: User, source: str = "") -> None:
    db.session.execute(delete(ReferencePopulation))
    db.session.add_all(
        ReferencePopulation(neighbourhood_id=b, age_band=band, residents=n) for (b, band), n in sorted(rows.items())
    )
    db.session.flush()
    audit.record(
        "reach.reference.replace", None, actor=actor, rows=len(rows), residents=sum(rows.values()), source=source[:200]
    )


def reference_table() -> list[tuple[Neighbourhood, dict[str, int]]]:
    rows = db.session.execute(
        select(ReferencePopulation.neighbourhood_id, ReferencePopulation.age_band, ReferencePopulation.residents)
    ).all()
    by_buurt: dict[int, dict[str, int]] = defaultdict(dict)
    for buurt_id, band, residents in rows:
        by_buurt[buurt_id][band] = residents
    buurten = db.session.scalars(
        select(Neighbourhood).where(Neighbourhood.id.in_(list(by_buurt))).order_by(Neighbourhood.name)
    )
    return [(b, by_buurt[b.id]) for b in buurten]
