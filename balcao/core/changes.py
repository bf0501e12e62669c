"""Applying an edit to a model inside an action, and saying what changed (old → new) for the
action's one Event: the admin's company and staff forms save through these."""

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from django.db import models


class SlugSet(Protocol):
    """A many-to-many of things with a slug (add-ons, departments)."""

    def values_list(self, *fields: str, flat: bool = ...) -> Iterable[str]: ...

    def set(self, objs: Iterable[Any]) -> None: ...


def change_fields(
    instance: models.Model,
    fields: dict[str, Any],
    shown: Callable[[Any], object] = lambda value: value,
) -> dict[str, list[object]]:
    """Set and save the fields whose value differs; each change as [old, new], ``shown`` as
    the history keeps a value."""
    changes: dict[str, list[object]] = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = [shown(old), shown(value)]
            setattr(instance, name, value)
    if changes:
        instance.save(update_fields=list(changes))
    return changes


def change_slug_set(related: SlugSet, items: Iterable[Any]) -> list[object] | None:
    """Replace a many-to-many by ``items``; [old slugs, new slugs], or None when unchanged."""
    items = list(items)
    old = sorted(related.values_list("slug", flat=True))
    new = sorted(item.slug for item in items)
    if old == new:
        return None
    related.set(items)
    return [old, new]
