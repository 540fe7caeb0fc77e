"""The source strings are English, so the `en` catalog translates each message to itself.
Run by `make translations` after the catalogs are updated."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = Path(__file__).resolve().parent.parent / "translations/en/LC_MESSAGES/messages.po"
with path.open("rb") as handle:
    catalog = read_po(handle, locale="en")
for message in catalog:
    if not message.id:
        continue
    if isinstance(message.id, tuple):
        message.string = tuple(message.id[:1] + message.id[1:2])
    else:
        message.string = message.id
    message.flags.discard("fuzzy")
with path.open("wb") as handle:
    write_po(handle, catalog, width=100)
