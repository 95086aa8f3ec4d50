from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tisheng.evaluation"
    label = "evaluation"
    verbose_name = "评价"

    def ready(self):
        from tisheng.evidence import visibility

        from .peer_selectors import reviewed_versions

        # R-PEER: a reviewer reads the files of the versions assigned to them.
        visibility.register(reviewed_versions)
