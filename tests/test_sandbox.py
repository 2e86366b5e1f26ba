"""Tests of the local Flipkart Seller API simulator (``flipkart_sandbox``).

Plain pytest (no database): ``python3 -m pytest -p no:odoo -q tests/test_sandbox.py`` from the
addon folder imported as the ``sale_flipkart`` package. Every call goes over real HTTP (loopback).
"""

import base64
import datetime as dt
import json
import re
import threading
import time
import tracemalloc

import pytest
import requests

from ..flipkart_sandbox import SandboxServer

TIMEOUT = 5
PRE = ["APPROVED", "PACKING_IN_PROGRESS", "PACKED", "FORM_FAILED", "READY_TO_DISPATCH"]
POST = ["SHIPPED", "DELIVERED", "PICKUP_COMPLETE"]
CONFIG = {"seed": 7, "orders": 300, "fbf_ratio": 0.2, "days": 5, "label_delay": 0}


def iso(when):
    """Flipkart filter format: 2026-01-01T00:00:00.000Z."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse(text):
    return dt.datetime.fromisoformat(text)


class Api:
    """Thin requests wrapper: base URL, bearer token, explicit timeouts."""

    def __init__(self, sb):
        self.sb = sb
        self.session = requests.Session()
        response = self.token()
        assert response.status_code == 200, response.text
        self.session.headers["Authorization"] = "Bearer " + response.json()["access_token"]

    def token(self, client_id=None, secret=None, **params):
        query = {"grant_type": "client_credentials", "scope": "Seller_Api"}
        query.update(params)
        return requests.get(
            self.sb.url + "/oauth-service/oauth/token",
            params=query,
            auth=(client_id or self.sb.client_id, secret or self.sb.client_secret),
            timeout=TIMEOUT,
        )

    def get(self, path, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.get(self.sb.url + "/sellers" + path, **kwargs)

    def post(self, path, payload, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.post(self.sb.url + "/sellers" + path, json=payload, **kwargs)

    def search(self, ftype="preDispatch", states=None, page_size=None, sort=None, **filters):
        body = {"filter": {"type": ftype, "states": states or PRE, **filters}}
        if page_size:
            body["pagination"] = {"pageSize": page_size}
        if sort:
            body["sort"] = sort
        return self.post("/v3/shipments/filter", body)

    def search_all(self, *args, max_pages=1000, **kwargs):
        """Every shipment of a search, following nextPageUrl; answers (shipments, pages)."""
        response = self.search(*args, **kwargs)
        shipments, pages = [], 0
        while True:
            assert response.status_code == 200, response.text
            page = response.json()
            pages += 1
            shipments += page["shipments"]
            if not page["hasMore"]:
                assert page["nextPageUrl"] is None
                return shipments, pages
            assert pages < max_pages
            assert page["nextPageUrl"].startswith("/v3/shipments/filter?next_token=")
            response = self.get(page["nextPageUrl"])

    def admin(self, method, path, payload=None):
        return requests.request(
            method, self.sb.url + "/_sandbox" + path, json=payload, timeout=TIMEOUT
        )


@pytest.fixture(scope="module")
def server():
    with SandboxServer(**CONFIG) as sb:
        yield sb


@pytest.fixture
def sb(server):
    server.reset(**CONFIG)
    return server


@pytest.fixture
def api(sb):
    return Api(sb)


def approved_fbs(api, count=1, **filters):
    shipments, _pages = api.search_all("preDispatch", ["APPROVED"], **filters)
    ready = [s for s in shipments if not s["hold"]]
    assert len(ready) >= count
    return ready[:count]


def check_pdf(blob):
    """Structural check of a PDF: header, xref offsets, stream lengths. Answers the page count."""
    assert blob.startswith(b"%PDF-1.")
    assert blob.rstrip().endswith(b"%%EOF")
    xref = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", blob).group(1))
    head = re.match(rb"xref\s+0 (\d+)\s+", blob[xref:])
    assert head, "no xref table at startxref"
    size = int(head.group(1))
    table = blob[xref + head.end() :]
    for num in range(1, size):
        entry = table[num * 20 : num * 20 + 20]
        offset = int(entry[:10])
        assert blob[offset:].startswith(f"{num} 0 obj".encode()), num
    for match in re.finditer(rb"<< /Length (\d+) >>\nstream\n", blob):
        end = match.end() + int(match.group(1))
        assert blob[end : end + 10] == b"\nendstream"
    assert b"/BaseFont /Helvetica" in blob
    return len(re.findall(rb"/Type /Page\b(?!s)", blob))


# =========================================================================== auth
def test_token_ok(sb, api):
    response = api.token()
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["scope"] == "Seller_Api"
    assert body["expires_in"] == 3600
    assert body["access_token"]


def test_token_bad_credentials(sb, api):
    response = api.token(secret="wrong")
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "error_description": "Bad credentials"}
    no_auth = requests.get(
        sb.url + "/oauth-service/oauth/token",
        params={"grant_type": "client_credentials", "scope": "Seller_Api"},
        timeout=TIMEOUT,
    )
    assert no_auth.status_code == 401


def test_token_wrong_grant_scope_method(sb, api):
    assert api.token(grant_type="password").status_code == 400
    assert api.token(scope="Other").json()["error"] == "invalid_scope"
    posted = requests.post(
        sb.url + "/oauth-service/oauth/token",
        params={"grant_type": "client_credentials", "scope": "Seller_Api"},
        auth=(sb.client_id, sb.client_secret),
        timeout=TIMEOUT,
    )
    assert posted.status_code == 405


def test_configurable_credentials(sb):
    sb.reset(client_id="my-app", client_secret="s3cret", token_ttl=120)
    api = Api(sb)
    assert api.token().json()["expires_in"] == 120
    assert api.token(client_id="sandbox-app", secret="sandbox-secret").status_code == 401


def test_api_requires_valid_token(sb, api):
    url = sb.url + "/sellers/v3/shipments/filter"
    body = {"filter": {"type": "preDispatch", "states": ["APPROVED"]}}
    missing = requests.post(url, json=body, timeout=TIMEOUT)
    assert missing.status_code == 401
    bogus = requests.post(url, json=body, headers={"Authorization": "Bearer nope"}, timeout=5)
    assert bogus.status_code == 401
    assert bogus.json()["error"] == "invalid_token"
    assert bogus.json()["errors"][0]["errorCode"] == "UNAUTHORIZED"
    assert api.search(states=["APPROVED"]).status_code == 200


def test_token_expires(sb):
    sb.reset(token_ttl=60)
    api = Api(sb)
    assert api.search(states=["APPROVED"]).status_code == 200
    sb.advance_clock(59)
    assert api.search(states=["APPROVED"]).status_code == 200
    sb.advance_clock(2)
    expired = api.search(states=["APPROVED"])
    assert expired.status_code == 401
    assert "expired" in expired.json()["error_description"]
    assert Api(sb).search(states=["APPROVED"]).status_code == 200  # a new token works


# =========================================================================== search contract
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "filter is required"),
        ({"filter": {"states": ["APPROVED"]}}, "filter.type"),
        ({"filter": {"type": "shipped", "states": ["APPROVED"]}}, "filter.type"),
        ({"filter": {"type": "preDispatch"}}, "filter.states"),
        ({"filter": {"type": "preDispatch", "states": []}}, "filter.states"),
        ({"filter": {"type": "preDispatch", "states": ["SHIPPED"]}}, "not valid"),
        ({"filter": {"type": "postDispatch", "states": ["APPROVED"]}}, "not valid"),
        ({"filter": {"type": "cancelled", "states": ["CANCELLED"]}}, "cancellationType"),
        (
            {
                "filter": {
                    "type": "cancelled",
                    "states": ["CANCELLED"],
                    "cancellationType": "courierCancellation",
                }
            },
            "cancellationType",
        ),
        (
            {"filter": {"type": "preDispatch", "states": ["APPROVED"], "serviceProfiles": ["X"]}},
            "serviceProfiles",
        ),
        (
            {
                "filter": {
                    "type": "preDispatch",
                    "states": ["APPROVED"],
                    "orderDate": {"from": "yesterday"},
                }
            },
            "orderDate",
        ),
        (
            {
                "filter": {"type": "preDispatch", "states": ["APPROVED"]},
                "pagination": {"pageSize": 21},
            },
            "pageSize",
        ),
        (
            {
                "filter": {"type": "preDispatch", "states": ["APPROVED"]},
                "sort": {"field": "price", "order": "asc"},
            },
            "sort.field",
        ),
    ],
)
def test_search_validation(api, body, fragment):
    response = api.post("/v3/shipments/filter", body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["errorCode"] == "INVALID_REQUEST"
    assert fragment in errors[0]["message"]


def test_search_shapes_and_price_rule(api):
    page = api.search(states=["APPROVED"]).json()
    assert set(page) == {"hasMore", "nextPageUrl", "shipments"}
    assert len(page["shipments"]) == 20
    for ship in page["shipments"]:
        for key in (
            "shipmentId",
            "dispatchByDate",
            "dispatchAfterDate",
            "updatedAt",
            "locationId",
            "hold",
            "mps",
            "packagingPolicy",
            "shipmentType",
            "subShipments",
            "orderItems",
        ):
            assert key in ship, key
        assert ship["subShipments"][0]["subShipmentId"]
        assert ship["subShipments"][0]["packages"] == []
        for item in ship["orderItems"]:
            assert item["status"] == "APPROVED"
            assert item["serviceProfile"] == "NON_FBF"
            assert item["paymentType"] in ("COD", "PREPAID")
            assert item["cancellationDate"] is None
            assert len(item["fsn"]) == 16
            assert re.fullmatch(r"\d{4,8}", item["hsn"])
            assert item["quantity"] >= 1
            assert item["is_replacement"] in (True, False)
            parse(item["orderDate"])
            prices = item["priceComponents"]
            assert prices["totalPrice"] == round(
                prices["sellingPrice"] + prices["shippingCharge"], 2
            )
            assert prices["customerPrice"] == prices["sellingPrice"]
            assert prices["flipkartDiscount"] >= 0
            for key in ("orderItemId", "orderId", "cancellationGroupId", "sku", "listingId"):
                assert item[key], key


def test_pagination_no_duplicates(api):
    shipments, pages = api.search_all("preDispatch", PRE)
    assert pages >= 3
    ids = [s["shipmentId"] for s in shipments]
    assert len(ids) == len(set(ids))
    small, small_pages = api.search_all("preDispatch", PRE, page_size=7)
    assert [s["shipmentId"] for s in small] == ids
    assert small_pages == -(-len(ids) // 7)
    dates = [parse(s["orderItems"][0]["orderDate"]) for s in shipments]
    assert dates == sorted(dates)  # ascending order date by default


def test_sort_desc(api):
    asc, _ = api.search_all("preDispatch", ["APPROVED"])
    desc, _ = api.search_all(
        "preDispatch", ["APPROVED"], sort={"field": "orderDate", "order": "desc"}
    )
    assert [s["shipmentId"] for s in desc] == [s["shipmentId"] for s in asc][::-1]
    dates = [parse(s["orderItems"][0]["orderDate"]) for s in desc]
    assert dates == sorted(dates, reverse=True)


def test_invalid_next_token(api):
    response = api.get("/v3/shipments/filter?next_token=garbage")
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorCode"] == "INVALID_REQUEST"


def test_filter_states_and_service_profiles(api):
    fbs_post, _ = api.search_all("postDispatch", POST)
    fbf_post, _ = api.search_all("postDispatch", POST, serviceProfiles=["FBF"])
    fbf_pre, _ = api.search_all("preDispatch", PRE, serviceProfiles=["FBF"])
    both, _ = api.search_all("postDispatch", POST, serviceProfiles=["FBF", "NON_FBF"])
    assert fbs_post and fbf_post
    assert fbf_pre == []  # FBF orders are shipped or delivered already
    assert {i["serviceProfile"] for s in fbf_post for i in s["orderItems"]} == {"FBF"}
    assert {i["serviceProfile"] for s in fbs_post for i in s["orderItems"]} == {"NON_FBF"}
    assert len(both) == len(fbs_post) + len(fbf_post)
    delivered, _ = api.search_all("postDispatch", ["DELIVERED"], serviceProfiles=["FBF"])
    assert delivered
    assert {i["status"] for s in delivered for i in s["orderItems"]} == {"DELIVERED"}
    assert {s["locationId"] for s in fbf_post}.isdisjoint({api.sb.location_id})


def test_filter_order_date_range(api):
    everything, _ = api.search_all("preDispatch", PRE)
    dates = sorted(parse(s["orderItems"][0]["orderDate"]) for s in everything)
    low, high = dates[len(dates) // 4], dates[len(dates) // 2]
    expected = [
        s["shipmentId"] for s in everything if low <= parse(s["orderItems"][0]["orderDate"]) <= high
    ]
    found, _ = api.search_all("preDispatch", PRE, orderDate={"from": iso(low), "to": iso(high)})
    assert [s["shipmentId"] for s in found] == expected
    assert 0 < len(expected) < len(everything)
    only_from, _ = api.search_all("preDispatch", PRE, orderDate={"from": iso(high)})
    assert all(parse(s["orderItems"][0]["orderDate"]) >= high for s in only_from)


def test_filter_modified_and_cancelled(sb, api):
    shipped_one, cancelled_one = approved_fbs(api, 2)
    since = sb.now()
    sb.advance(shipped_one["shipmentId"], "SHIPPED")
    sb.cancel_by_buyer(cancelled_one["shipmentId"])
    added = sb.add_order()
    window = {"from": iso(since)}
    pre, _ = api.search_all("preDispatch", PRE, modifiedDate=window)
    assert [s["shipmentId"] for s in pre] == added["shipmentIds"]
    post, _ = api.search_all("postDispatch", POST, modifiedDate=window)
    assert [s["shipmentId"] for s in post] == [shipped_one["shipmentId"]]
    assert parse(post[0]["updatedAt"]) >= since.replace(
        microsecond=since.microsecond // 1000 * 1000
    )
    assert post[0]["orderItems"][0]["status"] == "SHIPPED"
    cancelled, _ = api.search_all(
        "cancelled",
        ["CANCELLED"],
        cancellationType="buyerCancellation",
        cancellationDate=window,
    )
    assert [s["shipmentId"] for s in cancelled] == [cancelled_one["shipmentId"]]
    item = cancelled[0]["orderItems"][0]
    assert item["status"] == "CANCELLED"
    assert parse(item["cancellationDate"]) >= since - dt.timedelta(milliseconds=1)
    assert item["cancellationReason"]
    # the same changes are found by a full scan (range starting before the data)
    old = {"from": iso(sb.start_time - dt.timedelta(days=30))}
    post_all, _ = api.search_all("postDispatch", ["SHIPPED"], modifiedDate=old)
    assert shipped_one["shipmentId"] in {s["shipmentId"] for s in post_all}


@pytest.mark.parametrize(
    "ctype", ["buyerCancellation", "sellerCancellation", "marketplaceCancellation"]
)
def test_filter_cancellation_types(api, ctype):
    found, _ = api.search_all("cancelled", ["CANCELLED"], cancellationType=ctype)
    assert found, f"the generated data has {ctype}s"
    others = {"buyerCancellation", "sellerCancellation", "marketplaceCancellation"} - {ctype}
    other_ids = set()
    for other in others:
        shipments, _ = api.search_all("cancelled", ["CANCELLED"], cancellationType=other)
        other_ids |= {s["shipmentId"] for s in shipments}
    assert other_ids.isdisjoint(s["shipmentId"] for s in found)
    for ship in found:
        assert ship["orderItems"][0]["cancellationDate"]


def test_filter_sku_and_location(sb, api):
    first = approved_fbs(api)[0]
    sku = first["orderItems"][0]["sku"]
    found, _ = api.search_all("preDispatch", ["APPROVED"], sku=[sku])
    assert first["shipmentId"] in {s["shipmentId"] for s in found}
    assert all(sku in {i["sku"] for i in s["orderItems"]} for s in found)
    elsewhere, _ = api.search_all("preDispatch", ["APPROVED"], locationId="LOCNOWHERE")
    assert elsewhere == []


# =========================================================================== lookups
def test_details_and_addresses(sb, api):
    ships = approved_fbs(api, 3)
    ids = [s["shipmentId"] for s in ships]
    response = api.get("/v3/shipments/" + ",".join([*ids, "SHUNKNOWN"]))
    assert response.status_code == 200
    details = response.json()["shipments"]
    assert [d["shipmentId"] for d in details] == ids  # unknown ids are absent
    for detail in details:
        for key in ("orderId", "orderItems", "buyerDetails", "sellerAddress", "returnAddress"):
            assert detail[key], key
        for kind in ("deliveryAddress", "billingAddress"):
            address = detail[kind]
            for key in ("firstName", "lastName", "addressLine1", "city", "state", "stateCode"):
                assert address[key], key
            assert re.fullmatch(r"\d{6}", address["pinCode"])
            assert "addressLine2" in address and "landmark" in address
        assert detail["subShipments"][0]["courierDetails"]["pickupDetails"] is None
    too_many = api.get("/v3/shipments/" + ",".join(f"SH{i}" for i in range(101)))
    assert too_many.status_code == 400


def test_shipments_by_ids(sb, api):
    split = sb.add_order(items=[{}, {}], shipments=[[0], [1]])
    by_order = api.get("/v3/shipments", params={"orderIds": split["orderId"]}).json()
    assert [s["shipmentId"] for s in by_order["shipments"]] == split["shipmentIds"]
    by_item = api.get("/v3/shipments", params={"orderItemIds": split["orderItemIds"][1]}).json()
    assert [s["shipmentId"] for s in by_item["shipments"]] == split["shipmentIds"][1:]
    generated = approved_fbs(api, 2)
    ids = ",".join(s["shipmentId"] for s in generated)
    by_ship = api.get("/v3/shipments", params={"shipmentIds": ids + ",NOPE"}).json()
    assert by_ship["shipments"] == generated
    item_id = generated[0]["orderItems"][0]["orderItemId"]
    assert api.get("/v3/shipments", params={"orderItemIds": item_id}).json()["shipments"] == [
        generated[0]
    ]
    two_kinds = api.get("/v3/shipments", params={"orderIds": "x", "shipmentIds": "y"})
    assert two_kinds.status_code == 400
    assert api.get("/v3/shipments").status_code == 400
    many = ",".join(f"OD{i}" for i in range(101))
    assert api.get("/v3/shipments", params={"orderIds": many}).status_code == 400


# =========================================================================== labels, dispatch...
def label_entry(ship, location=None):
    return {
        "shipmentId": ship["shipmentId"],
        "locationId": location or ship["locationId"],
        "taxItems": [
            {"orderItemId": i["orderItemId"], "quantity": i["quantity"], "taxRate": 18.0}
            for i in ship["orderItems"]
        ],
        "invoices": [
            {
                "orderId": ship["orderItems"][0]["orderId"],
                "invoiceNumber": "INV-1",
                "invoiceDate": "2026-01-01",
            }
        ],
        "subShipments": [
            {
                "subShipmentId": ship["subShipments"][0]["subShipmentId"],
                "dimensions": {"length": 10, "breadth": 10, "height": 5, "weight": 0.5},
            }
        ],
    }


def test_label_lifecycle_with_delay(sb, api):
    sb.label_delay = 5
    order = sb.add_order(items=[{"quantity": 2}])
    ship = order["shipments"][0]
    sid = ship["shipmentId"]
    result = api.post("/v3/shipments/labels", {"shipments": [label_entry(ship)]}).json()
    assert result == {
        "shipments": [
            {"shipmentId": sid, "status": "SUCCESS", "errorCode": None, "errorMessage": None}
        ]
    }
    assert sb.state(sid) == "PACKING_IN_PROGRESS"
    pending = api.get(f"/v3/shipments/{sid}/labels")
    assert pending.status_code == 400
    assert pending.json()["errors"][0]["errorCode"] == "OPERATION_NOT_ALLOWED"
    detail = api.get(f"/v3/shipments/{sid}").json()["shipments"][0]
    assert detail["subShipments"][0]["courierDetails"]["pickupDetails"] is None
    # dispatch is refused until packed
    refused = api.post(
        "/v3/shipments/dispatch", {"shipmentIds": [sid], "locationId": ship["locationId"]}
    )
    assert refused.json()["shipments"][0]["errorCode"] == "INVALID_SHIPMENT_STATE"
    sb.advance_clock(5.5)
    assert sb.state(sid) == "PACKED"
    search = api.get("/v3/shipments", params={"shipmentIds": sid}).json()["shipments"][0]
    assert search["orderItems"][0]["status"] == "PACKED"
    assert search["subShipments"][0]["packages"]
    pickup = api.get(f"/v3/shipments/{sid}").json()["shipments"][0]["subShipments"][0][
        "courierDetails"
    ]["pickupDetails"]
    assert pickup["trackingId"] and pickup["vendorName"]
    pdf = api.get(f"/v3/shipments/{sid}/labels")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert check_pdf(pdf.content) == 1
    for text in (sid, order["orderId"], pickup["trackingId"]):
        assert text.encode() in pdf.content
    ok = api.post(
        "/v3/shipments/dispatch", {"shipmentIds": [sid], "locationId": ship["locationId"]}
    )
    assert ok.json()["shipments"][0]["status"] == "SUCCESS"
    assert sb.state(sid) == "READY_TO_DISPATCH"
    again = api.post(
        "/v3/shipments/dispatch", {"shipmentIds": [sid], "locationId": ship["locationId"]}
    )
    assert again.json()["shipments"][0]["status"] == "FAILURE"


def test_labels_for_several_shipments_and_make_ready(sb, api):
    sb.label_delay = 3600
    ships = approved_fbs(api, 3)
    result = api.post("/v3/shipments/labels", {"shipments": [label_entry(s) for s in ships]})
    assert [r["status"] for r in result.json()["shipments"]] == ["SUCCESS"] * 3
    ids = [s["shipmentId"] for s in ships]
    assert api.get(f"/v3/shipments/{','.join(ids)}/labels").status_code == 400
    assert sorted(sb.make_labels_ready()) == sorted(ids)
    pdf = api.get(f"/v3/shipments/{','.join(ids)}/labels")
    assert pdf.status_code == 200
    assert check_pdf(pdf.content) == 3
    unknown = api.get(f"/v3/shipments/{ids[0]},SHNOPE/labels")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["errorCode"] == "INVALID_SHIPMENTS"


def test_label_delay_zero_is_immediate(sb, api):
    ship = sb.add_order()["shipments"][0]
    api.post("/v3/shipments/labels", {"shipments": [label_entry(ship)]})
    assert sb.state(ship["shipmentId"]) == "PACKED"
    assert api.get(f"/v3/shipments/{ship['shipmentId']}/labels").status_code == 200


def test_label_failures(sb, api):
    future = sb.now() + dt.timedelta(seconds=30)
    held = sb.add_order(hold=True)["shipments"][0]
    later = sb.add_order(dispatch_after_date=future)["shipments"][0]
    shipped = sb.add_order(state="SHIPPED")["shipments"][0]
    fbf = sb.add_order(service_profile="FBF", state="SHIPPED")["shipments"][0]
    fine = sb.add_order()["shipments"][0]
    entries = [
        {"shipmentId": "SHNOPE", "locationId": sb.location_id},
        label_entry(held),
        label_entry(later),
        label_entry(shipped),
        label_entry(fbf),
        label_entry(fine, location="LOCWRONG"),
        label_entry(fine),
    ]
    results = api.post("/v3/shipments/labels", {"shipments": entries}).json()["shipments"]
    assert [(r["status"], r["errorCode"]) for r in results] == [
        ("FAILURE", "INVALID_SHIPMENT_ID"),
        ("FAILURE", "SHIPMENT_ON_HOLD"),
        ("FAILURE", "DISPATCH_AFTER_DATE_NOT_REACHED"),
        ("FAILURE", "INVALID_SHIPMENT_STATE"),
        ("FAILURE", "FBF_SHIPMENT_NOT_ALLOWED"),
        ("FAILURE", "INVALID_LOCATION_ID"),
        ("SUCCESS", None),
    ]
    assert all(r["errorMessage"] for r in results[:-1])
    assert sb.state(held["shipmentId"]) == "APPROVED"
    assert api.post("/v3/shipments/labels", {"shipments": []}).status_code == 400
    too_many = [label_entry(fine)] * 26
    assert api.post("/v3/shipments/labels", {"shipments": too_many}).status_code == 400
    # once the date has passed and the hold is lifted, it works
    sb.set_hold(held["shipmentId"], False)
    sb.advance_clock(31)
    results = api.post(
        "/v3/shipments/labels", {"shipments": [label_entry(held), label_entry(later)]}
    ).json()["shipments"]
    assert [r["status"] for r in results] == ["SUCCESS", "SUCCESS"]


def test_dispatch_rules(sb, api):
    approved = sb.add_order()["shipments"][0]
    packed = sb.add_order(state="PACKED")["shipments"][0]
    body = {
        "shipmentIds": [approved["shipmentId"], packed["shipmentId"], "SHNOPE"],
        "locationId": sb.location_id,
    }
    results = api.post("/v3/shipments/dispatch", body).json()["shipments"]
    assert [r["status"] for r in results] == ["FAILURE", "SUCCESS", "FAILURE"]
    assert results[0]["errorCode"] == "INVALID_SHIPMENT_STATE"
    assert results[2]["errorCode"] == "INVALID_SHIPMENT_ID"
    assert sb.state(packed["shipmentId"]) == "READY_TO_DISPATCH"
    other = sb.add_order(state="PACKED")["shipments"][0]
    wrong = api.post(
        "/v3/shipments/dispatch", {"shipmentIds": [other["shipmentId"]], "locationId": "LOCX"}
    )
    assert wrong.json()["shipments"][0]["errorCode"] == "INVALID_LOCATION_ID"
    assert api.post("/v3/shipments/dispatch", {"shipmentIds": []}).status_code == 400
    ids26 = {"shipmentIds": ["x"] * 26, "locationId": sb.location_id}
    assert api.post("/v3/shipments/dispatch", ids26).status_code == 400


def test_seller_cancel_only_before_packed(sb, api):
    sb.label_delay = 60
    approved = sb.add_order()
    packing = sb.add_order(state="PACKING_IN_PROGRESS")["shipments"][0]
    packed = sb.add_order(state="PACKED")["shipments"][0]
    sid = approved["shipmentIds"][0]
    group = approved["shipments"][0]["orderItems"][0]["cancellationGroupId"]
    since = sb.now()

    def entry(ship_id, **extra):
        return {
            "shipmentId": ship_id,
            "locationId": sb.location_id,
            "reason": "not_enough_inventory",
            **extra,
        }

    body = {
        "shipments": [
            entry(sid, cancellationGroupIds=[group]),
            entry(packing["shipmentId"]),
            entry(packed["shipmentId"]),
            {"shipmentId": packed["shipmentId"], "locationId": sb.location_id},
        ]
    }
    results = api.post("/v3/shipments/cancel", body).json()["shipments"]
    assert [r["status"] for r in results] == ["SUCCESS", "SUCCESS", "FAILURE", "FAILURE"]
    assert results[2]["errorCode"] == "INVALID_SHIPMENT_STATE"
    assert results[3]["errorCode"] == "INVALID_CANCELLATION_REASON"
    found, _ = api.search_all(
        "cancelled",
        ["CANCELLED"],
        cancellationType="sellerCancellation",
        cancellationDate={"from": iso(since)},
    )
    assert {s["shipmentId"] for s in found} == {sid, packing["shipmentId"]}
    assert sb.state(packed["shipmentId"]) == "PACKED"


def test_state_machine_helpers(sb, api):
    ship = sb.add_order()["shipments"][0]
    sid = ship["shipmentId"]
    assert sb.advance(sid, "PACKED")["orderItems"][0]["status"] == "PACKED"
    with pytest.raises(ValueError):
        sb.advance(sid, "APPROVED")  # backwards
    with pytest.raises(ValueError):
        sb.cancel(sid, "sellerCancellation")  # packed: too late for the seller
    sb.advance(sid, "DELIVERED")
    with pytest.raises(ValueError):
        sb.cancel_by_buyer(sid)  # delivered
    detail = sb.shipment_details(sid)
    assert detail["subShipments"][0]["courierDetails"]["deliveryDetails"]["trackingId"]
    forced = sb.set_state(sid, "APPROVED", hold=True)
    assert forced["hold"] is True and forced["orderItems"][0]["status"] == "APPROVED"
    rtd = sb.add_order()["shipments"][0]["shipmentId"]
    sb.advance(rtd, "READY_TO_DISPATCH")
    marketplace = sb.cancel(rtd, cancellation_type="marketplaceCancellation")
    assert marketplace["orderItems"][0]["status"] == "CANCELLED"
    with pytest.raises(KeyError):
        sb.advance("SHNOPE", "PACKED")


def test_generated_shipment_changes_stay(sb, api):
    ship = approved_fbs(api)[0]
    sid = ship["shipmentId"]
    assert sb.stats["orders_in_memory"] == 0
    sb.cancel_by_buyer(sid)
    assert sb.stats["orders_in_memory"] == 1
    still, _ = api.search_all("preDispatch", ["APPROVED"])
    assert sid not in {s["shipmentId"] for s in still}
    sb.reset(**CONFIG)
    assert sb.state(sid) == "APPROVED"


# =========================================================================== admin endpoints
def test_admin_endpoints(sb, api):
    info = api.admin("GET", "/info").json()
    assert info["client_id"] == "sandbox-app" and info["location_id"] == sb.location_id
    created = api.admin(
        "POST", "/orders", {"items": [{"sku": "ADMIN-SKU", "quantity": 2, "selling_price": 500}]}
    )
    assert created.status_code == 200
    sid = created.json()["shipmentIds"][0]
    moved = api.admin("POST", f"/shipments/{sid}/state", {"state": "PACKED"})
    assert moved.json()["orderItems"][0]["status"] == "PACKED"
    back = api.admin("POST", f"/shipments/{sid}/state", {"state": "APPROVED"})
    assert back.status_code == 400
    forced = api.admin("POST", f"/shipments/{sid}/state", {"state": "APPROVED", "force": True})
    assert forced.json()["orderItems"][0]["status"] == "APPROVED"
    cancelled = api.admin("POST", f"/shipments/{sid}/cancel", {"type": "buyerCancellation"})
    assert cancelled.json()["orderItems"][0]["status"] == "CANCELLED"
    assert api.admin("GET", f"/shipments/{sid}").json()["details"]["shipmentId"] == sid
    assert api.admin("POST", "/shipments/SHNOPE/state", {"state": "PACKED"}).status_code == 404
    assert api.admin("POST", "/faults", {"rate_503": 1.0, "paths": ["/listings/"]}).ok
    assert api.get("/listings/v3/ADMIN-SKU").status_code == 503
    assert api.admin("DELETE", "/faults").ok
    assert api.get("/listings/v3/ADMIN-SKU").status_code == 200
    assert api.admin("POST", "/faults/next", {"status": 500, "path": "/listings/"}).ok
    assert api.get("/listings/v3/ADMIN-SKU").status_code == 500
    logged = api.admin("GET", "/requests").json()["requests"]
    assert [r["status"] for r in logged[-3:]] == [503, 200, 500]
    assert not any(r["path"].startswith("/_sandbox") for r in logged)
    api.admin("POST", "/clock", {"advance": 10})
    assert api.admin("POST", "/reset", {}).ok
    assert sb.requests == [] and sb.shipment(sid) is None


# =========================================================================== inventory, listings
def test_inventory_update(sb, api):
    fbs = [s for s, li in sb.listings.items() if li["fulfillmentProfile"] == "NON_FBF"]
    fbf = [s for s, li in sb.listings.items() if li["fulfillmentProfile"] == "FBF"]
    listing = sb.listings[fbs[0]]

    def entry(sku, qty=5, location=None, fsn=None):
        return {
            "product_id": fsn or sb.listings[sku]["fsn"],
            "locations": [{"id": location or sb.location_id, "inventory": qty}],
        }

    body = {
        fbs[0]: entry(fbs[0], 12),
        fbs[1]: entry(fbs[1], 0),
        "NO-SUCH-SKU": {"product_id": "X", "locations": [{"id": sb.location_id, "inventory": 1}]},
        fbs[2]: entry(fbs[2], fsn="WRONGFSN00000000"),
        fbs[3]: entry(fbs[3], location="LOCELSEWHERE"),
        fbs[4]: entry(fbs[4], -1),
        fbs[5]: entry(fbs[5], 1.5),
        fbs[6]: entry(fbs[6], "3"),
        fbf[0]: entry(fbf[0], 4),
    }
    response = api.post("/listings/v3/update/inventory", body)
    assert response.status_code == 200
    answer = response.json()
    assert answer[fbs[0]] == {"status": "SUCCESS", "errors": [], "attribute_errors": []}
    assert answer[fbs[1]]["status"] == "SUCCESS"
    codes = {sku: [e["code"] for e in answer[sku]["errors"]] for sku in body}
    assert codes["NO-SUCH-SKU"] == ["INVALID_SKU"]
    assert codes[fbs[2]] == ["INVALID_PRODUCT_ID"]
    assert codes[fbs[3]] == ["INVALID_LOCATION_ID"]
    assert codes[fbs[4]] == codes[fbs[5]] == codes[fbs[6]] == ["INVALID_INVENTORY"]
    assert codes[fbf[0]] == ["INVALID_FULFILLMENT_PROFILE"]
    for sku in ("NO-SUCH-SKU", fbs[2], fbs[3], fbs[4], fbf[0]):
        assert answer[sku]["status"] == "FAILURE"
        assert answer[sku]["errors"][0]["severity"] == "ERROR"
        assert answer[sku]["errors"][0]["description"]
    assert sb.inventory == {fbs[0]: 12, fbs[1]: 0}
    assert sb.inventory_locations[fbs[0]] == {sb.location_id: 12}
    looked_up = api.get(f"/listings/v3/{fbs[0]},NO-SUCH-SKU").json()
    assert looked_up["unavailable"] == ["NO-SUCH-SKU"]
    detail = looked_up["available"][fbs[0]]
    assert detail["product_id"] == listing["fsn"]
    assert detail["listing_id"] == listing["listingId"]
    assert detail["tax"]["hsn"] == listing["hsn"]
    assert detail["fulfillment_profile"] == "NON_FBF"
    assert detail["price"]["selling_price"] == listing["price"]
    assert detail["locations"] == [{"id": sb.location_id, "status": "ENABLED", "inventory": 12}]


def test_inventory_limit_and_bad_body(sb, api):
    skus = list(sb.listings)[:11]
    body = {s: {"product_id": sb.listings[s]["fsn"], "locations": []} for s in skus}
    response = api.post("/listings/v3/update/inventory", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorCode"] == "INVALID_REQUEST"
    assert api.post("/listings/v3/update/inventory", []).status_code == 400
    ten = {s: body[s] for s in skus[:10]}
    assert api.post("/listings/v3/update/inventory", ten).status_code == 200


# =========================================================================== add_order
def test_add_order_full_control(sb, api):
    result = sb.add_order(
        order_id="OD-TEST-0001",
        items=[
            {
                "sku": "MY-SHIRT-L",
                "title": "Test Shirt",
                "fsn": "TSHTESTFSN000001",
                "hsn": "61091000",
                "quantity": 3,
                "selling_price": 1500.0,
                "shipping_charge": 40.0,
                "flipkart_discount": 75.0,
            },
            {"sku": "MY-MUG", "quantity": 1, "selling_price": 299.0},
        ],
        shipments=[[0], [1]],
        payment_type="COD",
        buyer=("Ravi", "Kumar"),
        address={
            "address_line1": "12, MG Road",
            "city": "Bengaluru",
            "state": "Karnataka",
            "state_code": "IN-KA",
            "pin_code": "560001",
            "phone": None,
        },
        order_date="2026-01-05T10:00:00.000Z",
    )
    assert result["orderId"] == "OD-TEST-0001"
    assert len(result["shipmentIds"]) == 2 and len(result["orderItemIds"]) == 2
    first = result["shipments"][0]["orderItems"][0]
    assert first["priceComponents"] == {
        "sellingPrice": 1500.0,
        "totalPrice": 1540.0,
        "shippingCharge": 40.0,
        "customerPrice": 1500.0,
        "flipkartDiscount": 75.0,
    }
    assert first["paymentType"] == "COD" and first["quantity"] == 3
    assert parse(first["orderDate"]) == dt.datetime(2026, 1, 5, 10, tzinfo=dt.timezone.utc)
    details = api.get("/v3/shipments/" + ",".join(result["shipmentIds"])).json()["shipments"]
    assert [d["orderId"] for d in details] == ["OD-TEST-0001"] * 2
    address = details[0]["deliveryAddress"]
    assert "contactNumber" not in address
    assert address["stateCode"] == "IN-KA" and address["pinCode"] == "560001"
    assert details[0]["buyerDetails"] == {"firstName": "Ravi", "lastName": "Kumar"}
    assert address["firstName"] == "Ravi"
    assert sb.listings["MY-SHIRT-L"]["fsn"] == "TSHTESTFSN000001"
    with pytest.raises(ValueError):
        sb.add_order(order_id="OD-TEST-0001")
    with pytest.raises(ValueError):
        sb.add_order(items=[{}, {}], shipments=[[0]])


def test_add_order_states_and_profiles(sb, api):
    fbf = sb.add_order(service_profile="FBF", state="DELIVERED")
    found, _ = api.search_all("postDispatch", ["DELIVERED"], serviceProfiles=["FBF"])
    assert fbf["shipmentIds"][0] in {s["shipmentId"] for s in found}
    cancelled = sb.add_order(state="CANCELLED", cancellation_type="marketplaceCancellation")
    found, _ = api.search_all(
        "cancelled", ["CANCELLED"], cancellationType="marketplaceCancellation"
    )
    assert cancelled["shipmentIds"][0] in {s["shipmentId"] for s in found}
    mixed = sb.add_order(items=[{}, {}], shipments=[[0], [1]], state=["APPROVED", "SHIPPED"])
    assert [s["orderItems"][0]["status"] for s in mixed["shipments"]] == ["APPROVED", "SHIPPED"]
    phone = sb.add_order(address={"phone": "+919876543210"})
    detail = sb.shipment_details(phone["shipmentIds"][0])
    assert detail["deliveryAddress"]["contactNumber"] == "+919876543210"


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        (True, lambda item: item["priceComponents"]["sellingPrice"] == "N/A"),
        ("missing_sku", lambda item: "sku" not in item),
        ("missing_price_components", lambda item: "priceComponents" not in item),
        ("bad_quantity", lambda item: item["quantity"] is None),
        ("bad_order_date", lambda item: item["orderDate"] == "not-a-date"),
    ],
)
def test_add_order_malformed(sb, api, kind, check):
    result = sb.add_order(items=[{}, {}], shipments=[[0], [1]], malformed=kind)
    bad, good = result["shipmentIds"]
    page = api.get("/v3/shipments", params={"shipmentIds": f"{bad},{good}"}).json()
    assert check(page["shipments"][0]["orderItems"][0])
    assert not check(page["shipments"][1]["orderItems"][0])
    detail = api.get(f"/v3/shipments/{bad}").json()["shipments"][0]
    assert check(detail["orderItems"][0])


def test_add_order_malformed_no_items(sb, api):
    result = sb.add_order(malformed={0: "no_items"})
    page = api.get("/v3/shipments", params={"shipmentIds": result["shipmentIds"][0]}).json()
    assert page["shipments"][0]["orderItems"] == []


# =========================================================================== faults
def test_fault_429_with_retry_after(sb, api):
    sb.set_faults(rate_429=1.0, retry_after=7, paths=["/v3/shipments/filter"])
    response = api.search(states=["APPROVED"])
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["errors"][0]["errorCode"] == "TOO_MANY_REQUESTS"
    assert api.get("/v3/shipments/SHX").status_code == 200  # other paths unaffected
    assert sb.requests[-2]["fault"] == "random"


@pytest.mark.parametrize("status", [500, 503])
def test_fault_5xx(sb, api, status):
    sb.set_faults(**{f"rate_{status}": 1.0}, paths=["/listings/"])
    assert api.get("/listings/v3/ANY").status_code == status
    sb.clear_faults()
    assert api.get("/listings/v3/ANY").status_code == 200


def test_faults_are_deterministic(sb, api):
    def run():
        sb.set_faults(rate_500=0.3, rate_503=0.2, rate_429=0.1, seed=11, paths=["/listings/"])
        return [api.get("/listings/v3/X").status_code for _ in range(30)]

    first = run()
    assert run() == first
    assert {200, 429, 500, 503} <= set(first)


def test_fault_token_endpoint_by_default(sb, api):
    sb.fail_next(status=500, path="/oauth-service/")
    assert api.token().status_code == 500
    assert api.token().status_code == 200


def test_fault_delay(sb, api):
    sb.set_faults(delay=0.4, paths=["/listings/"])
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.get("/listings/v3/X", timeout=0.1)
    start = time.monotonic()
    assert api.get("/listings/v3/X").status_code == 200
    assert time.monotonic() - start >= 0.4


def test_fault_malformed_json(sb, api):
    sb.set_faults(malformed_json_rate=1.0, paths=["/v3/shipments/filter"])
    response = api.search(states=["APPROVED"])
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert sb.requests[-1]["fault"] == "malformed_json"


def test_fault_revoke_token(sb, api):
    sb.set_faults(revoke_token_after=2)
    assert api.get("/v3/shipments/SHX").status_code == 200
    assert api.get("/v3/shipments/SHX").status_code == 200
    revoked = api.get("/v3/shipments/SHX")
    assert revoked.status_code == 401
    assert revoked.json()["error"] == "invalid_token"
    assert api.get("/v3/shipments/SHX").status_code == 401
    fresh = Api(sb)
    assert fresh.get("/v3/shipments/SHX").status_code == 200


def test_fault_repeat_items_across_pages(sb, api):
    sb.set_faults(repeat_items_across_pages=True)
    repeated, pages = api.search_all("preDispatch", ["APPROVED"], page_size=5, max_pages=200)
    sb.clear_faults()
    clean, clean_pages = api.search_all("preDispatch", ["APPROVED"], page_size=5)
    ids = [s["shipmentId"] for s in repeated]
    assert len(ids) > len(set(ids))
    assert set(ids) == {s["shipmentId"] for s in clean}
    assert len(ids) - len(set(ids)) == pages - 1


def test_fail_next_one_shot(sb, api):
    packed = sb.add_order(state="PACKED")["shipments"][0]
    body = {"shipmentIds": [packed["shipmentId"]], "locationId": sb.location_id}
    sb.fail_next(status=503, count=2, path="/shipments/dispatch", retry_after=3)
    assert api.get("/v3/shipments/SHX").status_code == 200  # other paths untouched
    first = api.post("/v3/shipments/dispatch", body)
    assert first.status_code == 503 and first.headers["Retry-After"] == "3"
    assert api.post("/v3/shipments/dispatch", body).status_code == 503
    assert sb.state(packed["shipmentId"]) == "PACKED"  # not processed
    assert api.post("/v3/shipments/dispatch", body).json()["shipments"][0]["status"] == "SUCCESS"


# =========================================================================== request log
def test_requests_are_recorded_without_secrets(sb, api):
    sb.clear_requests()
    api.search(states=["APPROVED"], page_size=3)
    page = api.search(states=["APPROVED"], page_size=3).json()
    api.get(page["nextPageUrl"])
    api.token()
    log = sb.requests
    assert [r["method"] for r in log] == ["POST", "POST", "GET", "GET"]
    assert log[0]["path"] == "/sellers/v3/shipments/filter"
    assert log[0]["json"]["pagination"] == {"pageSize": 3}
    assert log[0]["status"] == 200 and log[0]["query"] == {}
    assert log[2]["query"]["next_token"]
    assert log[3]["path"] == "/oauth-service/oauth/token"
    assert log[3]["query"] == {"grant_type": "client_credentials", "scope": "Seller_Api"}
    dump = json.dumps(log)
    token = api.session.headers["Authorization"].split()[1]
    assert token not in dump
    assert sb.client_secret not in dump
    assert base64.b64encode(f"{sb.client_id}:{sb.client_secret}".encode()).decode() not in dump
    assert "Authorization" not in dump
    sb.clear_requests()
    assert sb.requests == []


# =========================================================================== data
def test_same_seed_same_data():
    start = "2026-01-10T06:00:00Z"

    def snapshot(seed):
        with SandboxServer(seed=seed, orders=60, start_time=start) as sb:
            api = Api(sb)
            found = []
            for ftype, states, extra in (
                ("preDispatch", PRE, {}),
                ("postDispatch", POST, {"serviceProfiles": ["FBF", "NON_FBF"]}),
            ):
                found += api.search_all(ftype, states, **extra)[0]
            ids = [s["shipmentId"] for s in found]
            details = api.get("/v3/shipments/" + ",".join(ids[:50])).json()
            return found, details

    first = snapshot(3)
    assert snapshot(3) == first
    assert snapshot(4) != first


def test_generated_data_is_realistic(sb):
    orders = [sb.store.order_at(i) for i in range(300)]
    shipments = [s for o in orders for s in o["shipments"]]
    details = [sb.store.render_details(s) for s in shipments]
    codes = [d["deliveryAddress"]["stateCode"] for d in details]
    assert any(c.startswith("IN-") for c in codes)
    assert {"TG", "OD", "UT", "CT"} & {c.removeprefix("IN-") for c in codes}
    assert len({c.removeprefix("IN-") for c in codes}) >= 20
    assert all(re.fullmatch(r"\d{6}", d["deliveryAddress"]["pinCode"]) for d in details)
    assert {o["paymentType"] for o in orders} == {"COD", "PREPAID"}
    fbf_share = sum(o["serviceProfile"] == "FBF" for o in orders) / len(orders)
    assert 0.1 < fbf_share < 0.3
    fbf_states = {s["state"] for s in shipments if s["order"]["serviceProfile"] == "FBF"}
    assert fbf_states <= {"SHIPPED", "DELIVERED"}
    fbs = [s for s in shipments if s["order"]["serviceProfile"] == "NON_FBF"]
    approved = sum(s["state"] == "APPROVED" for s in fbs)
    assert approved > len(fbs) / 2
    assert {s["cancellationType"] for s in fbs} >= {
        "buyerCancellation",
        "sellerCancellation",
        "marketplaceCancellation",
    }
    assert any(len(o["shipments"]) > 1 for o in orders)  # split orders
    assert any(s["hold"] for s in shipments)
    items = [i for s in shipments for i in s["items"]]
    assert any(i["quantity"] > 1 for i in items)
    assert {len(o["shipments"][0]["items"]) for o in orders if len(o["shipments"]) == 1} >= {1, 2}
    assert all(len(i["fsn"]) == 16 and re.fullmatch(r"\d{4,8}", i["hsn"]) for i in items)
    assert any(i["shippingCharge"] > 0 for i in items)
    assert any(i["flipkartDiscount"] > 0 for i in items)
    buyers = {}
    for d in details:
        phone = d["deliveryAddress"].get("contactNumber")
        if phone:
            key = (d["buyerDetails"]["firstName"], d["buyerDetails"]["lastName"], phone[-10:])
            buyers.setdefault(key, set()).add(d["orderId"])
    assert any(len(ids) > 1 for ids in buyers.values())  # repeat buyers
    assert any("contactNumber" not in d["deliveryAddress"] for d in details)
    start = sb.start_time
    dates = [parse(sb.store.render_item(s, s["items"][0])["orderDate"]) for s in shipments]
    assert all(start - dt.timedelta(days=5) <= d <= start for d in dates)


def test_hundred_thousand_orders_page_lazily(capsys):
    with SandboxServer(seed=5, orders=100_000, label_delay=0) as sb:
        api = Api(sb)
        tracemalloc.start()
        started = time.perf_counter()
        response = api.search(states=["APPROVED", "PACKED", "READY_TO_DISPATCH"])
        seen, pages = [], 0
        while len(seen) < 2000:
            page = response.json()
            pages += 1
            seen += [s["shipmentId"] for s in page["shipments"]]
            assert page["hasMore"]
            response = api.get(page["nextPageUrl"])
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        stats = sb.stats
        assert len(seen) == len(set(seen))
        assert stats["orders_in_memory"] == 0
        assert stats["orders_generated"] < 3 * 2000  # only what the pages returned (+ lookahead)
        assert peak < 64 * 1024 * 1024
        # a modifiedDate window after the start only looks at orders held in memory
        before = sb.stats["headers_generated"]
        later = api.search(states=["APPROVED"], modifiedDate={"from": iso(sb.now())})
        assert later.json()["shipments"] == []
        assert sb.stats["headers_generated"] == before
        # an order date window maps to an index range
        last_day = {"from": iso(sb.start_time - dt.timedelta(hours=2))}
        recent, recent_pages = api.search_all("preDispatch", PRE, orderDate=last_day)
        assert recent and sb.stats["headers_generated"] - before < 5000
        # the last page of a descending search is cheap too
        desc = api.search(states=["APPROVED"], sort={"field": "orderDate", "order": "desc"})
        assert desc.status_code == 200 and len(desc.json()["shipments"]) == 20
        with capsys.disabled():
            print(  # pylint: disable=print-used
                f"\n100k orders: {pages} pages / {len(seen)} shipments in {elapsed:.2f}s "
                f"(traced), peak {peak / 1e6:.1f} MB, stats {stats}"
            )


# =========================================================================== usage patterns
class TestServerPerClass:
    """One server for the class, reset between tests (the pattern for Odoo HttpCase suites)."""

    @classmethod
    def setup_class(cls):
        cls.sb = SandboxServer(seed=2, orders=0, label_delay=0).start()

    @classmethod
    def teardown_class(cls):
        cls.sb.stop()

    def setup_method(self):
        self.sb.reset()

    def test_empty_data_set(self):
        api = Api(self.sb)
        assert api.search_all("preDispatch", PRE)[0] == []
        self.sb.add_order()
        assert len(api.search_all("preDispatch", PRE)[0]) == 1

    def test_reset_forgets_added_orders(self):
        api = Api(self.sb)
        assert api.search_all("preDispatch", PRE)[0] == []
        assert self.sb.requests[0]["path"] == "/oauth-service/oauth/token"


def test_context_manager_and_restart():
    sb = SandboxServer(orders=0)
    with pytest.raises(RuntimeError):
        _ = sb.url
    with sb:
        url = sb.url
        assert url.startswith("http://127.0.0.1:")
        assert requests.get(url + "/_sandbox/info", timeout=TIMEOUT).ok
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/_sandbox/info", timeout=TIMEOUT)


def test_concurrent_clients(sb):
    errors = []

    def worker():
        try:
            api = Api(sb)
            for _ in range(5):
                shipments, _pages = api.search_all("preDispatch", ["APPROVED"])
                assert shipments
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert all(r["status"] == 200 for r in sb.requests)
