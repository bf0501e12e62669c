"""Every change to a ticket: atomic, under a row lock, recorded as an Event (R11, R12, R17).

One module per subject; callers import from here (``balcao.tickets.actions``), which names
each public action once:

- ``opening``: ``create_ticket`` (the one place a ticket is written) and who opens one where;
- ``messages``: the conversation, the channel a reply leaves by, how its delivery went;
- ``status``: start, close (by hand, after the customer's silence, an abandoned chat), reopen;
- ``assignment``: assignee, department (transfer), company (link);
- ``triage``: priority and tags;
- ``cc``: the authorized contacts copied on the replies;
- ``canned``: canned replies, sent and kept;
- ``merge``: a duplicate merged into another ticket;
- ``attachments``: upload limits, stored files, files fetched later;
- ``versions``: the departments' ``tickets_version`` the live lists poll;
- ``counts``: the tickets' counts the database keeps, folded;
- ``common``: the row lock, the save, the status change, who may act where.
"""

from balcao.tickets.actions.assignment import do_assign_ticket, do_link_ticket, do_transfer_ticket
from balcao.tickets.actions.attachments import (
    NewAttachment,
    check_upload,
    do_attach_files,
    do_record_attachment_failure,
)
from balcao.tickets.actions.canned import (
    do_delete_canned_response,
    do_reply_with_canned,
    do_save_canned_response,
)
from balcao.tickets.actions.cc import do_add_cc, do_remove_cc, keep_copied
from balcao.tickets.actions.counts import fold_ticket_counts
from balcao.tickets.actions.merge import do_merge_ticket
from balcao.tickets.actions.messages import (
    add_message,
    do_add_message,
    do_record_delivery,
    reply_channel,
)
from balcao.tickets.actions.opening import (
    create_ticket,
    do_open_ticket,
    do_open_ticket_for_customer,
)
from balcao.tickets.actions.status import (
    WAITING_ON_THE_TEAM,
    do_auto_close_ticket,
    do_change_status,
    do_close_abandoned_chat,
    do_close_ticket,
    do_reopen_ticket,
    do_start_progress,
    waiting_on,
)
from balcao.tickets.actions.triage import clean_tags, do_add_tags, do_set_priority, do_set_tags
from balcao.tickets.actions.versions import bump_touched_now, touch_departments

__all__ = [
    "WAITING_ON_THE_TEAM",
    "NewAttachment",
    "add_message",
    "bump_touched_now",
    "check_upload",
    "clean_tags",
    "create_ticket",
    "do_add_cc",
    "do_add_message",
    "do_add_tags",
    "do_assign_ticket",
    "do_attach_files",
    "do_auto_close_ticket",
    "do_change_status",
    "do_close_abandoned_chat",
    "do_close_ticket",
    "do_delete_canned_response",
    "do_link_ticket",
    "do_merge_ticket",
    "do_open_ticket",
    "do_open_ticket_for_customer",
    "do_record_attachment_failure",
    "do_record_delivery",
    "do_remove_cc",
    "do_reopen_ticket",
    "do_reply_with_canned",
    "do_save_canned_response",
    "do_set_priority",
    "do_set_tags",
    "do_start_progress",
    "do_transfer_ticket",
    "fold_ticket_counts",
    "keep_copied",
    "reply_channel",
    "touch_departments",
    "waiting_on",
]
