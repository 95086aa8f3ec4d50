from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "tisheng.trainings"
    label = "trainings"
    verbose_name = "线下集中培训"
