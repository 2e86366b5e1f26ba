"""HTTP front of the simulator: routing, OAuth tokens, faults, request log, SandboxServer."""

import base64
import binascii
import dataclasses
import datetime as dt
import json
import random
import re
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import const
from .pdf import build_pdf
from .store import ApiError, Store, World, bad_request, fmt, to_ms

JSON = "application/json"
_DETAILS_RE = re.compile(r"/v3/shipments/([^/]+)")
_LABELS_RE = re.compile(r"/v3/shipments/([^/]+)/labels")
_LISTINGS_RE = re.compile(r"/listings/v3/([^/]+)")
_ADMIN_SHIPMENT_RE = re.compile(r"/shipments/([^/]+)(?:/(state|cancel|hold))?")


@dataclasses.dataclass
class Faults:
    """Random faults, drawn from their own seeded generator (deterministic for a given sequence
    of requests). ``paths``: only requests whose path contains one of these substrings."""

    rate_429: float = 0.0
    retry_after: int = 1
    rate_500: float = 0.0
    rate_503: float = 0.0
    delay: float = 0.0
    malformed_json_rate: float = 0.0
    revoke_token_after: int | None = None
    repeat_items_across_pages: bool = False
    paths: list | None = None
    seed: int | str | None = None

    def applies(self, path):
        return self.paths is None or any(p in path for p in self.paths)


@dataclasses.dataclass
class _Decision:
    status: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    malformed: bool = False
    kind: str | None = None


def _json(status, payload, headers=None):
    all_headers = {"Content-Type": JSON}
    all_headers.update(headers or {})
    return status, all_headers, json.dumps(payload).encode()


def _api_error(exc):
    return _json(exc.status, exc.body())


def _split_ids(raw, what="shipment ids"):
    ids = [part.strip() for part in unquote(raw).split(",") if part.strip()]
    if not ids:
        raise bad_request(f"No {what} given")
    if len(ids) > const.MAX_IDS_PER_LOOKUP:
        raise bad_request(f"At most {const.MAX_IDS_PER_LOOKUP} {what} per request ({len(ids)})")
    return ids


class SandboxServer:
    """Local simulator of Flipkart's Seller API.

    ``with SandboxServer(seed=1, orders=0, label_delay=0) as sb: requests.get(sb.url + ...)``.
    All public helpers are thread-safe (one lock around the state).
    """

    def __init__(
        self,
        *,
        host="127.0.0.1",
        port=0,
        seed=0,
        orders=200,
        fbf_ratio=0.2,
        days=5,
        client_id=const.DEFAULT_CLIENT_ID,
        client_secret=const.DEFAULT_CLIENT_SECRET,
        token_ttl=const.DEFAULT_TOKEN_TTL,
        label_delay=const.DEFAULT_LABEL_DELAY,
        start_time=None,
        location_id=None,
        verbose=False,
    ):
        self.host = host
        self.port = port
        self.verbose = verbose
        self._lock = threading.RLock()
        self._httpd = None
        self._thread = None
        self._tokens = {}  # access token -> {"expires": ms, "uses": n}
        self._clock_offset_ms = 0
        self._requests = []
        self._one_shots = []
        self._config = {}
        self._initial_config = {}
        self._configure(
            seed=seed,
            orders=orders,
            fbf_ratio=fbf_ratio,
            days=days,
            client_id=client_id,
            client_secret=client_secret,
            token_ttl=token_ttl,
            label_delay=label_delay,
            start_time=start_time,
            location_id=location_id,
        )
        self.set_faults()

    # ------------------------------------------------------------------ configuration
    def _configure(self, **config):
        merged = dict(self._config)
        merged.update(config)
        if merged.get("start_time") is None:
            merged["start_time"] = int(time.time()) * 1000
        merged["start_time"] = to_ms(merged["start_time"])
        if not self._initial_config:
            self._initial_config = dict(merged)
        world = World(
            seed=merged["seed"],
            orders=merged["orders"],
            fbf_ratio=merged["fbf_ratio"],
            days=merged["days"],
            start_ms=merged["start_time"],
            location_id=merged["location_id"],
        )
        self._config = merged
        self.store = Store(world, merged["label_delay"], self._now_ms)

    def reset(self, **config):
        """Forget every change, added order, inventory update, request, fault and clock shift.

        The configuration goes back to the constructor's (start time included), with the given
        keyword arguments (same as the constructor's, minus host/port/verbose) on top. Issued
        tokens stay valid (their expiry is kept)."""
        allowed = {
            "seed",
            "orders",
            "fbf_ratio",
            "days",
            "client_id",
            "client_secret",
            "token_ttl",
            "label_delay",
            "start_time",
            "location_id",
        }
        unknown = set(config) - allowed
        if unknown:
            raise TypeError(f"unknown reset arguments {sorted(unknown)}")
        with self._lock:
            self._clock_offset_ms = 0
            self._config = dict(self._initial_config)
            self._configure(**config)
            self._requests.clear()
            self._one_shots.clear()
            self.set_faults()
            for info in self._tokens.values():
                info["uses"] = 0

    @property
    def client_id(self):
        return self._config["client_id"]

    @property
    def client_secret(self):
        return self._config["client_secret"]

    @property
    def token_ttl(self):
        return self._config["token_ttl"]

    @property
    def seed(self):
        return self._config["seed"]

    @property
    def location_id(self):
        return self.store.world.location_id

    @property
    def start_time(self):
        return dt.datetime.fromtimestamp(self.store.world.start_ms / 1000, dt.timezone.utc)

    @property
    def label_delay(self):
        return self.store.label_delay

    @label_delay.setter
    def label_delay(self, seconds):
        with self._lock:
            self.store.label_delay = float(seconds)
            self._config["label_delay"] = float(seconds)

    @property
    def inventory(self):
        """SKU -> units (summed over locations) of the latest successful inventory update."""
        return self.store.inventory

    @property
    def inventory_locations(self):
        """SKU -> {locationId: units} of the latest successful inventory update."""
        return self.store.inventory_locations

    @property
    def listings(self):
        """SKU -> listing dict (sku, fsn, listingId, title, hsn, price, mrp,
        fulfillmentProfile)."""
        return self.store.listings

    @property
    def stats(self):
        return dict(self.store.stats, orders_in_memory=len(self.store.orders))

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self):
        if self._httpd is None:
            raise RuntimeError("the sandbox is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        if self._httpd is not None:
            return self
        httpd = ThreadingHTTPServer((self.host, self.port), _Handler)
        httpd.daemon_threads = True
        httpd.sandbox = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="flipkart-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------------ clock and tokens
    def _now_ms(self):
        return int(time.time() * 1000) + self._clock_offset_ms

    def now(self):
        """The sandbox's current time (aware UTC datetime)."""
        return dt.datetime.fromtimestamp(self._now_ms() / 1000, dt.timezone.utc)

    def advance_clock(self, seconds):
        """Move the sandbox clock forward (token expiry, label readiness, dispatchAfterDate)."""
        with self._lock:
            self._clock_offset_ms += int(seconds * 1000)

    def issue_token(self, ttl=None):
        """A valid access token without an HTTP call."""
        with self._lock:
            ttl = self.token_ttl if ttl is None else ttl
            token = str(uuid.uuid4())
            self._tokens[token] = {"expires": self._now_ms() + int(ttl * 1000), "uses": 0}
            return token

    def expire_tokens(self):
        with self._lock:
            for info in self._tokens.values():
                info["expires"] = self._now_ms()

    def revoke_tokens(self):
        with self._lock:
            self._tokens.clear()

    # ------------------------------------------------------------------ faults and requests
    def set_faults(
        self,
        *,
        rate_429=0.0,
        retry_after=1,
        rate_500=0.0,
        rate_503=0.0,
        delay=0.0,
        malformed_json_rate=0.0,
        revoke_token_after=None,
        repeat_items_across_pages=False,
        paths=None,
        seed=None,
    ):
        """Replace the random faults (no arguments = no faults). Applies to every non-admin
        request (token endpoint included) unless ``paths`` lists substrings to limit them to."""
        if isinstance(paths, str):
            paths = [paths]
        faults = Faults(
            rate_429=float(rate_429),
            retry_after=retry_after,
            rate_500=float(rate_500),
            rate_503=float(rate_503),
            delay=float(delay),
            malformed_json_rate=float(malformed_json_rate),
            revoke_token_after=revoke_token_after,
            repeat_items_across_pages=bool(repeat_items_across_pages),
            paths=list(paths) if paths is not None else None,
            seed=seed,
        )
        if faults.rate_429 + faults.rate_500 + faults.rate_503 > 1.0:
            raise ValueError("the fault rates add up to more than 1")
        with self._lock:
            self.faults = faults
            fault_seed = seed if seed is not None else self.seed
            self._fault_rng = random.Random(f"faults:{fault_seed}")
            for info in self._tokens.values():
                info["uses"] = 0

    def clear_faults(self):
        with self._lock:
            self.set_faults()
            self._one_shots.clear()

    def fail_next(self, status=503, count=1, path=None, retry_after=None, delay=0.0):
        """The next ``count`` requests whose path contains ``path`` (any when None) answer
        ``status`` without being processed (``delay`` seconds first; status None = only delay)."""
        with self._lock:
            self._one_shots.append(
                {
                    "status": status,
                    "count": int(count),
                    "path": path,
                    "retry_after": retry_after,
                    "delay": float(delay),
                }
            )

    @property
    def requests(self):
        """Recorded non-admin requests: dicts with method, path, query, json, body, status,
        fault, time (no headers are recorded, so never the Authorization one)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self):
        with self._lock:
            self._requests.clear()

    def _decide(self, path):
        with self._lock:
            for shot in self._one_shots:
                if shot["path"] is None or shot["path"] in path:
                    shot["count"] -= 1
                    if shot["count"] <= 0:
                        self._one_shots.remove(shot)
                    return _Decision(
                        status=shot["status"],
                        retry_after=shot["retry_after"],
                        delay=shot["delay"],
                        kind="one-shot",
                    )
            faults = self.faults
            if not faults.applies(path):
                return _Decision()
            decision = _Decision(delay=faults.delay)
            if faults.rate_429 or faults.rate_500 or faults.rate_503:
                r = self._fault_rng.random()
                if r < faults.rate_429:
                    decision.status, decision.retry_after = 429, faults.retry_after
                elif r < faults.rate_429 + faults.rate_500:
                    decision.status = 500
                elif r < faults.rate_429 + faults.rate_500 + faults.rate_503:
                    decision.status = 503
                decision.kind = decision.status and "random"
            if faults.malformed_json_rate:
                decision.malformed = self._fault_rng.random() < faults.malformed_json_rate
            return decision

    # ------------------------------------------------------------------ python helpers
    def add_order(self, **kwargs):
        """Add an order; see Store.add_order for the arguments. Answers
        {"orderId", "shipmentIds", "orderItemIds", "shipments": [search-shaped shipments]}."""
        with self._lock:
            return self.store.add_order(**kwargs)

    def add_listing(self, sku, **fields):
        """Register a listing (fields: fsn, title, hsn, price, fulfillment)."""
        with self._lock:
            return dict(self.store.add_listing(sku, **fields))

    def shipment(self, shipment_id):
        """Search-shaped shipment (None when unknown)."""
        with self._lock:
            ship = self.store.find_shipment(shipment_id)
            return None if ship is None else self.store.render_shipment(ship)

    def shipment_details(self, shipment_id):
        with self._lock:
            ship = self.store.find_shipment(shipment_id)
            return None if ship is None else self.store.render_details(ship)

    def state(self, shipment_id):
        with self._lock:
            return self.store.get_shipment(shipment_id)["state"]

    def order(self, order_id):
        """{"orderId", "shipments": [search-shaped]} or None."""
        with self._lock:
            order = self.store.find_order(order_id)
            if order is None:
                return None
            return {
                "orderId": order["orderId"],
                "shipments": [self.store.render_shipment(s) for s in order["shipments"]],
            }

    def advance(self, shipment_id, state):
        """Move a shipment forward along APPROVED → ... → DELIVERED (as Flipkart would)."""
        with self._lock:
            return self.store.advance(shipment_id, state)

    def cancel(self, shipment_id, cancellation_type=const.BUYER_CANCELLATION, reason=None,
               sub_reason=None):  # fmt: skip
        with self._lock:
            return self.store.cancel(shipment_id, cancellation_type, reason, sub_reason)

    def cancel_by_buyer(self, shipment_id, reason=None, sub_reason=None):
        return self.cancel(shipment_id, const.BUYER_CANCELLATION, reason, sub_reason)

    def cancel_by_marketplace(self, shipment_id, reason=None, sub_reason=None):
        return self.cancel(shipment_id, const.MARKETPLACE_CANCELLATION, reason, sub_reason)

    def set_state(self, shipment_id, state, **fields):
        """Force a state without transition checks (fields: hold, cancellation_type, reason,
        sub_reason, dispatch_after_date, dispatch_by_date)."""
        with self._lock:
            return self.store.set_state(shipment_id, state, **fields)

    def set_hold(self, shipment_id, hold=True):
        with self._lock:
            return self.store.set_hold(shipment_id, hold)

    def make_labels_ready(self):
        """Complete every pending label now; answers the shipment ids that became PACKED."""
        with self._lock:
            return self.store.make_labels_ready()

    def info(self):
        with self._lock:
            world = self.store.world
            return {
                "url": self.url if self._httpd else None,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "location_id": world.location_id,
                "seed": world.seed,
                "orders": world.orders,
                "fbf_ratio": world.fbf_ratio,
                "days": world.days,
                "start_time": fmt(world.start_ms),
                "now": fmt(self._now_ms()),
                "token_ttl": self.token_ttl,
                "label_delay": self.store.label_delay,
                "skus": sorted(self.store.listings),
                "stats": self.stats,
            }

    # ------------------------------------------------------------------ request handling
    def _handle(self, method, target, headers, raw):
        url = urlsplit(target)
        path = url.path
        query = parse_qs(url.query, keep_blank_values=True)
        body, body_error = None, None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError as exc:
                body_error = str(exc)
        if path.startswith(const.ADMIN_PREFIX):
            with self._lock:
                return self._admin(method, path[len(const.ADMIN_PREFIX) :], query, body, raw)
        record = {
            "method": method,
            "path": path,
            "query": {k: v[0] if len(v) == 1 else v for k, v in query.items()},
            "json": body,
            "body": raw.decode("utf-8", "replace") if raw and body is None else None,
            "status": None,
            "fault": None,
            "time": fmt(self._now_ms()),
        }
        decision = self._decide(path)
        if decision.delay:
            time.sleep(decision.delay)
        if decision.status:
            record["fault"] = decision.kind
            answer = self._fault_answer(decision)
        else:
            with self._lock:
                try:
                    answer = self._route(method, path, query, headers, (body, body_error))
                except ApiError as exc:
                    answer = _api_error(exc)
            status, out_headers, payload = answer
            if decision.malformed and 200 <= status < 300 and out_headers["Content-Type"] == JSON:
                record["fault"] = "malformed_json"
                answer = (status, out_headers, payload[: max(1, len(payload) // 2)] + b'{"')
        record["status"] = answer[0]
        with self._lock:
            self._requests.append(record)
        return answer

    @staticmethod
    def _fault_answer(decision):
        status = decision.status
        codes = {429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR"}
        code = codes.get(status, "SERVICE_UNAVAILABLE" if status == 503 else "SANDBOX_FAULT")
        headers = {}
        if decision.retry_after is not None:
            headers["Retry-After"] = str(decision.retry_after)
        payload = {"errors": [{"errorCode": code, "message": f"Sandbox fault: HTTP {status}"}]}
        return _json(status, payload, headers)

    def _route(self, method, path, query, headers, parsed):
        body, body_error = parsed
        if path == const.TOKEN_PATH:
            return self._token(method, query, headers)
        if not path.startswith(const.API_PREFIX + "/"):
            raise ApiError(404, const.E_NOT_FOUND, f"No such path {path}")
        denied = self._check_bearer(path, headers)
        if denied:
            return denied
        if body_error is not None:
            raise bad_request(f"Malformed JSON body: {body_error}")
        sub = path[len(const.API_PREFIX) :]
        routes = (
            ("/v3/shipments/filter", ("GET", "POST"), self._api_search),
            ("/v3/shipments/labels", ("POST",), self._api_generate_labels),
            ("/v3/shipments/dispatch", ("POST",), self._api_dispatch),
            ("/v3/shipments/cancel", ("POST",), self._api_cancel),
            ("/v3/shipments", ("GET",), self._api_shipments_by_ids),
            (_LABELS_RE, ("GET",), self._api_download_labels),
            (_DETAILS_RE, ("GET",), self._api_details),
            ("/listings/v3/update/inventory", ("POST",), self._api_inventory),
            (_LISTINGS_RE, ("GET",), self._api_listings),
        )
        for pattern, methods, handler in routes:
            if isinstance(pattern, str):
                match = sub == pattern
                args = ()
            else:
                found = pattern.fullmatch(sub)
                match = found is not None
                args = found.groups() if found else ()
            if match:
                if method not in methods:
                    raise ApiError(405, const.E_METHOD_NOT_ALLOWED, f"{method} not allowed here")
                return handler(method, query, body, *args)
        raise ApiError(404, const.E_NOT_FOUND, f"No such path {path}")

    # ---- OAuth
    def _token(self, method, query, headers):
        if method != "GET":
            return _json(
                405,
                {
                    "error": "method_not_allowed",
                    "error_description": "Use GET with query parameters",
                },
            )
        client = None
        auth = headers.get("Authorization") or ""
        if auth[:6].lower() == "basic ":
            try:
                client = base64.b64decode(auth[6:].strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                client = None
        if client != f"{self.client_id}:{self.client_secret}":
            return _json(
                401,
                {"error": "unauthorized", "error_description": "Bad credentials"},
                {"WWW-Authenticate": 'Basic realm="oauth2/client"'},
            )
        grant = (query.get("grant_type") or [None])[0]
        if grant != "client_credentials":
            return _json(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": f"Unsupported grant type: {grant}",
                },
            )
        scope = (query.get("scope") or [None])[0]
        if scope != const.SCOPE:
            return _json(
                400, {"error": "invalid_scope", "error_description": f"Invalid scope: {scope}"}
            )
        token = self.issue_token()
        return _json(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": int(self.token_ttl),
                "scope": const.SCOPE,
            },
        )

    def _check_bearer(self, path, headers):
        auth = headers.get("Authorization") or ""
        if auth[:7].lower() != "bearer ":
            return self._unauthorized(
                "unauthorized", "Full authentication is required to access this resource"
            )
        token = auth[7:].strip()
        info = self._tokens.get(token)
        if info is None:
            return self._unauthorized("invalid_token", f"Invalid access token: {token[:8]}...")
        if self._now_ms() >= info["expires"]:
            return self._unauthorized("invalid_token", "Access token expired")
        limit = self.faults.revoke_token_after
        if limit is not None and self.faults.applies(path):
            info["uses"] += 1
            if info["uses"] > limit:
                del self._tokens[token]
                return self._unauthorized("invalid_token", "Access token revoked")
        return None

    @staticmethod
    def _unauthorized(error, description):
        payload = {
            "error": error,
            "error_description": description,
            "errors": [{"errorCode": const.E_UNAUTHORIZED, "message": description}],
        }
        return _json(401, payload, {"WWW-Authenticate": f'Bearer error="{error}"'})

    # ---- shipments
    def _api_search(self, method, query, body):
        store = self.store
        if method == "GET":
            token = (query.get("next_token") or [None])[0]
            if not token:
                raise bad_request("next_token is required")
            q, pos = store.decode_token(token)
        else:
            q, pos = store.parse_search(body), None
        shipments, next_pos = store.search(
            q, pos, repeat_last=self.faults.repeat_items_across_pages
        )
        next_url = None
        if next_pos is not None:
            next_url = "/v3/shipments/filter?next_token=" + store.encode_token(q, next_pos)
        return _json(
            200, {"hasMore": next_pos is not None, "nextPageUrl": next_url, "shipments": shipments}
        )

    def _api_shipments_by_ids(self, method, query, body):
        kinds = [k for k in ("shipmentIds", "orderIds", "orderItemIds") if query.get(k)]
        if len(kinds) != 1:
            raise bad_request("Give exactly one of shipmentIds, orderIds, orderItemIds")
        kind = kinds[0]
        ids = _split_ids(",".join(query[kind]), kind)
        store = self.store
        seen, result = set(), []

        def add(ship):
            if ship is not None and ship["shipmentId"] not in seen:
                seen.add(ship["shipmentId"])
                result.append(store.render_shipment(ship))

        for ident in ids:
            if kind == "shipmentIds":
                add(store.find_shipment(ident))
            elif kind == "orderItemIds":
                add(store.find_item_shipment(ident))
            else:
                order = store.find_order(ident)
                for ship in order["shipments"] if order else ():
                    add(ship)
        return _json(200, {"shipments": result})

    def _api_details(self, method, query, body, raw_ids):
        store = self.store
        shipments = []
        for sid in _split_ids(raw_ids):
            ship = store.find_shipment(sid)
            if ship is not None:
                shipments.append(store.render_details(ship))
        return _json(200, {"shipments": shipments})

    @staticmethod
    def _batch(body, key, what):
        if not isinstance(body, dict) or not isinstance(body.get(key), list):
            raise bad_request(f"{key} must be a list of {what}")
        entries = body[key]
        if not 1 <= len(entries) <= const.MAX_SHIPMENTS_PER_ACTION:
            raise bad_request(
                f"{key}: between 1 and {const.MAX_SHIPMENTS_PER_ACTION} {what} per request"
            )
        return entries

    def _api_generate_labels(self, method, query, body):
        entries = self._batch(body, "shipments", "shipments")
        return _json(200, {"shipments": [self.store.request_label(e) for e in entries]})

    def _api_download_labels(self, method, query, body, raw_ids):
        pages = self.store.label_pages(_split_ids(raw_ids))
        return 200, {"Content-Type": "application/pdf"}, build_pdf(pages)

    def _api_dispatch(self, method, query, body):
        ids = self._batch(body, "shipmentIds", "shipment ids")
        location = body.get("locationId")
        return _json(200, {"shipments": [self.store.dispatch(sid, location) for sid in ids]})

    def _api_cancel(self, method, query, body):
        entries = self._batch(body, "shipments", "shipments")
        return _json(200, {"shipments": [self.store.seller_cancel(e) for e in entries]})

    # ---- listings
    def _api_inventory(self, method, query, body):
        return _json(200, self.store.update_inventory(body))

    def _api_listings(self, method, query, body, raw_skus):
        skus = [s.strip() for s in unquote(raw_skus).split(",") if s.strip()]
        if not skus or len(skus) > const.MAX_SKUS_PER_LISTING_LOOKUP:
            raise bad_request(f"Give 1 to {const.MAX_SKUS_PER_LISTING_LOOKUP} SKU ids")
        available, unavailable = {}, []
        for sku in skus:
            listing = self.store.listings.get(sku)
            if listing is None:
                unavailable.append(sku)
            else:
                available[sku] = self.store.render_listing(listing)
        return _json(200, {"available": available, "unavailable": unavailable, "invalid": []})

    # ------------------------------------------------------------------ admin endpoints
    def _admin(self, method, path, query, body, raw):
        body = body if isinstance(body, dict) else {}
        try:
            return self._admin_route(method, path, body)
        except KeyError as exc:
            return _json(404, {"errors": [{"errorCode": const.E_NOT_FOUND, "message": str(exc)}]})
        except (ValueError, TypeError) as exc:
            return _json(
                400, {"errors": [{"errorCode": const.E_INVALID_REQUEST, "message": str(exc)}]}
            )

    def _admin_route(self, method, path, body):
        if path == "/info" and method == "GET":
            return _json(200, self.info())
        if path == "/requests":
            if method == "GET":
                return _json(200, {"requests": self.requests})
            if method in ("DELETE", "POST"):
                self.clear_requests()
                return _json(200, {"ok": True})
        if path == "/faults":
            if method == "POST":
                self.set_faults(**body)
                return _json(200, {"faults": dataclasses.asdict(self.faults)})
            if method == "DELETE":
                self.clear_faults()
                return _json(200, {"ok": True})
            if method == "GET":
                return _json(200, {"faults": dataclasses.asdict(self.faults)})
        if path == "/faults/next" and method == "POST":
            self.fail_next(**body)
            return _json(200, {"ok": True})
        if path == "/reset" and method == "POST":
            self.reset(**body)
            return _json(200, self.info())
        if path == "/orders" and method == "POST":
            return _json(200, self.add_order(**body))
        if path == "/labels/ready" and method == "POST":
            return _json(200, {"shipmentIds": self.make_labels_ready()})
        if path == "/clock" and method == "POST":
            self.advance_clock(float(body.get("advance", 0)))
            return _json(200, {"now": fmt(self._now_ms())})
        if path == "/tokens/expire" and method == "POST":
            self.expire_tokens()
            return _json(200, {"ok": True})
        if path == "/inventory" and method == "GET":
            return _json(200, {"inventory": self.inventory, "locations": self.inventory_locations})
        match = _ADMIN_SHIPMENT_RE.fullmatch(path)
        if match:
            sid, action = unquote(match.group(1)), match.group(2)
            if action is None and method == "GET":
                if self.shipment(sid) is None:
                    raise KeyError(f"unknown shipment {sid}")
                return _json(
                    200, {"shipment": self.shipment(sid), "details": self.shipment_details(sid)}
                )
            if action == "state" and method == "POST":
                fields = dict(body)
                state = fields.pop("state", None)
                if fields.pop("force", False):
                    return _json(200, self.set_state(sid, state, **fields))
                return _json(200, self.advance(sid, state))
            if action == "cancel" and method == "POST":
                return _json(
                    200,
                    self.cancel(
                        sid,
                        body.get("type", const.BUYER_CANCELLATION),
                        body.get("reason"),
                        body.get("subReason"),
                    ),
                )
            if action == "hold" and method == "POST":
                return _json(200, self.set_hold(sid, body.get("hold", True)))
        return _json(
            404, {"errors": [{"errorCode": const.E_NOT_FOUND, "message": f"No admin path {path}"}]}
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FlipkartSandbox/1.0"
    timeout = 10  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid 40 ms stalls

    def _serve(self):
        sandbox = self.server.sandbox
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            status, headers, payload = sandbox._handle(self.command, self.path, self.headers, raw)
        except Exception as exc:  # noqa: BLE001 - a simulator bug must still answer
            status, headers, payload = _json(
                500, {"errors": [{"errorCode": "SANDBOX_BUG", "message": repr(exc)}]}
            )
            traceback.print_exc()
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout fault)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        if self.server.sandbox.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))
