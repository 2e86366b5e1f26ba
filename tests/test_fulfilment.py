from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import FlipkartSandboxCase

LABELS_POST = "/sellers/v3/shipments/labels"
DISPATCH_POST = "/sellers/v3/shipments/dispatch"


@tagged("post_install", "-at_install")
class TestFbsFulfilment(FlipkartSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tee = cls.create_gst18_product("SKU-TEE", "Cotton Tee")
        cls.stock_user = cls.env["res.users"].create(
            {
                "name": "Warehouse Worker",
                "login": "flipkart_stock_worker",
                "email": "worker@example.com",
                "groups_id": [(6, 0, [cls.env.ref("stock.group_stock_user").id])],
            }
        )

    # ------------------------------------------------------------------ helpers
    def import_order(self, **kwargs):
        kwargs.setdefault("items", [{"sku": "SKU-TEE", "quantity": 2, "selling_price": 1180.0}])
        added = self.sandbox.add_order(**kwargs)
        self.account._sync_orders()
        shipments = self.env["flipkart.shipment"].search(
            [("account_id", "=", self.account.id), ("name", "in", added["shipmentIds"])]
        )
        self.assertEqual(len(shipments), len(added["shipmentIds"]))
        return shipments

    def calls(self, method, path):
        return [r for r in self.sandbox.requests if r["method"] == method and path in r["path"]]

    def validate(self, picking, quantity=None):
        """Validate a delivery with all its quantity (or ``quantity`` per move: backorder)."""
        for move in picking.move_ids:
            self.env["stock.quant"]._update_available_quantity(
                move.product_id, picking.location_id, move.product_uom_qty
            )
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = quantity if quantity is not None else move.product_uom_qty
            move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            wizard = (
                self.env["stock.backorder.confirmation"]
                .with_context(**result["context"])
                .create({})
            )
            wizard.process()
        self.assertEqual(picking.state, "done")

    def dispatch_cron_triggered(self):
        cron = self.env.ref("sale_flipkart.ir_cron_flipkart_dispatch")
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    # ------------------------------------------------------------------ labels
    def test_label_requested_not_ready_ready_fetched_printed(self):
        self.sandbox.label_delay = 3600
        shipment = self.import_order()
        picking = shipment.picking_id
        self.sandbox.clear_requests()

        action = picking.action_flipkart_generate_label()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(shipment.label_state, "requested")
        (request,) = self.calls("POST", LABELS_POST)
        (entry,) = request["json"]["shipments"]
        self.assertEqual(entry["shipmentId"], shipment.name)
        self.assertEqual(entry["locationId"], self.sandbox.location_id)
        line = shipment.line_ids.filtered("flipkart_order_item_ref")
        self.assertEqual(
            entry["taxItems"],
            [
                {
                    "orderItemId": line.flipkart_order_item_ref,
                    "quantity": 2,
                    "taxRate": 18.0,
                    "purchasePrice": line.price_total,
                }
            ],
        )
        self.assertAlmostEqual(line.price_total, 1180.0, delta=0.02)
        self.assertEqual(entry["invoices"], [], "not invoiced: Flipkart invoices")
        dims = entry["subShipments"][0]["dimensions"]
        self.assertEqual((dims["length"], dims["breadth"], dims["height"]), (10.0, 10.0, 10.0))
        self.assertGreater(dims["weight"], 0)
        self.assertEqual(self.sandbox.state(shipment.name), "PACKING_IN_PROGRESS")

        # not ready yet: nothing downloaded
        action = picking.action_flipkart_fetch_label()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(shipment.label_state, "requested")
        self.assertFalse(self.calls("GET", "/labels"))
        self.assertFalse(shipment.label_attachment_id)

        # ready: the label is downloaded and attached to the picking
        self.sandbox.make_labels_ready()
        action = picking.action_flipkart_fetch_label()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(shipment.label_state, "fetched")
        attachment = shipment.label_attachment_id
        self.assertEqual(attachment.name, f"Flipkart-Label-{shipment.name}.pdf")
        self.assertEqual((attachment.res_model, attachment.res_id), ("stock.picking", picking.id))
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertEqual(len(self.calls("GET", "/labels")), 1)

        # tracking from Flipkart, on the shipment and the picking
        self.assertTrue(shipment.tracking_ref)
        self.assertTrue(shipment.carrier_name)
        self.assertEqual(picking.carrier_tracking_ref, shipment.tracking_ref)

        # printing returns the attached PDF without downloading it again
        action = picking.action_flipkart_print_label()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"], f"/web/content/{attachment.id}?download=true")
        self.assertEqual(len(self.calls("GET", "/labels")), 1)

    def test_download_refused_as_not_ready_keeps_ready(self):
        self.sandbox.label_delay = 3600
        shipment = self.import_order()
        shipment._flipkart_generate_labels()
        shipment.label_state = "ready"  # as if Flipkart said PACKED too early
        result = shipment._flipkart_fetch_labels()
        self.assertEqual(len(self.calls("GET", "/labels")), 1, "Flipkart was asked")
        self.assertEqual(shipment.label_state, "ready", "OPERATION_NOT_ALLOWED: not ready yet")
        self.assertFalse(shipment.label_attachment_id)
        self.assertFalse(shipment.error_message)
        self.assertEqual(result["pending"], shipment)

    def test_print_downloads_missing_label_first(self):
        shipment = self.import_order()
        shipment.picking_id.action_flipkart_generate_label()
        self.assertEqual(shipment.label_state, "requested")
        action = shipment.picking_id.action_flipkart_print_label()
        self.assertEqual(shipment.label_state, "fetched")
        self.assertEqual(
            action["url"], f"/web/content/{shipment.label_attachment_id.id}?download=true"
        )

    def test_merged_print_of_three_pickings_in_one_call(self):
        shipments = self.env["flipkart.shipment"]
        for _i in range(3):
            shipments |= self.import_order()
        pickings = shipments.picking_id
        self.assertEqual(len(pickings), 3)
        self.sandbox.clear_requests()

        pickings.action_flipkart_generate_label()
        (request,) = self.calls("POST", LABELS_POST)
        self.assertEqual(
            {e["shipmentId"] for e in request["json"]["shipments"]}, set(shipments.mapped("name"))
        )
        self.assertEqual(set(shipments.mapped("label_state")), {"requested"})

        action = pickings.action_flipkart_print_label()
        (download,) = self.calls("GET", "/labels")
        self.assertEqual(
            set(download["path"].split("/")[-2].split(",")), set(shipments.mapped("name"))
        )
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment_id = int(action["url"].split("/")[-1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertFalse(attachment.res_model, "attached to no record: its creator's only")
        self.assertEqual(attachment.create_uid, self.env.user)

        # printing again (by the same user) reuses it: no attachment left behind per click
        attachments = self.env["ir.attachment"].search_count([])
        action = pickings[:2].action_flipkart_print_label()
        self.assertEqual(action["url"], f"/web/content/{attachment.id}?download=true")
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        self.assertEqual(attachment.name, "Flipkart-Labels-2-shipments.pdf")

    def test_label_refused_on_hold_or_before_dispatch_after_date(self):
        held = self.import_order(hold=True)
        later = self.import_order(dispatch_after_date=datetime.utcnow() + timedelta(days=2))
        good = self.import_order()
        self.sandbox.clear_requests()
        with self.assertRaisesRegex(UserError, "on hold"):
            held.picking_id.action_flipkart_generate_label()
        with self.assertRaisesRegex(UserError, "only after"):
            later.picking_id.action_flipkart_generate_label()
        self.assertFalse(self.calls("POST", LABELS_POST))

        action = (held | good).picking_id.action_flipkart_generate_label()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("on hold", action["params"]["message"])
        (request,) = self.calls("POST", LABELS_POST)
        self.assertEqual([e["shipmentId"] for e in request["json"]["shipments"]], [good.name])
        self.assertEqual((held.label_state, good.label_state), ("none", "requested"))

    def test_label_error_keeps_flipkart_message(self):
        shipment = self.import_order()
        shipment.location_ref = "LOC-NOT-THERE"  # Flipkart refuses the request
        shipment.picking_id.action_flipkart_generate_label()
        self.assertEqual(len(self.calls("POST", LABELS_POST)), 1)
        self.assertEqual(shipment.label_state, "error")
        self.assertIn("LOC-NOT-THERE", shipment.error_message)
        self.assertIn(shipment.error_message, shipment.picking_id.message_ids[0].body)

    def test_label_of_shipment_cancelled_at_flipkart_refused_and_left_to_sync(self):
        shipment = self.import_order()
        self.sandbox.cancel_by_buyer(shipment.name)  # Odoo does not know yet
        self.sandbox.clear_requests()
        with self.assertRaisesRegex(UserError, "cancelled"):
            shipment.picking_id.action_flipkart_generate_label()
        self.assertFalse(self.calls("POST", LABELS_POST))
        self.assertEqual(shipment.label_state, "none")
        # the order sync applies the cancellation: the read did not hide the state change
        self.assertEqual(shipment.state, "APPROVED")
        cron = self.env.ref("sale_flipkart.ir_cron_flipkart_sync_orders")
        self.assertTrue(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]))
        self.sync()
        self.assertEqual(shipment.state, "CANCELLED")
        self.assertEqual(shipment.order_id.state, "cancel")

    def test_label_of_packed_shipment_is_ready_without_request(self):
        shipment = self.import_order()
        self.sandbox.advance(shipment.name, "PACKED")  # label made in Seller Hub
        self.sandbox.clear_requests()
        action = shipment.picking_id.action_flipkart_generate_label()
        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(self.calls("POST", LABELS_POST))
        self.assertEqual(shipment.label_state, "ready")
        self.assertEqual(shipment.state, "PACKED")
        shipment.picking_id.action_flipkart_fetch_label()
        self.assertEqual(shipment.label_state, "fetched")
        self.assertFalse(self.calls("POST", LABELS_POST))

    def test_label_refused_in_state_taking_no_label(self):
        shipment = self.import_order()
        self.sandbox.set_state(shipment.name, "FORM_FAILED")
        self.sandbox.clear_requests()
        with self.assertRaisesRegex(UserError, "FORM_FAILED at Flipkart"):
            shipment.picking_id.action_flipkart_generate_label()
        self.assertFalse(self.calls("POST", LABELS_POST))
        self.assertEqual(shipment.label_state, "none")

    def test_label_sends_posted_invoice(self):
        shipment = self.import_order()
        order = shipment.order_id
        invoice = order._create_invoices()
        invoice.action_post()
        shipment.picking_id.action_flipkart_generate_label()
        (request,) = self.calls("POST", LABELS_POST)
        self.assertEqual(
            request["json"]["shipments"][0]["invoices"],
            [
                {
                    "orderId": order.flipkart_order_ref,
                    "invoiceNumber": invoice.name,
                    "invoiceDate": str(invoice.invoice_date),
                }
            ],
        )

    def test_package_dimensions_from_package_type(self):
        shipment = self.import_order()
        picking = shipment.picking_id
        package_type = self.env["stock.package.type"].create(
            {"name": "Box S", "packaging_length": 300, "width": 200, "height": 100}
        )
        package = self.env["stock.quant.package"].create(
            {"package_type_id": package_type.id, "shipping_weight": 1.2}
        )
        self.env["stock.quant"]._update_available_quantity(self.tee, picking.location_id, 2)
        picking.action_assign()
        picking.move_line_ids.result_package_id = package
        dims = shipment._flipkart_package_dimensions()
        # package type sizes are in mm by default (Odoo's length unit), Flipkart gets cm
        self.assertEqual((dims["length"], dims["breadth"], dims["height"]), (30.0, 20.0, 10.0))
        self.assertAlmostEqual(dims["weight"], 1.2)

    # ------------------------------------------------------------------ dispatch
    def test_validation_queues_then_sends_exactly_one_dispatch(self):
        shipment = self.import_order()
        other = self.import_order()
        (shipment | other).picking_id.action_flipkart_generate_label()
        self.assertEqual(self.sandbox.state(shipment.name), "PACKED")
        self.sandbox.clear_requests()
        triggers = self.dispatch_cron_triggered()

        self.validate(shipment.picking_id)
        self.assertEqual(shipment.dispatch_state, "to_notify")
        self.assertEqual(other.dispatch_state, "none")
        self.assertFalse(self.sandbox.requests, "no Flipkart call inside the validation")
        self.assertEqual(self.dispatch_cron_triggered(), triggers + 1)

        # the cron's step, run explicitly
        self.env["flipkart.shipment"]._flipkart_dispatch_pending()._flipkart_dispatch()
        self.assertEqual(shipment.dispatch_state, "notified")
        self.assertEqual(other.dispatch_state, "none")
        (request,) = self.calls("POST", DISPATCH_POST)
        self.assertEqual(
            request["json"],
            {"shipmentIds": [shipment.name], "locationId": self.sandbox.location_id},
        )
        self.assertEqual(self.sandbox.state(shipment.name), "READY_TO_DISPATCH")
        self.assertEqual(shipment.picking_id.carrier_tracking_ref, shipment.tracking_ref)

        # never twice
        shipment._flipkart_dispatch()
        self.env["flipkart.shipment"]._flipkart_dispatch_pending()._flipkart_dispatch()
        self.assertEqual(len(self.calls("POST", DISPATCH_POST)), 1)
        with self.assertRaises(UserError):
            shipment.picking_id.action_flipkart_retry_dispatch()

    def test_outage_leaves_picking_done_and_shipment_failed_then_retry(self):
        shipment = self.import_order()
        picking = shipment.picking_id
        picking.action_flipkart_generate_label()
        self.sandbox.fail_next(status=503, count=10, path="/shipments/dispatch")

        self.validate(picking)
        shipment._flipkart_dispatch()
        self.assertEqual(picking.state, "done")
        self.assertEqual(shipment.dispatch_state, "failed")
        self.assertIn("503", shipment.error_message)
        self.assertIn(shipment.error_message, picking.message_ids[0].body)
        self.assertEqual(self.sandbox.state(shipment.name), "PACKED")

        self.sandbox.clear_faults()
        action = picking.action_flipkart_retry_dispatch()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(shipment.dispatch_state, "notified")
        self.assertFalse(shipment.error_message)
        self.assertEqual(self.sandbox.state(shipment.name), "READY_TO_DISPATCH")
        sent = self.calls("POST", DISPATCH_POST)
        self.assertEqual([r["fault"] is not None for r in sent], [True, False])

    def test_unknown_outcome_is_read_back_not_sent_twice(self):
        shipment = self.import_order()
        shipment.picking_id.action_flipkart_generate_label()
        self.validate(shipment.picking_id)
        # Flipkart applies the call but its answer is lost (cut in the middle)
        self.sandbox.set_faults(malformed_json_rate=1.0, paths=["/shipments/dispatch"])
        shipment._flipkart_dispatch()
        self.assertEqual(shipment.dispatch_state, "failed")
        self.assertEqual(self.sandbox.state(shipment.name), "READY_TO_DISPATCH")

        self.sandbox.clear_faults()
        self.env["flipkart.shipment"]._flipkart_dispatch_pending()._flipkart_dispatch()
        self.assertEqual(shipment.dispatch_state, "notified")
        self.assertEqual(len(self.calls("POST", DISPATCH_POST)), 1, "read back, not resent")

    def test_queued_shipment_already_dispatched_is_read_not_sent(self):
        """An earlier dispatch applied by Flipkart whose Odoo transaction rolled back leaves
        the shipment ``to_notify``: it is read back, not sent again."""
        shipment = self.import_order()
        shipment.picking_id.action_flipkart_generate_label()
        self.validate(shipment.picking_id)
        self.assertEqual(shipment.dispatch_state, "to_notify")
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            shipment._flipkart_dispatch()
            self.assertEqual(shipment.dispatch_state, "notified")
            raise RuntimeError("crash before the commit")
        self.env.invalidate_all()
        self.assertEqual(shipment.dispatch_state, "to_notify")
        self.assertEqual(self.sandbox.state(shipment.name), "READY_TO_DISPATCH")
        self.sandbox.clear_requests()

        self.env["flipkart.shipment"]._flipkart_dispatch_pending()._flipkart_dispatch()
        self.assertEqual(shipment.dispatch_state, "notified")
        self.assertFalse(shipment.error_message)
        self.assertFalse(self.calls("POST", DISPATCH_POST), "read back, not resent")
        (read,) = [r for r in self.calls("GET", "/v3/shipments") if "shipmentIds" in r["query"]]
        self.assertEqual(read["query"]["shipmentIds"], shipment.name)

    def test_retry_button_reads_back_a_queued_shipment(self):
        shipment = self.import_order()
        shipment.picking_id.action_flipkart_generate_label()
        self.validate(shipment.picking_id)
        self.sandbox.advance(shipment.name, "READY_TO_DISPATCH")  # applied, reply lost
        self.sandbox.clear_requests()
        action = shipment.picking_id.action_flipkart_retry_dispatch()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(shipment.dispatch_state, "notified")
        self.assertFalse(self.calls("POST", DISPATCH_POST))

    def test_unreadable_shipment_is_not_sent(self):
        shipment = self.import_order()
        shipment.picking_id.action_flipkart_generate_label()
        self.validate(shipment.picking_id)
        with self.sandbox._lock:
            self.sandbox.store.get_shipment(shipment.name)["malformed"] = "no_items"
        self.sandbox.clear_requests()
        shipment._flipkart_dispatch()
        self.assertEqual(shipment.dispatch_state, "failed")
        self.assertIn("no order items", shipment.error_message)
        self.assertFalse(self.calls("POST", DISPATCH_POST))

    def test_archived_account_shipments_not_pending(self):
        shipment = self.import_order()
        labelled = self.import_order()
        labelled.picking_id.action_flipkart_generate_label()
        self.sandbox.label_delay = 3600
        shipment.picking_id.action_flipkart_generate_label()
        self.validate(labelled.picking_id)
        model = self.env["flipkart.shipment"]
        self.assertIn(shipment, model._flipkart_labels_pending())
        self.assertIn(labelled, model._flipkart_dispatch_pending())

        self.account.active = False
        self.sandbox.clear_requests()
        self.assertNotIn(shipment, model._flipkart_labels_pending())
        self.assertNotIn(labelled, model._flipkart_dispatch_pending())
        model._cron_flipkart_dispatch()
        model._cron_flipkart_fetch_labels()
        self.assertFalse(self.sandbox.requests, "no Flipkart call for an archived account")
        self.assertEqual(labelled.dispatch_state, "to_notify")

    def test_dispatch_without_label_fails_with_flipkart_message_then_retried(self):
        shipment = self.import_order()
        self.validate(shipment.picking_id)
        shipment._flipkart_dispatch()
        self.assertEqual(shipment.dispatch_state, "failed")
        self.assertIn("PACKED", shipment.error_message)

        shipment.picking_id.action_flipkart_generate_label()
        self.env["flipkart.shipment"]._flipkart_dispatch_pending()._flipkart_dispatch()
        self.assertEqual(shipment.dispatch_state, "notified")
        self.assertEqual(self.sandbox.state(shipment.name), "READY_TO_DISPATCH")

    def test_backorder_notifies_only_when_done(self):
        shipment = self.import_order()
        picking = shipment.picking_id
        picking.action_flipkart_generate_label()
        self.validate(picking, quantity=1)
        backorder = picking.backorder_ids
        self.assertEqual(len(backorder), 1)
        self.assertEqual(shipment.dispatch_state, "none", "a backorder is left")
        self.assertEqual(backorder.flipkart_shipment_id, shipment)

        self.validate(backorder)
        self.assertEqual(shipment.dispatch_state, "to_notify")
        shipment._flipkart_dispatch()
        self.assertEqual(shipment.dispatch_state, "notified")
        self.assertEqual(len(self.calls("POST", DISPATCH_POST)), 1)

    def test_buttons_work_for_a_stock_user(self):
        shipment = self.import_order()
        order = shipment.order_id
        order._create_invoices().action_post()
        picking = shipment.picking_id.with_user(self.stock_user)
        picking.action_flipkart_generate_label()
        picking.action_flipkart_fetch_label()
        self.assertEqual(shipment.label_state, "fetched")
        picking.action_flipkart_print_label()
        self.sandbox.fail_next(status=503, count=1, path="/shipments/dispatch")
        self.validate(picking)
        shipment.with_user(self.stock_user)._flipkart_dispatch()
        self.assertEqual(shipment.dispatch_state, "failed")
        picking.action_flipkart_retry_dispatch()
        self.assertEqual(shipment.dispatch_state, "notified")

    def test_merged_print_by_a_stock_user(self):
        shipments = self.import_order() | self.import_order()
        pickings = shipments.picking_id.with_user(self.stock_user)
        pickings.action_flipkart_generate_label()
        for _i in range(2):
            action = pickings.action_flipkart_print_label()
            self.assertEqual(action["type"], "ir.actions.act_url")
        attachment_id = int(action["url"].split("/")[-1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertEqual(attachment.create_uid, self.stock_user)
        self.assertTrue(attachment.with_user(self.stock_user).raw.startswith(b"%PDF"))
        other = new_test_user(self.env, "fk_other_worker", groups="stock.group_stock_user")
        with self.assertRaises(AccessError):
            attachment.with_user(other).read(["raw"])

    def test_buttons_refuse_non_flipkart_picking(self):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.account.warehouse_id.out_type_id.id,
                "location_id": self.account.warehouse_id.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
            }
        )
        for action in (
            picking.action_flipkart_generate_label,
            picking.action_flipkart_fetch_label,
            picking.action_flipkart_print_label,
            picking.action_flipkart_retry_dispatch,
        ):
            with self.assertRaisesRegex(UserError, "not the delivery of a Flipkart"):
                action()
