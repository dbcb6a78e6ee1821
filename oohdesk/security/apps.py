from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "oohdesk.security"
    verbose_name = "Security"

    def ready(self) -> None:
        from oohdesk.security import checks  # noqa: F401  (registers the deployment checks)
