from django.core.checks import Warning, register

from balcao.privacy.selectors import retention_policy


@register()
def retention_settings_are_readable(app_configs, **kwargs):
    """A retention setting that cannot be read purges nothing: say so when Balcão starts."""
    return [
        Warning(problem, hint="Set a whole number of years, or leave it empty.", id="privacy.W001")
        for problem in retention_policy().problems
    ]
