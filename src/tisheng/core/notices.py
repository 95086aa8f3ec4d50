"""Telling people things (a menu change that affects their picks, a returned plan, ...).

Written inside the service's transaction like audit events, read on the person's home page."""

from .models import Notice


def notify(*, recipients, message: str, link: str = "", kind: str = "") -> None:
    Notice.objects.bulk_create(
        [
            Notice(recipient_id=getattr(r, "pk", r), message=message[:500], link=link[:300], kind=kind[:40])
            for r in recipients
        ],
        batch_size=2000,
    )
