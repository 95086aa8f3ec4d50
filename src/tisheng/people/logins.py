"""Logins that are not personal data (issue 8 item 3).

Accounts made by a roster import get a generated login, "t" and 8 random digits (shown on the sign-in
slip); the teacher may also sign in with their mobile number, and with their ID number only while
their city allows it (ProgrammeSettings.id_number_login, off by default).
"""

import secrets

# Masking a login that is personal data lives with the other masking, in core.
from tisheng.core.masking import ID_NUMBER, MOBILE, PERSONAL_LOGIN_REGEX, mask_login  # noqa: F401


def new_logins(count: int, *, user_model=None) -> list[str]:
    """`count` fresh logins, none already taken (the model is a parameter for the data migration)."""
    if user_model is None:
        from .models import User as user_model
    made: set[str] = set()
    while len(made) < count:
        wanted = {f"t{secrets.randbelow(10**8):08d}" for _ in range(count - len(made))} - made
        taken: set[str] = set()
        pending = sorted(wanted)
        for start in range(0, len(pending), 900):
            taken.update(
                user_model.objects.filter(username__in=pending[start : start + 900]).values_list(
                    "username", flat=True
                )
            )
        made |= wanted - taken
    return sorted(made)[:count] if len(made) > count else list(made)
