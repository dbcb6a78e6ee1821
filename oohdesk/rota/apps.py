from django.apps import AppConfig


class RotaConfig(AppConfig):
    name = "oohdesk.rota"
    verbose_name = "Teams and rotas"
