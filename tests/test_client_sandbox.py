"""The Flipkart client against the local simulator, over real HTTP on loopback (plain pytest)."""

import pytest

from ..flipkart_api import (
    FlipkartClient,
    InvalidResponseError,
    RequestRejectedError,
    UnknownOutcomeError,
)
from ..flipkart_sandbox import SandboxServer

PRE_DISPATCH = ["APPROVED", "PACKING_IN_PROGRESS", "PACKED", "FORM_FAILED", "READY_TO_DISPATCH"]


@pytest.fixture(scope="module")
def server():
    with SandboxServer(seed=3, orders=0, label_delay=0) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(server):
    server.reset(seed=3, orders=0, label_delay=0)
    return server


@pytest.fixture
def client(sandbox):
    sleeps = []
    client = FlipkartClient(
        sandbox.client_id, sandbox.client_secret, sandbox.url, sleep=sleeps.append
    )
    client.sleeps = sleeps
    return client


def approved(client):
    return client.search_shipments({"type": "preDispatch", "states": ["APPROVED"]})


def test_connection_and_token(sandbox, client):
    client.check_connection()
    client.check_connection()
    calls = [r for r in sandbox.requests if r["path"] == "/oauth-service/oauth/token"]
    assert len(calls) == 1 and calls[0]["method"] == "GET"


def test_pagination_over_three_pages(sandbox, client):
    added = {sandbox.add_order()["shipmentIds"][0] for _i in range(45)}
    pages = list(client.iter_shipment_pages({"type": "preDispatch", "states": PRE_DISPATCH}))
    assert [len(page) for page in pages] == [20, 20, 5]
    assert {s["shipmentId"] for page in pages for s in page} == added
    follow_ups = [
        r for r in sandbox.requests if r["method"] == "GET" and "next_token" in str(r["query"])
    ]
    assert len(follow_ups) == 2


def test_details_and_lookup_by_order(sandbox, client):
    added = sandbox.add_order(
        items=[{"sku": "A"}, {"sku": "B"}],
        shipments=[[0], [1]],
        address={"state_code": "IN-KA", "pin_code": "560001"},
    )
    details = client.get_shipment_details(added["shipmentIds"])
    assert {d["shipmentId"] for d in details} == set(added["shipmentIds"])
    assert details[0]["deliveryAddress"]["pinCode"] == "560001"
    by_order = client.get_shipments(order_ids=[added["orderId"]])
    assert {s["shipmentId"] for s in by_order} == set(added["shipmentIds"])


def test_fbs_shipment_label_to_dispatch(sandbox, client):
    added = sandbox.add_order(items=[{"sku": "LAMP", "quantity": 2}])
    ref = added["shipmentIds"][0]
    location = sandbox.location_id
    early = client.dispatch([ref], location)
    assert early[0]["status"] == "FAILURE", "only PACKED shipments can be dispatched"

    results = client.generate_labels([{"shipmentId": ref, "locationId": location}])
    assert results[0]["status"] == "SUCCESS", results
    assert sandbox.state(ref) in ("PACKING_IN_PROGRESS", "PACKED")
    sandbox.make_labels_ready()
    assert sandbox.state(ref) == "PACKED"
    pdf = client.download_labels([ref])
    assert pdf.startswith(b"%PDF") and ref.encode() in pdf

    results = client.dispatch([ref], location)
    assert results[0]["status"] == "SUCCESS", results
    assert sandbox.state(ref) == "READY_TO_DISPATCH"
    assert (
        client.get_shipments(shipment_ids=[ref])[0]["orderItems"][0]["status"]
        == "READY_TO_DISPATCH"
    )


def test_label_not_ready_is_operation_not_allowed(sandbox, client):
    sandbox.label_delay = 3600
    ref = sandbox.add_order()["shipmentIds"][0]
    client.generate_labels([{"shipmentId": ref, "locationId": sandbox.location_id}])
    with pytest.raises(RequestRejectedError) as error:
        client.download_labels([ref])
    assert error.value.code == "OPERATION_NOT_ALLOWED"


def test_inventory_in_chunks_with_per_sku_results(sandbox, client):
    items = {}
    for i in range(24):
        listing = sandbox.add_listing(f"SKU-{i:02d}")
        items[listing["sku"]] = {
            "product_id": listing["fsn"],
            "locations": [{"id": sandbox.location_id, "inventory": i}],
        }
    items["UNKNOWN"] = {
        "product_id": "X" * 16,
        "locations": [{"id": sandbox.location_id, "inventory": 1}],
    }
    results = client.update_inventory(items)
    calls = [r for r in sandbox.requests if r["path"].endswith("/update/inventory")]
    assert len(calls) == 3
    assert results["UNKNOWN"]["status"] == "FAILURE"
    assert all(results[f"SKU-{i:02d}"]["status"] == "SUCCESS" for i in range(24))
    assert sandbox.inventory["SKU-07"] == 7


def test_rate_limit_then_success(sandbox, client):
    sandbox.add_order()
    sandbox.fail_next(status=429, count=2, path="/shipments/filter", retry_after=2)
    assert len(approved(client)) == 1
    assert client.sleeps[:2] == [2, 2]


def test_dispatch_after_server_error_is_unknown_outcome(sandbox, client):
    ref = sandbox.add_order(state="PACKED")["shipmentIds"][0]
    sandbox.fail_next(status=503, count=1, path="/shipments/dispatch")
    with pytest.raises(UnknownOutcomeError):
        client.dispatch([ref], sandbox.location_id)
    calls = [r for r in sandbox.requests if r["path"].endswith("/shipments/dispatch")]
    assert len(calls) == 1, "no blind retry of a state-changing call"


def test_token_revoked_mid_run_is_renewed(sandbox, client):
    sandbox.add_order()
    approved(client)
    sandbox.revoke_tokens()
    assert len(approved(client)) == 1
    calls = [r for r in sandbox.requests if r["path"] == "/oauth-service/oauth/token"]
    assert len(calls) == 2


def test_malformed_json_is_invalid_response(sandbox, client):
    sandbox.add_order()
    sandbox.set_faults(malformed_json_rate=1.0, paths=["/shipments/filter"])
    with pytest.raises(InvalidResponseError):
        approved(client)
