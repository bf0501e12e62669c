from django.urls import path

from balcao.portal import company, meetings, signin, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("entrar/", signin.LoginView.as_view(), name="login"),
    path("entrar/codigo/", signin.login_code, name="login_code"),
    path("entrar/dois-fatores/", signin.login_setup, name="login_setup"),
    path("sair/", signin.LogoutView.as_view(), name="logout"),
    path("senha/", signin.PasswordResetView.as_view(), name="password_reset"),
    path("senha/enviada/", signin.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "senha/<uidb64>/<token>/",
        signin.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "senha/alterada/",
        signin.PasswordResetCompleteView.as_view(),
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
    path("contatos/", company.contacts, name="contacts"),
    path("contatos/<int:pk>/remover/", company.contact_remove, name="contact_remove"),
    path("contatos/<int:pk>/convite/", company.contact_invite, name="contact_invite"),
    path("convite/<uidb64>/<token>/", signin.InvitationView.as_view(), name="invitation"),
    path("avaliacao/<str:token>/", views.satisfaction, name="satisfaction"),
    path("meu-plano/", company.plan, name="plan"),
    path("reunioes/", meetings.meetings, name="meetings"),
    path("reunioes/agendar/<str:kind>/", meetings.book, name="book_meeting"),
    path("reunioes/<int:pk>/cancelar/", meetings.cancel, name="cancel_meeting"),
    path("reunioes/<int:pk>/remarcar/", meetings.reschedule, name="reschedule_meeting"),
    path("reunioes/<int:pk>/convite.ics", meetings.ics, name="meeting_ics"),
    path("ajuda/", views.help_page, name="help"),
    path("conta/", company.account, name="account"),
    path("conta/tokens/<int:pk>/revogar/", company.revoke_token, name="revoke_token"),
]
