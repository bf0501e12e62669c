"""core.prepared.prepared_insert writes the row QuerySet.create would write, with SQL built
once per process and model."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balcao.core import prepared
from balcao.core.models import Counter, IdempotentRequest, UnsentTask
from balcao.factories import StaffFactory
from balcao.privacy.models import AccessRecord

pytestmark = pytest.mark.django_db


def columns(record: AccessRecord) -> dict:
    return {f.attname: getattr(record, f.attname) for f in AccessRecord._meta.concrete_fields}


def test_the_row_is_the_one_create_writes(profile):
    agent = StaffFactory()
    at = timezone.now() - timedelta(days=1)
    values = dict(actor=agent, subject_email="a@x.com.br", what="ticket", ticket_number=7, at=at)
    created = AccessRecord.objects.create(**values, client_address="2001:db8::1")
    inserted = AccessRecord(**values, client_address="2001:db8::1")
    assert prepared.prepared_insert(inserted) is True
    assert inserted.pk == created.pk + 1 and not inserted._state.adding
    read = AccessRecord.objects.get(pk=inserted.pk)
    assert columns(read) == {**columns(created), "id": inserted.pk}
    empty = AccessRecord(actor=None, subject_email="b@x.com.br", what="export")
    prepared.prepared_insert(empty)
    read = AccessRecord.objects.get(pk=empty.pk)
    assert (read.actor_id, read.ticket_number, read.client_address) == (None, None, None)
    assert abs(read.at - timezone.now()) < timedelta(minutes=1)  # the field's default


def test_a_conflict_writes_nothing(profile):
    agent = StaffFactory()
    expires = timezone.now() + timedelta(days=1)
    first = IdempotentRequest(user=agent, key="k", fingerprint="a", expires_at=expires)
    again = IdempotentRequest(user=agent, key="k", fingerprint="b", expires_at=expires)
    assert prepared.prepared_insert(first, unless_conflict_on=("user_id", "key"))
    assert not prepared.prepared_insert(again, unless_conflict_on=("user_id", "key"))
    assert again.pk is None and again._state.adding
    assert IdempotentRequest.objects.get().fingerprint == "a"
    # a model keyed by a field of its own (no RETURNING): the row count says
    assert prepared.prepared_insert(Counter(name="n", value=3), unless_conflict_on=("name",))
    assert not prepared.prepared_insert(Counter(name="n", value=4), unless_conflict_on=("name",))
    assert Counter.objects.get(name="n").value == 3


def test_what_save_would_fill_is_filled(profile):
    task = UnsentTask(task_path="t", args=[1, "ç"], queue_name="q", priority=0, backend="b")
    prepared.prepared_insert(task)
    read = UnsentTask.objects.get(pk=task.pk)
    assert read.args == [1, "ç"] and abs(read.kept_at - timezone.now()) < timedelta(minutes=1)
    agent = StaffFactory.build()  # not saved: refused, as save() refuses it
    with pytest.raises(ValueError, match="unsaved related object"):
        prepared.prepared_insert(AccessRecord(actor=agent, subject_email="a@b.c", what="ticket"))


def test_the_sql_is_built_once(profile, monkeypatch):
    monkeypatch.setattr(prepared, "_inserts", {})
    agent = StaffFactory()
    with CaptureQueriesContext(connection) as queries:
        for n in range(3):
            record = AccessRecord(actor=agent, subject_email=f"{n}@x.com.br", what="ticket")
            prepared.prepared_insert(record)
    assert len(queries) == 3  # one INSERT each, nothing read
    assert list(prepared._inserts) == [(connection.alias, AccessRecord, 1, (), ())]


def test_rows_together_in_one_statement(profile, monkeypatch):
    monkeypatch.setattr(prepared, "_inserts", {})
    agent = StaffFactory()
    records = [
        AccessRecord(actor=agent, subject_email=f"{n}@x.com.br", what="ticket") for n in "ab"
    ]
    with CaptureQueriesContext(connection) as queries:
        prepared.prepared_insert_all(records)
    assert len(queries) == 1 and not any(record._state.adding for record in records)
    read = {r.pk: r.subject_email for r in AccessRecord.objects.filter(actor=agent)}
    assert read == {records[0].pk: "a@x.com.br", records[1].pk: "b@x.com.br"}
    prepared.prepared_insert_all([AccessRecord(actor=agent, subject_email="c@x", what="ticket")])
    assert sorted(rows for _a, _m, rows, _c, _h in prepared._inserts) == [1, 2]
