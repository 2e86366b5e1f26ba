from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import FlipkartSandboxCase


@tagged("post_install", "-at_install")
class TestFbfAndCancellations(FlipkartSandboxCase):
    def test_fbf_shipped_order_moves_out_of_flipkart_location(self):
        added = self.sandbox.add_order(
            service_profile="FBF",
            state="SHIPPED",
            items=[
                {"sku": "FBF-SKU-1", "quantity": 2, "selling_price": 1200.0},
                {
                    "sku": "FBF-SKU-2",
                    "quantity": 1,
                    "selling_price": 450.0,
                    "shipping_charge": 40.0,
                },
            ],
        )
        result = self.sync()
        self.assertEqual(result["failed"], 0, result)
        order = self.order_of(added["orderId"])
        self.assertEqual(order.flipkart_fulfilment, "fbf")
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.picking_ids, "Flipkart ships FBF orders: no delivery")
        item_lines = order.order_line.filtered("flipkart_order_item_ref")
        self.assertEqual(len(item_lines), 2)
        for line in item_lines:
            self.assertEqual(len(line.move_ids), 1, "one move per order item")
            move = line.move_ids
            self.assertEqual(move.state, "done")
            self.assertEqual(move.location_id, self.account.fbf_location_id)
            self.assertEqual(move.location_dest_id, self.env.ref("stock.stock_location_customers"))
            self.assertEqual(move.company_id, order.company_id)
            self.assertFalse(move.picking_id)
            self.assertEqual(line.qty_delivered, line.product_uom_qty)
        self.assertEqual(order.invoice_status, "to invoice")
        offers = self.env["flipkart.offer"].search([("sku", "in", ["FBF-SKU-1", "FBF-SKU-2"])])
        self.assertEqual(set(offers.mapped("fulfilment")), {"fbf"})

        before = self.record_counts()
        self.account.last_orders_sync = False
        self.sync()
        self.assertEqual(
            self.record_counts(), before, "a second sync duplicates no order, line or move"
        )

    def test_fbf_switch_off(self):
        self.account.sync_fbf_orders = False
        added = self.sandbox.add_order(service_profile="FBF", state="DELIVERED")
        self.sync()
        self.assertFalse(self.order_of(added["orderId"]))

    def test_fbf_lot_tracked_product_gets_an_error_not_a_move(self):
        self.env["product.product"].create(
            {
                "name": "Serial Phone",
                "default_code": "FBF-SERIAL",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
            }
        )
        tracked = self.sandbox.add_order(
            service_profile="FBF", state="DELIVERED", items=[{"sku": "FBF-SERIAL"}]
        )
        other = self.sandbox.add_order(service_profile="FBF", state="DELIVERED")
        self.sync()
        order = self.order_of(tracked["orderId"])
        self.assertEqual(order.state, "sale", "imported and confirmed all the same")
        self.assertFalse(order.order_line.move_ids)
        self.assertTrue(self.order_of(other["orderId"]).order_line.move_ids)
        errors = self.env["flipkart.sync.error"].search([("account_id", "=", self.account.id)])
        self.assertEqual(errors.reference, tracked["orderId"])
        self.assertEqual(errors.operation, "fbf_move")
        self.assertFalse(errors.retry)
        self.assertIn("by hand", errors.message)
        self.account.last_orders_sync = False
        self.sync()
        self.assertEqual(errors.attempts, 1, "recorded once")
        self.assertEqual(errors.state, "open")

    # ------------------------------------------------------------------ cancellations
    def test_cancelled_before_seen_fbs_and_fbf(self):
        fbs = self.sandbox.add_order(state="CANCELLED", cancellation_type="buyerCancellation")
        fbf = self.sandbox.add_order(
            service_profile="FBF", state="CANCELLED", cancellation_type="marketplaceCancellation"
        )
        self.sync()
        for added in (fbs, fbf):
            order = self.order_of(added["orderId"])
            self.assertEqual(order.state, "cancel")
            self.assertEqual(order.flipkart_shipment_ids.state, "CANCELLED")
            self.assertFalse(order.order_line.move_ids.filtered(lambda m: m.state == "done"))
        self.assertEqual(self.order_of(fbs["orderId"]).picking_ids.state, "cancel")

    def test_fbs_cancelled_later_cancels_order_and_picking(self):
        added = self.sandbox.add_order()
        self.sync()
        order = self.order_of(added["orderId"])
        self.assertNotIn(order.picking_ids.state, ("done", "cancel"))
        self.sandbox.cancel_by_buyer(added["shipmentIds"][0])
        self.sync()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.picking_ids.state, "cancel")
        self.assertEqual(order.flipkart_shipment_ids.state, "CANCELLED")
        self.sync()
        self.assertEqual(order.state, "cancel")

    def test_one_shipment_of_two_cancelled(self):
        added = self.sandbox.add_order(
            items=[
                {"sku": "SKU-A", "quantity": 2, "shipping_charge": 50},
                {"sku": "SKU-B", "quantity": 1},
            ],
            shipments=[[0], [1]],
        )
        self.sync()
        order = self.order_of(added["orderId"])
        first, second = (
            order.flipkart_shipment_ids.filtered(lambda s, r=ref: s.name == r)
            for ref in added["shipmentIds"]
        )
        self.sandbox.cancel_by_buyer(first.name)
        self.sync()
        self.assertEqual(order.state, "sale", "the order stays open")
        self.assertEqual(
            set(first.line_ids.mapped("product_uom_qty")),
            {0},
            "the cancelled item and its shipping line are at 0",
        )
        self.assertEqual(second.line_ids.product_uom_qty, 1)
        self.assertEqual(first.picking_id.state, "cancel")
        self.assertNotEqual(second.picking_id.state, "cancel")
        self.assertIn(added["orderItemIds"][0], "".join(order.message_ids.mapped("body")))

    def test_cancelled_after_shipping_changes_nothing(self):
        self.env["product.product"].create(
            {"name": "Lamp", "default_code": "SKU-LAMP", "type": "consu", "is_storable": True}
        )
        added = self.sandbox.add_order(items=[{"sku": "SKU-LAMP", "quantity": 1}])
        self.sync()
        order = self.order_of(added["orderId"])
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking._action_done()
        self.assertEqual(picking.state, "done")
        self.sandbox.set_state(
            added["shipmentIds"][0], "CANCELLED", cancellation_type="buyerCancellation"
        )
        self.sync()
        self.assertEqual(order.state, "sale", "unchanged")
        self.assertEqual(order.order_line.product_uom_qty, 1)
        self.assertEqual(order.flipkart_shipment_ids.state, "CANCELLED")
        self.assertTrue(order.activity_ids, "an activity tells to handle the return")
        activities = len(order.activity_ids)
        self.sync()
        self.assertEqual(len(order.activity_ids), activities, "told once")

    # ------------------------------------------------------------------ later updates
    def test_fbs_shipped_outside_odoo(self):
        added = self.sandbox.add_order()
        self.sync()
        picking = self.order_of(added["orderId"]).picking_ids
        self.sandbox.set_state(added["shipmentIds"][0], "SHIPPED")
        self.sync()
        self.assertNotIn(picking.state, ("done", "cancel"), "nothing validated automatically")
        self.assertTrue(picking.activity_ids)
        self.assertIn("outside Odoo", "".join(picking.message_ids.mapped("body")))

    # ------------------------------------------------------------------ recover order
    def test_recover_order_outside_cursor(self):
        self.sandbox.advance_clock(-40 * 86400)  # an order last modified 40 days ago
        old = self.sandbox.add_order()
        self.sandbox.advance_clock(40 * 86400)
        self.sync()
        self.assertFalse(self.order_of(old["orderId"]), "outside the sync window")
        wizard = Form(
            self.env["flipkart.order.recover"].with_context(default_account_id=self.account.id)
        )
        wizard.order_ref = old["orderId"]
        action = wizard.save().action_recover()
        order = self.order_of(old["orderId"])
        self.assertEqual(action["res_id"], order.id)
        self.assertEqual(order.state, "sale")
        before = self.record_counts()
        wizard = self.env["flipkart.order.recover"].create(
            {"account_id": self.account.id, "order_ref": old["orderId"]}
        )
        wizard.action_recover()
        self.assertEqual(self.record_counts(), before)
        with self.assertRaises(UserError):
            self.env["flipkart.order.recover"].create(
                {"account_id": self.account.id, "order_ref": "OD-NOPE"}
            ).action_recover()

    def test_partly_cancelled_order_first_seen_stays_open(self):
        self.sandbox.advance_clock(-3 * 3600)  # placed 3 hours ago ...
        added = self.sandbox.add_order(
            items=[{"sku": "SKU-A"}, {"sku": "SKU-B"}], shipments=[[0], [1]]
        )
        self.sandbox.advance_clock(3 * 3600)
        self.sandbox.cancel_by_buyer(added["shipmentIds"][0])  # ... one shipment cancelled now
        # The live shipment is modified outside the window: only the cancelled one is found.
        self.account.last_orders_sync = fields.Datetime.now()
        self.sync()
        order = self.order_of(added["orderId"])
        self.assertEqual(order.state, "sale", "one shipment of two is still to ship")
        live = order.flipkart_shipment_ids.filtered(lambda s: s.name == added["shipmentIds"][1])
        self.assertTrue(live.picking_id)
        self.assertNotEqual(live.picking_id.state, "cancel")
        cancelled = order.flipkart_shipment_ids - live
        self.assertEqual(cancelled.line_ids.mapped("product_uom_qty"), [0.0])

    def test_fbf_shipment_shipped_after_import_gets_its_move(self):
        added = self.sandbox.add_order(
            service_profile="FBF",
            state="SHIPPED",
            items=[{"sku": "FBF-A"}, {"sku": "FBF-B"}],
            shipments=[[0], [1]],
        )
        cancelled, later = added["shipmentIds"]
        self.sandbox.set_state(cancelled, "CANCELLED", cancellation_type="marketplaceCancellation")
        self.sandbox.set_state(later, "APPROVED")  # Flipkart has not shipped it yet
        self.sync()  # finds the cancellation, and imports the whole order
        order = self.order_of(added["orderId"])
        self.assertEqual(order.state, "sale")
        late = order.flipkart_shipment_ids.filtered(lambda s: s.name == later)
        self.assertEqual(late.state, "APPROVED")
        self.assertFalse(late.line_ids.move_ids, "not shipped: no move yet")
        self.sandbox.set_state(later, "SHIPPED")
        self.sync()
        self.assertEqual(late.state, "SHIPPED")
        self.assertEqual(late.line_ids.filtered("flipkart_order_item_ref").move_ids.state, "done")
