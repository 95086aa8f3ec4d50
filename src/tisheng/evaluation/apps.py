from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tisheng.evaluation"
    label = "evaluation"
    verbose_name = "评价"

    def ready(self):
        from tisheng.evidence import panels, visibility

        from .peer_selectors import reviewed_versions
        from .views import evidence_panel

        # R-PEER: a reviewer reads the files of the versions assigned to them.
        visibility.register(reviewed_versions)
        # The evidence page shows the self-evaluation form, the verdicts and the appeal (R-EVAL).
        panels.register(evidence_panel)
