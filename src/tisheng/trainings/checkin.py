"""The rotating check-in code of an offline training (R-OFFLINE).

The organiser's screen shows a QR code of /hours/checkin/<code>/, where the code is the training id
and the second it was issued, signed with the site's secret key (django.core.signing, its own salt).
A code is good for CODE_SECONDS after it was issued; the screen fetches a new one every 10 seconds,
so a photo of the screen sent to someone at home is useless half a minute later.

This is TimestampSigner's idea with the clock passed in (`now`), so tests freeze time without
sleeping and the service decides expiry against the moment the teacher scanned.
"""

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.utils.translation import gettext as _

from tisheng.core.errors import ValidationFailed

# The salt the code had when trainings were part of the hours app: codes on screen during a deploy stay good.
SALT = "tisheng.hours.checkin"
CODE_SECONDS = 30
# A code from a clock slightly ahead (another server) is still accepted.
CLOCK_SKEW_SECONDS = 5


@dataclass(frozen=True)
class Code:
    training_id: int
    issued_at: dt.datetime


def make_code(training_id: int, *, now: dt.datetime) -> str:
    payload = f"{int(training_id)}.{signing.b62_encode(int(now.timestamp()))}"
    return signing.Signer(salt=SALT).sign(payload)


def read_code(token: str) -> Code:
    """The training and issue time of a code; ValidationFailed for anything not made by make_code."""
    bad = ValidationFailed(_("签到二维码无效，请扫描培训现场屏幕上的二维码。"), code="bad_code")
    if not isinstance(token, str) or len(token) > 200:
        raise bad
    try:
        payload = signing.Signer(salt=SALT).unsign(token)
        training, issued = payload.split(".", 1)
        return Code(
            training_id=int(training),
            issued_at=dt.datetime.fromtimestamp(signing.b62_decode(issued), tz=dt.UTC),
        )
    except (signing.BadSignature, ValueError, OverflowError, OSError):
        raise bad from None


def is_fresh(code: Code, *, at: dt.datetime) -> bool:
    age = (at - code.issued_at).total_seconds()
    return -CLOCK_SKEW_SECONDS <= age <= CODE_SECONDS
