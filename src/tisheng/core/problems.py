"""Messages kept for later: a stable code and its parameters, put into words when someone reads them.

An import is checked in a background worker that knows nothing of who will read the result; its
row messages are stored on the job and read later, on a page, through the API or in the error
report, by a clerk who may have chosen English. So a message is stored as
`{"code": "id_number_checksum", "params": {...}}` and rendered in the reader's language by
`render()`. The words are gettext msgids (the Chinese texts the clerks have always seen), declared
next to the code that raises them with `define()`; the Chinese output is the msgid itself.

Parameters are what the message quotes from the sheet (a school name, a row number) or, listed in
`labels`, words of ours that are translated too (a column's name, a role). A list parameter is
joined with the reader's list separator. Nothing personal is put into a parameter that the message
did not show before (an ID number is never quoted).

**Invariant:** a job's stored row message is either this dict or, for jobs stored before it, the
plain Chinese text, and `render()` shows both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop

FALLBACK = gettext_noop("这一行有问题，请核对后重新上传。")
LIST_SEPARATOR = gettext_noop("、")


@dataclass(frozen=True)
class Template:
    text: str  # the msgid: the Chinese text, with %(name)s for each parameter
    labels: tuple[str, ...] = ()  # parameters that are msgids themselves


_catalog: dict[str, Template] = {}


def define(code: str, text: str, *, labels: tuple[str, ...] = ()) -> str:
    """Declare the words of `code` (wrap `text` in gettext_noop so that makemessages finds it)."""
    template = Template(text, tuple(labels))
    known = _catalog.get(code)
    if known is not None and known != template:
        raise ImproperlyConfigured(f"problem code {code!r} is already defined as {known.text!r}")
    _catalog[code] = template
    return code


def known(code: str) -> bool:
    return code in _catalog


def _plain(value) -> str | int | list[str]:
    """A parameter as stored: a number, a text, a list of texts. A lazy translation (a role's label)
    is stored as its msgid, so that it is translated when read, not in the checking process."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        return [_text(v) for v in value]
    return _text(value)


def _text(value) -> str:
    if isinstance(value, Promise):
        with translation.override(None):
            return str(value)
    return str(value)


@dataclass(frozen=True)
class Problem:
    """One message: `code` (defined with `define`) and its parameters (text, numbers, lists of text)."""

    code: str
    params: dict

    def stored(self) -> dict:
        return {"code": self.code, "params": {k: _plain(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        return render(self.stored())


def problem(code: str, **params) -> Problem:
    if code not in _catalog:
        raise ImproperlyConfigured(f"problem code {code!r} is not defined")
    return Problem(code, params)


class Words:
    """gettext that remembers, for putting many messages into words at once (a job's 2000 problems
    use a handful of texts; each gettext call costs some microseconds). One language per instance."""

    def __init__(self):
        self._said: dict[str, str] = {}

    def __call__(self, text) -> str:
        if not isinstance(text, str) or not text:
            return ""  # gettext("") would give the catalog's header
        said = self._said.get(text)
        if said is None:
            said = self._said[text] = gettext(text)
        return said


def render(stored, *, words: Words | None = None) -> str:
    """A stored message in the active language. Plain text (what jobs stored before codes) is shown
    as it is, translated when it happens to be a whole msgid. Pass `words` when rendering many."""
    words = words or Words()
    if stored is None or stored == "":
        return ""
    if isinstance(stored, str):
        return words(stored)
    if isinstance(stored, Problem):
        stored = stored.stored()
    if not isinstance(stored, dict):
        return str(stored)
    template = _catalog.get(stored.get("code"))
    if template is None:
        return words(FALLBACK)
    raw = stored.get("params")
    if not isinstance(raw, dict):
        raw = {}
    params = {}
    for key, value in raw.items():
        if isinstance(value, list):
            items = [words(v) if key in template.labels else str(v) for v in value]
            params[key] = words(LIST_SEPARATOR).join(items)
        elif key in template.labels:
            params[key] = words(value)
        else:
            params[key] = value
    text = words(template.text)
    try:
        return text % params if "%(" in text else text
    except (KeyError, TypeError, ValueError):
        # A translation or a stored job that does not fit the parameters: the Chinese words.
        try:
            return template.text % params if "%(" in template.text else template.text
        except (KeyError, TypeError, ValueError):
            return words(FALLBACK)


class ProblemError(Exception):
    """An exception that carries a `Problem`; `str()` gives its words in the active language."""

    def __init__(self, code: str, **params):
        self.problem = problem(code, **params)
        super().__init__(code)

    def __str__(self) -> str:
        return str(self.problem)
