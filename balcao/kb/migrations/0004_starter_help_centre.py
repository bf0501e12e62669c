"""The help centre's shelves (one per department of the default profile, plus getting
started) and starter articles answering what those departments are asked most, in pt-BR and
English. The earlier starter articles go to "Primeiros passos". Administrators edit all of
it in the admin."""

from django.db import migrations

CATEGORIES = [
    ("primeiros-passos", "Primeiros passos", "Getting started"),
    ("financeiro", "Financeiro", "Billing"),
    ("suporte", "Suporte", "Support"),
    ("atendimento", "Atendimento", "Customer service"),
    ("manutencao", "Manutenção", "Maintenance"),
    ("qualidade", "Qualidade e Projetos", "Quality and Projects"),
    ("sucesso", "Sucesso do Cliente", "Customer Success"),
    ("ouvidoria", "Ouvidoria", "Ombudsman"),
]
EARLIER = [
    "como-abrir-um-chamado",
    "qual-departamento-escolher",
    "o-que-significa-cada-status",
    "contatos-autorizados",
    "horario-de-atendimento",
]

ARTICLES = [
    {
        "category": "financeiro",
        "slug": "segunda-via-do-boleto",
        "title": "Segunda via do boleto",
        "title_en": "A second copy of a boleto",
        "body": """<p>O boleto de cada fatura fica disponível na Área do Cliente, em
<strong>Financeiro › Faturas</strong>: abra a fatura e clique em <strong>Imprimir boleto</strong>
para gerar a segunda via, já com a data de vencimento atualizada quando ela passou.</p>
<ul>
<li>Boleto vencido: a segunda via é emitida com juros e multa do período.</li>
<li>Não recebeu o boleto por e-mail? Confira o e-mail financeiro cadastrado e a caixa de spam.</li>
<li>Pagou e a fatura continua em aberto? A compensação leva até 3 dias úteis; depois disso,
abra um chamado no <strong>Financeiro</strong> com o comprovante.</li>
</ul>""",
        "body_en": """<p>Each invoice's boleto is in the client area, under <strong>Billing ›
Invoices</strong>: open the invoice and click <strong>Print boleto</strong> to get a second
copy, with a new due date when the old one has passed.</p>
<ul>
<li>Overdue boleto: the second copy includes the period's interest and fine.</li>
<li>No boleto by e-mail? Check the billing e-mail on file and your spam folder.</li>
<li>Paid and the invoice is still open? Clearing takes up to 3 business days; after that,
open a ticket with <strong>Billing</strong> and attach the receipt.</li>
</ul>""",
    },
    {
        "category": "financeiro",
        "slug": "nota-fiscal",
        "title": "Nota fiscal: quando é emitida e como receber",
        "title_en": "Fiscal notes (nota fiscal): when they are issued and how to get them",
        "body": """<p>A nota fiscal de serviço é emitida após a confirmação do pagamento de cada
fatura e enviada ao e-mail financeiro cadastrado. Ela também fica em
<strong>Financeiro › Notas fiscais</strong> na Área do Cliente.</p>
<p>Para corrigir a razão social, o CNPJ ou o endereço de uma nota fiscal, abra um chamado no
<strong>Financeiro</strong> informando o número da nota e o mês de referência, antes do fim do
mês de emissão.</p>""",
        "body_en": """<p>The service fiscal note (nota fiscal) is issued once each invoice is
paid and sent to the billing e-mail on file. It is also under <strong>Billing › Fiscal
notes</strong> in the client area.</p>
<p>To correct the company name, CNPJ or address on a fiscal note, open a ticket with
<strong>Billing</strong> giving the note's number and month, before the end of the month it
was issued.</p>""",
    },
    {
        "category": "financeiro",
        "slug": "formas-de-pagamento",
        "title": "Formas de pagamento: boleto, Pix e cartão",
        "title_en": "Ways to pay: boleto, Pix and card",
        "body": """<p>As faturas podem ser pagas por boleto, Pix ou cartão de crédito.</p>
<ul>
<li><strong>Pix</strong>: o QR Code fica na fatura; o pagamento é confirmado em minutos.</li>
<li><strong>Cartão de crédito</strong>: cadastre o cartão em <strong>Financeiro › Forma de
pagamento</strong> para a cobrança automática mensal.</li>
<li><strong>Boleto</strong>: veja <a href="../segunda-via-do-boleto/">Segunda via do
boleto</a>.</li>
</ul>
<p>Pagamento recusado no cartão? Confira o limite e a validade e tente de novo; persistindo,
abra um chamado no <strong>Financeiro</strong>.</p>""",
        "body_en": """<p>Invoices can be paid by boleto, Pix or credit card.</p>
<ul>
<li><strong>Pix</strong>: the QR code is on the invoice; the payment is confirmed within
minutes.</li>
<li><strong>Credit card</strong>: register the card under <strong>Billing › Payment
method</strong> for automatic monthly payment.</li>
<li><strong>Boleto</strong>: see <a href="../segunda-via-do-boleto/">A second copy of a
boleto</a>.</li>
</ul>
<p>Card payment declined? Check the limit and expiry date and try again; if it persists,
open a ticket with <strong>Billing</strong>.</p>""",
    },
    {
        "category": "manutencao",
        "slug": "manutencao-contratada",
        "title": "Manutenção contratada: como acompanhar",
        "title_en": "Contracted maintenance: how to follow it",
        "body": """<p>Uma manutenção contratada (ajuste de módulo ou novo recurso) é tratada
no departamento <strong>Manutenção</strong>, a partir da proposta aprovada.</p>
<ul>
<li>Informe o número da proposta ou do chamado da contratação.</li>
<li>Descreva o ajuste e onde ele aparece na loja; anexe capturas de tela.</li>
<li>Para orçar uma manutenção nova, fale com o <strong>Atendimento</strong>.</li>
</ul>""",
        "body_en": """<p>A contracted maintenance (a module change or a new feature) is handled by
the <strong>Maintenance</strong> department, from the approved proposal.</p>
<ul>
<li>Give the proposal's number or the ticket of the purchase.</li>
<li>Describe the change and where it shows in the store; attach screenshots.</li>
<li>For a quote on new maintenance, talk to <strong>Customer service</strong>.</li>
</ul>""",
    },
    {
        "category": "atendimento",
        "slug": "plano-e-upgrade",
        "title": "Plano e upgrade: mudar de plano",
        "title_en": "Plans and upgrades: changing your plan",
        "body": """<p>Em <strong>Meu plano</strong>, na Área do Cliente, você vê o que o seu plano
inclui: prazos de atendimento, canais e departamentos. Para fazer upgrade (por exemplo, para
o Plano TEAM) ou contratar o Pacote Expresso, abra um chamado no
<strong>Atendimento</strong>: a mudança vale a partir da próxima fatura.</p>""",
        "body_en": """<p>Under <strong>My plan</strong>, in the client area, you see what your plan
includes: response times, channels and departments. To upgrade (to the TEAM plan, for
example) or add the Pacote Expresso, open a ticket with <strong>Customer service</strong>:
the change applies from the next invoice.</p>""",
    },
    {
        "category": "suporte",
        "slug": "certificado-ssl-e-dominio",
        "title": "Certificado SSL e domínio",
        "title_en": "SSL certificate and domain",
        "body": """<p>O certificado SSL da loja é renovado automaticamente enquanto o domínio
apontar para a nossa plataforma.</p>
<ul>
<li>Aviso de certificado expirando ou "conexão não segura"? Confira se o DNS do domínio
(registros A e CNAME) continua apontando para nós.</li>
<li>Trocou de domínio? Abra um chamado no <strong>Suporte</strong> com o domínio novo; o
certificado é emitido em até 24 horas depois da propagação do DNS.</li>
</ul>""",
        "body_en": """<p>The store's SSL certificate renews automatically while the domain points
at our platform.</p>
<ul>
<li>A warning that the certificate is expiring, or "connection not secure"? Check that the
domain's DNS (A and CNAME records) still points at us.</li>
<li>Changed domain? Open a ticket with <strong>Support</strong> giving the new domain; the
certificate is issued within 24 hours of DNS propagation.</li>
</ul>""",
    },
    {
        "category": "suporte",
        "slug": "atendimento-por-whatsapp",
        "title": "Atendimento por WhatsApp",
        "title_en": "Support over WhatsApp",
        "body": """<p>Os planos que incluem WhatsApp atendem pelo número informado em
<strong>Meu plano</strong>. Escreva do celular cadastrado como contato da empresa: uma
mensagem de outro número não fica vinculada à sua conta.</p>
<p>Cada conversa vira um chamado, que você também acompanha em <strong>Ver
chamados</strong>.</p>""",
        "body_en": """<p>Plans that include WhatsApp are served on the number shown under
<strong>My plan</strong>. Write from the mobile registered as a contact of the company: a
message from another number is not linked to your account.</p>
<p>Each conversation becomes a ticket, which you also follow under <strong>View
tickets</strong>.</p>""",
    },
    {
        "category": "sucesso",
        "slug": "sucesso-do-cliente",
        "title": "Sucesso do Cliente: estratégia de e-commerce e marketing",
        "title_en": "Customer Success: e-commerce and marketing strategy",
        "body": """<p>A partir do Plano TEAM, o <strong>Sucesso do Cliente</strong> ajuda com
dúvidas estratégicas: conversão, campanhas, marketing e crescimento da loja. Abra um chamado
dizendo o objetivo e os números que você acompanha.</p>""",
        "body_en": """<p>From the TEAM plan up, <strong>Customer Success</strong> helps with
strategy: conversion, campaigns, marketing and growing the store. Open a ticket giving the
goal and the figures you follow.</p>""",
    },
    {
        "category": "ouvidoria",
        "slug": "ouvidoria",
        "title": "Ouvidoria: quando algo não foi bem resolvido",
        "title_en": "Ombudsman: when something was not resolved well",
        "body": """<p>A <strong>Ouvidoria</strong> leva à Diretoria uma questão que não ficou bem
resolvida em outro departamento. Informe o número do chamado anterior e o que não ficou
bem resolvido.</p>""",
        "body_en": """<p>The <strong>Ombudsman</strong> takes to the board something another
department did not resolve well. Give the earlier ticket's number and what was not resolved
well.</p>""",
    },
    {
        "category": "qualidade",
        "slug": "qualidade-e-projetos",
        "title": "Qualidade e Projetos (Pacote Expresso)",
        "title_en": "Quality and Projects (Pacote Expresso)",
        "body": """<p>Com o Pacote Expresso, o departamento <strong>Qualidade e Projetos</strong>
acompanha projetos da loja e revisões de qualidade com prioridade. Informe o projeto e o
prazo desejado.</p>""",
        "body_en": """<p>With the Pacote Expresso, the <strong>Quality and Projects</strong>
department follows the store's projects and quality reviews with priority. Give the project
and the date you need.</p>""",
    },
]


def create(apps, schema_editor):
    Category = apps.get_model("kb", "Category")
    Article = apps.get_model("kb", "Article")
    categories = {}
    for position, (slug, name, name_en) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "position": position}
        )
    Article.objects.filter(slug__in=EARLIER, category=None).update(
        category=categories["primeiros-passos"]
    )
    for position, data in enumerate(ARTICLES, start=10):
        data = dict(data)
        category = categories[data.pop("category")]
        Article.objects.get_or_create(
            slug=data["slug"],
            defaults={**data, "category": category, "published": True, "position": position},
        )


def remove(apps, schema_editor):
    apps.get_model("kb", "Article").objects.filter(slug__in=[a["slug"] for a in ARTICLES]).delete()
    apps.get_model("kb", "Category").objects.filter(slug__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_help_categories_and_deflections")]

    operations = [migrations.RunPython(create, remove)]
