from odoo.tests import tagged

from .common import FlipkartSandboxCase

INVENTORY_POST = "/sellers/listings/v3/update/inventory"


@tagged("post_install", "-at_install")
class TestInventoryPush(FlipkartSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.account.warehouse_id
        cls.stock = cls.warehouse.lot_stock_id
        cls.account.write(
            {"sync_inventory": True, "flipkart_location_ref": cls.sandbox.location_id}
        )

    # ------------------------------------------------------------------ helpers
    def make_offer(self, sku, qty=0.0, fulfilment="fbs", listed=True, storable=True):
        product = self.env["product.product"].create(
            {"name": sku, "default_code": sku, "type": "consu", "is_storable": storable}
        )
        if qty and storable:
            self.env["stock.quant"]._update_available_quantity(product, self.stock, qty)
        fsn = f"FSN{sku}"
        if listed:
            self.sandbox.add_listing(sku, fsn=fsn)
        return self.env["flipkart.offer"].create(
            {
                "account_id": self.account.id,
                "sku": sku,
                "product_id": product.id,
                "fsn": fsn,
                "fulfilment": fulfilment,
            }
        )

    def pushes(self):
        return [
            r
            for r in self.sandbox.requests
            if r["method"] == "POST" and r["path"] == INVENTORY_POST
        ]

    def push(self):
        return self.account._sync_inventory()[self.account.id]

    # ------------------------------------------------------------------ tests
    def test_push_changed_skus_in_batches_of_ten_then_nothing(self):
        offers = self.env["flipkart.offer"]
        for i in range(22):
            offers |= self.make_offer(f"INV-{i:02d}", qty=i)
        # free quantity in whole units, rounded down, never negative
        half = self.make_offer("INV-HALF", qty=2.75)
        negative = self.make_offer("INV-NEG")
        self.env["stock.quant"]._update_available_quantity(negative.product_id, self.stock, -3)
        offers |= half | negative
        # reserved units are not free
        reserved = self.make_offer("INV-RESERVED", qty=5)
        self.env["stock.quant"]._update_reserved_quantity(reserved.product_id, self.stock, 2)
        offers |= reserved

        result = self.push()
        self.assertEqual((result["pushed"], result["failed"], result["error"]), (25, 0, False))
        calls = self.pushes()
        self.assertEqual([len(call["json"]) for call in calls], [10, 10, 5])
        expected = {f"INV-{i:02d}": i for i in range(22)}
        expected.update({"INV-HALF": 2, "INV-NEG": 0, "INV-RESERVED": 3})
        sent = {sku: entry for call in calls for sku, entry in call["json"].items()}
        self.assertEqual(set(sent), set(expected))
        for sku, qty in expected.items():
            self.assertEqual(
                sent[sku],
                {
                    "product_id": f"FSN{sku}",
                    "locations": [{"id": self.sandbox.location_id, "inventory": qty}],
                },
            )
            self.assertEqual(self.sandbox.inventory_locations[sku], {self.sandbox.location_id: qty})
        for offer in offers:
            self.assertEqual(offer.inventory_pushed_qty, expected[offer.sku])
            self.assertTrue(offer.inventory_pushed_at)
            self.assertFalse(offer.inventory_error)

        # nothing changed: no call
        self.sandbox.clear_requests()
        result = self.push()
        self.assertEqual(self.pushes(), [])
        self.assertEqual((result["pushed"], result["unchanged"]), (0, 25))

        # one product's stock changes: only its SKU is sent
        self.env["stock.quant"]._update_available_quantity(offers[3].product_id, self.stock, 4)
        self.push()
        (call,) = self.pushes()
        self.assertEqual(
            call["json"],
            {
                "INV-03": {
                    "product_id": "FSNINV-03",
                    "locations": [{"id": self.sandbox.location_id, "inventory": 7}],
                }
            },
        )
        self.assertEqual(offers[3].inventory_pushed_qty, 7)

    def test_unknown_sku_reported_on_offer_and_retried(self):
        known = self.make_offer("INV-KNOWN", qty=4)
        unknown = self.make_offer("INV-UNKNOWN", qty=2, listed=False)
        result = self.push()
        self.assertEqual((result["pushed"], result["failed"]), (1, 1))
        self.assertIn("INVALID_SKU", unknown.inventory_error)
        self.assertFalse(unknown.inventory_pushed_at)
        self.assertFalse(known.inventory_error)
        self.assertEqual(self.sandbox.inventory["INV-KNOWN"], 4)

        # next run: the failed SKU is sent again, the pushed one is not
        self.sandbox.clear_requests()
        self.push()
        (call,) = self.pushes()
        self.assertEqual(list(call["json"]), ["INV-UNKNOWN"])

        # once Flipkart knows it, it succeeds and the error goes away
        self.sandbox.add_listing("INV-UNKNOWN", fsn="FSNINV-UNKNOWN")
        self.push()
        self.assertFalse(unknown.inventory_error)
        self.assertEqual(unknown.inventory_pushed_qty, 2)
        self.assertEqual(self.sandbox.inventory["INV-UNKNOWN"], 2)

    def test_fbf_and_consumable_offers_are_never_pushed(self):
        self.make_offer("INV-FBS", qty=3)
        self.make_offer("INV-FBF", qty=5, fulfilment="fbf")
        self.make_offer("INV-CONSU", storable=False)
        self.push()
        self.assertEqual([sku for call in self.pushes() for sku in call["json"]], ["INV-FBS"])
        self.assertNotIn("INV-FBF", self.sandbox.inventory)

    def test_accounts_that_did_not_opt_in_push_nothing(self):
        self.make_offer("INV-OFF", qty=3)
        self.account.sync_inventory = False
        self.assertEqual(self.account._sync_inventory(), {})
        action = self.account.action_sync_inventory()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(self.pushes(), [])

    def test_outage_keeps_skus_for_next_run(self):
        offer = self.make_offer("INV-OUT", qty=3)
        self.sandbox.fail_next(status=503, count=10, path="/update/inventory")
        result = self.push()
        self.assertEqual(result["failed"], 1)
        self.assertTrue(offer.inventory_error)
        self.assertFalse(offer.inventory_pushed_at)

        self.sandbox.clear_faults()
        action = self.account.action_sync_inventory()
        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(offer.inventory_error)
        self.assertEqual(self.sandbox.inventory["INV-OUT"], 3)

    def test_missing_location_is_reported(self):
        self.make_offer("INV-NOLOC", qty=1)
        self.account.flipkart_location_ref = False
        result = self.push()
        self.assertIn("location", result["error"])
        self.assertEqual(self.pushes(), [])
