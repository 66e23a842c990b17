"""Secrets never reach a log, at any level.

At `LOG_LEVEL=DEBUG` urllib3 logs every request line, query string included, so a Disqus
`api_key=`, a Stack Exchange `key=`/`access_token=` or any token a platform takes in the URL would
be written out; an exception's text (requests' "Max retries exceeded with url: …?api_key=…") does
the same at any level. `RedactSecrets` is a logging filter installed on every handler (LOGGING in
settings; the Celery worker's own handlers through the signals in advocacy/celery.py): it renders
each record's message with its arguments, plus its traceback, and replaces secret-looking values
with "[redacted]".
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# Names of query parameters, form fields, JSON keys and headers whose value is a secret.
SECRET_NAMES = (
    "key",
    "api_key",
    "apikey",
    "api_secret",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "consumer_secret",
    "token",
    "auth",
    "auth_token",
    "password",
    "passwd",
    "secret",
    "sig",
    "signature",
    "x-api-key",
    "cookie",
    "set-cookie",
)
_NAMES = "|".join(re.escape(name) for name in sorted(SECRET_NAMES, key=len, reverse=True))

# name=value in a query string or form body (?key=…&api_key=…), the name not part of a longer word.
# The value runs to the next separator; ")" and "(" belong to it (Stack Exchange keys and tokens
# end in "((" or "))").
_QUERY = re.compile(rf"(?i)((?<![\w-])(?:{_NAMES})=)[^&\s\"'#;,]+")
# "name": "value" / 'name': 'value' (JSON, a dict's repr such as logged headers). The name must be
# quoted: a bare "key: …" in prose ("cache key: …") is no secret.
_KEYED = re.compile(rf"(?i)([\"'](?:{_NAMES})[\"']\s*:\s*[\"']?)[^\"'\s,;}}&]+")
# Header lines that carry credentials ("X-Api-Key: …", "Cookie: …").
_HEADER_LINE = re.compile(r"(?im)^(\s*(?:x-api-key|api-key|x-auth-token|cookie|set-cookie)\s*:\s*)\S.*$")
# Authorization / Proxy-Authorization headers, as a line or in a dict's repr: the scheme is kept.
_AUTHORIZATION = re.compile(
    r"(?i)((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token|bot|digest|oauth)\s+)?[^\"'\s,;}]+"
)
# Credentials in a URL's authority (scheme://user:password@host).
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@")
# Tokens recognisable by their shape wherever they appear (Slack bot/user tokens).
_SLACK_TOKEN = re.compile(r"\bxox[abposr]-[A-Za-z0-9-]+")


def redact(text: str) -> str:
    """`text` with every secret-looking value replaced by "[redacted]"."""
    text = _AUTHORIZATION.sub(lambda m: m.group(1) + (f"{m.group(2)} " if m.group(2) else "") + REDACTED, text)
    text = _QUERY.sub(rf"\1{REDACTED}", text)
    text = _KEYED.sub(rf"\1{REDACTED}", text)
    text = _HEADER_LINE.sub(rf"\1{REDACTED}", text)
    text = _URL_PASSWORD.sub(rf"\1{REDACTED}@", text)
    return _SLACK_TOKEN.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Redacts the record in place (message, arguments, traceback, stack) and lets it through."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: redact the parts
            record.msg = redact(str(record.msg))
            if isinstance(record.args, tuple):
                record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        else:
            cleaned = redact(message)
            if cleaned != message:
                # The rendered, redacted message replaces format + arguments, so no argument is
                # left to carry the secret to a handler that formats differently.
                record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx answer (a 403 for a page the role may not see, a 404) is logged by django.request
    as a one-line warning: its traceback is a normal answer's, not a fault, and would bury real
    ones in the log. 5xx answers (ERROR) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and record.levelno < logging.ERROR and record.exc_info:
            record.exc_info, record.exc_text = None, None
        return True


def redaction_install(logger: logging.Logger) -> None:
    """Put a RedactSecrets filter on each of `logger`'s handlers that has none (Celery's worker
    replaces the root handlers that LOGGING configured with its own)."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
