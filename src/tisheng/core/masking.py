"""Masking of personal data (ID numbers, phones) for everyone who may not see it in clear
(`Scope.can_see_personal_data`): on pages, in the API and in exports. Here in core because the roster
row (organisation) masks itself and the imports (exchange) mask what they report; neither owns it."""

import re

ID_NUMBER = re.compile(r"[0-9]{17}[0-9Xx]")
MOBILE = re.compile(r"1[0-9]{10}")
# What a login that is personal data looks like: an ID number or a mobile number (issue 8 item 3).
PERSONAL_LOGIN_REGEX = r"^([0-9]{17}[0-9Xx]|1[0-9]{10})$"


def mask_id(idn: str) -> str:
    return f"{idn[:4]}{'*' * 10}{idn[-4:]}" if len(idn) == 18 else ("*" * len(idn))


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else ("*" * len(phone))


def mask_login(username: str) -> str:
    """A login that is an ID or mobile number, masked like one; any other login as it is."""
    if ID_NUMBER.fullmatch(username or ""):
        return mask_id(username)
    if MOBILE.fullmatch(username or ""):
        return mask_phone(username)
    return username
