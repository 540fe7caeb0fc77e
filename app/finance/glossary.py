"""One plain line per funding stream, for the finance page: what the name means. Matched on the
start of the stream's name, so "Vliegwielmiddelen (Nieuw-West, Zuidoost en Noord samen)" finds
its line; a stream without a line shows none."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

GLOSSARY = (
    (
        "Vliegwielmiddelen",
        _l(
            "Programme money to start new ideas that keep going by themselves (a flywheel); "
            "shared by Nieuw-West, Zuidoost and Noord."
        ),
    ),
    (
        "SPUK Kansrijke wijk",
        _l("A special purpose grant (SPUK) from the national government for neighbourhoods that get extra chances."),
    ),
    ("Preventie met gezag", _l("National money to keep young people out of crime, together with Zuidoost.")),
    ("Volkshuisvestingsfonds", _l("National fund for better homes and streets in neighbourhoods that need it most.")),
    ("Woningbouwimpuls", _l("National money that helps build new homes faster, here in Osdorp.")),
    ("Energiefixers", _l("Helpers who make homes use less energy, so the bills go down.")),
    ("Europese subsidie", _l("A European grant for working with other cities on chances for young people.")),
)


def explain(name: str) -> str | None:
    for start, line in GLOSSARY:
        if name.startswith(start):
            return str(line)
    return None
