"""Typed errors raised by the Flipkart client.

Every error carries a readable ``str()`` meant for users; none of them ever contains a credential
or a token.
"""

from __future__ import annotations


class FlipkartError(Exception):
    """Base class of every error raised by :mod:`flipkart_api`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthenticationError(FlipkartError):
    """The credentials were refused, or a fresh token was refused too (401 twice)."""


class RateLimitedError(FlipkartError):
    """Flipkart kept answering 429 after the allowed retries.

    :param retry_after: seconds Flipkart asked to wait (``Retry-After``), when it said so.
    """

    def __init__(self, retry_after: float | None = None, message: str | None = None) -> None:
        self.retry_after = retry_after
        if message is None:
            message = "Flipkart is rate limiting the requests"
            if retry_after is not None:
                message += f"; retry in {retry_after:g} seconds."
            else:
                message += "; retry later."
        super().__init__(message)


class ServiceUnavailableError(FlipkartError):
    """Flipkart could not be reached or kept failing (5xx, 499, connection errors, timeouts).

    :param status_code: the last HTTP status seen, ``None`` for a connection error or a timeout.
    """

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class RequestRejectedError(FlipkartError):
    """Flipkart refused the request (a 4xx other than 401/429, or an error body).

    :param status_code: HTTP status of the answer.
    :param code: Flipkart's error code (e.g. ``INVALID_SHIPMENTS``) when the body gave one.
    :param message: Flipkart's error message, or the body's text.
    """

    def __init__(self, status_code: int, code: str | None, message: str) -> None:
        self.status_code = status_code
        self.code = code
        detail = f"HTTP {status_code}, {code}" if code else f"HTTP {status_code}"
        super().__init__(f"Flipkart rejected the request ({detail}): {message}")
        # str(error) is the full sentence above; ``message`` keeps Flipkart's own text
        self.message = message


class UnknownOutcomeError(FlipkartError):
    """A state-changing call may or may not have been applied by Flipkart.

    Raised after a read timeout, a dropped connection, or a 5xx/499 answer to a POST that changes
    something (labels, dispatch, cancel, inventory). Flipkart publishes no idempotency key: re-read
    the shipment's state before sending the request again.
    """


class InvalidResponseError(FlipkartError):
    """Flipkart's answer could not be understood (not JSON, wrong shape, not a PDF...)."""
