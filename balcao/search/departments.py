"""Which department a ticket being written is for (R5): keywords per department first, then
what the closed tickets taught (their final department, after any transfer), only among the
departments the company may open, and nothing when unsure.

The learned part is a small multinomial naive Bayes over the normalised words
(search/text.py): a few thousand tickets train it in well under a second, with no
dependency; ``bench/departments.py`` measures it on a held-back set."""

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from django.core.cache import cache

from balcao.accounts.models import Department
from balcao.customers.models import Company
from balcao.customers.selectors import list_department_choices
from balcao.search.text import hint_words
from balcao.tickets.models import Message, Status, Ticket

KEYWORDS = {
    "financeiro": "boleto fatura segunda via nota fiscal pagamento pix cartao cobranca reembolso "
    "estorno vencimento invoice payment billing refund",
    "suporte": "erro bug falha checkout lento lentidao fora ssl certificado dominio dns "
    "integracao api webhook imagem frete cupom login senha error slow",
    "atendimento": "contrato clausula plano upgrade contratar orcamento cancelar cancelamento "
    "comercial contract quote",
    "manutencao": "manutencao ajuste contratada customizacao desenvolvimento maintenance",
    "sucesso": "marketing estrategia conversao campanha crescimento strategy",
    "qualidade": "qualidade homologacao expresso quality",
}
KEYWORD_WORDS = {slug: set(hint_words(words)) for slug, words in KEYWORDS.items()}
CONFIDENT = 0.7  # the learned model's least posterior probability to suggest anything
TRAINING_SIZE = 5000
CACHE_KEY, CACHE_SECONDS = "search:department-model", 3600


@dataclass
class DepartmentModel:
    """Word counts per department, from closed tickets."""

    words: dict[str, Counter] = field(default_factory=dict)
    tickets: Counter = field(default_factory=Counter)

    def learn(self, department: str, text: str) -> None:
        self.tickets[department] += 1
        self.words.setdefault(department, Counter()).update(hint_words(text))

    def probabilities(self, text: str) -> dict[str, float]:
        """P(department | words) over every department learned (Laplace-smoothed naive Bayes)."""
        known = [d for d in self.tickets if self.tickets[d]]
        terms = hint_words(text)
        if not known or not terms:
            return {}
        vocabulary = len(set().union(*(self.words[d] for d in known)))
        total = sum(self.tickets[d] for d in known)
        logs = {}
        for d in known:
            size = sum(self.words[d].values()) + vocabulary
            logs[d] = math.log(self.tickets[d] / total) + sum(
                math.log((self.words[d][t] + 1) / size) for t in terms
            )
        top = max(logs.values())
        weights = {d: math.exp(v - top) for d, v in logs.items()}
        norm = sum(weights.values())
        return {d: w / norm for d, w in weights.items()}


def by_keywords(text: str, among: set[str]) -> str:
    """The one department whose keywords appear most in ``text``; '' on a tie or none."""
    typed = set(hint_words(text))
    hits = sorted(((len(typed & KEYWORD_WORDS.get(d, set())), d) for d in among), reverse=True)
    if not hits or hits[0][0] == 0 or (len(hits) > 1 and hits[0][0] == hits[1][0]):
        return ""
    return hits[0][1]


def guess_department(model: DepartmentModel | None, text: str, among: set[str]) -> str:
    """Keywords first, then the model when it is confident and its best guess is among the
    allowed departments; '' (abstain) otherwise."""
    if slug := by_keywords(text, among):
        return slug
    if model is None:
        return ""
    probabilities = model.probabilities(text)
    best = max(probabilities, key=lambda d: probabilities[d], default="")
    return best if best in among and probabilities[best] >= CONFIDENT else ""


def train_department_model(limit: int = TRAINING_SIZE) -> DepartmentModel:
    """From the latest closed tickets: subject and first message, under the final department."""
    model = DepartmentModel()
    closed = (
        Ticket.objects.filter(status=Status.CLOSED)
        .order_by("-updated_at", "-id")
        .values_list("pk", "subject", "department__slug")[:limit]
    )
    rows = {pk: (subject, slug) for pk, subject, slug in closed}
    first: dict[int, str] = {}
    for ticket_id, body in (
        Message.objects.filter(ticket_id__in=rows, internal=False)
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "body_text")
    ):
        first.setdefault(ticket_id, body)
    for pk, (subject, slug) in rows.items():
        model.learn(slug, f"{subject} {first.get(pk, '')}")
    return model


def department_model() -> DepartmentModel:
    """The learned model, retrained at most once an hour."""
    return cast(DepartmentModel, cache.get_or_set(CACHE_KEY, train_department_model, CACHE_SECONDS))


def suggest_department(company: Company, text: str) -> Department | None:
    """The department to suggest to ``company``'s contact for ``text``, or None (unsure)."""
    choices = {
        c.department.slug: c.department
        for c in list_department_choices(company)
        if c.available and not c.department.restricted
    }
    if not hint_words(text) or not choices:
        return None
    slug = guess_department(department_model(), text, set(choices))
    return choices.get(slug)
