from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "intake_server.console"
    label = "console"
    verbose_name = "Support console"
