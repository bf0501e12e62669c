"""Thin task: the invitation e-mail of an authorized contact, after commit."""

from django_tasks import task


@task()
def invite_contact_task(contact_id: int) -> None:
    """Send the invitation unless it was accepted (or the contact removed) meanwhile."""
    from balcao.customers.invitations import send_invitation
    from balcao.customers.models import Contact

    contact = (
        Contact.objects.select_related("user", "company")
        .filter(pk=contact_id, accepted_at=None, user__is_active=True)
        .first()
    )
    if contact is not None:
        send_invitation(contact)
