"""First-sign-in codes: made, normalised and hashed (issue 8 item 2).

A code is 10 characters from 31 that cannot be mistaken for one another on paper (no 0/O, 1/I/L):
about 49 bits, random from `secrets`, good for days (TISHENG_SIGN_IN_CODE_DAYS), used once, and tried
only through the sign-in lockout. Such a secret needs no slow password hasher: slow hashing exists to
protect low-entropy secrets people choose against an offline guesser, and 2^49 random values cannot
be searched offline whatever the hash. A keyed SHA-256 (HMAC with a key derived from SECRET_KEY) keeps
the stored value useless without the key and costs microseconds, so a county of 20,000 teachers is
hashed in well under a second, where PBKDF2 at Django's default cost would take over an hour.
"""

import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
_SALT = "tisheng.people.activation_code"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str:
    """What a person types: spaces and dashes dropped, any case."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t")[:64]


def looks_like_code(raw: str) -> bool:
    code = normalise(raw)
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


def hash_code(code: str) -> str:
    return salted_hmac(_SALT, normalise(code), algorithm="sha256").hexdigest()


def matches(code: str, code_hash: str) -> bool:
    return constant_time_compare(hash_code(code), code_hash)


def display(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"
