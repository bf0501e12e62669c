"""The default profile (MISSION.md): data an administrator changes, loaded once."""

from typing import Any

C = "chat"
WC = "whatsapp_commercial"
WS = "whatsapp_support"
E = "email"
MC = "meeting_consultant"
MM = "meeting_marketing"
P = "phone"

# A placeholder the administrator replaces (the support page gives no number).
PHONE_NUMBER = "+55 11 4000-0000"

# Meetings a month each plan's company may book (plans without a meeting channel: none).
MEETINGS_PER_MONTH = {"team": 2, "enterprise": 4}

PLANS = [
    # slug, name, tier, channels, first response hours
    ("essencial", "Essencial", 1, [WC, E], 16),
    ("profissional", "Profissional", 2, [C, WC, E], 8),
    ("team", "TEAM", 3, [C, WC, WS, E, MC, P], 4),
    ("enterprise", "Enterprise", 4, [C, WC, WS, E, MC, MM, P], 2),
]

ADDONS = [
    (
        "pacote-expresso",
        "Pacote Expresso",
        "Pacote Expresso",
        "Acompanhamento de qualidade e projetos dedicado.",
        "Dedicated quality and project follow-up.",
    ),
]

DEPARTMENTS: list[dict[str, Any]] = [
    {
        "slug": "atendimento",
        "name": "Atendimento",
        "name_en": "Customer service",
        "description": "Dúvidas comerciais, contratuais e novas contratações, incluindo manutenções.",
        "description_en": "Commercial and contract questions, new purchases, maintenance quotes.",
        "guidance": "Diga o que deseja contratar ou qual cláusula do contrato quer entender.",
        "guidance_en": "Say what you want to purchase or which contract clause you want explained.",
        "is_fallback": True,
    },
    {
        "slug": "suporte",
        "name": "Suporte",
        "name_en": "Support",
        "description": "Dúvidas técnicas sobre nossos serviços e plataforma.",
        "description_en": "Technical questions about our services and the platform.",
        "guidance": "Informe a página ou recurso afetado, o que você fez, o que esperava e o que "
        "aconteceu; anexe uma captura de tela se puder.",
        "guidance_en": "Say which page or feature, what you did, what you expected and what "
        "happened; attach a screenshot if you can.",
    },
    {
        "slug": "financeiro",
        "name": "Financeiro",
        "name_en": "Billing",
        "description": "Dúvidas sobre faturas, 2ª via, nota fiscal e pagamentos.",
        "description_en": "Invoices, second copies, fiscal notes (nota fiscal) and payments.",
        "guidance": "Informe o número da fatura ou nota fiscal e o mês de referência.",
        "guidance_en": "Give the invoice or fiscal note number and the month it refers to.",
    },
    {
        "slug": "manutencao",
        "name": "Manutenção",
        "name_en": "Maintenance",
        "description": "Tratamento de manutenções (ajustes de módulos e novos recursos) contratadas "
        "em andamento.",
        "description_en": "Contracted maintenance in progress (module changes, new features).",
        "guidance": "Informe a proposta ou o chamado da contratação e o ajuste em questão.",
        "guidance_en": "Give the proposal or ticket of the purchase and the change in question.",
    },
    {
        "slug": "qualidade",
        "name": "Qualidade e Projetos",
        "name_en": "Quality and Projects",
        "description": "Exclusivo para contratantes do Pacote Expresso.",
        "description_en": "Only for companies with the Pacote Expresso add-on.",
        "guidance": "Informe o projeto ou a entrega em questão, o prazo combinado e o que não "
        "está de acordo com o esperado.",
        "guidance_en": "Give the project or delivery in question, the agreed deadline and what "
        "is not as expected.",
        "required_addon": "pacote-expresso",
    },
    {
        "slug": "sucesso",
        "name": "Sucesso do Cliente",
        "name_en": "Customer Success",
        "description": "Exclusivo para clientes a partir do Plano TEAM: dúvidas estratégicas de "
        "e-commerce e marketing.",
        "description_en": "Only for plans from TEAM up: e-commerce and marketing strategy.",
        "guidance": "Conte o objetivo (vendas, conversão, campanha), o período e os números que "
        "você já acompanha.",
        "guidance_en": "Say the goal (sales, conversion, a campaign), the period and the figures "
        "you already follow.",
        "min_plan": "team",
    },
    {
        "slug": "ouvidoria",
        "name": "Ouvidoria",
        "name_en": "Ombudsman",
        "description": "Canal direto com a Diretoria para uma questão que não foi bem resolvida "
        "em algum dos departamentos anteriores. Requer o número do chamado.",
        "description_en": "Straight to the board, for something a department did not resolve "
        "well. Requires the number of that earlier ticket.",
        "guidance": "Informe o número do chamado anterior e o que não ficou bem resolvido.",
        "guidance_en": "Give the earlier ticket's number and what was not resolved well.",
        "requires_reference": True,
        "restricted": True,
    },
]
