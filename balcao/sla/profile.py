"""The default profile of the SLA app (MISSION.md): business hours Monday–Friday 09:00–17:00
Brasília time, Brazilian national holidays and Carnival off; every real-time channel on them.
Migration 0002 stores the same data; this value serves where no calendar is stored."""

from typing import TypedDict

from balcao.sla.calendar import Calendar


class BusinessHours(TypedDict):
    slug: str
    name: str
    tz: str
    weekly: list[list[list[str]]]
    subdivision: str
    carnival: bool


BUSINESS_HOURS: BusinessHours = {
    "slug": "horario-comercial",
    "name": "Horário comercial",
    "tz": "America/Sao_Paulo",
    "weekly": [[["09:00", "17:00"]]] * 5 + [[], []],
    "subdivision": "",
    "carnival": True,
}


def default_calendar() -> Calendar:
    """The default business hours as a value, for where no calendar is stored."""
    return Calendar.build(
        BUSINESS_HOURS["tz"],
        BUSINESS_HOURS["weekly"],
        subdivision=BUSINESS_HOURS["subdivision"],
        carnival=BUSINESS_HOURS["carnival"],
    )
