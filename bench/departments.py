"""Department suggestion (R5), measured offline: accuracy and abstention rate on a held-back
set of tickets written as bench/generate.py writes them (subjects and phrases per department,
mixed with the shared small talk), trained on the rest.

    .venv/bin/python bench/departments.py [--tickets 5000] [--held-back 0.2]

Needs no database: it drives the same pure functions the client area uses
(balcao/search/departments.py).
"""

import argparse
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")

from bench.generate import PHRASES  # noqa: E402

SUBJECTS = {
    "financeiro": [
        "Segunda via do boleto",
        "Nota fiscal não recebida",
        "Pix não confirma o pagamento",
        "Cobrança em duplicidade",
        "Fatura com valor errado",
    ],
    "suporte": [
        "Erro ao finalizar compra no checkout",
        "Integração com ERP parou",
        "Lentidão na loja",
        "Certificado SSL expirando",
        "Imagens dos produtos sumiram",
        "Frete não calcula para o Nordeste",
    ],
    "atendimento": [
        "Dúvida sobre o contrato",
        "Orçamento de novo módulo",
        "Alterar plano para TEAM",
        "Quero contratar o Pacote Expresso",
    ],
    "manutencao": [
        "Ajuste no módulo contratado",
        "Andamento da manutenção da proposta 311",
        "Novo recurso da customização aprovada",
    ],
    "sucesso": [
        "Campanha de Black Friday",
        "Como melhorar a conversão",
        "Relatório de vendas divergente",
    ],
}
# What customers write that names no keyword: the learned part has to carry these.
VAGUE = {
    "financeiro": ["Ainda aguardo o documento do mês passado.", "O valor veio diferente."],
    "suporte": ["A página fica em branco.", "Os clientes não conseguem terminar o pedido."],
    "atendimento": ["Gostaria de entender a cláusula de renovação.", "Quero mudar o que tenho."],
    "manutencao": ["Como está o andamento do que aprovamos?", "O ajuste ainda não subiu."],
    "sucesso": ["Queremos vender mais no fim do ano.", "As visitas caíram este mês."],
}


def sample(rng: random.Random) -> tuple[str, str]:
    department = rng.choice(list(SUBJECTS))
    if rng.random() < 0.4:  # no keyword: a vague subject
        subject = rng.choice(VAGUE[department])
    else:
        subject = rng.choice(SUBJECTS[department])
    body = " ".join(
        [rng.choice(VAGUE[department])] + [rng.choice(PHRASES) for _ in range(rng.randint(1, 3))]
    )
    return department, f"{subject} {body}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--held-back", type=float, default=0.2)
    args = parser.parse_args()

    import django

    django.setup()
    from balcao.search.departments import DepartmentModel, by_keywords, guess_department

    rng = random.Random(2026)
    tickets = [sample(rng) for _ in range(args.tickets)]
    cut = int(len(tickets) * (1 - args.held_back))
    model = DepartmentModel()
    for department, text in tickets[:cut]:
        model.learn(department, text)
    among = set(SUBJECTS)
    for name, guess in (
        ("keywords only", lambda text: by_keywords(text, among)),
        ("keywords, then learned", lambda text: guess_department(model, text, among)),
    ):
        held = tickets[cut:]
        answers = [(department, guess(text)) for department, text in held]
        given = [(d, g) for d, g in answers if g]
        right = sum(d == g for d, g in given)
        print(
            f"{name:24} held back {len(held)}: answered {len(given)} "
            f"(abstained {1 - len(given) / len(held):.0%}), "
            f"accuracy when answering {right / max(1, len(given)):.1%}, "
            f"right overall {right / len(held):.1%}"
        )


if __name__ == "__main__":
    main()
