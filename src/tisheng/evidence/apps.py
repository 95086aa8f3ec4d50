from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "tisheng.evidence"
    label = "evidence"
    verbose_name = "测评成果材料"
