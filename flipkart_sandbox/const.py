"""Constants of the Flipkart Seller API simulator.

Every assumption about Flipkart that public material does not confirm lives here (marked
UNCONFIRMED), so it can be changed in one place.
"""

import datetime as dt

# Flipkart answers timestamps in Indian Standard Time ("2026-01-01T10:20:30.000+05:30").
# UNCONFIRMED for v3 (older docs show +05:30); filters accept any ISO-8601 offset.
RESPONSE_TZ = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")

TOKEN_PATH = "/oauth-service/oauth/token"
API_PREFIX = "/sellers"
ADMIN_PREFIX = "/_sandbox"
SCOPE = "Seller_Api"

DEFAULT_CLIENT_ID = "sandbox-app"
DEFAULT_CLIENT_SECRET = "sandbox-secret"
DEFAULT_TOKEN_TTL = 3600
DEFAULT_LABEL_DELAY = 5.0

# Search page size: 20 observed; the maximum is UNCONFIRMED. Larger page sizes answer 400.
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 20

MAX_IDS_PER_LOOKUP = 100  # GET /v3/shipments/{ids}, ?shipmentIds=, labels download
MAX_SHIPMENTS_PER_ACTION = 25  # labels, dispatch, cancel
MAX_SKUS_PER_INVENTORY_UPDATE = 10
MAX_SKUS_PER_LISTING_LOOKUP = 100  # UNCONFIRMED

PRE_DISPATCH_STATES = (
    "APPROVED",
    "PACKING_IN_PROGRESS",
    "PACKED",
    "FORM_FAILED",
    "READY_TO_DISPATCH",
)
POST_DISPATCH_STATES = ("SHIPPED", "DELIVERED", "PICKUP_COMPLETE")
FILTER_TYPES = {
    "preDispatch": PRE_DISPATCH_STATES,
    "postDispatch": POST_DISPATCH_STATES,
    "cancelled": ("CANCELLED",),
}
ALL_STATES = (
    "APPROVED",
    "PACKING_IN_PROGRESS",
    "FORM_FAILED",
    "PACKED",
    "READY_TO_DISPATCH",
    "PICKUP_COMPLETE",
    "CANCELLED",
    "RETURN_REQUESTED",
    "RETURNED",
    "SHIPPED",
    "DELIVERED",
    "COMPLETED",
)
# Forward order used by SandboxServer.advance().
LIFECYCLE = (
    "APPROVED",
    "PACKING_IN_PROGRESS",
    "PACKED",
    "READY_TO_DISPATCH",
    "PICKUP_COMPLETE",
    "SHIPPED",
    "DELIVERED",
)
# States in which a label exists (tracking id known, PDF downloadable).
LABEL_READY_STATES = ("PACKED", "READY_TO_DISPATCH", "PICKUP_COMPLETE", "SHIPPED", "DELIVERED")
LABEL_REQUEST_STATES = ("APPROVED", "PACKING_IN_PROGRESS")
SELLER_CANCELLABLE_STATES = ("APPROVED", "PACKING_IN_PROGRESS")  # "only before PACKED"
BUYER_CANCELLABLE_STATES = PRE_DISPATCH_STATES  # buyer / marketplace: until shipped

SELLER_CANCELLATION = "sellerCancellation"
BUYER_CANCELLATION = "buyerCancellation"
MARKETPLACE_CANCELLATION = "marketplaceCancellation"
CANCELLATION_TYPES = (SELLER_CANCELLATION, BUYER_CANCELLATION, MARKETPLACE_CANCELLATION)

FBF = "FBF"
NON_FBF = "NON_FBF"
SERVICE_PROFILES = (FBF, NON_FBF, "FBF_LITE")
PAYMENT_TYPES = ("COD", "PREPAID")

# Results are ordered by the simulator's internal order index, whatever the field: order dates
# grow with the index; modifiedDate / dispatchByDate ordering is approximate (documented).
SORT_FIELDS = ("orderDate", "modifiedDate", "dispatchByDate", "dispatchAfterDate")
SORT_ORDERS = ("asc", "desc")
DATE_FILTERS = (
    "orderDate",
    "modifiedDate",
    "cancellationDate",
    "dispatchByDate",
    "dispatchAfterDate",
)

# Kinds of malformed shipments add_order(malformed=...) can produce.
MALFORMED_KINDS = (
    "selling_price",  # priceComponents.sellingPrice is a non-numeric string
    "missing_sku",  # the first item has no "sku"
    "missing_price_components",  # the first item has no "priceComponents"
    "bad_quantity",  # quantity is null
    "bad_order_date",  # orderDate is not a date
    "no_items",  # orderItems is empty
)

# Error codes (Flipkart style: {"errors": [{"errorCode": ..., "message": ...}]}).
E_INVALID_REQUEST = "INVALID_REQUEST"
E_INVALID_SHIPMENTS = "INVALID_SHIPMENTS"
E_OPERATION_NOT_ALLOWED = "OPERATION_NOT_ALLOWED"
E_NOT_FOUND = "NOT_FOUND"
E_METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
E_UNAUTHORIZED = "UNAUTHORIZED"
E_INVALID_SHIPMENT_ID = "INVALID_SHIPMENT_ID"
E_INVALID_SHIPMENT_STATE = "INVALID_SHIPMENT_STATE"
E_SHIPMENT_ON_HOLD = "SHIPMENT_ON_HOLD"
E_DISPATCH_AFTER_DATE = "DISPATCH_AFTER_DATE_NOT_REACHED"
E_INVALID_LOCATION = "INVALID_LOCATION_ID"
E_INVALID_REASON = "INVALID_CANCELLATION_REASON"
E_INVALID_GROUP = "INVALID_CANCELLATION_GROUP_ID"
E_FBF_SHIPMENT = "FBF_SHIPMENT_NOT_ALLOWED"
