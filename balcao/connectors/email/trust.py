"""Whether a message proves its sender: what our own receiving server wrote in
``Authentication-Results`` (RFC 8601) and whether the From header itself can be believed.

Only the topmost ``Authentication-Results`` whose authserv-id is ``MAIL_AUTHSERV_ID`` is read
(the one our MTA added last; any others came with the message and prove nothing). The
reasons are gettext_noop messages: stored in English, translated where staff read them.
"""

import re

from django.conf import settings
from django.utils.translation import gettext_noop

NO_SENDER = gettext_noop("The message has no readable sender address.")
SEVERAL_FROM = gettext_noop("The message has more than one From header.")
SEVERAL_ADDRESSES = gettext_noop("The From header names more than one address.")
NOT_FROM = gettext_noop("The sender address was not taken from the From header.")
NAME_IS_ADDRESS = gettext_noop(
    "The sender's name is an e-mail address different from the sender's address."
)
DMARC_FAILED = gettext_noop("The sender's domain did not authorise this message (DMARC failed).")
DMARC_MISSING = gettext_noop("The message did not pass DMARC, which this installation requires.")

RESULT = re.compile(r"(?i)(?:^|;)\s*(dmarc|spf|dkim|arc)\s*=\s*([a-z]+)([^;]*)")
HEADER_FROM = re.compile(r"(?i)\bheader\.from\s*=\s*\"?([^\s;\"]+)")
COMMENTS = re.compile(r"\([^()]{0,300}\)")


def auth_results(values: list[str], authserv_id: str) -> dict[str, str]:
    """{"dmarc": "pass", "spf": "softfail", "dkim": "pass", "dmarc.header.from": domain} from
    the first header written by ``authserv_id`` (first result per method); {} when none."""
    wanted = authserv_id.strip().lower()
    if not wanted:
        return {}
    for value in values:
        value = COMMENTS.sub(" ", value[:8000])
        server = value.split(";", 1)[0].split()
        if not server or server[0].lower() != wanted:
            continue
        found: dict[str, str] = {}
        for method, result, props in RESULT.findall(value):
            method = method.lower()
            if method not in found:
                found[method] = result.lower()
                domain = HEADER_FROM.search(props)
                if method == "dmarc" and domain:
                    found["dmarc.header.from"] = domain.group(1).lower()
        return found
    return {}


def trust_problem(
    from_email: str, from_problem: str, results: dict[str, str], require_dmarc: bool
) -> str:
    """Why the message does not prove its sender, or '' when it does."""
    if from_problem:
        return from_problem
    domain = from_email.rpartition("@")[2]
    dmarc = results.get("dmarc", "")
    aligned = results.get("dmarc.header.from", domain) == domain
    if dmarc == "fail" or (dmarc == "pass" and not aligned):
        return DMARC_FAILED
    if require_dmarc and dmarc != "pass":
        return DMARC_MISSING
    return ""


def configured() -> tuple[str, bool]:
    """(MAIL_AUTHSERV_ID, MAIL_REQUIRE_DMARC) from the settings."""
    return (
        getattr(settings, "MAIL_AUTHSERV_ID", ""),
        bool(getattr(settings, "MAIL_REQUIRE_DMARC", False)),
    )
