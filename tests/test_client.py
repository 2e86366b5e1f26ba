"""Unit tests of the pure-Python Flipkart client (``flipkart_api``), HTTP mocked by ``responses``.

Plain pytest functions: no database, no Odoo test case.
"""

import base64
import json
import logging
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from ..flipkart_api import (
    AuthenticationError,
    FlipkartClient,
    FlipkartError,
    InvalidResponseError,
    MemoryTokenStore,
    RateLimitedError,
    RequestRejectedError,
    ServiceUnavailableError,
    TokenStore,
    UnknownOutcomeError,
)

HOST = "https://api.flipkart.net"
API = f"{HOST}/sellers"
TOKEN_URL = f"{HOST}/oauth-service/oauth/token"
FILTER_URL = f"{API}/v3/shipments/filter"
DISPATCH_URL = f"{API}/v3/shipments/dispatch"
INVENTORY_URL = f"{API}/listings/v3/update/inventory"
CLIENT_ID = "app-id-4711"
SECRET = "app-secret-Xy9-very-confidential"
BASIC = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make_client(sleeps):
    def make(**kwargs):
        kwargs.setdefault("sleep", sleeps.append)
        return FlipkartClient(CLIENT_ID, SECRET, kwargs.pop("base_url", HOST), **kwargs)

    return make


def add_token(rsps, token="token-one", expires_in=3600, url=TOKEN_URL):
    return rsps.get(
        url,
        json={
            "access_token": token,
            "token_type": "bearer",
            "expires_in": expires_in,
            "scope": "Seller_Api",
        },
    )


def page(shipments, next_url=None):
    return {
        "hasMore": bool(next_url),
        "nextPageUrl": next_url,
        "shipments": [{"shipmentId": sid} for sid in shipments],
    }


def calls_to(rsps, url_prefix):
    return [call for call in rsps.calls if call.request.url.startswith(url_prefix)]


def bearer(call):
    return call.request.headers.get("Authorization")


# ------------------------------------------------------------------------------ token


def test_token_fetch_is_get_with_basic_auth_and_query(rsps, make_client):
    add_token(rsps, expires_in=3330779)
    store = MemoryTokenStore()
    client = make_client(token_store=store)

    assert client.get_token() == "token-one"

    (call,) = rsps.calls
    assert call.request.method == "GET"
    parts = urlsplit(call.request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == TOKEN_URL
    assert parse_qs(parts.query) == {"grant_type": ["client_credentials"], "scope": ["Seller_Api"]}
    assert call.request.headers["Authorization"] == f"Basic {BASIC}"
    assert call.request.body is None
    # saved as a naive UTC datetime, expires_in seconds from now
    assert store.access_token == "token-one"
    assert store.expires_at.tzinfo is None
    expected = _utcnow() + timedelta(seconds=3330779)
    assert abs((store.expires_at - expected).total_seconds()) < 5


def test_token_reused_for_several_calls(rsps, make_client):
    add_token(rsps)
    rsps.post(FILTER_URL, json=page(["S1"]))
    client = make_client()

    for _ in range(3):
        client.search_shipments({"type": "preDispatch", "states": ["APPROVED"]})

    assert len(calls_to(rsps, TOKEN_URL)) == 1
    api_calls = calls_to(rsps, FILTER_URL)
    assert len(api_calls) == 3
    assert all(bearer(call) == "Bearer token-one" for call in api_calls)


def test_stored_token_used_and_renewed_near_expiry(rsps, make_client):
    add_token(rsps, token="token-new")
    rsps.post(FILTER_URL, json=page([]))

    valid = MemoryTokenStore("token-stored", _utcnow() + timedelta(hours=1))
    make_client(token_store=valid).search_shipments({"type": "preDispatch"})
    assert not calls_to(rsps, TOKEN_URL)
    assert bearer(rsps.calls[-1]) == "Bearer token-stored"

    # expires in 100 s, within the 300 s margin: renewed before use
    near_expiry = MemoryTokenStore("token-stored", _utcnow() + timedelta(seconds=100))
    make_client(token_store=near_expiry).search_shipments({"type": "preDispatch"})
    assert len(calls_to(rsps, TOKEN_URL)) == 1
    assert bearer(rsps.calls[-1]) == "Bearer token-new"
    assert near_expiry.access_token == "token-new"
    assert near_expiry.expires_at > _utcnow() + timedelta(minutes=59)


def test_401_renews_token_once_then_succeeds(rsps, make_client):
    add_token(rsps, token="token-one")
    add_token(rsps, token="token-two")
    rsps.post(DISPATCH_URL, status=401, json={"error": "invalid_token"})
    rsps.post(DISPATCH_URL, json={"shipments": [{"shipmentId": "S1", "status": "SUCCESS"}]})
    client = make_client()

    assert client.dispatch(["S1"], "LOC1") == [{"shipmentId": "S1", "status": "SUCCESS"}]

    assert len(calls_to(rsps, TOKEN_URL)) == 2
    first, second = calls_to(rsps, DISPATCH_URL)
    assert bearer(first) == "Bearer token-one"
    assert bearer(second) == "Bearer token-two"
    assert client.token_store.load()[0] == "token-two"


def test_two_401_raise_authentication_error(rsps, make_client):
    add_token(rsps, token="token-one")
    add_token(rsps, token="token-two")
    rsps.post(FILTER_URL, status=401, json={"error": "invalid_token"})

    with pytest.raises(AuthenticationError):
        make_client().search_shipments({"type": "preDispatch"})

    assert len(calls_to(rsps, TOKEN_URL)) == 2
    assert len(calls_to(rsps, FILTER_URL)) == 2


def test_401_uses_token_renewed_by_another_process(rsps, make_client):
    class SharedStore(TokenStore):
        """The first load gives the old token; then another worker has saved a new one."""

        def __init__(self):
            self.loads = [("token-old", _utcnow() + timedelta(hours=1))]
            self.current = ("token-other-worker", _utcnow() + timedelta(hours=1))

        def load(self):
            return self.loads.pop() if self.loads else self.current

        def save(self, access_token, expires_at):
            self.current = (access_token, expires_at)

    rsps.post(FILTER_URL, status=401)
    rsps.post(FILTER_URL, json=page([]))

    make_client(token_store=SharedStore()).search_shipments({"type": "preDispatch"})

    assert not calls_to(rsps, TOKEN_URL)
    assert [bearer(c) for c in rsps.calls] == ["Bearer token-old", "Bearer token-other-worker"]


def test_bad_credentials_raise_authentication_error(rsps, make_client):
    rsps.get(
        TOKEN_URL,
        status=401,
        json={"error": "unauthorized", "error_description": "Bad credentials"},
    )

    with pytest.raises(AuthenticationError, match="Bad credentials"):
        make_client().check_connection()
    assert len(rsps.calls) == 1  # a 401 on the token call is not retried


def test_token_answer_without_access_token(rsps, make_client):
    rsps.get(TOKEN_URL, json={"token_type": "bearer", "expires_in": 10})
    with pytest.raises(InvalidResponseError):
        make_client().get_token()


# ------------------------------------------------------------------------------ retries


def test_429_retry_after_is_honoured_then_success(rsps, make_client, sleeps):
    add_token(rsps)
    rsps.post(FILTER_URL, status=429, headers={"Retry-After": "7"}, json={"error": "throttled"})
    rsps.post(FILTER_URL, json=page(["S1"]))

    result = make_client().search_shipments({"type": "preDispatch"})

    assert result == [{"shipmentId": "S1"}]
    assert sleeps == [7.0]
    assert len(calls_to(rsps, FILTER_URL)) == 2


def test_429_retry_after_is_capped_and_exhaustion_raises_rate_limited(rsps, make_client, sleeps):
    add_token(rsps)
    rsps.post(FILTER_URL, status=429, headers={"Retry-After": "1000"})

    with pytest.raises(RateLimitedError) as info:
        make_client(max_retries=2, backoff_max=20).search_shipments({"type": "preDispatch"})

    assert info.value.retry_after == 1000
    assert "1000" in str(info.value)
    assert sleeps == [20.0, 20.0]
    assert len(calls_to(rsps, FILTER_URL)) == 3


def test_5xx_on_read_bounded_with_growing_backoff(rsps, make_client, sleeps):
    add_token(rsps)
    rsps.get(f"{API}/v3/shipments/S1", status=503, body="Service Unavailable")

    with pytest.raises(ServiceUnavailableError) as info:
        make_client(max_retries=3, backoff_base=0.5).get_shipment_details(["S1"])

    assert info.value.status_code == 503
    assert len(calls_to(rsps, f"{API}/v3/shipments/S1")) == 4  # max_retries + 1
    assert len(sleeps) == 3
    # equal jitter: attempt n waits between half and all of base * 2**n
    for attempt, delay in enumerate(sleeps):
        assert 0.5 * 2**attempt / 2 <= delay <= 0.5 * 2**attempt
    assert sleeps[0] < sleeps[1] < sleeps[2]


def test_backoff_never_exceeds_backoff_max(rsps, make_client, sleeps):
    add_token(rsps)
    rsps.get(f"{API}/v3/shipments/S1", status=500)

    with pytest.raises(ServiceUnavailableError):
        make_client(max_retries=6, backoff_base=1, backoff_max=4).get_shipment_details(["S1"])

    assert len(sleeps) == 6
    assert all(delay <= 4 for delay in sleeps)


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectionError("connection reset"),
    ],
)
def test_read_retried_after_transport_failure(rsps, make_client, sleeps, failure):
    add_token(rsps)
    rsps.post(FILTER_URL, body=failure)
    rsps.post(FILTER_URL, status=499)
    rsps.post(FILTER_URL, json=page(["S1"]))

    assert make_client().search_shipments({"type": "preDispatch"}) == [{"shipmentId": "S1"}]
    assert len(calls_to(rsps, FILTER_URL)) == 3
    assert len(sleeps) == 2


def test_read_timeouts_exhausted_raise_service_unavailable(rsps, make_client):
    add_token(rsps)
    rsps.post(FILTER_URL, body=requests.exceptions.ReadTimeout("read timed out"))

    with pytest.raises(ServiceUnavailableError, match="timed out"):
        make_client(max_retries=1).search_shipments({"type": "preDispatch"})
    assert len(calls_to(rsps, FILTER_URL)) == 2


def test_dispatch_not_retried_after_read_timeout(rsps, make_client, sleeps):
    add_token(rsps)
    rsps.post(DISPATCH_URL, body=requests.exceptions.ReadTimeout("read timed out"))

    with pytest.raises(UnknownOutcomeError, match="may or may not"):
        make_client().dispatch(["S1"], "LOC1")

    assert len(calls_to(rsps, DISPATCH_URL)) == 1
    assert sleeps == []


@pytest.mark.parametrize("status", [500, 499, 503])
def test_dispatch_not_retried_after_5xx(rsps, make_client, sleeps, status):
    add_token(rsps)
    rsps.post(DISPATCH_URL, status=status, json={"code": "INTERNAL", "message": "oops"})

    with pytest.raises(UnknownOutcomeError, match=str(status)):
        make_client().dispatch(["S1"], "LOC1")

    assert len(calls_to(rsps, DISPATCH_URL)) == 1
    assert sleeps == []


def test_dispatch_not_retried_after_dropped_connection(rsps, make_client):
    add_token(rsps)
    aborted = requests.exceptions.ConnectionError(
        ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
    )
    rsps.post(DISPATCH_URL, body=aborted)

    with pytest.raises(UnknownOutcomeError):
        make_client().dispatch(["S1"], "LOC1")
    assert len(calls_to(rsps, DISPATCH_URL)) == 1


def test_dispatch_retried_after_429(rsps, make_client, sleeps):
    add_token(rsps)
    rsps.post(DISPATCH_URL, status=429, headers={"Retry-After": "2"})
    rsps.post(DISPATCH_URL, json={"shipments": [{"shipmentId": "S1", "status": "SUCCESS"}]})

    result = make_client().dispatch(["S1"], "LOC1")

    assert result == [{"shipmentId": "S1", "status": "SUCCESS"}]
    assert len(calls_to(rsps, DISPATCH_URL)) == 2
    assert sleeps == [2.0]


def test_dispatch_retried_after_connection_refused(rsps, make_client, sleeps):
    add_token(rsps)
    refused = requests.exceptions.ConnectionError(
        MaxRetryError(
            None,
            DISPATCH_URL,
            NewConnectionError(None, "Failed to establish a new connection: Connection refused"),
        )
    )
    rsps.post(DISPATCH_URL, body=refused)
    rsps.post(DISPATCH_URL, body=requests.exceptions.ConnectTimeout("connect timed out"))
    rsps.post(DISPATCH_URL, json={"shipments": [{"shipmentId": "S1", "status": "SUCCESS"}]})

    assert make_client().dispatch(["S1"], "LOC1")[0]["status"] == "SUCCESS"
    assert len(calls_to(rsps, DISPATCH_URL)) == 3
    assert len(sleeps) == 2


def test_write_not_retried_on_other_4xx(rsps, make_client):
    add_token(rsps)
    rsps.post(
        DISPATCH_URL,
        status=400,
        json={"errors": [{"errorCode": "INVALID_SHIPMENTS", "message": "not packed"}]},
    )

    with pytest.raises(RequestRejectedError) as info:
        make_client().dispatch(["S1"], "LOC1")
    assert info.value.code == "INVALID_SHIPMENTS"
    assert len(calls_to(rsps, DISPATCH_URL)) == 1


def test_timeouts_are_passed_on_every_call(rsps, sleeps):
    class RecordingSession(requests.Session):
        def __init__(self):
            super().__init__()
            self.sent = []

        def request(self, method, url, *args, **kwargs):
            self.sent.append((method, urlsplit(url).path, kwargs.get("timeout")))
            return super().request(method, url, *args, **kwargs)

    add_token(rsps)
    rsps.post(FILTER_URL, json=page([]))
    rsps.get(f"{API}/listings/v3/SKU1", json={"available": {}})
    rsps.post(INVENTORY_URL, json={"SKU1": {"status": "SUCCESS", "errors": []}})
    session = RecordingSession()
    client = FlipkartClient(
        CLIENT_ID, SECRET, HOST, session=session, sleep=sleeps.append, timeouts={"orders": 42}
    )

    client.search_shipments({"type": "preDispatch"})
    client.get_listings(["SKU1"])
    client.update_inventory({"SKU1": {"product_id": "FSN1", "locations": []}})

    assert session.sent == [
        ("GET", "/oauth-service/oauth/token", 30.0),
        ("POST", "/sellers/v3/shipments/filter", 42),
        ("GET", "/sellers/listings/v3/SKU1", 10.0),
        ("POST", "/sellers/listings/v3/update/inventory", 10.0),
    ]
    # and what reached the transport adapter
    assert [call.request.req_kwargs["timeout"] for call in rsps.calls] == [30.0, 42, 10.0, 10.0]


def test_default_timeouts(make_client):
    client = make_client()
    assert client.timeouts == {"listings": 10.0, "orders": 60.0, "token": 30.0}
    with pytest.raises(ValueError):
        make_client(timeouts={"order": 5})


# ------------------------------------------------------------------------------ endpoints


def test_pagination_follows_next_page_urls(rsps, make_client):
    add_token(rsps)
    rsps.post(FILTER_URL, json=page(["S1", "S2"], "/v3/shipments/filter?next_token=p2"))
    rsps.get(f"{FILTER_URL}?next_token=p2", json=page(["S3"], f"{FILTER_URL}?next_token=p3"))
    rsps.get(
        f"{FILTER_URL}?next_token=p3",
        json=page(["S4"], "/sellers/v3/shipments/filter?next_token=p4"),
    )
    rsps.get(f"{FILTER_URL}?next_token=p4", json=page(["S5"]))
    client = make_client()
    shipment_filter = {"type": "preDispatch", "states": ["APPROVED", "PACKED"]}
    sort = {"field": "orderDate", "order": "asc"}

    pages = list(client.iter_shipment_pages(shipment_filter, page_size=2, sort=sort))

    assert [[s["shipmentId"] for s in p] for p in pages] == [["S1", "S2"], ["S3"], ["S4"], ["S5"]]
    first = calls_to(rsps, FILTER_URL)[0]
    assert first.request.method == "POST"
    assert json.loads(first.request.body) == {
        "filter": shipment_filter,
        "pagination": {"pageSize": 2},
        "sort": sort,
    }
    followups = calls_to(rsps, FILTER_URL)[1:]
    assert [c.request.method for c in followups] == ["GET", "GET", "GET"]
    assert [urlsplit(c.request.url).query for c in followups] == [
        "next_token=p2",
        "next_token=p3",
        "next_token=p4",
    ]
    assert all(bearer(c) == "Bearer token-one" for c in followups)
    # search_shipments flattens the same pages
    assert [s["shipmentId"] for s in client.search_shipments(shipment_filter)] == [
        "S1",
        "S2",
        "S3",
        "S4",
        "S5",
    ]


def test_pagination_refuses_next_page_on_another_host(rsps, make_client):
    add_token(rsps)
    rsps.post(FILTER_URL, json=page(["S1"], "https://evil.example.com/v3/shipments/filter?n=2"))

    pages = make_client().iter_shipment_pages({"type": "preDispatch"})
    assert next(pages) == [{"shipmentId": "S1"}]
    with pytest.raises(InvalidResponseError, match="another host"):
        next(pages)


def test_shipment_details_chunked_by_25(rsps, make_client):
    add_token(rsps)
    requested = []

    def details(request):
        ids = urlsplit(request.url).path.rsplit("/", 1)[1].split(",")
        requested.append(ids)
        return 200, {}, json.dumps({"shipments": [{"shipmentId": sid} for sid in ids]})

    rsps.add_callback(responses.GET, re.compile(rf"{API}/v3/shipments/.+"), callback=details)
    ids = [f"S{n:03d}" for n in range(60)]

    result = make_client().get_shipment_details(ids)

    assert [len(chunk) for chunk in requested] == [25, 25, 10]
    assert [s["shipmentId"] for s in result] == ids


def test_get_shipments_by_one_kind_of_id(rsps, make_client):
    add_token(rsps)
    rsps.get(
        f"{API}/v3/shipments?orderIds=OD1,OD2",
        json={"shipments": [{"shipmentId": "S1"}, {"shipmentId": "S2"}]},
    )
    client = make_client()

    assert len(client.get_shipments(order_ids=["OD1", "OD2"])) == 2
    with pytest.raises(ValueError):
        client.get_shipments(shipment_ids=["S1"], order_ids=["OD1"])
    with pytest.raises(ValueError):
        client.get_shipments()


def test_generate_labels_chunked_by_25(rsps, make_client):
    add_token(rsps)
    sizes = []

    def labels(request):
        shipments = json.loads(request.body)["shipments"]
        sizes.append(len(shipments))
        body = {
            "shipments": [{"shipmentId": s["shipmentId"], "status": "SUCCESS"} for s in shipments]
        }
        return 200, {}, json.dumps(body)

    rsps.add_callback(responses.POST, f"{API}/v3/shipments/labels", callback=labels)
    shipments = [{"shipmentId": f"S{n}", "locationId": "LOC1"} for n in range(30)]

    result = make_client().generate_labels(shipments)

    assert sizes == [25, 5]
    assert len(result) == 30


def test_cancel_posts_shipments(rsps, make_client):
    add_token(rsps)
    rsps.post(
        f"{API}/v3/shipments/cancel",
        json={"shipments": [{"shipmentId": "S1", "status": "SUCCESS"}]},
    )
    shipments = [{"shipmentId": "S1", "locationId": "L", "reason": "not_enough_inventory"}]

    assert make_client().cancel(shipments) == [{"shipmentId": "S1", "status": "SUCCESS"}]
    assert json.loads(rsps.calls[-1].request.body) == {"shipments": shipments}


def test_download_labels(rsps, make_client):
    add_token(rsps)
    url = f"{API}/v3/shipments/S1,S2/labels"
    rsps.get(url, body=PDF, content_type="application/pdf")
    client = make_client()

    assert client.download_labels(["S1", "S2"]) == PDF
    assert rsps.calls[-1].request.headers["Accept"] == "application/pdf"

    with pytest.raises(ValueError):
        client.download_labels([f"S{n}" for n in range(101)])


@pytest.mark.parametrize("status", [200, 400])
def test_download_labels_not_ready(rsps, make_client, status):
    add_token(rsps)
    rsps.get(
        f"{API}/v3/shipments/S1/labels",
        status=status,
        json={"errors": [{"errorCode": "OPERATION_NOT_ALLOWED", "message": "label not ready"}]},
    )

    with pytest.raises(RequestRejectedError) as info:
        make_client().download_labels(["S1"])
    assert info.value.code == "OPERATION_NOT_ALLOWED"
    assert "label not ready" in str(info.value)


def test_download_labels_not_a_pdf(rsps, make_client):
    add_token(rsps)
    rsps.get(f"{API}/v3/shipments/S1/labels", body=b"<html>oops</html>", content_type="text/html")

    with pytest.raises(InvalidResponseError, match="not a PDF"):
        make_client().download_labels(["S1"])


def test_inventory_chunked_by_10_and_merged(rsps, make_client):
    add_token(rsps)
    bodies = []

    def inventory(request):
        body = json.loads(request.body)
        bodies.append(body)
        answer = {
            sku: {"status": "WARNING" if sku == "SKU-07" else "SUCCESS", "errors": []}
            for sku in body
            if sku != "SKU-23"  # Flipkart forgets one
        }
        return 200, {}, json.dumps(answer)

    rsps.add_callback(responses.POST, INVENTORY_URL, callback=inventory)
    items = {
        f"SKU-{n:02d}": {"product_id": f"FSN{n}", "locations": [{"id": "LOC1", "inventory": n}]}
        for n in range(25)
    }

    result = make_client().update_inventory(items)

    assert [len(body) for body in bodies] == [10, 10, 5]
    assert bodies[0]["SKU-03"] == items["SKU-03"]
    assert set(result) == set(items)
    assert result["SKU-00"] == {"status": "SUCCESS", "errors": []}
    assert result["SKU-07"]["status"] == "WARNING"
    assert result["SKU-23"]["status"] == "FAILURE"
    assert result["SKU-23"]["errors"][0]["code"] == "MISSING_IN_RESPONSE"


def test_inventory_failed_chunk_keeps_other_results(rsps, make_client):
    add_token(rsps)
    calls = []

    def inventory(request):
        body = json.loads(request.body)
        calls.append(body)
        if len(calls) == 2:
            return 400, {}, json.dumps({"code": "INVALID_REQUEST", "message": "bad location"})
        return 200, {}, json.dumps({sku: {"status": "SUCCESS", "errors": []} for sku in body})

    rsps.add_callback(responses.POST, INVENTORY_URL, callback=inventory)
    items = {f"SKU-{n:02d}": {"product_id": "F", "locations": []} for n in range(25)}

    result = make_client().update_inventory(items)

    assert len(calls) == 3
    assert [result[f"SKU-{n:02d}"]["status"] for n in range(25)] == (
        ["SUCCESS"] * 10 + ["FAILURE"] * 10 + ["SUCCESS"] * 5
    )
    error = result["SKU-15"]["errors"][0]
    assert error["code"] == "INVALID_REQUEST"
    assert "bad location" in error["description"]


def test_inventory_authentication_error_propagates(rsps, make_client):
    add_token(rsps)
    rsps.post(INVENTORY_URL, status=401)

    with pytest.raises(AuthenticationError):
        make_client().update_inventory({"SKU1": {"product_id": "F", "locations": []}})


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            400,
            {"error": "invalid_request", "error_description": "Bad filter"},
            ("invalid_request", "Bad filter"),
        ),
        (
            400,
            {"errors": [{"errorCode": "INVALID_SHIPMENTS", "message": "S1 unknown"}]},
            ("INVALID_SHIPMENTS", "S1 unknown"),
        ),
        (
            422,
            {
                "errors": [
                    {"code": "E1", "description": "first"},
                    {"code": "E2", "description": "2nd"},
                ]
            },
            ("E1", "first; 2nd"),
        ),
        (
            403,
            {"code": "FORBIDDEN", "message": "Not your shipment"},
            ("FORBIDDEN", "Not your shipment"),
        ),
        (404, "Shipment not found", (None, "Shipment not found")),
    ],
)
def test_error_bodies_map_to_request_rejected(rsps, make_client, status, body, expected):
    add_token(rsps)
    if isinstance(body, dict):
        rsps.get(f"{API}/v3/shipments/S1", status=status, json=body)
    else:
        rsps.get(f"{API}/v3/shipments/S1", status=status, body=body)

    with pytest.raises(RequestRejectedError) as info:
        make_client().get_shipment_details(["S1"])

    error = info.value
    assert (error.status_code, error.code, error.message) == (status, *expected)
    assert expected[1] in str(error)
    assert f"HTTP {status}" in str(error)
    assert isinstance(error, FlipkartError)
    assert len(calls_to(rsps, f"{API}/v3/shipments/S1")) == 1  # 4xx is never retried


def test_malformed_json_raises_invalid_response(rsps, make_client):
    add_token(rsps)
    rsps.post(FILTER_URL, body="<html>gateway</html>", content_type="text/html")
    rsps.get(f"{API}/v3/shipments/S1", json={"unexpected": True})
    rsps.get(f"{API}/listings/v3/SKU1", json=["not", "an", "object"])
    client = make_client()

    with pytest.raises(InvalidResponseError, match="not JSON"):
        client.search_shipments({"type": "preDispatch"})
    with pytest.raises(InvalidResponseError, match="'shipments'"):
        client.get_shipment_details(["S1"])
    with pytest.raises(InvalidResponseError):
        client.get_listings(["SKU1"])


def test_errors_have_readable_messages():
    assert (
        str(RateLimitedError(12)) == "Flipkart is rate limiting the requests; retry in 12 seconds."
    )
    assert RateLimitedError().retry_after is None
    rejected = RequestRejectedError(400, "INVALID_SHIPMENTS", "S1 is not packed")
    assert (
        str(rejected)
        == "Flipkart rejected the request (HTTP 400, INVALID_SHIPMENTS): S1 is not packed"
    )
    assert str(UnknownOutcomeError("check the shipment")) == "check the shipment"


# ------------------------------------------------------------------------------ transport security


@pytest.mark.parametrize(
    "url", ["http://api.flipkart.net", "http://10.0.0.5:8069", "http://flipkart.example.com"]
)
def test_plain_http_refused_off_loopback(url):
    with pytest.raises(ValueError, match="unencrypted"):
        FlipkartClient(CLIENT_ID, SECRET, url)


def test_plain_http_accepted_for_loopback(rsps, monkeypatch, sleeps):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    local = "http://127.0.0.1:8765"
    add_token(rsps, url=f"{local}/oauth-service/oauth/token")
    rsps.post(f"{local}/sellers/v3/shipments/filter", json=page(["S1"]))

    client = FlipkartClient(CLIENT_ID, SECRET, f"{local}/", sleep=sleeps.append)

    assert client.check_connection()["shipments"] == [{"shipmentId": "S1"}]
    body = json.loads(rsps.calls[-1].request.body)
    assert body == {
        "filter": {"type": "preDispatch", "states": ["APPROVED"]},
        "pagination": {"pageSize": 1},
    }
    FlipkartClient(CLIENT_ID, SECRET, "http://localhost:8069")
    FlipkartClient(CLIENT_ID, SECRET, "http://[::1]:8069")


def test_invalid_base_url_and_credentials():
    with pytest.raises(ValueError):
        FlipkartClient(CLIENT_ID, SECRET, "ftp://api.flipkart.net")
    with pytest.raises(ValueError):
        FlipkartClient(CLIENT_ID, "", HOST)


def test_secrets_and_tokens_never_logged(rsps, make_client, caplog):
    caplog.set_level(logging.DEBUG, logger=FlipkartClient.__module__)
    add_token(rsps, token="token-aaaa-1111")
    add_token(rsps, token="token-bbbb-2222")
    rsps.post(FILTER_URL, status=401, json={"error": "invalid_token"})
    rsps.post(FILTER_URL, json=page(["S1"]))
    client = make_client()

    client.search_shipments({"type": "preDispatch", "states": ["APPROVED"]})

    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert len(caplog.records) >= 8  # 2 token calls + 2 API calls, request and response each
    for secret in (SECRET, BASIC, "token-aaaa-1111", "token-bbbb-2222", "Bearer", "Basic "):
        assert secret not in logged
    assert "Authorization" not in logged
    assert "/sellers/v3/shipments/filter" in logged
    assert '"states": ["APPROVED"]' in logged  # request bodies are logged
    assert "/oauth-service/oauth/token" in logged
    # Nothing logged in a repr either
    assert SECRET not in repr(client)
