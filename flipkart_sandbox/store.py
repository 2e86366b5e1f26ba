"""State of the simulator: generated orders, the shipments that changed, listings, inventory.

Generated order ``i`` is rebuilt on demand from the seed (see ``data.generate_order``). Only orders
whose shipments changed ("materialised") and orders added with ``add_order`` live in memory.
Every order has a *virtual index*: ``i`` for generated orders, ``orders + k`` for the k-th added
order; searches walk virtual indices, so their order is the index order (order dates grow with the
index for generated orders; added orders come after them).

All times are integer epoch milliseconds (UTC) internally. The store is not thread-safe: the
server serialises calls with a lock.
"""

import base64
import bisect
import datetime as dt
import json
import math
import random
import re

from . import const, data

_ORDER_RE = re.compile(r"OD4(\d{8})(\d{9})")
_SHIP_RE = re.compile(r"SH(\d{8})(\d{9})(\d)")
_ITEM_RE = re.compile(r"4(\d{8})(\d{9})(\d)")


class ApiError(Exception):
    """A 4xx answer in Flipkart's shape: {"errors": [{"errorCode": ..., "message": ...}]}."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self):
        return {"errors": [{"errorCode": self.code, "message": self.message}]}


def bad_request(message, code=const.E_INVALID_REQUEST):
    return ApiError(400, code, message)


# --------------------------------------------------------------------------- time helpers
def to_ms(value):
    """datetime (naive = UTC), ISO-8601 string or epoch ms → epoch ms."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        value = dt.datetime.fromisoformat(text)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return int(round(value.timestamp() * 1000))
    raise ValueError(f"not a date: {value!r}")


def fmt(ms):
    """Epoch ms → Flipkart timestamp string (see const.RESPONSE_TZ); None stays None."""
    if ms is None:
        return None
    when = dt.datetime.fromtimestamp(ms / 1000, const.RESPONSE_TZ)
    return when.isoformat(timespec="milliseconds")


def price_components(item):
    """The project's price rule, in one place.

    Every amount is a TOTAL for the order item (all units), GST included:
    totalPrice = sellingPrice + shippingCharge, customerPrice = sellingPrice, flipkartDiscount >= 0
    is funded by Flipkart (informative).
    """
    selling = item["sellingPrice"]
    shipping = item["shippingCharge"]
    return {
        "sellingPrice": selling,
        "totalPrice": round(selling + shipping, 2),
        "shippingCharge": shipping,
        "customerPrice": selling,
        "flipkartDiscount": item["flipkartDiscount"],
    }


class World:
    """Configuration of the generated data set (immutable once built)."""

    def __init__(self, *, seed, orders, fbf_ratio, days, start_ms, location_id=None):
        if orders < 0:
            raise ValueError("orders must be >= 0")
        if not 0.0 <= fbf_ratio <= 1.0:
            raise ValueError("fbf_ratio must be between 0 and 1")
        if days <= 0:
            raise ValueError("days must be > 0")
        self.seed = seed
        self.orders = int(orders)
        self.fbf_ratio = float(fbf_ratio)
        self.days = days
        self.start_ms = int(start_ms)
        self.span_ms = int(days * data.DAY_MS)
        self.base_ms = self.start_ms - self.span_ms
        self.tag = data.seed_tag(seed)
        self.location_id = location_id or f"LOC{self.tag[-4:]}a5f1c2e9b7d3"
        self.catalog = data.make_catalog(seed)
        self.fbs_listings = [c for c in self.catalog if c["fulfillmentProfile"] == const.NON_FBF]
        self.fbf_listings = [c for c in self.catalog if c["fulfillmentProfile"] == const.FBF]
        if len(self.fbf_listings) < 3 or len(self.fbs_listings) < 3:  # orders draw up to 3 SKUs
            self.fbs_listings = self.fbf_listings = self.catalog
        self.pool_size = max(5, self.orders // 25) if self.orders else 0

    def index_range_for_order_dates(self, from_ms, to_ms):
        """Generated indices whose order date may fall in [from_ms, to_ms] (with a margin)."""
        n = self.orders
        if n == 0:
            return 0, -1
        step = self.span_ms / n
        lo, hi = 0, n - 1
        if from_ms is not None:
            lo = max(lo, math.floor((from_ms - self.base_ms) / step) - 1)
        if to_ms is not None:
            hi = min(hi, math.ceil((to_ms - self.base_ms) / step) + 1)
        return lo, hi


class Store:
    def __init__(self, world, label_delay, clock):
        self.world = world
        self.label_delay = float(label_delay)
        self.clock = clock
        self.orders = {}  # orderId -> order (materialised generated orders and added ones)
        self.ships = {}  # shipmentId -> shipment, for the orders above
        self.items = {}  # orderItemId -> shipment, for the orders above
        self.added = []  # orderIds of added orders; virtual index = world.orders + position
        self.overlay_vs = []  # sorted virtual indices of the orders held in memory
        self.listings = {c["sku"]: dict(c) for c in world.catalog}
        self.inventory = {}  # sku -> total units of the last successful update
        self.inventory_locations = {}  # sku -> {locationId: units}
        self.stats = {"headers_generated": 0, "orders_generated": 0}
        self._counter = 0

    # ------------------------------------------------------------------ lookup
    @property
    def total(self):
        return self.world.orders + len(self.added)

    def _generated_index(self, match):
        if match and match.group(1) == self.world.tag:
            i = int(match.group(2))
            if i < self.world.orders:
                return i
        return None

    def order_at(self, v, full=True):
        world = self.world
        if v >= world.orders:
            order = self.orders[self.added[v - world.orders]]
        else:
            order = self.orders.get(data.order_id(world.tag, v))
            if order is None:
                key = "orders_generated" if full else "headers_generated"
                self.stats[key] += 1
                return data.generate_order(world, v, full)
        for ship in order["shipments"]:
            self._refresh(ship)
        return order

    def find_order(self, order_id):
        order = self.orders.get(order_id)
        if order is not None:
            return self.order_at(order["v"])
        i = self._generated_index(_ORDER_RE.fullmatch(order_id))
        return None if i is None else self.order_at(i)

    def find_shipment(self, shipment_id):
        ship = self.ships.get(shipment_id)
        if ship is not None:
            self._refresh(ship)
            return ship
        match = _SHIP_RE.fullmatch(shipment_id)
        i = self._generated_index(match)
        if i is None:
            return None
        shipments = self.order_at(i)["shipments"]
        k = int(match.group(3))
        return shipments[k] if k < len(shipments) else None

    def find_item_shipment(self, order_item_id):
        ship = self.items.get(order_item_id)
        if ship is not None:
            self._refresh(ship)
            return ship
        match = _ITEM_RE.fullmatch(order_item_id)
        i = self._generated_index(match)
        if i is None:
            return None
        for ship in self.order_at(i)["shipments"]:
            if any(item["orderItemId"] == order_item_id for item in ship["items"]):
                return ship
        return None

    def get_shipment(self, shipment_id):
        ship = self.find_shipment(shipment_id)
        if ship is None:
            raise KeyError(f"unknown shipment {shipment_id}")
        return ship

    def _register(self, order):
        if order["orderId"] in self.orders:
            return
        self.orders[order["orderId"]] = order
        bisect.insort(self.overlay_vs, order["v"])
        for ship in order["shipments"]:
            self.ships[ship["shipmentId"]] = ship
            for item in ship["items"]:
                self.items[item["orderItemId"]] = ship

    def _refresh(self, ship):
        """Lazy label completion: PACKING_IN_PROGRESS becomes PACKED once the delay is over."""
        ready = ship["labelReadyAt"]
        if ship["state"] == "PACKING_IN_PROGRESS" and ready is not None and self.clock() >= ready:
            ship["state"] = "PACKED"
            ship["updatedAt"] = max(ship["updatedAt"], ready)
            self._assign_tracking(ship, ready)

    def _change(self, ship, **changes):
        self._register(ship["order"])
        ship.update(changes)
        ship["updatedAt"] = self.clock()

    def _assign_tracking(self, ship, ready_at):
        if ship["trackingId"] is None:
            rng = random.Random(f"{self.world.seed}:trk:{ship['shipmentId']}")
            if ship["order"]["serviceProfile"] == const.FBF:
                ship["vendorName"] = "Ekart Logistics"
                ship["trackingId"] = "FMPC" + data.rand_code(rng, 10, "0123456789")
            else:
                ship["vendorName"], ship["trackingId"] = data.tracking_for(rng)
        ship["labelReadyAt"] = ready_at
        if not ship["packages"]:
            ship["packages"] = [{"packageId": f"{ship['shipmentId']}-1-P1", "dimensions": None}]

    # ------------------------------------------------------------------ search
    def parse_search(self, body):
        """Validate a POST /v3/shipments/filter body; answer the normalised query."""
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object")
        filt = body.get("filter")
        if not isinstance(filt, dict):
            raise bad_request("filter is required")
        ftype = filt.get("type")
        if ftype not in const.FILTER_TYPES:
            raise bad_request(
                f"filter.type must be one of {', '.join(const.FILTER_TYPES)} (got {ftype!r})"
            )
        states = filt.get("states")
        if not isinstance(states, list) or not states:
            raise bad_request("filter.states is required and must be a non-empty list")
        allowed = const.FILTER_TYPES[ftype]
        for state in states:
            if state not in allowed:
                raise bad_request(
                    f"state {state!r} is not valid for filter type {ftype} "
                    f"(allowed: {', '.join(allowed)})"
                )
        ctype = filt.get("cancellationType")
        if ftype == "cancelled":
            if ctype not in const.CANCELLATION_TYPES:
                raise bad_request(
                    "filter.cancellationType is required for type cancelled and must be one of "
                    + ", ".join(const.CANCELLATION_TYPES)
                )
        elif ctype is not None:
            raise bad_request("filter.cancellationType is only valid for type cancelled")
        profiles = filt.get("serviceProfiles") or [const.NON_FBF]
        if not isinstance(profiles, list) or any(p not in const.SERVICE_PROFILES for p in profiles):
            raise bad_request(
                "filter.serviceProfiles must be a list of " + ", ".join(const.SERVICE_PROFILES)
            )
        dates = {}
        for name in const.DATE_FILTERS:
            rng = filt.get(name)
            if rng is None:
                continue
            if not isinstance(rng, dict) or not (rng.get("from") or rng.get("to")):
                raise bad_request(f"filter.{name} must be an object with from and/or to")
            try:
                bounds = [to_ms(rng.get("from")), to_ms(rng.get("to"))]
            except (TypeError, ValueError) as exc:
                raise bad_request(f"filter.{name}: invalid date ({exc})") from None
            if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
                raise bad_request(f"filter.{name}: from is after to")
            dates[name] = bounds
        skus = filt.get("sku")
        if skus is not None and (
            not isinstance(skus, list) or not all(isinstance(s, str) for s in skus)
        ):
            raise bad_request("filter.sku must be a list of strings")
        location = filt.get("locationId")
        pagination = body.get("pagination") or {}
        if not isinstance(pagination, dict):
            raise bad_request("pagination must be an object")
        size = pagination.get("pageSize", const.PAGE_SIZE_DEFAULT)
        if isinstance(size, bool) or not isinstance(size, int):
            raise bad_request("pagination.pageSize must be an integer")
        if not 1 <= size <= const.PAGE_SIZE_MAX:
            raise bad_request(f"pagination.pageSize must be between 1 and {const.PAGE_SIZE_MAX}")
        sort = body.get("sort") or {}
        if not isinstance(sort, dict):
            raise bad_request("sort must be an object")
        field = sort.get("field", "orderDate")
        order = sort.get("order", "asc")
        if field not in const.SORT_FIELDS:
            raise bad_request(f"sort.field must be one of {', '.join(const.SORT_FIELDS)}")
        if order not in const.SORT_ORDERS:
            raise bad_request("sort.order must be asc or desc")
        return {
            "type": ftype,
            "states": states,
            "ctype": ctype,
            "profiles": profiles,
            "dates": dates,
            "skus": skus or None,
            "location": location,
            "size": size,
            "desc": order == "desc",
        }

    @staticmethod
    def encode_token(query, pos):
        raw = json.dumps({"q": query, "p": list(pos)}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode_token(token):
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
            query, pos = payload["q"], tuple(payload["p"])
            assert isinstance(query, dict) and len(pos) == 2
            return query, (int(pos[0]), int(pos[1]))
        except Exception:  # noqa: BLE001 - any garbage is an invalid token
            raise bad_request("Invalid next_token") from None

    def _match(self, ship, q):
        if ship["state"] not in q["states"]:
            return False
        order = ship["order"]
        if order["serviceProfile"] not in q["profiles"]:
            return False
        if q["ctype"] is not None and ship["cancellationType"] != q["ctype"]:
            return False
        if q["location"] and order["locationId"] != q["location"]:
            return False
        for name, (lo, hi) in q["dates"].items():
            if name == "orderDate":
                value = order["orderDate"]
            elif name == "modifiedDate":
                value = ship["updatedAt"]
            else:
                value = ship[name]
            if value is None or (lo is not None and value < lo) or (hi is not None and value > hi):
                return False
        skus = q["skus"]
        return not skus or any(item["sku"] in skus for item in ship["items"])

    def _candidates(self, q, start_v):
        world, total, n = self.world, self.total, self.world.orders
        desc = q["desc"]
        dates = q["dates"]
        # Generated shipments never have an updatedAt, cancellationDate or orderDate after the
        # start time: a range starting later can only match orders held in memory.
        only_memory = any(
            dates.get(name) and dates[name][0] is not None and dates[name][0] > world.start_ms
            for name in ("modifiedDate", "cancellationDate", "orderDate")
        )
        if only_memory:
            vs = self.overlay_vs
            if desc:
                end = bisect.bisect_right(vs, start_v) if start_v is not None else len(vs)
                return list(reversed(vs[:end]))
            begin = bisect.bisect_left(vs, start_v) if start_v is not None else 0
            return vs[begin:]
        lo, hi = 0, n - 1
        if "orderDate" in dates:
            lo, hi = world.index_range_for_order_dates(*dates["orderDate"])
        if desc:
            top = total - 1 if start_v is None else min(start_v, total - 1)
            return _chain(range(top, n - 1, -1), range(min(hi, top), lo - 1, -1))
        bottom = 0 if start_v is None else start_v
        return _chain(range(max(lo, bottom), hi + 1), range(max(n, bottom), total))

    def search(self, q, pos=None, repeat_last=False):
        """One page: (shipments as search-shaped dicts, next position or None)."""
        start_v, start_k = pos if pos is not None else (None, 0)
        size = q["size"]
        need_items = bool(q["skus"])
        found = []
        next_pos = None
        for v in self._candidates(q, start_v):
            order = self.order_at(v, full=need_items or v >= self.world.orders)
            full_order = order if order["shipments"][0]["items"] is not None else None
            count = len(order["shipments"])
            if q["desc"]:  # shipments of an order in reverse too: a pure reversal of asc
                ks = range(start_k if v == start_v else count - 1, -1, -1)
            else:
                ks = range(start_k if v == start_v else 0, count)
            for k in ks:
                ship = order["shipments"][k]
                if not self._match(ship, q):
                    continue
                if len(found) == size:
                    next_pos = (v, k)
                    break
                if full_order is None:
                    full_order = self.order_at(v)
                found.append(((v, k), full_order["shipments"][k]))
            if next_pos is not None:
                break
        if next_pos is not None and repeat_last and len(found) > 1:
            next_pos = found[-1][0]
        return [self.render_shipment(ship) for _pos, ship in found], next_pos

    # ------------------------------------------------------------------ rendering
    def render_item(self, ship, item):
        order = ship["order"]
        return {
            "orderItemId": item["orderItemId"],
            "orderId": order["orderId"],
            "cancellationGroupId": item["cancellationGroupId"],
            "orderDate": fmt(order["orderDate"]),
            "cancellationDate": fmt(ship["cancellationDate"]),
            "paymentType": order["paymentType"],
            "status": ship["state"],
            "cancellationReason": ship["cancellationReason"],
            "cancellationSubReason": ship["cancellationSubReason"],
            "courierReturn": False,
            "quantity": item["quantity"],
            "fsn": item["fsn"],
            "sku": item["sku"],
            "listingId": item["listingId"],
            "hsn": item["hsn"],
            "title": item["title"],
            "packageIds": [p["packageId"] for p in ship["packages"]],
            "priceComponents": price_components(item),
            "serviceProfile": order["serviceProfile"],
            "is_replacement": order["isReplacement"],
        }

    def _sub_shipment_id(self, ship):
        return f"{ship['shipmentId']}-1"

    def render_shipment(self, ship):
        """Search-shaped shipment (POST filter, GET /v3/shipments?...)."""
        order = ship["order"]
        result = {
            "shipmentId": ship["shipmentId"],
            "dispatchByDate": fmt(ship["dispatchByDate"]),
            "dispatchAfterDate": fmt(ship["dispatchAfterDate"]),
            "updatedAt": fmt(ship["updatedAt"]),
            "locationId": order["locationId"],
            "hold": ship["hold"],
            "mps": False,
            "packagingPolicy": "DEFAULT",
            "shipmentType": ship["shipmentType"],
            "subShipments": [
                {"subShipmentId": self._sub_shipment_id(ship), "packages": list(ship["packages"])}
            ],
            "orderItems": [self.render_item(ship, item) for item in ship["items"]],
            "forms": [],
        }
        return self._malform(ship, result)

    def _courier(self, ship):
        label_ready = ship["state"] in const.LABEL_READY_STATES and ship["trackingId"]
        pickup = (
            {"trackingId": ship["trackingId"], "vendorName": ship["vendorName"]}
            if label_ready
            else None
        )
        delivery = pickup if ship["state"] in const.POST_DISPATCH_STATES else None
        return {"pickupDetails": pickup, "deliveryDetails": delivery and dict(delivery)}

    def render_details(self, ship):
        """Details-shaped shipment (GET /v3/shipments/{ids}), with addresses and courier."""
        order = ship["order"]
        courier = self._courier(ship)
        result = {
            "orderId": order["orderId"],
            "shipmentId": ship["shipmentId"],
            "orderItems": [self.render_item(ship, item) for item in ship["items"]],
            "weighingRequired": False,
            "deliveryAddress": dict(order["deliveryAddress"]),
            "billingAddress": dict(order["billingAddress"]),
            "buyerDetails": dict(order["buyer"]),
            "sellerAddress": self.seller_address(),
            "returnAddress": self.seller_address(),
            "courierDetails": courier,  # where the SDK's ShipmentDetails has it
            "subShipments": [
                {"subShipmentId": self._sub_shipment_id(ship), "courierDetails": courier}
            ],
        }
        return self._malform(ship, result)

    def seller_address(self):
        return {
            "firstName": "Sandbox Retail Pvt Ltd",
            "lastName": "",
            "addressLine1": "Plot 14, KIADB Industrial Area",
            "addressLine2": "Bommasandra",
            "landmark": "Near Hosur Road",
            "city": "Bengaluru",
            "state": "Karnataka",
            "stateCode": "KA",
            "pinCode": "560099",
            "contactNumber": "8040001234",
        }

    @staticmethod
    def _malform(ship, result):
        kind = ship["malformed"]
        if not kind:
            return result
        items = result["orderItems"]
        if kind == "no_items":
            result["orderItems"] = []
        elif items:
            first = items[0]
            if kind == "selling_price":
                first["priceComponents"]["sellingPrice"] = "N/A"
            elif kind == "missing_sku":
                del first["sku"]
            elif kind == "missing_price_components":
                del first["priceComponents"]
            elif kind == "bad_quantity":
                first["quantity"] = None
            elif kind == "bad_order_date":
                first["orderDate"] = "not-a-date"
        return result

    # ------------------------------------------------------------------ seller actions
    @staticmethod
    def _result(shipment_id, error=None, message=None):
        return {
            "shipmentId": shipment_id,
            "status": "FAILURE" if error else "SUCCESS",
            "errorCode": error,
            "errorMessage": message,
        }

    def _check_common(self, entry_id, location_id):
        """(ship, None) or (None, failure result) for a seller action on one shipment."""
        if not isinstance(entry_id, str) or not entry_id:
            return None, self._result(entry_id, const.E_INVALID_SHIPMENT_ID, "shipmentId missing")
        ship = self.find_shipment(entry_id)
        if ship is None:
            return None, self._result(
                entry_id, const.E_INVALID_SHIPMENT_ID, f"Shipment {entry_id} not found"
            )
        if ship["order"]["serviceProfile"] == const.FBF:
            return None, self._result(
                entry_id, const.E_FBF_SHIPMENT, "Flipkart fulfils FBF shipments"
            )
        if location_id != ship["order"]["locationId"]:
            return None, self._result(
                entry_id,
                const.E_INVALID_LOCATION,
                f"locationId {location_id!r} does not match the shipment's location",
            )
        return ship, None

    def request_label(self, entry):
        if not isinstance(entry, dict):
            return self._result(None, const.E_INVALID_SHIPMENT_ID, "entry must be an object")
        sid = entry.get("shipmentId")
        ship, failure = self._check_common(sid, entry.get("locationId"))
        if failure:
            return failure
        if ship["state"] not in const.LABEL_REQUEST_STATES:
            return self._result(
                sid,
                const.E_INVALID_SHIPMENT_STATE,
                f"Labels cannot be generated for a shipment in state {ship['state']}",
            )
        if ship["hold"]:
            return self._result(sid, const.E_SHIPMENT_ON_HOLD, "Shipment is on hold")
        now = self.clock()
        if now < ship["dispatchAfterDate"]:
            return self._result(
                sid,
                const.E_DISPATCH_AFTER_DATE,
                f"Shipment can be processed only after {fmt(ship['dispatchAfterDate'])}",
            )
        invoices = entry.get("invoices") or []
        invoice = invoices[0] if invoices and isinstance(invoices[0], dict) else None
        if ship["state"] == "APPROVED":
            self._change(
                ship,
                state="PACKING_IN_PROGRESS",
                labelReadyAt=now + int(self.label_delay * 1000),
                invoice=invoice,
            )
            self._refresh(ship)
        elif invoice:
            ship["invoice"] = invoice
        return self._result(sid)

    def dispatch(self, shipment_id, location_id):
        ship, failure = self._check_common(shipment_id, location_id)
        if failure:
            return failure
        if ship["hold"]:
            return self._result(shipment_id, const.E_SHIPMENT_ON_HOLD, "Shipment is on hold")
        if ship["state"] != "PACKED":
            return self._result(
                shipment_id,
                const.E_INVALID_SHIPMENT_STATE,
                f"Only PACKED shipments can be marked ready to dispatch (state {ship['state']})",
            )
        self._change(ship, state="READY_TO_DISPATCH")
        return self._result(shipment_id)

    def seller_cancel(self, entry):
        if not isinstance(entry, dict):
            return self._result(None, const.E_INVALID_SHIPMENT_ID, "entry must be an object")
        sid = entry.get("shipmentId")
        ship, failure = self._check_common(sid, entry.get("locationId"))
        if failure:
            return failure
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            return self._result(sid, const.E_INVALID_REASON, "reason is required")
        if ship["state"] not in const.SELLER_CANCELLABLE_STATES:
            return self._result(
                sid,
                const.E_INVALID_SHIPMENT_STATE,
                f"Shipment in state {ship['state']} cannot be cancelled by the seller",
            )
        groups = entry.get("cancellationGroupIds")
        if groups:
            own = {item["cancellationGroupId"] for item in ship["items"]}
            unknown = [g for g in groups if g not in own]
            if unknown:
                return self._result(
                    sid, const.E_INVALID_GROUP, f"Unknown cancellationGroupIds: {unknown}"
                )
            if set(groups) != own:
                # Partial cancellation is not simulated: item status = shipment state.
                return self._result(
                    sid,
                    const.E_OPERATION_NOT_ALLOWED,
                    "Partial cancellation is not supported by the sandbox",
                )
        self._cancel(ship, const.SELLER_CANCELLATION, reason, None)
        return self._result(sid)

    def _cancel(self, ship, ctype, reason, sub_reason):
        now = self.clock()
        _w, default_reason, sub_reasons = data.CANCELLATIONS[ctype]
        self._change(
            ship,
            state="CANCELLED",
            cancellationType=ctype,
            cancellationDate=now,
            cancellationReason=reason or default_reason,
            cancellationSubReason=sub_reason if sub_reason is not None else sub_reasons[0],
            labelReadyAt=None,
        )

    # ------------------------------------------------------------------ admin transitions
    def advance(self, shipment_id, state):
        ship = self.get_shipment(shipment_id)
        if state not in const.LIFECYCLE:
            raise ValueError(f"advance() goes along {const.LIFECYCLE}; use cancel()/set_state()")
        current = ship["state"]
        if current not in const.LIFECYCLE or const.LIFECYCLE.index(state) <= const.LIFECYCLE.index(
            current
        ):
            raise ValueError(f"cannot advance {shipment_id} from {current} to {state}")
        now = self.clock()
        if state == "PACKING_IN_PROGRESS":
            self._change(ship, state=state, labelReadyAt=now + int(self.label_delay * 1000))
        else:
            self._register(ship["order"])
            if state in const.LABEL_READY_STATES:
                self._assign_tracking(ship, min(ship["labelReadyAt"] or now, now))
            self._change(ship, state=state)
        return self.render_shipment(ship)

    def cancel(self, shipment_id, cancellation_type, reason=None, sub_reason=None):
        ship = self.get_shipment(shipment_id)
        if cancellation_type not in const.CANCELLATION_TYPES:
            raise ValueError(f"cancellation_type must be one of {const.CANCELLATION_TYPES}")
        allowed = (
            const.SELLER_CANCELLABLE_STATES
            if cancellation_type == const.SELLER_CANCELLATION
            else const.BUYER_CANCELLABLE_STATES
        )
        if ship["state"] not in allowed:
            raise ValueError(f"cannot cancel {shipment_id} in state {ship['state']}")
        self._cancel(ship, cancellation_type, reason, sub_reason)
        return self.render_shipment(ship)

    def set_state(self, shipment_id, state, **fields):
        """Force a state (no transition check). fields: hold, cancellation_type, reason,
        sub_reason, dispatch_after_date, dispatch_by_date."""
        ship = self.get_shipment(shipment_id)
        if state not in const.ALL_STATES:
            raise ValueError(f"unknown state {state!r}")
        unknown = set(fields) - {
            "hold",
            "cancellation_type",
            "reason",
            "sub_reason",
            "dispatch_after_date",
            "dispatch_by_date",
        }
        if unknown:
            raise TypeError(f"unknown fields {sorted(unknown)}")
        self._register(ship["order"])
        now = self.clock()
        if state == "CANCELLED":
            self._cancel(
                ship,
                fields.get("cancellation_type") or const.BUYER_CANCELLATION,
                fields.get("reason"),
                fields.get("sub_reason"),
            )
        else:
            ship.update(
                cancellationType=None,
                cancellationDate=None,
                cancellationReason=None,
                cancellationSubReason=None,
            )
            if state == "PACKING_IN_PROGRESS":
                ship["labelReadyAt"] = now + int(self.label_delay * 1000)
            elif state in const.LABEL_READY_STATES:
                self._assign_tracking(ship, min(ship["labelReadyAt"] or now, now))
            self._change(ship, state=state)
        if "hold" in fields:
            ship["hold"] = bool(fields["hold"])
        if fields.get("dispatch_after_date") is not None:
            ship["dispatchAfterDate"] = to_ms(fields["dispatch_after_date"])
        if fields.get("dispatch_by_date") is not None:
            ship["dispatchByDate"] = to_ms(fields["dispatch_by_date"])
        return self.render_shipment(ship)

    def set_hold(self, shipment_id, hold=True):
        ship = self.get_shipment(shipment_id)
        self._change(ship, hold=bool(hold))
        return self.render_shipment(ship)

    def make_labels_ready(self):
        """Complete every pending label now; answer the shipment ids that became PACKED."""
        now = self.clock()
        done = []
        for ship in self.ships.values():
            if ship["state"] == "PACKING_IN_PROGRESS":
                ship["labelReadyAt"] = min(ship["labelReadyAt"] or now, now)
                self._refresh(ship)
                done.append(ship["shipmentId"])
        return done

    # ------------------------------------------------------------------ labels
    def label_pages(self, shipment_ids):
        """Data for the PDF, or ApiError when a shipment is unknown or its label not ready."""
        ships = []
        unknown = []
        for sid in shipment_ids:
            ship = self.find_shipment(sid)
            if ship is None:
                unknown.append(sid)
            ships.append(ship)
        if unknown:
            raise ApiError(
                400, const.E_INVALID_SHIPMENTS, f"Invalid shipment ids: {', '.join(unknown)}"
            )
        pending = [
            s["shipmentId"]
            for s in ships
            if s["state"] not in const.LABEL_READY_STATES
            or not s["trackingId"]
            or s["order"]["serviceProfile"] == const.FBF
        ]
        if pending:
            raise ApiError(
                400,
                const.E_OPERATION_NOT_ALLOWED,
                f"Label not available (not generated or not ready yet) for: {', '.join(pending)}",
            )
        pages = []
        for ship in ships:
            order = ship["order"]
            address = order["deliveryAddress"]
            lines = [
                "Flipkart Seller API Sandbox - Shipping Label",
                f"Shipment: {ship['shipmentId']}",
                f"Order: {order['orderId']}",
                f"Tracking: {ship['trackingId']}",
                f"Courier: {ship['vendorName']}",
                f"Payment: {order['paymentType']}",
                f"Ship to: {address.get('firstName', '')} {address.get('lastName', '')}",
                f"{address.get('addressLine1', '')}, {address.get('addressLine2', '')}",
                f"{address.get('city', '')} {address.get('pinCode', '')} "
                f"{address.get('state', '')}",
            ]
            if ship["invoice"]:
                lines.append(f"Invoice: {ship['invoice'].get('invoiceNumber', '')}")
            for item in ship["items"]:
                lines.append(f"{item['quantity']} x {item['sku']} {item['title'][:60]}")
            pages.append(lines)
        return pages

    # ------------------------------------------------------------------ listings, inventory
    def add_listing(self, sku, *, fsn=None, title=None, hsn=None, price=None, fulfillment=None):
        existing = self.listings.get(sku)
        if existing:
            return existing
        rng = random.Random(f"{self.world.seed}:listing:{sku}")
        fsn = fsn or "SBX" + data.rand_code(rng, 13)
        price = float(price if price is not None else 499.0)
        listing = {
            "sku": sku,
            "fsn": fsn,
            "listingId": "LST" + fsn + data.rand_code(rng, 6),
            "title": title or f"Sandbox product {sku}",
            "hsn": hsn or "6109",
            "price": price,
            "mrp": price,
            "fulfillmentProfile": fulfillment or const.NON_FBF,
        }
        self.listings[sku] = listing
        return listing

    def render_listing(self, listing):
        sku = listing["sku"]
        fbf = listing["fulfillmentProfile"] == const.FBF
        locations = self.inventory_locations.get(sku) or (
            {} if fbf else {self.world.location_id: 0}
        )
        return {
            "listing_id": listing["listingId"],
            "product_id": listing["fsn"],
            "price": {
                "mrp": listing["mrp"],
                "selling_price": listing["price"],
                "currency": "INR",
            },
            "tax": {"hsn": listing["hsn"], "tax_code": "GST_18"},
            "listing_status": "ACTIVE",
            "shipping_fees": {"local": 0, "zonal": 0, "national": 0, "currency": "INR"},
            "fulfillment_profile": listing["fulfillmentProfile"],
            "packages": [],
            "locations": [
                {"id": loc, "status": "ENABLED", "inventory": qty} for loc, qty in locations.items()
            ],
            "archived_status": "NONE",
        }

    def update_inventory(self, body):
        if not isinstance(body, dict) or not body:
            raise bad_request("The body must be a JSON object keyed by SKU")
        if len(body) > const.MAX_SKUS_PER_INVENTORY_UPDATE:
            raise bad_request(
                f"At most {const.MAX_SKUS_PER_INVENTORY_UPDATE} SKUs per request "
                f"({len(body)} given)"
            )
        answer = {}
        for sku, entry in body.items():
            errors = self._inventory_errors(sku, entry)
            if errors:
                answer[sku] = {
                    "status": "FAILURE",
                    "errors": [
                        {"severity": "ERROR", "code": code, "description": text}
                        for code, text in errors
                    ],
                    "attribute_errors": [],
                }
                continue
            per_location = {loc["id"]: loc["inventory"] for loc in entry["locations"]}
            self.inventory_locations[sku] = per_location
            self.inventory[sku] = sum(per_location.values())
            answer[sku] = {"status": "SUCCESS", "errors": [], "attribute_errors": []}
        return answer

    def _inventory_errors(self, sku, entry):
        listing = self.listings.get(sku)
        if listing is None:
            return [("INVALID_SKU", f"No listing found for SKU {sku}")]
        if not isinstance(entry, dict):
            return [("INVALID_REQUEST", "The SKU entry must be an object")]
        errors = []
        if entry.get("product_id") != listing["fsn"]:
            errors.append(
                (
                    "INVALID_PRODUCT_ID",
                    f"product_id {entry.get('product_id')!r} does not match SKU {sku}",
                )
            )
        if listing["fulfillmentProfile"] == const.FBF:
            errors.append(("INVALID_FULFILLMENT_PROFILE", "FBF listings' stock is Flipkart's"))
        locations = entry.get("locations")
        if not isinstance(locations, list) or not locations:
            errors.append(("INVALID_LOCATIONS", "locations must be a non-empty list"))
            return errors
        for loc in locations:
            if not isinstance(loc, dict) or loc.get("id") != self.world.location_id:
                loc_id = loc.get("id") if isinstance(loc, dict) else loc
                errors.append(("INVALID_LOCATION_ID", f"Unknown location {loc_id!r}"))
                continue
            qty = loc.get("inventory")
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
                errors.append(
                    ("INVALID_INVENTORY", f"inventory must be a non-negative integer, got {qty!r}")
                )
        return errors

    # ------------------------------------------------------------------ add_order
    def add_order(
        self,
        *,
        order_id=None,
        items=None,
        shipments=None,
        service_profile=const.NON_FBF,
        payment_type="PREPAID",
        state="APPROVED",
        cancellation_type=None,
        buyer=None,
        address=None,
        billing_address=None,
        order_date=None,
        hold=False,
        dispatch_after_date=None,
        dispatch_by_date=None,
        location_id=None,
        malformed=None,
        is_replacement=False,
    ):
        world = self.world
        self._counter += 1
        c = self._counter
        rng = random.Random(f"{world.seed}:added:{c}")
        now = self.clock()
        profile = {"FBS": const.NON_FBF}.get(service_profile, service_profile)
        if profile not in const.SERVICE_PROFILES:
            raise ValueError(f"service_profile must be FBS, NON_FBF or FBF, not {service_profile}")
        if payment_type not in const.PAYMENT_TYPES:
            raise ValueError(f"payment_type must be COD or PREPAID, not {payment_type}")
        order_id = order_id or f"OD5{world.tag}{c:09d}"
        if self.find_order(order_id) is not None:
            raise ValueError(f"order {order_id} already exists")

        # items
        default_listings = world.fbf_listings if profile == const.FBF else world.fbs_listings
        specs = items if items is not None else [{}]
        if not specs:
            raise ValueError("an order needs at least one item")
        order_items = []
        for j, raw_spec in enumerate(specs):
            spec = dict(raw_spec)
            unknown = set(spec) - {
                "sku",
                "title",
                "fsn",
                "hsn",
                "quantity",
                "selling_price",
                "shipping_charge",
                "flipkart_discount",
                "listing_id",
                "order_item_id",
                "cancellation_group_id",
            }
            if unknown:
                raise TypeError(f"unknown item keys {sorted(unknown)}")
            quantity = int(spec.get("quantity", 1))
            sku = spec.get("sku") or default_listings[j % len(default_listings)]["sku"]
            listing = self.listings.get(sku) or self.add_listing(
                sku,
                fsn=spec.get("fsn"),
                title=spec.get("title"),
                hsn=spec.get("hsn"),
                price=(spec["selling_price"] / quantity) if spec.get("selling_price") else None,
                fulfillment=profile if profile == const.FBF else const.NON_FBF,
            )
            selling = spec.get("selling_price")
            if selling is None:
                selling = round(listing["price"] * quantity, 2)
            item_id = spec.get("order_item_id") or f"5{world.tag}{c:09d}{j:02d}"
            order_items.append(
                {
                    "orderItemId": item_id,
                    "cancellationGroupId": spec.get("cancellation_group_id") or f"grp{item_id}",
                    "sku": sku,
                    "fsn": spec.get("fsn") or listing["fsn"],
                    "listingId": spec.get("listing_id") or listing["listingId"],
                    "hsn": spec.get("hsn") or listing["hsn"],
                    "title": spec.get("title") or listing["title"],
                    "quantity": quantity,
                    "sellingPrice": float(selling),
                    "shippingCharge": float(spec.get("shipping_charge", 0.0)),
                    "flipkartDiscount": float(spec.get("flipkart_discount", 0.0)),
                }
            )
        groups = shipments if shipments is not None else [list(range(len(order_items)))]
        flat = sorted(j for group in groups for j in group)
        if flat != list(range(len(order_items))) or any(not g for g in groups):
            raise ValueError("shipments must split the item indexes into non-empty groups")
        states = state if isinstance(state, list | tuple) else [state] * len(groups)
        if len(states) != len(groups):
            raise ValueError("one state per shipment")
        for st in states:
            if st not in const.ALL_STATES:
                raise ValueError(f"unknown state {st!r}")
        if malformed in (None, False):
            malformed = {}
        elif malformed is True:
            malformed = {0: "selling_price"}
        elif isinstance(malformed, str):
            malformed = {0: malformed}
        malformed = {int(k): v for k, v in dict(malformed).items()}
        for kind in malformed.values():
            if kind not in const.MALFORMED_KINDS:
                raise ValueError(f"malformed must be one of {const.MALFORMED_KINDS}")

        # buyer and addresses
        first, last = _names(buyer, rng)
        delivery = _address(address, rng, first, last)
        billing = _address(billing_address, rng, first, last) if billing_address else None
        order_ms = to_ms(order_date) if order_date is not None else now
        order = {
            "v": world.orders + len(self.added),
            "orderId": order_id,
            "orderDate": order_ms,
            "serviceProfile": profile,
            "locationId": location_id
            or (data.FBF_LOCATIONS[0] if profile == const.FBF else world.location_id),
            "shipments": [],
            "paymentType": payment_type,
            "buyer": {"firstName": first, "lastName": last},
            "deliveryAddress": delivery,
            "billingAddress": billing or dict(delivery),
            "isReplacement": bool(is_replacement),
        }
        for k, group in enumerate(groups):
            ship = {
                "shipmentId": f"SX{world.tag}{c:09d}{k:02d}",
                "order": order,
                "state": states[k],
                "updatedAt": now,
                "hold": bool(hold),
                "dispatchAfterDate": to_ms(dispatch_after_date)
                if dispatch_after_date is not None
                else order_ms,
                "dispatchByDate": to_ms(dispatch_by_date)
                if dispatch_by_date is not None
                else order_ms + 2 * data.DAY_MS,
                "cancellationType": None,
                "cancellationDate": None,
                "cancellationReason": None,
                "cancellationSubReason": None,
                "itemIndexes": tuple(group),
                "items": [order_items[j] for j in group],
                "labelReadyAt": None,
                "trackingId": None,
                "vendorName": None,
                "malformed": malformed.get(k),
                "invoice": None,
                "packages": [],
                "shipmentType": "NORMAL",
            }
            if states[k] == "CANCELLED":
                ctype = cancellation_type or const.BUYER_CANCELLATION
                if ctype not in const.CANCELLATION_TYPES:
                    raise ValueError(f"cancellation_type must be one of {const.CANCELLATION_TYPES}")
                _w, reason, subs = data.CANCELLATIONS[ctype]
                ship.update(
                    cancellationType=ctype,
                    cancellationDate=now,
                    cancellationReason=reason,
                    cancellationSubReason=subs[0],
                )
            elif states[k] == "PACKING_IN_PROGRESS":
                ship["labelReadyAt"] = now + int(self.label_delay * 1000)
            elif states[k] in const.LABEL_READY_STATES:
                self._assign_tracking(ship, now)
            order["shipments"].append(ship)
        self.added.append(order_id)
        self._register(order)
        return {
            "orderId": order_id,
            "shipmentIds": [s["shipmentId"] for s in order["shipments"]],
            "orderItemIds": [i["orderItemId"] for i in order_items],
            "shipments": [self.render_shipment(s) for s in order["shipments"]],
        }


def _chain(*ranges):
    for r in ranges:
        yield from r


def _names(buyer, rng):
    if buyer is None:
        return rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
    if isinstance(buyer, dict):
        return buyer.get("first_name", ""), buyer.get("last_name", "")
    first, last = buyer
    return first, last


_ADDRESS_KEYS = {
    "first_name": "firstName",
    "last_name": "lastName",
    "address_line1": "addressLine1",
    "address_line2": "addressLine2",
    "landmark": "landmark",
    "city": "city",
    "state": "state",
    "state_code": "stateCode",
    "pin_code": "pinCode",
    "phone": "contactNumber",
}


def _address(spec, rng, first, last):
    """Generated address for the buyer, overridden by ``spec`` (snake_case keys; phone=None → no
    contactNumber)."""
    spec = dict(spec or {})
    unknown = set(spec) - set(_ADDRESS_KEYS)
    if unknown:
        raise TypeError(f"unknown address keys {sorted(unknown)}")
    address = data.make_address(rng, first, last, data.make_phone(rng))
    for key, value in spec.items():
        address[_ADDRESS_KEYS[key]] = value
    if "phone" in spec and spec["phone"] is None:
        address.pop("contactNumber", None)
    return address
