"""The new part of a reply: quoted history and phone signatures cut, in the languages our
customers write (pt, en, es, fr, de, it, nl, pl, da, no, sv, fi, ru), with a structural fallback
that needs no language. Every pattern is bounded so that no input makes it slow: lines are
capped before matching and only the first ``SCAN_LINES`` lines are searched for a quote start.
"""

import re
from html import unescape

import nh3

SCAN_LINES = 1000  # a quote header further down than this is not looked for
LINE_CAP = 400  # characters of a line that the patterns see
SPACES = re.compile(r"[\u00a0\u202f\u2007\u2009\u200a\u3000\t]")

# "On … wrote:", "Em … escreveu:", "El … escribió:", "Le … a écrit :", "Am … schrieb …:",
# "Il … ha scritto:", "Op … schreef …:", "W dniu … napisał(a):", "Den … skrev …:",
# "… kirjoitti:", "… написал(а):" — the verb, then at most a name and address, then a colon.
VERB = (
    r"wrote|escreveu|escribió|escribio|a écrit|schrieb|geschrieben|ha scritto|scrisse|schreef"
    r"|het volgende geschreven|napisał\(a\)|napisała|napisał|napisana przez|pisze|skrev"
    r"|kirjoitti|написал\(а\)|написала|написал|пишет"
)
ATTRIBUTION = re.compile(rf"(?i)(?:^|[\s,>])(?:{VERB})(?=[\s:,(])[^\n]{{0,160}}:\s*$")
ATTRIBUTION_LEAD = re.compile(
    r"(?i)^(on|em|el|le|am|il|op|w dniu|den|wiadomość)\s|\d|@|<|\bskrev\b"
)
ORIGINAL = re.compile(
    r"(?i)^\s*[-_=]{2,}\s*(original message|mensagem original|mensaje original"
    r"|message d'origine|ursprüngliche nachricht|messaggio originale|oorspronkelijk bericht"
    r"|oryginalna wiadomość|wiadomość oryginalna|oprindelig meddelelse|opprinnelig melding"
    r"|ursprungligt meddelande|alkuperäinen viesti|исходное сообщение|mensagem de origem"
    r"|originalnachricht|original meddelelse)\s*[-_=]{2,}\s*$"
)
# Outlook's header block: a From line with a Sent/Date/To/Subject line just below it.
HEADER_FROM = re.compile(
    r"(?i)^\s*\*?(from|de|von|van|od|fra|från|lähettäjä|от|da|mittente|expéditeur"
    r"|remitente)\s*:\*?\s+\S"
)
HEADER_NEXT = re.compile(
    r"(?i)^\s*\*?(sent|enviado|enviada|enviada em|enviado el|date|data|datum|fecha|dato"
    r"|gesendet|envoyé|inviato|verzonden|wysłano|wysłane|sendt|skickat|lähetetty|päivämäärä"
    r"|отправлено|дата|to|para|an|à|a|aan|do|til|till|vastaanottaja|кому|subject|assunto"
    r"|asunto|betreff|objet|oggetto|onderwerp|temat|emne|ämne|aihe|тема)\s*:"
)
RULE = re.compile(r"^\s*_{5,}\s*$")
# The language-free fallback: a line with a date or time and an address or a closing colon,
# followed by a block of '>' lines.
DATED = re.compile(r"\b(19|20)\d\d\b|\b\d{1,2}[:.h]\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
ADDRESSED = re.compile(r"@[\w.-]+\.\w|:\s*$")

PHONES = (
    r"i ?phone|i ?pad|android|samsung[\w ]{0,30}|galaxy[\w ]{0,30}|smartphone[\w ]{0,30}"
    r"|celular|telemóvel|movil|móvil|mobile|handy|telefono|telefoon|telefon|puhelin"
    r"|mobiltelefon|mobil|blackberry|huawei[\w ]{0,30}|xiaomi[\w ]{0,30}"
)
SIGNATURE = re.compile(
    r"(?i)^\s*(sent from (my |the )?[\w ]{0,40}"
    r"|sent from (mail|outlook) for [\w ]{1,20}|sent (with|via) [\w ]{1,30}"
    r"|enviad[oa] (do|de|a partir do|pelo|desde|desde el|de mi|desde mi|do meu|da minha)"
    r" [\w ]{0,40}"
    r"|von meinem [\w ]{1,40} gesendet|gesendet von [\w ]{1,40}"
    r"|envoyé (de|depuis) (mon|ma|l'application)? ?[\w ]{1,40}"
    r"|inviato da[l]? (mio |iphone|ipad|android|smartphone|outlook)[\w ]{0,40}"
    r"|verzonden (met|vanaf|van) (mijn )?[\w ]{1,40}|verstuurd (vanaf|met|van) (mijn )?[\w ]{1,40}"
    r"|wysłane z (mojego )?[\w' ]{1,40}"
    r"|sendt fra (min|mi) [\w ]{1,40}|skickat från (min )?[\w ]{1,40}"
    r"|lähetetty [\w ]{1,40}(sta|stä|lla|llä)"
    r"|отправлено (с|из) [\w ]{1,40}"
    r"|get outlook for (ios|android)|obter o outlook para (ios|android)"
    r"|obtener outlook para (ios|android)|outlook für (ios|android) herunterladen"
    r")\s*[.!]?\s*$"
)
SIGNATURE_WORDS = re.compile(rf"(?i)({PHONES}|outlook|mail|yahoo|gmail|app|spark|proton)")

HTML_QUOTE = re.compile(
    r"(?i)<div[^<>]{0,300}?\b(class=[\"']?[^\"'<>]{0,100}\b(gmail_quote|moz-cite-prefix|yahoo_quoted"
    r"|protonmail_quote|zmail_extra)"
    r"|id=[\"']?(divRplyFwdMsg|appendonsend|mail-editor-reference-message-container))"
    r"|<blockquote\b"
    r"|<div[^<>]{0,300}?border-top:\s*solid\s*#(E1E1E1|B5C4DF)"
)
HTML_SIGNATURE = re.compile(
    r"(?is)<div[^<>]{0,200}\bid=[\"']?(AppleMailSignature|ms-outlook-mobile-signature)[^<>]{0,200}>"
    r"((?!<div)[^<]|<(?!/?div)[^>]{0,200}>){0,2000}</div>"
)


def _plain(line: str) -> str:
    return SPACES.sub(" ", line[:LINE_CAP]).strip()


def _is_attribution(lines: list[str], i: int, quoted_after: bool) -> int:
    """How many lines (1–3) starting at ``i`` form a reply attribution, or 0."""
    parts = []
    for line in lines[i : i + 3]:
        parts.append(_plain(line))
        joined = " ".join(parts)
        if not parts[-1] or joined.startswith(">") or len(joined) > LINE_CAP:
            return 0
        if (
            joined.endswith(":")
            and ATTRIBUTION.search(joined)
            and (quoted_after or ATTRIBUTION_LEAD.search(joined))
        ):
            # A wrapped attribution starts here only if it does not start on a later line.
            later = " ".join(parts[1:])
            if later and ATTRIBUTION.search(later) and ATTRIBUTION_LEAD.search(later):
                return 0
            return len(parts)
    return 0


def _next_is_quoted(lines: list[str], after: int) -> bool:
    for line in lines[after : after + 3]:
        if line.strip():
            return line.lstrip().startswith(">")
    return False


def _dated_header(lines: list[str], i: int) -> int:
    """The structural fallback: 1–2 lines with a date and an address (or a final colon), the
    next non-blank line quoted with '>'."""
    for span in (1, 2):
        if not _next_is_quoted(lines, i + span):
            continue
        joined = " ".join(_plain(part) for part in lines[i : i + span])
        if (
            joined
            and not joined.startswith(">")
            and DATED.search(joined)
            and ADDRESSED.search(joined)
        ):
            return span
    return 0


def quote_start(lines: list[str]) -> int | None:
    """The index of the first line of quoted history, or None."""
    for i, line in enumerate(lines[:SCAN_LINES]):
        plain = _plain(line)
        if not plain or plain.startswith(">"):
            continue
        if ORIGINAL.match(plain):
            return i
        if HEADER_FROM.match(plain) and any(
            HEADER_NEXT.match(_plain(n)) for n in lines[i + 1 : i + 4]
        ):
            if i and RULE.match(lines[i - 1]):
                return i - 1
            return i
        span = _is_attribution(lines, i, False)
        if span or _dated_header(lines, i):
            return i
    return None


def _attribution_span(lines: list[str], i: int) -> int:
    return _is_attribution(lines, i, True) or _dated_header(lines, i)


def strip_signature(text: str) -> str:
    """The text without a trailing phone or app signature ("Enviado do meu iPhone"), unless
    the signature is all there is."""
    lines = text.rstrip().split("\n")
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if end and SIGNATURE.match(_plain(lines[end - 1])) and SIGNATURE_WORDS.search(lines[end - 1]):
        kept = "\n".join(lines[: end - 1]).rstrip()
        if kept.strip():
            return kept
    return text.strip()


def cut_quotes(text: str) -> str:
    """The new part of a reply: the text above the first quote header, without trailing '>'
    lines or a phone signature. A bottom-posted reply keeps its own lines; a message that is
    all quote is returned whole."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = quote_start(lines)
    head = lines[:start] if start is not None else lines
    while head and (not head[-1].strip() or head[-1].lstrip().startswith(">")):
        head.pop()
    if any(line.strip() for line in head):
        return strip_signature("\n".join(head))
    own = [line for line in lines if not line.lstrip().startswith(">")]
    start = quote_start(own)
    if start is not None and not any(s.strip() for s in own[:start]):
        own = own[start + (_attribution_span(own, start) or _is_attribution(own, start, False)) :]
    rest = "\n".join(own).strip()
    return strip_signature(rest) if rest else text.strip()


def cut_html_quotes(html: str) -> tuple[str, bool]:
    """The HTML before the first quote container (gmail_quote, Outlook's divRplyFwdMsg,
    Thunderbird's moz-cite-prefix, any blockquote…) without a phone signature container, and
    whether a quote was found."""
    html = HTML_SIGNATURE.sub("", html)
    match = HTML_QUOTE.search(html)
    if match is None or not html_to_text(html[: match.start()]).strip():
        return html, False
    return html[: match.start()], True


LINES = {"div", "tr", "li"}
PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "blockquote"}
TEXT_TAGS = LINES | PARAGRAPHS | {"br", "td", "th"}
TAG = re.compile(r'<(/?)([a-z0-9]+)((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*/?>')
BREAKS = re.compile(r"[ \n\x01\x02]*[\n\x01\x02][ \n\x01\x02]*")


def _tag(match: re.Match) -> str:
    closing, tag, _ = match.groups()
    if tag not in TEXT_TAGS:
        return ""
    if tag == "br":
        return "\n"
    if tag in ("td", "th"):
        return "" if closing else " "
    if tag == "li" and not closing:
        return "\x01- "
    return "\x02" if closing and tag in PARAGRAPHS else "\x01"


def _breaks(match: re.Match) -> str:
    run = match.group(0)
    return "\n" * max(run.count("\n"), 2 if "\x02" in run else 1)


def html_to_text(html: str, *, sanitized: bool = False) -> str:
    """The text of ``html``: a div or a row is a line, a paragraph is followed by a blank
    line, lists get dashes, scripts and styles vanish. HTML that is not ``sanitized`` (by
    core.html) is first reduced by nh3 to bare tags; either way it is then well formed, and
    regular expressions read it in linear time."""
    if not sanitized:
        html = nh3.clean(
            html.replace("\x01", "").replace("\x02", ""),
            tags=TEXT_TAGS,
            attributes={},
            clean_content_tags={"script", "style", "title", "head"},
            strip_comments=True,
        )
    text = TAG.sub(_tag, re.sub(r"\s+", " ", html.replace("\x01", "").replace("\x02", "")))
    text = BREAKS.sub(_breaks, unescape(text).replace("\xa0", " "))
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
