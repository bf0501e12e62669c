"""Starter help articles, drawn from the support page (seed/canais-de-atendimento.txt), in
pt-BR and English. They are general (no department) and published; administrators edit
them in the admin. Links between them are relative, so they survive any mount point."""

from django.db import migrations

ARTICLES = [
    {
        "slug": "como-abrir-um-chamado",
        "title": "Como abrir um chamado",
        "title_en": "How to open a ticket",
        "body": """<p>Você pode abrir um chamado 24 horas por dia pela Área do Cliente, ou
simplesmente enviar um e-mail para o departamento desejado. Pela Área do Cliente nenhum
assunto tratado conosco se perde de vista.</p>
<h2>Pela Área do Cliente</h2>
<ol>
<li>Entre na Área do Cliente com o seu e-mail cadastrado e a sua senha.</li>
<li>No menu, clique em <strong>Abrir ticket</strong>.</li>
<li>Escolha o departamento mais adequado
(veja <a href="../qual-departamento-escolher/">Qual departamento escolher</a>).</li>
<li>Escreva o assunto e a mensagem e, se ajudar, anexe arquivos.</li>
</ol>
<p>Acompanhe o andamento em <strong>Suporte › Ver chamados</strong>: ali fica tudo registrado,
mesmo quando a nossa resposta não chega ao seu e-mail.</p>
<h2>Por e-mail</h2>
<ul>
<li>Use o seu e-mail cadastrado conosco ou o de um
<a href="../contatos-autorizados/">contato autorizado</a>. Uma mensagem de outro endereço não
fica vinculada à sua conta, perde a autorização para atendimento e fica fora da cobertura
de SLA.</li>
<li>Ao nos responder, mantenha o assunto do e-mail: assim tudo fica no mesmo chamado.</li>
<li>Se for mudar de assunto, mude o assunto do e-mail e revise o departamento ao qual
destina a mensagem.</li>
</ul>
<p>Seja o mais descritivo possível: assim tentamos resolver logo na primeira resposta.</p>""",
        "body_en": """<p>You can open a ticket 24 hours a day in the client area, or simply
send an e-mail to the department you need. In the client area no subject you discussed
with us is ever out of sight.</p>
<h2>In the client area</h2>
<ol>
<li>Log in to the client area with your registered e-mail and your password.</li>
<li>In the menu, click <strong>Open a ticket</strong>.</li>
<li>Choose the department that fits best
(see <a href="../qual-departamento-escolher/">Which department to choose</a>).</li>
<li>Write the subject and the message and, if it helps, attach files.</li>
</ol>
<p>Follow it in <strong>Support › View tickets</strong>: everything is kept there, even when
our answer does not reach your e-mail.</p>
<h2>By e-mail</h2>
<ul>
<li>Write from the e-mail registered with us or from an
<a href="../contatos-autorizados/">authorized contact</a>'s. A message from any other address
is not linked to your account, is not authorized and is outside the SLA coverage.</li>
<li>When you reply, keep the subject: everything stays in the same ticket.</li>
<li>For a new subject, change the e-mail's subject and check which department you are
writing to.</li>
</ul>
<p>Be as descriptive as you can: we try to solve it in the first answer.</p>""",
    },
    {
        "slug": "qual-departamento-escolher",
        "title": "Qual departamento escolher",
        "title_en": "Which department to choose",
        "body": """<p>Um chamado no departamento errado leva mais tempo até chegar a quem
pode respondê-lo. Escolha o mais adequado:</p>
<ul>
<li><strong>Atendimento</strong> – dúvidas comerciais, contratuais e novas contratações,
incluindo manutenções.</li>
<li><strong>Suporte</strong> – dúvidas técnicas sobre nossos serviços e plataforma.</li>
<li><strong>Financeiro</strong> – dúvidas sobre faturas, 2ª via, nota fiscal e
pagamentos.</li>
<li><strong>Manutenção</strong> – manutenções contratadas em andamento (ajustes de módulos e
novos recursos).</li>
<li><strong>Qualidade e Projetos</strong> – exclusivo para contratantes do Pacote
Expresso.</li>
<li><strong>Sucesso do Cliente</strong> – exclusivo para clientes a partir do Plano TEAM,
sobre dúvidas estratégicas de e-commerce e marketing.</li>
<li><strong>Ouvidoria</strong> – canal direto com a Diretoria para uma questão que você
entende não ter sido bem resolvida em algum dos departamentos anteriores. Informe o número
do chamado dessa questão.</li>
</ul>
<p>A página <strong>Ajuda</strong> da Área do Cliente mostra os departamentos disponíveis
para o seu plano e o que cada um precisa saber para resolver logo.</p>""",
        "body_en": """<p>A ticket in the wrong department takes longer to reach someone who
can answer it. Choose the one that fits:</p>
<ul>
<li><strong>Atendimento</strong> – commercial and contract questions and new purchases,
maintenance included.</li>
<li><strong>Suporte</strong> – technical questions about our services and platform.</li>
<li><strong>Financeiro</strong> – invoices, second copies, fiscal notes (nota fiscal) and
payments.</li>
<li><strong>Manutenção</strong> – contracted maintenance in progress (module changes and new
features).</li>
<li><strong>Qualidade e Projetos</strong> – only for companies with the Pacote Expresso.</li>
<li><strong>Sucesso do Cliente</strong> – only for plans from TEAM up: e-commerce and
marketing strategy.</li>
<li><strong>Ouvidoria</strong> – straight to the board, for something you feel a department
did not resolve well. Give the number of that ticket.</li>
</ul>
<p>The client area's <strong>Help</strong> page shows which departments your plan includes and
what each needs to know to solve it quickly.</p>""",
    },
    {
        "slug": "o-que-significa-cada-status",
        "title": "O que significa cada status do chamado",
        "title_en": "What each ticket status means",
        "body": """<p>Em <strong>Suporte › Ver chamados</strong> você acompanha o andamento do
seu chamado com a nossa equipe. Cada chamado tem um status:</p>
<ul>
<li><strong>Em aberto</strong>: ainda não chegamos ao seu chamado; ele está na fila para
ser analisado.</li>
<li><strong>Atribuído</strong>: o chamado foi escalado para alguém específico da equipe;
pode ser uma dúvida mais técnica e levar um pouco mais de tempo.</li>
<li><strong>Respondido</strong>: a equipe respondeu e aguarda o seu retorno.</li>
<li><strong>Resposta do cliente</strong>: você escreveu depois da abertura e a equipe vai
analisar para responder.</li>
<li><strong>Em andamento</strong>: a equipe está trabalhando no seu chamado.</li>
<li><strong>Fechado</strong>: o chamado está resolvido, ou ninguém aguarda resposta.</li>
</ul>
<p>Mesmo fechado, você pode reabrir o chamado trazendo uma nova informação ou pergunta sobre o
mesmo assunto: basta respondê-lo. Se o assunto for outro, abra um novo chamado, no
departamento certo.</p>""",
        "body_en": """<p>In <strong>Support › View tickets</strong> you follow your ticket with
our team. Each ticket has a status:</p>
<ul>
<li><strong>Open</strong>: not reached yet; it is waiting in the queue.</li>
<li><strong>Assigned</strong>: escalated to a specific person in the team; it may be a more
technical question and take a little longer.</li>
<li><strong>Answered</strong>: the team answered and is waiting for you.</li>
<li><strong>Customer-Reply</strong>: you wrote after the opening; the team will analyse it
and answer.</li>
<li><strong>In Progress</strong>: the team is working on your ticket.</li>
<li><strong>Closed</strong>: resolved, or nobody is waiting for anything.</li>
</ul>
<p>Even when it is closed, you can reopen a ticket with new information or a question on the
same subject: just reply to it. For another subject, open a new ticket in the right
department.</p>""",
    },
    {
        "slug": "contatos-autorizados",
        "title": "Contatos autorizados: quem pode falar com o suporte",
        "title_en": "Authorized contacts: who may talk to support",
        "body": """<p>Somente pessoas autorizadas da sua empresa podem se comunicar conosco: o
e-mail cadastrado da conta (o contato principal) e os contatos autorizados que ele
registrar.</p>
<h2>Como cadastrar um membro da sua equipe</h2>
<ol>
<li>O contato principal entra na Área do Cliente e abre <strong>Contatos
autorizados</strong>.</li>
<li>Em <strong>Autorizar um contato</strong>, informa o nome e o e-mail da pessoa, confirma
que ela pode abrir e acompanhar chamados em nome da empresa e clica em
<strong>Autorizar</strong>.</li>
<li>A pessoa cria a própria senha em <strong>Esqueceu a senha?</strong>, na página de
entrada, usando esse e-mail.</li>
</ol>
<p>Na mesma página o contato principal remove quem não deve mais falar com o suporte. Todos os
contatos veem a lista de quem está autorizado.</p>
<p>Uma mensagem enviada de um e-mail que não está cadastrado não fica vinculada à sua empresa
e fica fora da cobertura de SLA.</p>""",
        "body_en": """<p>Only authorized people of your company may talk to us: the account's
registered e-mail (the primary contact) and the authorized contacts it registers.</p>
<h2>How to add a member of your team</h2>
<ol>
<li>The primary contact logs in to the client area and opens <strong>Authorized
contacts</strong>.</li>
<li>Under <strong>Authorize a contact</strong>, they enter the person's name and e-mail,
confirm that the person may open and follow tickets on the company's behalf, and click
<strong>Authorize</strong>.</li>
<li>The person sets their own password with <strong>Forgot your password?</strong> on the
login page, using that e-mail.</li>
</ol>
<p>On the same page the primary contact removes whoever should no longer talk to support.
Every contact sees who is authorized.</p>
<p>A message sent from an e-mail that is not registered is not linked to your company and is
outside the SLA coverage.</p>""",
    },
    {
        "slug": "horario-de-atendimento",
        "title": "Horário de atendimento e canais em tempo real",
        "title_en": "Opening hours and real-time channels",
        "body": """<ul>
<li><strong>Abertura de chamados</strong>: 24 horas por dia, pela Área do Cliente ou por
e-mail.</li>
<li><strong>Atendimento em tempo real</strong> (chat, WhatsApp e telefone): de segunda a
sexta-feira, das 9:00 às 17:00, horário de Brasília, exceto feriados nacionais e Carnaval.</li>
</ul>
<p>Cada plano tem um nível de atendimento. Conforme o plano, você pode contar com:</p>
<ul>
<li>Chat, na Área do Cliente;</li>
<li>WhatsApp Comercial (somente dúvidas comerciais e novas contratações);</li>
<li>WhatsApp de Suporte (dúvidas sobre a plataforma e os serviços contratados);</li>
<li>E-mail, para cada departamento;</li>
<li>Reuniões agendadas com consultores;</li>
<li>Reuniões agendadas com analistas de marketing.</li>
</ul>
<p>Em <strong>Meu plano</strong> você vê os canais do seu plano, se estão abertos agora, o
tempo de resposta do seu contrato (contado em horas comerciais) e o que um upgrade
acrescentaria. Fora do horário, abra um chamado: ele entra na fila na hora.</p>""",
        "body_en": """<ul>
<li><strong>Opening tickets</strong>: 24 hours a day, in the client area or by e-mail.</li>
<li><strong>Real-time service</strong> (chat, WhatsApp and phone): Monday to Friday,
9:00 to 17:00 Brasília time, national holidays and Carnival excepted.</li>
</ul>
<p>Each plan has its support level. Depending on the plan you can count on:</p>
<ul>
<li>Chat, in the client area;</li>
<li>WhatsApp Comercial (sales questions and new purchases only);</li>
<li>WhatsApp Suporte (the platform and the services you contracted);</li>
<li>E-mail, to each department;</li>
<li>Meetings scheduled with consultants;</li>
<li>Meetings scheduled with marketing analysts.</li>
</ul>
<p>In <strong>My plan</strong> you see your plan's channels, whether they are open now, the
response time of your contract (counted in business hours) and what an upgrade would add.
Outside the hours, open a ticket: it joins the queue at once.</p>""",
    },
]


def create(apps, schema_editor):
    Article = apps.get_model("kb", "Article")
    for position, data in enumerate(ARTICLES, start=1):
        Article.objects.get_or_create(
            slug=data["slug"], defaults={**data, "published": True, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
