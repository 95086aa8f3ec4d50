"""Masking of personal data (ID numbers, phones) for everyone who may not see it in clear
(`Scope.can_see_personal_data`): on pages, in the API and in exports. Here in core because the roster
row (organisation) masks itself and the imports (exchange) mask what they report; neither owns it."""


def mask_id(idn: str) -> str:
    return f"{idn[:4]}{'*' * 10}{idn[-4:]}" if len(idn) == 18 else ("*" * len(idn))


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else ("*" * len(phone))
