import ipaddress

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_is_not_the_public_one(app_configs, **kwargs):
    """The development key is in the source: with it anyone can forge sessions and reset links."""
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the public development key.",
                hint="Set the SECRET_KEY environment variable to a long random value.",
                id="balcao.E001",
            )
        ]
    return []


@register(Tags.security)
def trusted_proxies_are_addresses(app_configs, **kwargs):
    """A TRUSTED_PROXIES entry that is not an address or network would silently trust nothing."""
    errors = []
    for proxy in settings.TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"TRUSTED_PROXIES: {proxy!r} is not an IP address or network.",
                    hint="List addresses or networks, comma-separated: 10.0.0.1,192.168.0.0/24.",
                    id="balcao.E002",
                )
            )
    return errors
