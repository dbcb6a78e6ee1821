"""Settings checks: a half-configured Intercom reply set-up fails at start-up, naming what is missing."""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.text import get_text_list

REPLY_SETTINGS = ("OOHDESK_INTERCOM_API_BASE_URL", "OOHDESK_INTERCOM_ACCESS_TOKEN", "OOHDESK_INTERCOM_ADMIN_ID")


@register()
def check_intercom_replies(app_configs=None, **kwargs) -> list[Error]:
    missing = [name for name in REPLY_SETTINGS if not getattr(settings, name)]
    if not missing or len(missing) == len(REPLY_SETTINGS):
        return []
    return [
        Error(
            f"Intercom replies are half set up: {get_text_list(missing, 'and')} {'is' if len(missing) == 1 else 'are'} empty.",
            hint="Set all three to reply in Intercom, or none to leave replies off.",
            id="intake.E001",
        )
    ]


@register()
def check_intercom_base_url(app_configs=None, **kwargs) -> list[Error]:
    base_url = settings.OOHDESK_INTERCOM_API_BASE_URL
    if base_url and not base_url.startswith(("https://", "http://")):
        return [
            Error(
                f"OOHDESK_INTERCOM_API_BASE_URL={base_url!r} is not an http(s) URL.",
                hint="Use your region's API address, such as https://api.intercom.io.",
                id="intake.E002",
            )
        ]
    return []


@register()
def check_zendesk_fields(app_configs=None, **kwargs) -> list[Error]:
    if not settings.OOHDESK_ZENDESK_SIGNING_SECRET:
        return []
    missing = [
        name
        for name in ("OOHDESK_ZENDESK_SITE_DOWN_FIELD", "OOHDESK_ZENDESK_AFFECTS_HALF_FIELD")
        if not getattr(settings, name)
    ]
    if not missing:
        return []
    return [
        Error(
            f"Zendesk is set up but {get_text_list(missing, 'and')} {'is' if len(missing) == 1 else 'are'} empty, "
            "so no Zendesk report could be triaged.",
            hint="Set them to the ids of the ticket fields holding the two answers (Admin Center, Objects and rules, Tickets, Fields).",
            id="intake.E003",
        )
    ]
