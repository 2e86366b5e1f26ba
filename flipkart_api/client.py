"""HTTP client of the Flipkart Marketplace Seller API v3.

Pure Python (``requests`` + ``oauthlib``), no Odoo: it takes credentials and a token store,
returns plain data and raises the typed errors of :mod:`.errors`.

Transport rules, in one place (:meth:`FlipkartClient._send`):

* every call passes an explicit ``timeout`` (listing, order or token timeout);
* reads (GET, and the shipment search POST) are retried with exponential backoff and jitter on
  connection errors, timeouts, 429 (honouring ``Retry-After``), 499 and 5xx, at most
  ``max_retries`` times;
* state-changing POSTs are retried only when the answer proves nothing was done (429, or a
  connection that could not even be opened); after a read timeout, a dropped connection or a
  5xx/499 answer they raise :class:`~.errors.UnknownOutcomeError`;
* a 401 on an API call renews the token once and repeats the call once.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from oauthlib.oauth2 import BackendApplicationClient, MissingTokenError, OAuth2Error
from requests.auth import HTTPBasicAuth
from urllib3.exceptions import ConnectTimeoutError

from . import const
from .errors import (
    AuthenticationError,
    FlipkartError,
    InvalidResponseError,
    RateLimitedError,
    RequestRejectedError,
    ServiceUnavailableError,
    UnknownOutcomeError,
)
from .token import MemoryTokenStore, TokenStore

_logger = logging.getLogger(__name__)

#: Transport failures worth retrying for a read.
_TRANSIENT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
_SECRET_FIELDS_RE = re.compile(
    r'("(?:access_token|refresh_token|id_token|client_secret)"\s*:\s*")[^"]*(")'
)
_REDACTED = "<redacted>"


# --------------------------------------------------------------------------- helpers


def _utcnow() -> datetime:
    """Now as a naive UTC datetime (Odoo's ``fields.Datetime`` convention)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _is_loopback(hostname: str) -> bool:
    if hostname.lower() in const.LOOPBACK_HOSTNAMES:
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: str) -> str:
    """Return the host URL without trailing slash; refuse plain http:// off the loopback."""
    url = (base_url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError(
            f"Invalid Flipkart API host {base_url!r}: expected e.g. {const.PRODUCTION_HOST}"
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            f"Refusing plain http:// for {parts.hostname}: the application secret and the access "
            "tokens must not travel unencrypted. Use https:// (http:// is accepted only for a "
            "local simulator on 127.0.0.1 or localhost)."
        )
    return url


def _clean_ids(values: Iterable[Any] | str) -> list[str]:
    """Ids as non-empty strings, without duplicates, in their original order."""
    if isinstance(values, (str, int)):
        values = [values]
    return list(dict.fromkeys(str(value).strip() for value in values if str(value).strip()))


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _join_ids(ids: Sequence[str]) -> str:
    """Comma-separated ids for a path or a query, each id percent-encoded, commas kept."""
    return ",".join(quote(value, safe="") for value in ids)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... [{len(text)} characters]"


def _error_from_json(data: Any) -> tuple[str | None, str | None]:
    """Flipkart's error ``(code, message)`` from one of its (varying) error bodies."""
    if isinstance(data, list):
        data = {"errors": data}
    if not isinstance(data, dict):
        return None, str(data) if data not in (None, "") else None
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        codes, messages = [], []
        for error in errors:
            if isinstance(error, dict):
                code = error.get("errorCode") or error.get("code")
                message = (
                    error.get("message") or error.get("description") or error.get("errorMessage")
                )
            else:
                code, message = None, error
            if code:
                codes.append(str(code))
            if message or code:
                messages.append(str(message or code))
        return (codes[0] if codes else None), ("; ".join(messages) or None)
    error = data.get("error")
    if isinstance(error, dict):
        return _error_from_json(error)
    if error:
        message = data.get("error_description") or data.get("message") or error
        return str(error), str(message)
    code = data.get("code") or data.get("errorCode")
    message = (
        data.get("message")
        or data.get("description")
        or data.get("errorMessage")
        or data.get("error_description")
    )
    return (str(code) if code else None), (str(message) if message else None)


def parse_error_body(text: str) -> tuple[str | None, str | None]:
    """Flipkart's error ``(code, message)`` from an answer's body (JSON of any known shape, or
    plain text, whose code is then ``None``)."""
    try:
        data = json.loads(text)
    except ValueError:
        text = (text or "").strip()
        return None, _truncate(text, const.ERROR_TEXT_MAX) if text else None
    return _error_from_json(data)


def _retry_after(response: requests.Response) -> float | None:
    """Seconds asked by ``Retry-After`` (a number of seconds or an HTTP date), if any."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _not_sent(exc: BaseException) -> bool:
    """Whether a transport error proves the request never reached Flipkart (the connection
    could not be opened: refused, unreachable, or timed out while connecting)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    seen: set[int] = set()
    pending: list[Any] = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        # urllib3's NewConnectionError is a ConnectTimeoutError: nothing was sent
        if isinstance(current, (ConnectTimeoutError, ConnectionRefusedError)):
            return True
        pending.extend([*current.args, getattr(current, "reason", None)])
        pending.extend([current.__cause__, current.__context__])
    return False


def _path_of(url: str) -> str:
    return urlsplit(url).path or url


# --------------------------------------------------------------------------- client


class FlipkartClient:
    """Client of the Flipkart Seller API v3 for one seller application (client credentials).

    :param client_id: Flipkart application id.
    :param client_secret: Flipkart application secret (never logged).
    :param base_url: the host, e.g. ``https://api.flipkart.net``; plain ``http://`` is accepted
        only for a loopback host (the project's simulator), else ``ValueError``.
    :param token_store: where the access token is kept (:class:`~.token.TokenStore`); a
        :class:`~.token.MemoryTokenStore` by default.
    :param timeouts: seconds per kind of call, keys ``"orders"``, ``"listings"``, ``"token"``
        (a value may also be a ``(connect, read)`` tuple); missing keys take the defaults.
    :param max_retries: retries after the first attempt, for the failures that allow one.
    :param backoff_base: first backoff delay in seconds, doubled at each retry, with jitter.
    :param backoff_max: longest wait before a retry, also the cap of ``Retry-After``.
    :param sleep: called with the seconds to wait before a retry (tests inject a fake).
    :param session: a ``requests.Session`` (or compatible) to send the requests with.
    :param token_margin: seconds before expiry at which the token is renewed.

    The parameters after ``base_url`` are keyword-only.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        base_url: str = const.PRODUCTION_HOST,
        *,
        token_store: TokenStore | None = None,
        timeouts: dict[str, float | tuple[float, float]] | None = None,
        max_retries: int = const.DEFAULT_MAX_RETRIES,
        backoff_base: float = const.DEFAULT_BACKOFF_BASE,
        backoff_max: float = const.DEFAULT_BACKOFF_MAX,
        sleep: Callable[[float], Any] = time.sleep,
        session: requests.Session | None = None,
        token_margin: float = const.DEFAULT_TOKEN_MARGIN,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("The Flipkart application id and secret are both required.")
        unknown = set(timeouts or ()) - set(const.DEFAULT_TIMEOUTS)
        if unknown:
            raise ValueError(f"Unknown timeout kinds: {', '.join(sorted(unknown))}")
        if max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        self.base_url = _check_base_url(base_url)
        self.client_id = client_id
        self._client_secret = client_secret
        self.token_store = token_store if token_store is not None else MemoryTokenStore()
        self.timeouts = {**const.DEFAULT_TIMEOUTS, **(timeouts or {})}
        self.max_retries = int(max_retries)
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.sleep = sleep
        self.session = session if session is not None else requests.Session()
        self.token_margin = timedelta(seconds=token_margin)
        self._oauth = BackendApplicationClient(client_id, scope=[const.TOKEN_SCOPE])
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        # values scrubbed from anything logged, whatever field they appear in
        self._secrets = {client_secret, basic}

    def __repr__(self) -> str:
        return f"<FlipkartClient {self.base_url} client_id={self.client_id!r}>"

    # ------------------------------------------------------------------ token

    def get_token(self, force: bool = False) -> str:
        """A valid access token: the stored one unless it expires within ``token_margin``
        seconds (or ``force``), else a new one, fetched and saved in the token store."""
        if not force:
            token, expires_at = self.token_store.load()
            if token and expires_at and expires_at - self.token_margin > _utcnow():
                self._secrets.add(token)
                return token
        return self._fetch_token()

    def _fetch_token(self) -> str:
        """``GET {host}/oauth-service/oauth/token?grant_type=client_credentials&scope=Seller_Api``
        with HTTP Basic auth; the answer is parsed and validated by oauthlib.

        oauthlib only builds the query and parses the answer: the request itself goes through
        :meth:`_send`, so oauthlib's https-only check (``OAUTHLIB_INSECURE_TRANSPORT``) does not
        apply; the http/https rule is enforced by the constructor instead.
        """
        query = self._oauth.prepare_request_body()  # grant_type=client_credentials&scope=...
        url = f"{self.base_url}{const.TOKEN_PATH}?{query}"
        response = self._send(
            "GET",
            url,
            kind="token",
            write=False,
            headers={"Accept": "application/json"},
            auth=HTTPBasicAuth(self.client_id, self._client_secret),
        )
        if response.status_code in (400, 401, 403):
            code, message = parse_error_body(response.text)
            detail = f"HTTP {response.status_code}" + (f", {code}" if code else "")
            raise AuthenticationError(
                f"Flipkart refused the application id/secret ({detail}): "
                f"{self._scrub(message or response.reason or 'no details given')}"
            )
        if not 200 <= response.status_code < 300:
            raise self._rejected(response)
        try:
            token = self._oauth.parse_request_body_response(response.text)
        except MissingTokenError as exc:
            raise InvalidResponseError("Flipkart's token answer has no access_token.") from exc
        except OAuth2Error as exc:
            raise AuthenticationError(
                f"Flipkart refused to issue a token: {exc.description or exc.error}"
            ) from exc
        except Warning as warning:  # the granted scope differs from Seller_Api: Flipkart decides
            token = warning.token  # type: ignore[attr-defined]
        except (TypeError, ValueError) as exc:
            raise InvalidResponseError(f"Flipkart's token answer is malformed ({exc}).") from exc
        access_token = token.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise InvalidResponseError("Flipkart's token answer has no usable access_token.")
        self._secrets.add(access_token)
        lifetime = token.get("expires_in") or const.DEFAULT_TOKEN_LIFETIME
        expires_at = _utcnow() + timedelta(seconds=int(lifetime))
        self.token_store.save(access_token, expires_at)
        _logger.debug("Flipkart: new access token, valid until %s UTC", expires_at)
        return access_token

    def _renew_token(self, rejected_token: str) -> str:
        """A new token after ``rejected_token`` got a 401. If another process already renewed
        it in the shared store, use that one rather than fetching yet another."""
        token, expires_at = self.token_store.load()
        if (
            token
            and token != rejected_token
            and expires_at
            and expires_at - self.token_margin > _utcnow()
        ):
            self._secrets.add(token)
            return token
        return self.get_token(force=True)

    # ------------------------------------------------------------------ transport

    def _api_url(self, path: str) -> str:
        return f"{self.base_url}{const.API_PREFIX}{path}"

    def _resolve_next_url(self, next_url: str) -> str:
        """The absolute URL of a ``nextPageUrl``, which is relative to ``{host}/sellers``
        (tolerated: with a leading ``/sellers``, or absolute on the same host)."""
        parts = urlsplit(next_url)
        if parts.scheme or parts.netloc:
            base = urlsplit(self.base_url)
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
                # never send the bearer token to another host
                raise InvalidResponseError(
                    f"Flipkart's next page is on another host ({parts.scheme}://{parts.netloc})."
                )
            return next_url
        path = next_url if next_url.startswith("/") else f"/{next_url}"
        if path == const.API_PREFIX or path.startswith(f"{const.API_PREFIX}/"):
            return f"{self.base_url}{path}"
        return self._api_url(path)

    def _call(
        self,
        method: str,
        path_or_url: str,
        *,
        kind: str,
        write: bool = False,
        json_body: Any = None,
        accept: str = "application/json",
    ) -> requests.Response:
        """Send an authenticated API call; return its 2xx answer, else raise a typed error.

        On a 401 the token is renewed once and the call repeated once (a 401 proves nothing
        was done, so this is safe for writes too); a second 401 raises AuthenticationError.
        """
        url = path_or_url if "://" in path_or_url else self._api_url(path_or_url)

        def send(token):
            headers = {"Authorization": f"Bearer {token}", "Accept": accept}
            return self._send(
                method, url, kind=kind, write=write, headers=headers, json_body=json_body
            )

        token = self.get_token()
        response = send(token)
        if response.status_code == 401:
            _logger.info("Flipkart answered 401 to %s %s: renewing the token once", method, url)
            token = self._renew_token(token)
            response = send(token)
            if response.status_code == 401:
                _code, message = parse_error_body(response.text)
                raise AuthenticationError(
                    "Flipkart refused a freshly issued access token (HTTP 401): "
                    f"{self._scrub(message or 'unauthorized')}. Check the application's access."
                )
        if not 200 <= response.status_code < 300:
            raise self._rejected(response)
        return response

    def _send(
        self,
        method: str,
        url: str,
        *,
        kind: str,
        write: bool,
        headers: dict[str, str],
        json_body: Any = None,
        auth: requests.auth.AuthBase | None = None,
    ) -> requests.Response:
        """Send one request with the retry policy; return any answer that is not retried.

        :param kind: ``"orders"``, ``"listings"`` or ``"token"``: which timeout applies.
        :param write: the request changes something on Flipkart: retried only when the answer
            proves nothing was done (429, connection not opened).
        """
        timeout = self.timeouts[kind]
        path = _path_of(url)
        attempt = 0
        while True:
            self._log_request(method, url, json_body)
            try:
                response = self.session.request(
                    method, url, headers=headers, json=json_body, auth=auth, timeout=timeout
                )
            except requests.exceptions.RequestException as exc:
                _logger.debug("Flipkart %s %s failed: %r", method, path, exc)
                not_sent = _not_sent(exc)
                transient = isinstance(exc, _TRANSIENT_ERRORS)
                if write and transient and not not_sent:
                    raise UnknownOutcomeError(
                        f"Flipkart did not answer {method} {path} ({type(exc).__name__}): the "
                        "request may or may not have been applied. Check the shipment's state "
                        "on Flipkart before sending it again."
                    ) from exc
                if not (transient or not_sent):
                    raise FlipkartError(f"Request to Flipkart failed: {exc}") from exc
                what = "timed out" if isinstance(exc, requests.exceptions.Timeout) else "failed"
                error: FlipkartError = ServiceUnavailableError(
                    f"Flipkart could not be reached: {method} {path} {what} ({type(exc).__name__})."
                )
                error.__cause__ = exc
                delay = self._backoff(attempt)
            else:
                self._log_response(response)
                status = response.status_code
                if status not in const.RETRY_STATUSES:
                    return response
                _code, message = parse_error_body(response.text)
                message = self._scrub(message or response.reason or "")
                if write and status in const.UNKNOWN_OUTCOME_STATUSES:
                    raise UnknownOutcomeError(
                        f"Flipkart answered HTTP {status} to {method} {path} ({message}): the "
                        "request may or may not have been applied. Check the shipment's state "
                        "on Flipkart before sending it again."
                    )
                if status == 429:
                    retry_after = _retry_after(response)
                    error = RateLimitedError(retry_after)
                    delay = (
                        min(retry_after, self.backoff_max)
                        if retry_after is not None
                        else self._backoff(attempt)
                    )
                else:
                    error = ServiceUnavailableError(
                        f"Flipkart is unavailable: HTTP {status} to {method} {path} ({message}).",
                        status_code=status,
                    )
                    delay = self._backoff(attempt)
            if attempt >= self.max_retries:
                raise error
            attempt += 1
            _logger.warning("%s Retry %d/%d in %.1f s.", error, attempt, self.max_retries, delay)
            self.sleep(delay)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": between half and all of
        ``min(backoff_max, backoff_base * 2**attempt)``, so delays grow yet never align."""
        delay = min(self.backoff_max, self.backoff_base * 2**attempt)
        return delay / 2 + random.uniform(0, delay / 2)

    def _rejected(self, response: requests.Response) -> RequestRejectedError:
        code, message = parse_error_body(response.text)
        return RequestRejectedError(
            response.status_code,
            code,
            self._scrub(message or response.reason or "no details given"),
        )

    def _json(self, response: requests.Response) -> dict[str, Any]:
        """The answer's JSON object, else InvalidResponseError."""
        try:
            data = response.json()
        except ValueError:
            snippet = self._scrub(_truncate(response.text.strip(), 200))
            raise InvalidResponseError(
                f"Flipkart's answer to {_path_of(response.url)} is not JSON "
                f"(HTTP {response.status_code}): {snippet or 'empty body'}"
            ) from None
        if not isinstance(data, dict):
            raise InvalidResponseError(
                f"Flipkart's answer to {_path_of(response.url)} is not a JSON object."
            )
        return data

    @staticmethod
    def _list_in(data: dict[str, Any], key: str, what: str) -> list[dict[str, Any]]:
        value = data.get(key)
        if not isinstance(value, list):
            raise InvalidResponseError(f"Flipkart's answer to {what} has no '{key}' list.")
        return value

    # ------------------------------------------------------------------ logging

    def _scrub(self, text: str) -> str:
        """``text`` without token fields' values nor any known secret value."""
        text = _SECRET_FIELDS_RE.sub(rf"\1{_REDACTED}\2", text)
        for secret in self._secrets:
            if secret and len(secret) >= 4:
                text = text.replace(secret, _REDACTED)
        return text

    def _log_request(self, method: str, url: str, json_body: Any) -> None:
        # headers (Authorization) are never logged
        if not _logger.isEnabledFor(logging.DEBUG):
            return
        body = "" if json_body is None else json.dumps(json_body, ensure_ascii=False)
        _logger.debug(
            "Flipkart request: %s %s %s",
            method,
            self._scrub(url),
            self._scrub(_truncate(body, const.LOG_BODY_MAX)),
        )

    def _log_response(self, response: requests.Response) -> None:
        if not _logger.isEnabledFor(logging.DEBUG):
            return
        content = response.content or b""
        if content.lstrip()[:4] == b"%PDF":
            body = f"<PDF, {len(content)} bytes>"
        else:
            text = content.decode(response.encoding or "utf-8", errors="replace")
            body = self._scrub(_truncate(text, const.LOG_BODY_MAX))
        _logger.debug(
            "Flipkart response: HTTP %s to %s: %s",
            response.status_code,
            _path_of(response.url or ""),
            body,
        )

    # ------------------------------------------------------------------ endpoints

    def check_connection(self) -> dict[str, Any]:
        """Get a token and make one harmless read (the first approved shipment): raises a typed
        error when the credentials or the host are wrong. Returns Flipkart's answer."""
        self.get_token()
        body = {
            "filter": dict(const.CHECK_CONNECTION_FILTER),
            "pagination": {"pageSize": const.CHECK_CONNECTION_PAGE_SIZE},
        }
        response = self._call("POST", const.SHIPMENTS_FILTER_PATH, kind="orders", json_body=body)
        data = self._json(response)
        self._list_in(data, "shipments", "the shipment search")
        return data

    def iter_shipment_pages(
        self,
        filter: dict[str, Any],  # Flipkart's name for it
        page_size: int = const.DEFAULT_PAGE_SIZE,
        sort: dict[str, str] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Search shipments (``POST /v3/shipments/filter``, a read) and yield each page's list
        of shipment dicts, following ``nextPageUrl`` (GET) while Flipkart says ``hasMore``.

        :param filter: Flipkart's filter, e.g.
            ``{"type": "preDispatch", "states": ["APPROVED"], "modifiedDate": {...}}``.
        :param sort: e.g. ``{"field": "orderDate", "order": "asc"}``.
        """
        body: dict[str, Any] = {"filter": filter, "pagination": {"pageSize": page_size}}
        if sort:
            body["sort"] = sort
        response = self._call("POST", const.SHIPMENTS_FILTER_PATH, kind="orders", json_body=body)
        seen: set[str] = set()
        while True:
            data = self._json(response)
            yield self._list_in(data, "shipments", "the shipment search")
            has_more, next_url = data.get("hasMore"), data.get("nextPageUrl")
            if has_more is not None and not has_more:
                return
            if not next_url:
                if has_more:
                    raise InvalidResponseError(
                        "Flipkart said more shipments follow but gave no nextPageUrl."
                    )
                return
            if not isinstance(next_url, str):
                raise InvalidResponseError(f"Flipkart's nextPageUrl is not a URL: {next_url!r}")
            if next_url in seen:
                raise InvalidResponseError(f"Flipkart's pagination loops on {next_url}.")
            seen.add(next_url)
            response = self._call("GET", self._resolve_next_url(next_url), kind="orders")

    def search_shipments(
        self,
        filter: dict[str, Any],
        page_size: int = const.DEFAULT_PAGE_SIZE,
        sort: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """All shipments of :meth:`iter_shipment_pages`, in one list."""
        return [
            shipment
            for page in self.iter_shipment_pages(filter, page_size=page_size, sort=sort)
            for shipment in page
        ]

    def get_shipment_details(self, shipment_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Shipments with their addresses: ``GET /v3/shipments/{ids}``, at most 25 ids per
        call; returns the concatenated ``shipments``."""
        result: list[dict[str, Any]] = []
        for chunk in _chunks(_clean_ids(shipment_ids), const.SHIPMENT_DETAILS_CHUNK):
            path = const.SHIPMENT_DETAILS_PATH.format(ids=_join_ids(chunk))
            data = self._json(self._call("GET", path, kind="orders"))
            result.extend(self._list_in(data, "shipments", "the shipment details"))
        return result

    def get_shipments(
        self,
        shipment_ids: Iterable[str] | None = None,
        order_ids: Iterable[str] | None = None,
        order_item_ids: Iterable[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Shipments by shipment, order or order item ids (exactly one kind per call):
        ``GET /v3/shipments?shipmentIds=...`` (or ``orderIds``/``orderItemIds``), 100 per call."""
        given = {
            name: ids
            for name, ids in (
                ("shipmentIds", shipment_ids),
                ("orderIds", order_ids),
                ("orderItemIds", order_item_ids),
            )
            if ids is not None
        }
        if len(given) != 1:
            raise ValueError("Give exactly one of shipment_ids, order_ids, order_item_ids.")
        ((name, ids),) = given.items()
        result: list[dict[str, Any]] = []
        for chunk in _chunks(_clean_ids(ids), const.SHIPMENTS_QUERY_CHUNK):
            path = f"{const.SHIPMENTS_PATH}?{name}={_join_ids(chunk)}"
            data = self._json(self._call("GET", path, kind="orders"))
            result.extend(self._list_in(data, "shipments", "the shipment query"))
        return result

    def _post_in_chunks(
        self, path: str, items: Sequence[Any], size: int, build: Callable[[list[Any]], Any]
    ) -> list[dict[str, Any]]:
        """POST a state-changing request per chunk; return the per-shipment results.

        Chunks are sent in order. If one fails, its error propagates: the earlier chunks have
        been applied, so re-read the shipments' states before trying again.
        """
        results: list[dict[str, Any]] = []
        for chunk in _chunks(list(items), size):
            response = self._call("POST", path, kind="orders", write=True, json_body=build(chunk))
            results.extend(self._list_in(self._json(response), "shipments", path))
        return results

    def generate_labels(self, shipments: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Ask Flipkart to generate labels and invoices (asynchronous on Flipkart's side):
        ``POST /v3/shipments/labels`` with at most 25 shipments per call.

        :param shipments: ``{"shipmentId", "locationId", "taxItems", "invoices",
            "subShipments", "serialNumbers"}`` dicts as Flipkart expects them.
        :return: per-shipment results ``{shipmentId, status, errorCode, errorMessage}``.
        """
        return self._post_in_chunks(
            const.LABELS_GENERATE_PATH,
            shipments,
            const.LABELS_GENERATE_CHUNK,
            lambda chunk: {"shipments": chunk},
        )

    def download_labels(self, shipment_ids: Iterable[str]) -> bytes:
        """One PDF with the labels and invoices: ``GET /v3/shipments/{ids}/labels``
        (1 to 100 ids). A label not ready yet raises RequestRejectedError with Flipkart's code
        (``OPERATION_NOT_ALLOWED``); an answer that is not a PDF raises InvalidResponseError."""
        ids = _clean_ids(shipment_ids)
        if not ids:
            raise ValueError("No shipment id given to download labels for.")
        if len(ids) > const.LABELS_DOWNLOAD_MAX:
            raise ValueError(
                f"At most {const.LABELS_DOWNLOAD_MAX} shipments per label download ({len(ids)})."
            )
        path = const.LABELS_DOWNLOAD_PATH.format(ids=_join_ids(ids))
        response = self._call("GET", path, kind="orders", accept="application/pdf")
        content = response.content or b""
        if content.lstrip()[:4] == b"%PDF":
            return content
        try:
            code, message = _error_from_json(response.json())
        except ValueError:
            code, message = None, None
        if code:
            raise RequestRejectedError(response.status_code, code, self._scrub(message or code))
        raise InvalidResponseError(
            "Flipkart's label answer is not a PDF "
            f"({response.headers.get('Content-Type') or 'no content type'}, "
            f"{len(content)} bytes)."
        )

    def dispatch(self, shipment_ids: Iterable[str], location_id: str) -> list[dict[str, Any]]:
        """Mark PACKED shipments ready to dispatch: ``POST /v3/shipments/dispatch``
        ``{"shipmentIds": [...], "locationId": ...}``, 25 per call; returns per-shipment
        results ``{shipmentId, status, errorCode, errorMessage}``."""
        return self._post_in_chunks(
            const.DISPATCH_PATH,
            _clean_ids(shipment_ids),
            const.DISPATCH_CHUNK,
            lambda chunk: {"shipmentIds": chunk, "locationId": location_id},
        )

    def cancel(self, shipments: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Cancel shipments on the seller's side (counts against the seller's rating: only on
        an explicit user decision): ``POST /v3/shipments/cancel`` ``{"shipments": [...]}`` with
        ``{"shipmentId", "locationId", "reason", "cancellationGroupIds"}`` dicts."""
        return self._post_in_chunks(
            const.CANCEL_PATH, shipments, const.CANCEL_CHUNK, lambda chunk: {"shipments": chunk}
        )

    def update_inventory(self, items: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Push stock: ``POST /listings/v3/update/inventory``, 10 SKUs per call.

        :param items: ``{"<SKU>": {"product_id": "<FSN>",
            "locations": [{"id": "<locationId>", "inventory": 12}]}}``.
        :return: ``{sku: {"status": "SUCCESS" | "FAILURE" | "WARNING", "errors": [...]}}`` for
            every SKU given (other fields of Flipkart's answer are kept). A SKU missing from
            Flipkart's answer is a FAILURE with code ``MISSING_IN_RESPONSE``.

        A chunk whose call fails with a typed error (rejected, rate limited, unavailable,
        unknown outcome, invalid answer) does not lose the other chunks' results: each SKU of
        that chunk is recorded as FAILURE with the error's text (code: Flipkart's error code or
        the error class name), and the next chunks are still sent. Stock updates set absolute
        quantities, so sending them again later is harmless. AuthenticationError propagates:
        no other chunk could succeed.
        """
        results: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(items), const.INVENTORY_CHUNK):
            body = {sku: items[sku] for sku in chunk}
            try:
                response = self._call(
                    "POST",
                    const.INVENTORY_UPDATE_PATH,
                    kind="listings",
                    write=True,
                    json_body=body,
                )
                data = self._json(response)
            except AuthenticationError:
                raise
            except FlipkartError as exc:
                code = getattr(exc, "code", None) or type(exc).__name__
                _logger.info("Flipkart inventory update of %d SKUs failed: %s", len(chunk), exc)
                for sku in chunk:
                    results[sku] = _inventory_failure(code, str(exc))
                continue
            for sku in chunk:
                entry = data.get(sku)
                if isinstance(entry, dict):
                    errors = entry.get("errors") or []
                    results[sku] = {
                        **entry,
                        "status": str(entry.get("status") or "FAILURE").upper(),
                        "errors": errors if isinstance(errors, list) else [errors],
                    }
                else:
                    results[sku] = _inventory_failure(
                        "MISSING_IN_RESPONSE", "Flipkart's answer did not mention this SKU."
                    )
        return results

    def get_listings(self, skus: Iterable[str]) -> dict[str, Any]:
        """Listings by SKU (price, tax, fulfilment profile, locations):
        ``GET /listings/v3/{skus}``; returns Flipkart's parsed answer."""
        ids = _clean_ids(skus)
        if not ids:
            raise ValueError("No SKU given.")
        path = const.LISTINGS_PATH.format(skus=_join_ids(ids))
        return self._json(self._call("GET", path, kind="listings"))


def _inventory_failure(code: str, description: str) -> dict[str, Any]:
    return {
        "status": "FAILURE",
        "errors": [{"severity": "ERROR", "code": code, "description": description}],
    }
