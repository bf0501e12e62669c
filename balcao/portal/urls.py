from django.urls import path

from balcao.portal import meetings, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("entrar/", views.LoginView.as_view(), name="login"),
    path("entrar/codigo/", views.login_code, name="login_code"),
    path("entrar/dois-fatores/", views.login_setup, name="login_setup"),
    path("sair/", views.LogoutView.as_view(), name="logout"),
    path("senha/", views.PasswordResetView.as_view(), name="password_reset"),
    path("senha/enviada/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "senha/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "senha/alterada/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("abrir-ticket/", views.open_ticket, name="open_ticket"),
    path("abrir-ticket/sugestoes/", views.open_ticket_suggestions, name="suggestions"),
    path("abrir-ticket/resolvido/<slug:slug>/", views.solved_by_article, name="solved"),
    path("chamados/", views.ticket_list, name="tickets"),
    path("chamados/<int:number>/", views.ticket_page, name="ticket"),
    path("chamados/<int:number>/responder/", views.ticket_reply, name="reply"),
    path("chamados/<int:number>/fechar/", views.ticket_close, name="close"),
    path("chamados/<int:number>/copias/", views.ticket_cc, name="ticket_cc"),
    path("chamados/<int:number>/prioridade/", views.ticket_priority, name="priority"),
    path("anexos/<int:pk>/", views.attachment, name="attachment"),
    path("anexos/<int:pk>/ver/", views.attachment_preview, name="attachment_preview"),
    path("contatos/", views.contacts, name="contacts"),
    path("contatos/<int:pk>/remover/", views.contact_remove, name="contact_remove"),
    path("contatos/<int:pk>/convite/", views.contact_invite, name="contact_invite"),
    path("convite/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
    path("avaliacao/<str:token>/", views.satisfaction, name="satisfaction"),
    path("meu-plano/", views.plan, name="plan"),
    path("reunioes/", meetings.meetings, name="meetings"),
    path("reunioes/agendar/<str:kind>/", meetings.book, name="book_meeting"),
    path("reunioes/<int:pk>/cancelar/", meetings.cancel, name="cancel_meeting"),
    path("reunioes/<int:pk>/remarcar/", meetings.reschedule, name="reschedule_meeting"),
    path("reunioes/<int:pk>/convite.ics", meetings.ics, name="meeting_ics"),
    path("ajuda/", views.help_page, name="help"),
    path("conta/", views.account, name="account"),
    path("conta/tokens/<int:pk>/revogar/", views.revoke_token, name="revoke_token"),
]
