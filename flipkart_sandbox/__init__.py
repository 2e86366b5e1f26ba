"""Local simulator of Flipkart's Marketplace Seller API (v3) for development and tests.

Plain Python (standard library only), never imported by the Odoo addon. In-process use::

    from .flipkart_sandbox import SandboxServer

    with SandboxServer(seed=1, orders=50, label_delay=0) as sb:
        sb.url  # http://127.0.0.1:<free port>

Standalone: ``python3 -m flipkart_sandbox --port 8070 --seed 42 --orders 200``.
"""

from .const import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PAGE_SIZE_MAX
from .server import Faults, SandboxServer
from .store import price_components

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "PAGE_SIZE_MAX",
    "Faults",
    "SandboxServer",
    "price_components",
]
