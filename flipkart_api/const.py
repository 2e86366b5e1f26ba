"""Constants of the Flipkart Seller API v3 as the client uses them.

Sources: /work/shared/docs/flipkart-seller-api.md (Flipkart's public docs and Java SDK).
Every point Flipkart's public material leaves open is marked **UNCONFIRMED** below and lives in
this file only, so that a correction is a one-line change.
"""

from __future__ import annotations

# --- hosts and paths -------------------------------------------------------------------------

PRODUCTION_HOST = "https://api.flipkart.net"
SANDBOX_HOST = "https://sandbox-api.flipkart.net"

#: API paths below are relative to ``{host}{API_PREFIX}``.
API_PREFIX = "/sellers"
TOKEN_PATH = "/oauth-service/oauth/token"
TOKEN_SCOPE = "Seller_Api"

SHIPMENTS_FILTER_PATH = "/v3/shipments/filter"
SHIPMENTS_PATH = "/v3/shipments"
SHIPMENT_DETAILS_PATH = "/v3/shipments/{ids}"
LABELS_GENERATE_PATH = "/v3/shipments/labels"
LABELS_DOWNLOAD_PATH = "/v3/shipments/{ids}/labels"
DISPATCH_PATH = "/v3/shipments/dispatch"
CANCEL_PATH = "/v3/shipments/cancel"
INVENTORY_UPDATE_PATH = "/listings/v3/update/inventory"
LISTINGS_PATH = "/listings/v3/{skus}"

#: Hosts to which plain ``http://`` is allowed (the project's local simulator).
LOOPBACK_HOSTNAMES = frozenset({"localhost"})  # plus any loopback IP address (127.0.0.0/8, ::1)

# --- shipment states -------------------------------------------------------------------------

PRE_DISPATCH_STATES = (
    "APPROVED",
    "PACKING_IN_PROGRESS",
    "PACKED",
    "FORM_FAILED",
    "READY_TO_DISPATCH",
)
POST_DISPATCH_STATES = ("SHIPPED", "DELIVERED", "PICKUP_COMPLETE")
CANCELLED_STATES = ("CANCELLED",)
CANCELLATION_TYPES = ("sellerCancellation", "buyerCancellation", "marketplaceCancellation")
FILTER_TYPES = {
    "preDispatch": PRE_DISPATCH_STATES,
    "postDispatch": POST_DISPATCH_STATES,
    "cancelled": CANCELLED_STATES,
}
INVENTORY_STATUSES = ("SUCCESS", "FAILURE", "WARNING")

# --- batch sizes -----------------------------------------------------------------------------

DEFAULT_PAGE_SIZE = 20  # observed page size; the maximum is UNCONFIRMED
SHIPMENT_DETAILS_CHUNK = 25  # "<= 25 advised, <= 100" for GET /v3/shipments/{ids}
SHIPMENTS_QUERY_CHUNK = 100  # GET /v3/shipments?shipmentIds=... (one id type per call)
LABELS_GENERATE_CHUNK = 25
LABELS_DOWNLOAD_MAX = 100
DISPATCH_CHUNK = 25
#: UNCONFIRMED: Flipkart documents no limit for the cancel call; we use the labels/dispatch one.
CANCEL_CHUNK = 25
INVENTORY_CHUNK = 10

# --- timeouts, retries -----------------------------------------------------------------------

#: Seconds; Flipkart recommends 10 s for listing APIs and 60 s for order APIs.
DEFAULT_TIMEOUTS = {"listings": 10.0, "orders": 60.0, "token": 30.0}
DEFAULT_TOKEN_MARGIN = 300  # renew the token this many seconds before it expires
DEFAULT_MAX_RETRIES = 3
DEFAULT_BACKOFF_BASE = 0.5
DEFAULT_BACKOFF_MAX = 30.0

#: Answers on which a read is retried (429 honours ``Retry-After``). 499 is Flipkart's
#: "connection timed out at Flipkart".
RETRY_STATUSES = frozenset({429, 499, 500, 502, 503, 504})
#: Answers to a state-changing POST that do not prove whether it was applied.
UNKNOWN_OUTCOME_STATUSES = frozenset({499, 500, 502, 503, 504})

# --- UNCONFIRMED assumptions -----------------------------------------------------------------
# Besides DEFAULT_PAGE_SIZE and CANCEL_CHUNK above, the client assumes:
# - Rate limits are not published: the client only reacts to 429 and its ``Retry-After``
#   (seconds or an HTTP date), waiting at most ``backoff_max`` seconds before a retry.
# - ``nextPageUrl`` is relative to ``{host}/sellers`` (observed); a URL already starting with
#   ``/sellers`` and an absolute URL on the same host are accepted too.
# - The inventory answer is a JSON object keyed by SKU at its top level
#   (``{"<SKU>": {"status": ..., "errors": [...]}}``); a SKU missing from it counts as FAILURE.
# - A label download that is not ready may answer 200 with an error JSON instead of a 4xx; both
#   become ``RequestRejectedError`` with Flipkart's code (e.g. ``OPERATION_NOT_ALLOWED``).

#: Token lifetime (seconds) when the token answer has no ``expires_in`` (Flipkart sends one;
#: tokens are said to last up to 60 days).
DEFAULT_TOKEN_LIFETIME = 3600
#: The harmless read of ``check_connection`` (assumes the filter accepts ``pageSize`` 1).
CHECK_CONNECTION_FILTER = {"type": "preDispatch", "states": ["APPROVED"]}
CHECK_CONNECTION_PAGE_SIZE = 1

# --- logging ---------------------------------------------------------------------------------

LOG_BODY_MAX = 2000  # characters of a request/response body written to the debug log
ERROR_TEXT_MAX = 500  # characters of a plain-text error body kept in an error message
