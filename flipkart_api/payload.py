"""Reading Flipkart's shipment JSON into plain, validated values.

Flipkart's field spellings vary between versions of its documentation (``pinCode`` / ``pincode``,
``stateCode`` / ``stateName``): every reading of a Flipkart payload lives here, tolerant of
those variants and strict about what an order cannot do without (ids, SKU, quantity, amounts).
A payload that lacks one raises :class:`InvalidResponseError` naming the field, which the
connector records as a sync error on that order only.

Price rule (the project's decision, see README): every ``priceComponents`` amount is a total for
the whole order item (all its units), GST included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from .errors import InvalidResponseError

#: Flipkart service profiles meaning "fulfilled by Flipkart".
FBF_PROFILES = {"FBF", "FLIPKART_FULFILMENT", "FBF_LITE"}


def parse_datetime(value, what="date"):
    """Flipkart's ISO-8601 timestamps (``2026-01-01T10:00:00.000Z``, ``+05:30`` offsets, or
    naive) → naive UTC ``datetime`` (Odoo's convention)."""
    if not value:
        return None
    if isinstance(value, (int, float)):  # epoch milliseconds, seen in older payloads
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc).replace(tzinfo=None)
    text = str(value).strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidResponseError(f"Flipkart sent an unreadable {what}: {value!r}") from None
    if parsed.tzinfo:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def format_datetime(value: datetime) -> str:
    """Naive UTC ``datetime`` → the form Flipkart's filters take."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _amount(components, name, item_ref):
    raw = components.get(name, 0) if isinstance(components, dict) else None
    try:
        value = Decimal(str(raw if raw is not None else 0))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise InvalidResponseError(
            f"Order item {item_ref}: Flipkart sent an invalid {name} ({raw!r})"
        )
    return float(value)


def _required(data, key, what):
    value = data.get(key) if isinstance(data, dict) else None
    if value in (None, ""):
        raise InvalidResponseError(f"{what}: Flipkart sent no {key}")
    return str(value)


@dataclass
class Address:
    first_name: str = ""
    last_name: str = ""
    line1: str = ""
    line2: str = ""
    landmark: str = ""
    city: str = ""
    state_code: str = ""
    state_name: str = ""
    pincode: str = ""
    phone: str = ""

    @property
    def name(self):
        return " ".join(p for p in (self.first_name, self.last_name) if p).strip()

    @classmethod
    def from_json(cls, data):
        data = data if isinstance(data, dict) else {}

        def text(*keys):
            for key in keys:
                if data.get(key) not in (None, ""):
                    return " ".join(str(data[key]).split())
            return ""

        return cls(
            first_name=text("firstName", "first_name"),
            last_name=text("lastName", "last_name"),
            line1=text("addressLine1", "address_line1"),
            line2=text("addressLine2", "address_line2"),
            landmark=text("landmark"),
            city=text("city"),
            state_code=text("stateCode", "state_code"),
            state_name=text("state", "stateName"),
            pincode=text("pinCode", "pincode", "pin_code"),
            phone=text("contactNumber", "phone", "phoneNumber"),
        )


@dataclass
class OrderItem:
    ref: str
    order_ref: str
    sku: str
    title: str
    quantity: int
    selling_price: float
    shipping_charge: float
    flipkart_discount: float
    fsn: str = ""
    listing_ref: str = ""
    hsn: str = ""
    status: str = ""
    payment_type: str = ""
    order_date: datetime | None = None
    cancellation_date: datetime | None = None
    cancellation_reason: str = ""
    service_profile: str = ""

    @classmethod
    def from_json(cls, data):
        ref = _required(data, "orderItemId", "An order item")
        what = f"Order item {ref}"
        try:
            quantity = int(data.get("quantity"))
        except (TypeError, ValueError):
            quantity = 0
        if quantity <= 0:
            raise InvalidResponseError(f"{what}: invalid quantity {data.get('quantity')!r}")
        prices = data.get("priceComponents")
        if not isinstance(prices, dict):
            raise InvalidResponseError(f"{what}: Flipkart sent no priceComponents")
        return cls(
            ref=ref,
            order_ref=_required(data, "orderId", what),
            sku=_required(data, "sku", what).strip(),
            title=str(data.get("title") or data.get("sku")).strip(),
            quantity=quantity,
            selling_price=_amount(prices, "sellingPrice", ref),
            shipping_charge=_amount(prices, "shippingCharge", ref),
            flipkart_discount=_amount(prices, "flipkartDiscount", ref),
            fsn=str(data.get("fsn") or ""),
            listing_ref=str(data.get("listingId") or ""),
            hsn=str(data.get("hsn") or ""),
            status=str(data.get("status") or ""),
            payment_type=str(data.get("paymentType") or "").upper(),
            order_date=parse_datetime(data.get("orderDate"), f"order date of {ref}"),
            cancellation_date=parse_datetime(data.get("cancellationDate"), "cancellation date"),
            cancellation_reason=str(data.get("cancellationReason") or ""),
            service_profile=str(data.get("serviceProfile") or "").upper(),
        )


@dataclass
class Shipment:
    ref: str
    order_ref: str
    state: str
    items: list[OrderItem]
    location_ref: str = ""
    hold: bool = False
    dispatch_after: datetime | None = None
    dispatch_by: datetime | None = None
    updated_at: datetime | None = None
    tracking_ref: str = ""
    carrier_name: str = ""
    delivery_address: Address = field(default_factory=Address)
    billing_address: Address = field(default_factory=Address)
    buyer: Address = field(default_factory=Address)
    #: Fulfilled by Flipkart, when the query that found it says so (else: from the items)
    fbf: bool | None = None

    @property
    def is_fbf(self):
        if self.fbf is not None:
            return self.fbf
        return any(item.service_profile in FBF_PROFILES for item in self.items)

    @property
    def order_date(self):
        dates = [item.order_date for item in self.items if item.order_date]
        return min(dates) if dates else None

    @property
    def buyer_name(self):
        return self.buyer.name or self.delivery_address.name or self.billing_address.name

    @classmethod
    def from_json(cls, data, details=None):
        """A search-result shipment, completed with its details (addresses) when given."""
        if not isinstance(data, dict):
            raise InvalidResponseError(f"Flipkart sent a shipment that is not an object: {data!r}")
        ref = _required(data, "shipmentId", "A shipment")
        raw_items = data.get("orderItems") or (details or {}).get("orderItems")
        if not raw_items or not isinstance(raw_items, list):
            raise InvalidResponseError(f"Shipment {ref}: Flipkart sent no order items")
        items = [OrderItem.from_json(item) for item in raw_items]
        orders = {item.order_ref for item in items}
        if len(orders) != 1:
            raise InvalidResponseError(f"Shipment {ref}: items of several orders {sorted(orders)}")
        states = [item.status for item in items if item.status]
        shipment = cls(
            ref=ref,
            order_ref=items[0].order_ref,
            state=str(data.get("status") or data.get("state") or (states[0] if states else "")),
            items=items,
            location_ref=str(data.get("locationId") or ""),
            hold=bool(data.get("hold")),
            dispatch_after=parse_datetime(data.get("dispatchAfterDate"), "dispatch-after date"),
            dispatch_by=parse_datetime(data.get("dispatchByDate"), "dispatch-by date"),
            updated_at=parse_datetime(data.get("updatedAt"), "update date"),
        )
        if details:
            shipment.add_details(details)
        return shipment

    def add_details(self, details):
        self.delivery_address = Address.from_json(details.get("deliveryAddress"))
        self.billing_address = Address.from_json(details.get("billingAddress"))
        self.buyer = Address.from_json(details.get("buyerDetails"))
        self.tracking_ref, self.carrier_name = tracking_of(details)


def tracking_of(details):
    """(tracking id, courier name) from a shipment's details, empty strings when not given."""
    for sub in (details or {}).get("subShipments") or []:
        pickup = ((sub or {}).get("courierDetails") or {}).get("pickupDetails") or {}
        if pickup.get("trackingId"):
            return str(pickup["trackingId"]), str(pickup.get("vendorName") or "")
    return "", ""


def normalize_phone(phone):
    """Last 10 digits of a phone number (Indian mobile numbers), '' when none."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[-10:] if len(digits) >= 10 else digits


def normalize_text(text):
    return " ".join((text or "").split()).casefold()
