"""The one normaliser of search text, for Portuguese and English, used by both databases.

Lower case, accents folded, words split on anything that is not a letter or a digit, then a
light stemming that only folds plurals ("cartões" → "cartao", "notas" → "nota", "companies"
→ "company"). Documents and queries go through the same function, so PostgreSQL
(``to_tsvector('simple', …)``) and SQLite FTS5 see the same words and find the same things.
"""

import re
import unicodedata

WORD = re.compile(r"[^\W_]+")

# Words that say nothing about what a text is about (pt-BR and English), left out of
# suggestions, where every word typed counts as a hint.
STOPWORDS = frozenset(
    [
        "a",
        "o",
        "as",
        "os",
        "um",
        "uma",
        "uns",
        "umas",
        "de",
        "do",
        "da",
        "dos",
        "das",
        "no",
        "na",
        "nos",
        "nas",
        "em",
        "por",
        "para",
        "pra",
        "com",
        "sem",
        "e",
        "ou",
        "que",
        "se",
        "nao",
        "sim",
        "ja",
        "mais",
        "muito",
        "meu",
        "minha",
        "seu",
        "sua",
        "nosso",
        "nossa",
        "esse",
        "essa",
        "este",
        "esta",
        "isso",
        "isto",
        "ele",
        "ela",
        "eles",
        "elas",
        "eu",
        "voce",
        "voces",
        "nos",
        "ao",
        "aos",
        "foi",
        "ser",
        "estar",
        "tem",
        "ter",
        "como",
        "quando",
        "onde",
        "qual",
        "ate",
        "sobre",
        "apos",
        "entre",
        "bom",
        "dia",
        "boa",
        "tarde",
        "noite",
        "ola",
        "obrigado",
        "obrigada",
        "favor",
        "the",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "without",
        "and",
        "or",
        "not",
        "is",
        "are",
        "was",
        "be",
        "have",
        "has",
        "it",
        "this",
        "that",
        "my",
        "our",
        "your",
        "we",
        "you",
        "i",
        "me",
        "please",
        "hi",
        "hello",
        "thanks",
        "from",
        "at",
        "by",
        "as",
        "can",
        "do",
        "does",
    ]
)


def fold(text: str) -> str:
    """Lower case with accents removed: "Cartão NOTA" → "cartao nota"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """Plurals to singular, for pt-BR and English; short words and numbers are kept."""
    if len(word) < 4 or word.isdigit():
        return word
    if len(word) >= 5 and word.endswith(("oes", "aes")):
        return word[:-3] + "ao"
    if len(word) >= 5 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The normalised words of ``text``, in order."""
    return [stem(w) for w in WORD.findall(fold(text))]


def document(*parts: str) -> str:
    """What the index stores: the normalised words of every part, space-separated."""
    return " ".join(w for part in parts if part for w in words(part))


def query_words(q: str) -> list[str]:
    """The words of a query, each once, in order (at most 12: a query is not a document)."""
    return list(dict.fromkeys(words(q)))[:12]


def hint_words(text: str) -> list[str]:
    """The words of something being written that may say what it is about."""
    hints = (w for w in words(text) if len(w) > 2 and w not in STOPWORDS)
    return list(dict.fromkeys(hints))[:20]
