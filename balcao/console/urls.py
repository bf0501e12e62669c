from django.urls import path

from balcao.console import account, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("sair/", views.logout, name="logout"),
    path("conta/", account.account, name="account"),
    path("conta/tokens/<int:pk>/revogar/", account.revoke_token, name="revoke_token"),
    path("chamados/", views.ticket_list, name="tickets"),
    path("chamados/em-lote/", views.bulk, name="bulk"),
    path("empresas/", views.company_options, name="company_options"),
    path("chamados/<int:number>/", views.ticket_page, name="ticket"),
    path("chamados/<int:number>/mensagem/", views.ticket_message, name="message"),
    path("chamados/<int:number>/atribuir/", views.ticket_assign, name="assign"),
    path("chamados/<int:number>/em-andamento/", views.ticket_progress, name="progress"),
    path("chamados/<int:number>/fechar/", views.ticket_close, name="close"),
    path("chamados/<int:number>/reabrir/", views.ticket_reopen, name="reopen"),
    path("chamados/<int:number>/transferir/", views.ticket_transfer, name="transfer"),
    path("chamados/<int:number>/vincular/", views.ticket_link, name="link"),
    path("chamados/<int:number>/seguir/", views.ticket_follow, name="follow"),
    path("chamados/<int:number>/proximo/", views.next_ticket, name="next"),
    path("anexos/<int:pk>/", views.attachment, name="attachment"),
    path("envio-de-email/", views.mail_status, name="mail_status"),
    path("anexos/<int:pk>/ver/", views.attachment_preview, name="attachment_preview"),
    path("notificacoes/", views.notification_list, name="notifications"),
    path("notificacoes/contagem/", views.notification_count, name="notification_count"),
    path("notificacoes/<int:pk>/", views.notification_open, name="notification"),
    path(
        "notificacoes/preferencias/",
        views.notification_preferences_page,
        name="notification_preferences",
    ),
    path("chamados/novo/", views.new_ticket, name="new_ticket"),
    path("chamados/<int:number>/prioridade/", views.ticket_priority, name="priority"),
    path("chamados/<int:number>/etiquetas/", views.ticket_tags, name="tags"),
    path("chamados/<int:number>/mesclar/", views.ticket_merge, name="merge"),
    path("chamados/<int:number>/respostas-prontas/", views.canned_picker, name="canned_picker"),
    path("etiquetas/", views.tag_options, name="tag_options"),
    path("respostas-prontas/", views.canned_responses, name="canned"),
    path("respostas-prontas/<int:pk>/apagar/", views.canned_response_delete, name="canned_delete"),
]
