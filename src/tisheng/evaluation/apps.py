from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tisheng.evaluation"
    label = "evaluation"
    verbose_name = "评价"

    def ready(self):
        from tisheng.evidence import panels

        from .views import evidence_panel

        # The evidence page shows the self-evaluation form, the verdicts and the appeal (R-EVAL).
        panels.register(evidence_panel)
