"""Every committed .mo says what its .po says (`make run` needs no GNU gettext, so the compiled
catalogues are committed). A .mo compiled before its .po was last translated shows those strings
in English: the console's SLA badges were, until a `#|` comment left in its pt-BR catalogue made
msgfmt refuse the file and the .mo was not compiled again."""

from pathlib import Path

import polib
import pytest

APP = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(APP.glob("**/locale/*/LC_MESSAGES/django.po"))


def _messages(entries) -> dict:
    return {(entry.msgctxt, entry.msgid): (entry.msgstr, entry.msgstr_plural) for entry in entries}


def test_every_area_has_its_catalogues():
    assert len(CATALOGUES) >= 20  # pt-BR and English for each area with a locale/


@pytest.mark.parametrize("source", CATALOGUES, ids=lambda path: str(path.relative_to(APP)))
def test_the_compiled_catalogue_says_what_its_source_says(source):
    compiled = _messages(polib.mofile(str(source.with_suffix(".mo"))))
    # what msgfmt compiles: the translated entries, neither fuzzy nor obsolete
    assert compiled == _messages(polib.pofile(str(source)).translated_entries())
