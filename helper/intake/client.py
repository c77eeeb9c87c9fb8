"""The HTTPS client for the intake endpoint: a requests Session with urllib3 Retry.

What the intake contract asks of the transport lives here and nowhere else:

- TLS is verified against the operating system's trust store (truststore) plus
  ``intake.ca_bundle``; nothing can switch verification off (the adapter ignores
  ``verify``), and certifi's bundle is never mixed in.
- Proxies: ``intake.proxy``, else the environment's and the system's settings, looked up
  once per run. ``trust_env`` is off, so ~/.netrc and REQUESTS_CA_BUNDLE play no part.
- Redirects are followed only with 307/308 (the only ones that keep POST and its body)
  and only to https; a redirect to http raises, 301/302/303 come back as the answer.
- Retries (POST is safe: every request carries the idempotency key) on connection
  errors, timeouts, resets and the retryable statuses, with exponential backoff, jitter
  and ``Retry-After`` (capped), until a time budget is spent.
- The bearer token goes only into its header: never into logs, messages or other hosts.

Not thread-safe: a sending run creates its own :class:`IntakeClient`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import ssl
import time
from dataclasses import dataclass
from typing import Any, Self, cast
from urllib.parse import urljoin, urlsplit

import requests
import truststore
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import (
    InvalidHeader,
    MaxRetryError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from helper import __version__, logs
from helper.config import Config
from helper.intake import text
from helper.platforms import platform_name

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
RETRY_AFTER_CAP_S = 30
BACKOFF_FACTOR_S = 0.25  # waits 0, 0.5, 1, 2, 4, 8, 10 ... seconds, plus jitter
BACKOFF_MAX_S = 10.0
BACKOFF_JITTER_S = 0.5
MAX_ANSWER_BYTES = 65536
#: Visible ASCII only: anything else would be refused by requests with the value quoted.
_TOKEN = re.compile(r"[\x21-\x7e]+")


USER_AGENT = f"intellekta-helper/{__version__} ({platform_name()})"


class SetupError(Exception):
    """The configuration does not allow sending at all; ``reason`` names why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # no_url | token_invalid | ca_bundle


@dataclass(frozen=True)
class Answer:
    """How one send, retries included, ended: a final HTTP answer or a failure."""

    attempts: int
    status: int | None = None
    body: bytes = b""
    #: Without an answer: connection | timeout | tls | proxy | redirect_http | unexpected
    failure: str = ""
    detail: str = ""  # technical, cleaned of secrets: for the log and ``outbox list``


class InsecureRedirect(requests.exceptions.RequestException):
    """The server redirected to plain http; the record is not sent there."""


@dataclass
class _Tally:
    """Shared by the Retry copies urllib3 makes during one send."""

    deadline: float  # time.monotonic() after which no retry starts
    retries: int = 0


class BudgetRetry(Retry):
    """urllib3's Retry, bounded by a deadline instead of a count.

    It waits what ``Retry-After`` asks (capped at :data:`RETRY_AFTER_CAP_S`), else an
    exponential backoff with jitter; when that wait would end after the deadline it
    gives up, and the caller keeps the record for later.
    """

    def __init__(self, *, tally: _Tally, next_wait: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tally = tally
        self.next_wait = next_wait

    @classmethod
    def for_budget(cls, budget_s: float) -> BudgetRetry:
        return cls(
            tally=_Tally(time.monotonic() + budget_s),
            total=None,
            other=0,  # TLS and proxy failures do not heal within seconds
            allowed_methods=frozenset({"POST"}),
            status_forcelist=RETRYABLE_STATUS,
            backoff_factor=BACKOFF_FACTOR_S,
            backoff_max=BACKOFF_MAX_S,
            backoff_jitter=BACKOFF_JITTER_S,
            raise_on_status=False,  # when the budget is spent, hand back the last answer
        )

    def new(self, **kw: Any) -> Self:
        kw.setdefault("tally", self.tally)
        return super().new(**kw)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: Any = None,
    ) -> Self:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        wait = _planned_wait(retry, response)
        cause = f"HTTP {response.status}" if response is not None else text.clean(str(error))
        if time.monotonic() + wait > self.tally.deadline:
            log.info("Giving up for now after %s: no time left to wait %.1f s", cause, wait)
            reason = error or ResponseError(f"retry budget spent ({cause})")
            raise MaxRetryError(cast(ConnectionPool, _pool), url or "", reason) from reason
        self.tally.retries += 1
        log.info("Attempt %d failed (%s); next in %.1f s", self.tally.retries, cause, wait)
        retry.next_wait = wait
        return retry

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        if self.next_wait > 0:
            time.sleep(self.next_wait)


def _planned_wait(retry: Retry, response: BaseHTTPResponse | None) -> float:
    """The wait before the next attempt: ``Retry-After`` (urllib3 parses both forms) capped
    at :data:`RETRY_AFTER_CAP_S`, else the backoff. The cap is applied here, not through
    ``Retry(retry_after_max=...)``, which urllib3 has only since 2.7."""
    if response is not None:
        try:
            after = retry.get_retry_after(response)
        except InvalidHeader:
            after = None
        if after is not None:
            return min(float(after), RETRY_AFTER_CAP_S)
    return retry.get_backoff_time()


class _TLSAdapter(HTTPAdapter):
    """Every connection, direct or tunnelled through a proxy, verifies with our context."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._ssl_context = ssl_context
        super().__init__()

    def init_poolmanager(self, *args: Any, **pool_kwargs: Any) -> None:
        super().init_poolmanager(*args, ssl_context=self._ssl_context, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return super().proxy_manager_for(proxy, ssl_context=self._ssl_context, **proxy_kwargs)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> Any:
        return super().build_connection_pool_key_attributes(request, True, cert)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # Whatever requests was asked: verify, with what the context trusts (never certifi).
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = conn.ca_cert_dir = None


class _Bearer(requests.auth.AuthBase):
    """Sends ``intake.token``. On a redirect to another host requests drops the header."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._token:
            request.headers["Authorization"] = f"Bearer {self._token}"
        return request


class _IntakeSession(requests.Session):
    def get_redirect_target(self, resp: requests.Response) -> str | None:
        location = super().get_redirect_target(resp)
        if location is None:
            return None
        target = urljoin(resp.url, location)
        if urlsplit(target).scheme != "https":
            raise InsecureRedirect(f"redirect to {text.clean(target)} refused: not https")
        return location if resp.status_code in (307, 308) else None


def _ssl_context(ca_bundle: str) -> ssl.SSLContext:
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


def access_of(config: Config) -> str:
    """Which access the configuration gives (address and token), as a short hash: a
    record the server did not authorise is tried again once this changes. The token
    itself is never stored."""
    token = config.token()
    return hashlib.sha256(f"{config['intake.url']}\n{token}".encode()).hexdigest()[:16]


class IntakeClient:
    """Posts records to ``intake.url``; reuses connections. Raises SetupError if unusable."""

    def __init__(self, config: Config) -> None:
        self._url = str(config["intake.url"])
        if not self._url:
            raise SetupError("no_url")
        token = config.token()
        if token and not _TOKEN.fullmatch(token):
            raise SetupError("token_invalid")
        self.secrets = [token] if token else []
        logs.secret_filter.add(self.secrets)
        try:
            context = _ssl_context(config["intake.ca_bundle"])
        except (OSError, ssl.SSLError) as exc:
            log.error("intake.ca_bundle cannot be used: %s", exc)
            raise SetupError("ca_bundle") from exc
        self._timeout = float(config["intake.timeout_s"])
        proxy = str(config["intake.proxy"])
        self._proxies = {"http": proxy, "https": proxy} if proxy else get_environ_proxies(self._url)
        self._adapter = _TLSAdapter(context)
        self._session = _IntakeSession()
        self._session.trust_env = False  # proxies are looked up above, once
        self._session.mount("https://", self._adapter)
        self._session.mount("http://", self._adapter)
        self._session.auth = _Bearer(token)
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    def post(self, payload: bytes, submission_id: str, budget_s: float) -> Answer:
        """Send ``payload`` exactly, retrying within ``budget_s`` seconds. Never raises."""
        retry = BudgetRetry.for_budget(max(0.0, budget_s))
        self._adapter.max_retries = retry
        headers = {"Content-Type": "application/json", "Idempotency-Key": f'"{submission_id}"'}
        try:
            response = self._session.post(
                self._url,
                data=payload,
                headers=headers,
                timeout=self._timeout,
                proxies=self._proxies,
                verify=True,
                stream=True,
            )
        except (requests.RequestException, ValueError) as exc:  # ValueError: a bad Location
            failure, detail = _failure_of(exc), text.clean(_detail(exc), 300, self.secrets)
            log.warning("Sending %s failed (%s): %s", submission_id, failure, detail)
            return Answer(retry.tally.retries + 1, failure=failure, detail=detail)
        with response:
            body = _read_bounded(response)
        attempts = retry.tally.retries + 1 + len(response.history)
        return Answer(attempts, status=response.status_code, body=body)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _read_bounded(response: requests.Response) -> bytes:
    """At most MAX_ANSWER_BYTES of the answer; a broken body reads as empty."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(16384):
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_ANSWER_BYTES:
                break
    except requests.RequestException as exc:
        log.info("The answer's body could not be read: %s", text.clean(str(exc)))
        return b""
    return b"".join(chunks)[:MAX_ANSWER_BYTES]


def _failure_of(exc: Exception) -> str:
    reason = _reason(exc)
    if isinstance(exc, InsecureRedirect):
        return "redirect_http"
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "proxy"
    if isinstance(exc, requests.exceptions.Timeout) or isinstance(reason, ReadTimeoutError):
        return "timeout"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection"
    return "unexpected"


def _reason(exc: Exception) -> BaseException | None:
    first = exc.args[0] if exc.args else None
    return first.reason if isinstance(first, MaxRetryError) else None


def _detail(exc: Exception) -> str:
    reason = _reason(exc)
    return f"{type(reason).__name__}: {reason}" if reason else f"{type(exc).__name__}: {exc}"
