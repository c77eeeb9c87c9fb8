from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "intake_server.api"
    label = "api"
    verbose_name = "Intake"
