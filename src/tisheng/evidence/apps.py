from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "tisheng.evidence"
    label = "evidence"
    verbose_name = "测评成果材料"

    def ready(self):
        from tisheng.plans import locks

        from .selectors import picks_held_by_evidence

        # A school's menu change names the picks that submitted or accepted evidence holds.
        locks.register(picks_held_by_evidence)
