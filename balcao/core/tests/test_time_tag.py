"""``time_tag`` writes what the lists' templates wrote with Django's ``date`` filter, in every
language and time zone (the format split once per language, not by Django per value)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import dateformat, formats, timezone, translation

from balcao.core.listcache import time_tag

TEMPLATE = Template(
    '<time datetime="{{ value|date:\'c\' }}">{{ value|date:"SHORT_DATETIME_FORMAT" }}</time>'
)
INSTANTS = [
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
    datetime(2026, 2, 15, 2, 30, 5, 123456, tzinfo=UTC),  # Brasília's old DST, midnights
    datetime(2026, 7, 4, 13, 59, 59, tzinfo=UTC),  # after noon: "p.m." in English
    datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # New York's repeated hour
    datetime(2026, 12, 31, 23, 59, tzinfo=UTC) + timedelta(microseconds=1),
]


@pytest.mark.parametrize("language", ["pt-br", "en", "de", "ja"])
@pytest.mark.parametrize("zone", ["America/Sao_Paulo", "America/New_York", "Asia/Kolkata"])
def test_time_tag_writes_what_the_date_filter_wrote(language, zone):
    with translation.override(language), timezone.override(zone):
        for value in INSTANTS:
            assert time_tag(value) == TEMPLATE.render(Context({"value": value}))


def test_a_format_with_escaped_letters_and_literal_text_is_written_as_django_writes_it(
    monkeypatch,
):
    written = r"j \d\e F \à\s H\hi"  # a format as a locale may write it
    monkeypatch.setattr(formats, "get_format", lambda name, use_l10n=None: written)
    value = datetime(2026, 3, 9, 15, 7, tzinfo=UTC)
    with translation.override("pt-br"), timezone.override("UTC"):
        assert time_tag(value).endswith(">9 de março às 15h07</time>")
        assert dateformat.format(value, written) == "9 de março às 15h07"
