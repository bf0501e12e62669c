"""Invitations after commit, reminders at their instant (``run_after``); both re-read the meeting
so that what leaves is what stands when they run."""

from datetime import datetime

from django_tasks import task


@task()
def send_invitation_task(meeting_id: int, sequence: int) -> None:
    """The invitation, update or CANCEL of one version of a meeting; skipped when a later
    change has been made (its own task sends the newer version)."""
    from balcao.meetings.mail import send_invitation
    from balcao.meetings.models import Meeting

    meeting = Meeting.objects.select_related("host__user", "contact", "ticket").get(pk=meeting_id)
    if meeting.sequence == sequence:
        send_invitation(meeting)


@task()
def meeting_reminder_task(meeting_id: int, start: str, hours_before: int) -> None:
    """Remind both sides ``hours_before`` the meeting — only if it still starts at ``start``
    and this reminder was not sent before."""
    from balcao.meetings.actions import do_record_reminder
    from balcao.meetings.mail import send_reminder

    meeting = do_record_reminder(meeting_id, datetime.fromisoformat(start), hours_before)
    if meeting is not None:
        send_reminder(meeting, hours_before)
