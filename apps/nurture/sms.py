"""Sending text messages: a small backend interface, chosen by settings.NURTURE_SMS_BACKEND.

- ConsoleSmsBackend (the default, for development) prints each text.
- FileSmsBackend appends one JSON line per text to settings.NURTURE_SMS_FILE_PATH.
- LocmemSmsBackend keeps texts in `sms_outbox`, for tests.
- TwilioSmsBackend posts to Twilio's REST API with the standard library.

A backend returns the provider's message id. It raises SmsError when trying again
later may work (network, timeouts, 429, 5xx) and SmsRejected when it will not (a bad
number, an opted-out recipient: Twilio's 4xx answers).
"""

import base64
import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    """Sending failed for now; a retry may succeed."""


class SmsRejected(SmsError):
    """The provider refused the text for good; retrying will not help."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> str: ...


def sms_backend() -> SmsBackend:
    return import_string(settings.NURTURE_SMS_BACKEND)()


class ConsoleSmsBackend:
    """Prints texts to standard output, like Django's console email backend."""

    def send(self, *, to: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        sys.stdout.write(f"SMS to {to} ({message_id}):\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return message_id


class FileSmsBackend:
    """Appends texts as JSON lines to a file (development, demos, benchmarks)."""

    _lock = threading.Lock()

    def send(self, *, to: str, body: str) -> str:
        message_id = f"file-{uuid.uuid4().hex}"
        line = json.dumps(
            {"id": message_id, "to": to, "body": body, "at": timezone.now().isoformat()}
        )
        with self._lock, open(settings.NURTURE_SMS_FILE_PATH, "a", encoding="utf-8") as file:
            file.write(line + "\n")
        return message_id


sms_outbox: list[dict[str, str]] = []


class LocmemSmsBackend:
    """Keeps texts in `sms_outbox` (tests empty it between tests)."""

    def send(self, *, to: str, body: str) -> str:
        message_id = f"locmem-{len(sms_outbox) + 1}"
        sms_outbox.append({"id": message_id, "to": to, "body": body})
        return message_id


class TwilioSmsBackend:
    """Twilio's Messages API: POST /2010-04-01/Accounts/{sid}/Messages.json.

    Uses a Messaging Service when TWILIO_MESSAGING_SERVICE_SID is set (Twilio then
    handles STOP replies at the service too), else the TWILIO_FROM_NUMBER.
    """

    def __init__(self) -> None:
        self.account_sid = settings.TWILIO_ACCOUNT_SID
        self.auth_token = settings.TWILIO_AUTH_TOKEN
        self.api_url = settings.TWILIO_API_URL.rstrip("/")
        self.timeout = settings.NURTURE_SEND_TIMEOUT_SECONDS
        if urllib.parse.urlsplit(self.api_url).scheme not in ("http", "https"):
            raise SmsRejected("TWILIO_API_URL must be an http(s) address.")

    def send(self, *, to: str, body: str) -> str:
        fields = {"To": to, "Body": body}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            fields["MessagingServiceSid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            fields["From"] = settings.TWILIO_FROM_NUMBER
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            f"{self.api_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json",
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.load(response)
        except urllib.error.HTTPError as exc:
            code = _twilio_error_code(exc)
            if exc.code == 429 or exc.code >= 500:
                raise SmsError(f"Twilio HTTP {exc.code}{code}") from None
            raise SmsRejected(f"Twilio HTTP {exc.code}{code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise SmsError(f"Twilio unreachable ({type(exc).__name__})") from None
        except json.JSONDecodeError:
            raise SmsError("Twilio answered with something other than JSON") from None
        return str(answer.get("sid", ""))


def _twilio_error_code(error: urllib.error.HTTPError) -> str:
    """Twilio's numeric error code (e.g. 21211 invalid number), never its message,
    which quotes the phone number."""
    try:
        code = json.load(error).get("code")
    except (ValueError, AttributeError, OSError):
        return ""
    return f", error {code}" if isinstance(code, int) else ""
