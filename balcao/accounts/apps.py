from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "balcao.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from balcao.accounts.actions import departments_changed, user_saved
        from balcao.accounts.models import Department, User

        # Every process keeps a copy of the departments (accounts/selectors.py): any change,
        # from the admin, the settings pages or code, gives them a new version.
        post_save.connect(departments_changed, sender=Department, dispatch_uid="departments")
        post_delete.connect(departments_changed, sender=Department, dispatch_uid="departments-gone")
        # The API's token check keeps the user in the shared cache (accounts/selectors.py
        # api_token): any change to them, however made, deletes it.
        post_save.connect(user_saved, sender=User, dispatch_uid="api-user")
        post_delete.connect(user_saved, sender=User, dispatch_uid="api-user-gone")
