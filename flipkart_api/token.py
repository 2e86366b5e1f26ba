"""Where the client keeps its access token.

The client never keeps a token on a class or in a module: it reads and writes it through a
:class:`TokenStore`, so that an Odoo record can persist it (one token per Flipkart account) and
several workers share it.
"""

from __future__ import annotations

from datetime import datetime


class TokenStore:
    """Interface of a token store. Subclass it (or just provide the two methods).

    ``expires_at`` is a *naive UTC* datetime, Odoo's ``fields.Datetime`` convention.
    """

    def load(self) -> tuple[str | None, datetime | None]:
        """Return ``(access_token, expires_at)``, or ``(None, None)`` when no token is known."""
        raise NotImplementedError

    def save(self, access_token: str, expires_at: datetime) -> None:
        """Keep a freshly fetched token and its expiry (naive UTC)."""
        raise NotImplementedError


class MemoryTokenStore(TokenStore):
    """A token store living in memory, for scripts and tests."""

    def __init__(self, access_token: str | None = None, expires_at: datetime | None = None) -> None:
        self.access_token = access_token
        self.expires_at = expires_at

    def load(self) -> tuple[str | None, datetime | None]:
        return self.access_token, self.expires_at

    def save(self, access_token: str, expires_at: datetime) -> None:
        self.access_token = access_token
        self.expires_at = expires_at
