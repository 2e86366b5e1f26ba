from datetime import datetime
from unittest.mock import patch

import odoo
from odoo.tests import tagged

from .common import FlipkartSandboxCase


@tagged("post_install", "-at_install")
class TestFbsOrderSync(FlipkartSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.known_product = cls.create_gst18_product("SKU-BOTTLE", "Steel Bottle 1L")

    def assertTotalMatches(self, order, expected):
        """Flipkart's total, within 0.01 × quantity per line (two-decimal unit prices)."""
        tolerance = sum(0.01 * line.product_uom_qty for line in order.order_line) + 1e-6
        self.assertLessEqual(
            abs(order.amount_total - expected),
            tolerance,
            f"{order.amount_total} vs Flipkart's {expected}",
        )

    def test_fbs_order_two_items_unknown_sku_and_shipping(self):
        added = self.sandbox.add_order(
            items=[
                {
                    "sku": "SKU-BOTTLE",
                    "quantity": 2,
                    "selling_price": 2000.0,
                    "shipping_charge": 40.0,
                    "flipkart_discount": 100.0,
                },
                {
                    "sku": "SKU-KURTA-NEW",
                    "title": "Cotton Kurta Blue M",
                    "quantity": 1,
                    "selling_price": 799.0,
                },
            ],
            buyer=("Priya", "Sharma"),
            address={
                "address_line1": "12 MG Road",
                "city": "Bengaluru",
                "state_code": "KA",
                "pin_code": "560001",
                "phone": "+91 98450 12345",
            },
            payment_type="COD",
            order_date=datetime(2026, 11, 30, 9, 15),
        )
        result = self.sync()
        self.assertEqual((result["imported"], result["failed"]), (1, 0), result)

        order = self.order_of(added["orderId"])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.flipkart_fulfilment, "fbs")
        self.assertEqual(order.flipkart_payment_type, "cod")
        self.assertEqual(order.currency_id.name, "INR")
        self.assertEqual(order.team_id, self.account.team_id)
        self.assertEqual(order.warehouse_id, self.account.warehouse_id)
        self.assertEqual(
            order.date_order,
            datetime(2026, 11, 30, 9, 15),
            "the order date is Flipkart's, kept after confirmation",
        )

        self.assertEqual(len(order.order_line), 3)
        bottle = order.order_line.filtered(lambda line: line.product_id == self.known_product)
        self.assertEqual(bottle.product_uom_qty, 2)
        self.assertEqual(bottle.price_unit, 847.46, "2000 for 2 units, 18 % GST excluded")
        self.assertEqual(bottle.flipkart_discount, 100.0)
        self.assertEqual(bottle.flipkart_order_item_ref, added["orderItemIds"][0])
        self.assertAlmostEqual(bottle.price_total, 2000.0, delta=0.02)

        kurta = order.order_line.filtered(
            lambda line: line.product_id.default_code == "SKU-KURTA-NEW"
        )
        self.assertEqual(kurta.product_id.name, "Cotton Kurta Blue M")
        self.assertTrue(kurta.product_id.is_storable)
        self.assertAlmostEqual(kurta.price_total, 799.0, delta=0.01)

        shipping = order.order_line.filtered(
            lambda line: line.product_id == self.env.ref("sale_flipkart.product_flipkart_shipping")
        )
        self.assertAlmostEqual(shipping.price_total, 40.0, delta=0.01)
        self.assertTotalMatches(order, 2000.0 + 799.0 + 40.0)

        offers = self.env["flipkart.offer"].search([("account_id", "=", self.account.id)])
        self.assertEqual(set(offers.mapped("sku")), {"SKU-BOTTLE", "SKU-KURTA-NEW"})
        self.assertEqual(
            offers.filtered(lambda o: o.sku == "SKU-BOTTLE").product_id, self.known_product
        )
        self.assertEqual(set(offers.mapped("fulfilment")), {"fbs"})

        buyer, delivery = order.partner_id, order.partner_shipping_id
        self.assertEqual(buyer.name, "Priya Sharma")
        self.assertEqual(delivery.parent_id, buyer)
        self.assertEqual(delivery.type, "delivery")
        self.assertEqual(delivery.street, "12 MG Road")
        self.assertEqual(delivery.zip, "560001")
        self.assertEqual(delivery.country_id, self.env.ref("base.in"))
        self.assertEqual(delivery.state_id, self.env.ref("base.state_in_ka"))

        shipment = order.flipkart_shipment_ids
        self.assertEqual(shipment.name, added["shipmentIds"][0])
        self.assertEqual(shipment.state, "APPROVED")
        self.assertEqual(shipment.dispatch_state, "none")
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.flipkart_shipment_ref, shipment.name)
        self.assertEqual(shipment.picking_id, picking)
        self.assertEqual(picking.picking_type_id.warehouse_id, self.account.warehouse_id)
        self.assertEqual(self.account.flipkart_location_ref, shipment.location_ref)
        self.assertTrue(self.account.last_orders_sync)

    def test_price_rule_tax_included_and_no_tax(self):
        included = self.env["account.tax"].create(
            {
                "name": "GST 18% incl (test)",
                "amount": 18,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )
        for sku, taxes in (("SKU-INCL", included), ("SKU-NOTAX", self.env["account.tax"])):
            self.env["product.product"].create(
                {"name": sku, "default_code": sku, "type": "consu", "taxes_id": [(6, 0, taxes.ids)]}
            )
        added = self.sandbox.add_order(
            items=[
                {"sku": "SKU-INCL", "quantity": 2, "selling_price": 2000.0},
                {"sku": "SKU-NOTAX", "quantity": 7, "selling_price": 7000.0},
            ]
        )
        self.sync()
        order = self.order_of(added["orderId"])
        incl = order.order_line.filtered(lambda line: line.product_id.default_code == "SKU-INCL")
        notax = order.order_line.filtered(lambda line: line.product_id.default_code == "SKU-NOTAX")
        self.assertEqual(incl.price_unit, 1000.0)
        self.assertAlmostEqual(incl.price_total, 2000.0, places=2)
        self.assertEqual(notax.price_unit, 1000.0)
        self.assertTotalMatches(order, 9000.0)

    # ------------------------------------------------------------------ buyers
    def test_repeat_buyer_and_namesake(self):
        address = {
            "address_line1": "4 Park Street",
            "city": "Kolkata",
            "state_code": "WB",
            "pin_code": "700016",
            "phone": "9830012345",
        }
        first = self.sandbox.add_order(buyer=("Amit", "Das"), address=address)
        self.sync()
        partners_before = self.env["res.partner"].search_count([])
        again = self.sandbox.add_order(
            buyer=("Amit", "Das"), address=dict(address, phone="+91-98300-12345")
        )
        self.sync()
        self.assertEqual(
            self.env["res.partner"].search_count([]),
            partners_before,
            "a repeat buyer (same name, same phone) creates no partner",
        )
        self.assertEqual(
            self.order_of(again["orderId"]).partner_id, self.order_of(first["orderId"]).partner_id
        )
        self.assertEqual(
            self.order_of(again["orderId"]).partner_shipping_id,
            self.order_of(first["orderId"]).partner_shipping_id,
        )

        namesake = self.sandbox.add_order(
            buyer=("Amit", "Das"),
            address={
                "address_line1": "9 Civil Lines",
                "city": "Jaipur",
                "state_code": "RJ",
                "pin_code": "302006",
                "phone": "9414098765",
            },
        )
        self.sync()
        self.assertNotEqual(
            self.order_of(namesake["orderId"]).partner_id,
            self.order_of(first["orderId"]).partner_id,
            "a namesake elsewhere is another person",
        )

    def test_buyer_without_phone_matched_by_address(self):
        address = {
            "address_line1": "22 Anna Salai",
            "city": "Chennai",
            "state_code": "TN",
            "pin_code": "600002",
            "phone": None,
        }
        first = self.sandbox.add_order(buyer=("Lakshmi", "Iyer"), address=address)
        second = self.sandbox.add_order(
            buyer=("Lakshmi", "Iyer"), address=dict(address, address_line1="22  ANNA SALAI")
        )
        self.sync()
        self.assertEqual(
            self.order_of(first["orderId"]).partner_id, self.order_of(second["orderId"]).partner_id
        )
        elsewhere = self.sandbox.add_order(
            buyer=("Lakshmi", "Iyer"), address=dict(address, pin_code="600040")
        )
        self.sync()
        self.assertNotEqual(
            self.order_of(elsewhere["orderId"]).partner_id,
            self.order_of(first["orderId"]).partner_id,
        )

    def test_state_codes(self):
        cases = {
            "IN-KA": "base.state_in_ka",
            "TG": "base.state_in_ts",
            "OD": "base.state_in_or",
            "XX": None,
        }
        orders = {
            code: self.sandbox.add_order(address={"state_code": code, "state": "-"})["orderId"]
            for code in cases
        }
        result = self.sync()
        self.assertEqual(result["failed"], 0, "an unknown state is a warning, not an error")
        for code, xmlid in cases.items():
            order = self.order_of(orders[code])
            expected = self.env.ref(xmlid) if xmlid else self.env["res.country.state"]
            self.assertEqual(order.partner_shipping_id.state_id, expected, code)
        unknown = self.order_of(orders["XX"])
        self.assertIn("XX", "\n".join(unknown.message_ids.mapped("body")))

    # ------------------------------------------------------------------ shipments
    def test_split_order_gets_one_picking_per_shipment(self):
        added = self.sandbox.add_order(
            items=[{"sku": "SKU-BOTTLE", "quantity": 1}, {"sku": "SKU-LAMP", "quantity": 3}],
            shipments=[[0], [1]],
        )
        self.sync()
        order = self.order_of(added["orderId"])
        self.assertEqual(len(order.flipkart_shipment_ids), 2)
        self.assertEqual(len(order.picking_ids), 2)
        for shipment in order.flipkart_shipment_ids:
            picking = shipment.picking_id
            self.assertEqual(picking.flipkart_shipment_ref, shipment.name)
            self.assertEqual(
                picking.move_ids.sale_line_id,
                shipment.line_ids.filtered(lambda line: line.product_id.type == "consu"),
            )

    def test_late_first_sight_and_state_updates(self):
        shipped = self.sandbox.add_order(state="SHIPPED")
        approved = self.sandbox.add_order()
        self.sync()
        late = self.order_of(shipped["orderId"]).flipkart_shipment_ids
        self.assertEqual(late.state, "SHIPPED")
        self.assertEqual(late.dispatch_state, "notified", "Flipkart already knows")
        self.sandbox.advance(approved["shipmentIds"][0], "PACKED")
        result = self.sync()
        shipment = self.order_of(approved["orderId"]).flipkart_shipment_ids
        self.assertEqual(shipment.state, "PACKED")
        self.assertEqual(result["imported"], 0)
        self.assertGreaterEqual(result["updated"], 1)

    def test_second_sync_duplicates_nothing(self):
        self.sandbox.add_order(items=[{"sku": "SKU-A", "quantity": 2, "shipping_charge": 30}])
        self.sandbox.add_order(items=[{"sku": "SKU-A"}, {"sku": "SKU-B"}], shipments=[[0], [1]])
        self.sync()
        before = self.record_counts()
        self.account.last_orders_sync = False  # as if an administrator moved the cursor back
        self.sync()
        self.assertEqual(self.record_counts(), before)

    # ------------------------------------------------------------------ failures
    def test_one_malformed_order_among_twenty(self):
        good = [self.sandbox.add_order()["orderId"] for _i in range(19)]
        bad = self.sandbox.add_order(malformed=True)
        result = self.sync()
        self.assertEqual(result["imported"], 19)
        self.assertEqual(result["failed"], 1)
        self.assertEqual(
            len(self.env["sale.order"].search([("flipkart_order_ref", "in", good)])), 19
        )
        error = self.env["flipkart.sync.error"].search([("account_id", "=", self.account.id)])
        self.assertEqual(error.reference, bad["orderId"])
        self.assertEqual(error.state, "open")
        self.assertIn("sellingPrice", error.message)
        self.assertTrue(error.activity_ids, "the responsible user is told")
        self.assertEqual(self.account.sync_error_count, 1)

        # The next run retries it, although its shipment is not modified again.
        self.sync()
        self.assertEqual(error.attempts, 2)
        self.sandbox.store.find_shipment(bad["shipmentIds"][0])["malformed"] = None
        self.sync()
        self.assertEqual(error.state, "resolved")
        self.assertTrue(self.order_of(bad["orderId"]))
        self.assertEqual(self.account.sync_error_count, 0)

    def test_rate_limited_mid_run_loses_nothing(self):
        orders = [self.sandbox.add_order()["orderId"] for _i in range(30)]  # 2 pages
        original = type(self.account)._import_shipment_page
        calls = []

        def page_then_throttle(account, client, page, result, profile=None):
            original(account, client, page, result, profile)
            if not calls:
                self.sandbox.fail_next(status=429, count=20, retry_after=0)
            calls.append(len(page))

        with patch.object(type(self.account), "_import_shipment_page", page_then_throttle):
            result = self.sync()
        self.assertTrue(result["error"], "the run ended on the rate limit")
        self.assertFalse(self.account.last_orders_sync, "the cursor did not move")
        imported = self.env["sale.order"].search_count([("flipkart_order_ref", "in", orders)])
        self.assertEqual(imported, calls[0])
        self.sandbox.clear_faults()
        result = self.sync()
        self.assertFalse(result["error"])
        self.assertEqual(
            self.env["sale.order"].search_count([("flipkart_order_ref", "in", orders)]), 30
        )
        self.assertTrue(self.account.last_orders_sync)

    def test_authentication_failure_marks_account(self):
        self.sandbox.add_order()
        self.account.sudo().client_secret = "revoked"
        result = self.sync()
        self.assertTrue(result["error"])
        self.assertEqual(self.account.connection_state, "failed")
        self.assertTrue(self.account.activity_ids)
        self.assertFalse(self.account.last_orders_sync)

    def test_concurrent_run_skips(self):
        self.sandbox.add_order()
        db = odoo.sql_db.db_connect(self.env.cr.dbname)
        with db.cursor() as other:
            other.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (0x464B5359, self.account.id))
            self.assertTrue(other.fetchone()[0])
            result = self.sync()
            other.rollback()
        self.assertTrue(result["skipped"])
        self.assertEqual(result["imported"], 0)
        self.assertFalse(
            self.env["sale.order"].search_count([("flipkart_account_id", "=", self.account.id)])
        )

    def test_sync_orders_button(self):
        added = self.sandbox.add_order()
        self.account.last_orders_sync = datetime.now().replace(microsecond=0)
        self.sandbox.advance(added["shipmentIds"][0], "PACKING_IN_PROGRESS")
        action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self.order_of(added["orderId"]))
        self.account.last_orders_sync = False
        action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "info", "a first sync runs in the background")

    def test_refused_credentials_tell_the_user_once(self):
        self.account.sudo().client_secret = "revoked"
        self.sync()
        self.sync()
        self.assertEqual(len(self.account.activity_ids), 1)

    def test_pricelist_discount_does_not_change_flipkart_prices(self):
        self.env.user.groups_id += self.env.ref("sale.group_discount_per_so_line")
        self.account.pricelist_id.item_ids = [
            (0, 0, {"compute_price": "percentage", "percent_price": 10, "applied_on": "3_global"})
        ]
        added = self.sandbox.add_order(
            items=[{"sku": "SKU-BOTTLE", "quantity": 1, "selling_price": 1180.0}]
        )
        self.sync()
        order = self.order_of(added["orderId"])
        self.assertEqual(order.order_line.discount, 0.0)
        self.assertTotalMatches(order, 1180.0)

    def test_existing_offer_gets_flipkart_ids(self):
        offer = self.env["flipkart.offer"].create(
            {
                "account_id": self.account.id,
                "sku": "SKU-BOTTLE",
                "product_id": self.known_product.id,
            }
        )
        added = self.sandbox.add_order(items=[{"sku": "SKU-BOTTLE", "fsn": "BOTF3V0JVPJNUF4M"}])
        self.sync()
        self.assertEqual(offer.fsn, "BOTF3V0JVPJNUF4M")
        self.assertTrue(offer.listing_ref)
        self.assertEqual(offer.fulfilment, "fbs")
        self.assertEqual(self.order_of(added["orderId"]).order_line.product_id, self.known_product)

    def test_address_spelling_variants_are_one_address(self):
        address = {
            "address_line1": "22, Anna Salai",
            "city": "Chennai",
            "state_code": "TN",
            "pin_code": "600002",
            "phone": None,
        }
        first = self.sandbox.add_order(buyer=("Meena", "Raj"), address=address)
        second = self.sandbox.add_order(
            buyer=("Meena", "Raj"),
            address=dict(address, address_line1="22,Anna  SALAI", pin_code="600 002"),
        )
        self.sync()
        self.assertEqual(
            self.order_of(first["orderId"]).partner_shipping_id,
            self.order_of(second["orderId"]).partner_shipping_id,
        )

    def test_unknown_references_stop_being_retried(self):
        error = self.env["flipkart.sync.error"]._flipkart_record(
            self.account, "OD-GONE", "Import failed"
        )
        for _i in range(5):
            self.sync()
        self.assertEqual(error.attempts, 5, "retried 4 times, then no more")
        self.assertFalse(error.retry, "Flipkart returns nothing for it: left to the user")
        self.assertEqual(error.state, "open")
