"""Pure-Python client of the Flipkart Marketplace Seller API v3 (never imports Odoo)."""

from .client import FlipkartClient, parse_error_body
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

__all__ = [
    "AuthenticationError",
    "FlipkartClient",
    "FlipkartError",
    "InvalidResponseError",
    "MemoryTokenStore",
    "RateLimitedError",
    "RequestRejectedError",
    "ServiceUnavailableError",
    "TokenStore",
    "UnknownOutcomeError",
    "parse_error_body",
]
