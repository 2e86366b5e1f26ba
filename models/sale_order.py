from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

#: Flipkart states of a shipment that left the warehouse.
SHIPPED_STATES = {"SHIPPED", "DELIVERED", "PICKUP_COMPLETE", "COMPLETED"}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    flipkart_account_id = fields.Many2one(
        "flipkart.account",
        string="Flipkart Account",
        index="btree_not_null",
        readonly=True,
        copy=False,
    )
    flipkart_order_ref = fields.Char(string="Flipkart Order Id", readonly=True, copy=False)
    flipkart_fulfilment = fields.Selection(
        [("fbs", "Fulfilled by Seller"), ("fbf", "Fulfilled by Flipkart")],
        string="Flipkart Fulfilment",
        readonly=True,
        copy=False,
    )
    flipkart_payment_type = fields.Selection(
        [("cod", "Cash on Delivery"), ("prepaid", "Prepaid")],
        string="Flipkart Payment",
        readonly=True,
        copy=False,
    )
    flipkart_shipment_ids = fields.One2many(
        "flipkart.shipment", "order_id", string="Flipkart Shipments"
    )

    _sql_constraints = [
        (
            "flipkart_order_ref_uniq",
            "unique(flipkart_account_id, flipkart_order_ref)",
            "A Flipkart order is imported once per account.",
        ),
    ]

    def _prepare_confirmation_values(self):
        """Flipkart orders keep Flipkart's order date when they are confirmed."""
        values = super()._prepare_confirmation_values()
        if self and all(self.mapped("flipkart_order_ref")):
            values.pop("date_order", None)
        return values

    # ------------------------------------------------------------------ import
    @api.model
    def _flipkart_import_shipments(self, account, shipments):
        """Create the orders, lines and shipment records of new Flipkart shipments.

        ``shipments`` are parsed :class:`~..flipkart_api.payload.Shipment` objects with their
        details, none of them known yet; their orders may be new or already imported (a
        shipment Flipkart split off later). Everything is done per batch: one search or create
        per model for the whole batch.

        :return: the new or completed sale orders
        """
        by_order = defaultdict(list)
        for shipment in shipments:
            by_order[shipment.order_ref].append(shipment)
        existing = {
            o.flipkart_order_ref: o
            for o in self.search(
                [
                    ("flipkart_account_id", "=", account.id),
                    ("flipkart_order_ref", "in", list(by_order)),
                ]
            )
        }

        for ref, order in existing.items():
            if order.state == "cancel" and any(s.state != "CANCELLED" for s in by_order[ref]):
                raise UserError(
                    self.env._(
                        "Flipkart sent shipment %(shipments)s of order %(order)s, which is "
                        "cancelled in Odoo: check the order in Seller Hub and restore it here if "
                        "needed.",
                        shipments=", ".join(s.ref for s in by_order[ref]),
                        order=order.name,
                    )
                )
        items_by_sku = defaultdict(list)
        for shipment in shipments:
            for item in shipment.items:
                items_by_sku[item.sku].append((item, not shipment.is_fbf))
        offers = self.env["flipkart.offer"]._flipkart_resolve(account, items_by_sku)

        new_refs = [ref for ref in by_order if ref not in existing]
        buyers = self.env["res.partner"]._flipkart_resolve_buyers(
            account, [by_order[ref][0] for ref in new_refs]
        )
        new_orders = self.create(
            [
                self._flipkart_prepare_order_values(account, by_order[ref], *buyers[ref][:2])
                for ref in new_refs
            ]
        )
        orders = dict(existing, **{o.flipkart_order_ref: o for o in new_orders})
        for order in new_orders:
            for warning in buyers[order.flipkart_order_ref][2]:
                order.message_post(body=warning)

        shipment_records = self.env["flipkart.shipment"].create(
            [
                self.env["flipkart.shipment"]._flipkart_prepare_values(
                    account, shipment, orders[shipment.order_ref]
                )
                for shipment in shipments
            ]
        )
        self._flipkart_create_procurement_groups(shipment_records)
        records = {rec.name: rec for rec in shipment_records}
        line_model = self.env["sale.order.line"]
        line_model.create(
            [
                values
                for shipment in shipments
                for values in line_model._flipkart_prepare_shipment_lines(
                    orders[shipment.order_ref], shipment, records[shipment.ref], offers
                )
            ]
        )
        new_orders._flipkart_confirm()
        shipment_records._flipkart_link_pickings()
        self._flipkart_create_fbf_moves(
            shipment_records.filtered(
                lambda r: r.order_id.flipkart_fulfilment == "fbf" and r.state in SHIPPED_STATES
            )
        )
        if not account.flipkart_location_ref:
            fbs = [s.location_ref for s in shipments if not s.is_fbf and s.location_ref]
            if fbs:
                account.flipkart_location_ref = fbs[0]
        return self.browse([o.id for o in orders.values()])

    @api.model
    def _flipkart_create_procurement_groups(self, shipment_records):
        """One procurement group per FBS shipment, created in one batch: each shipment's lines
        go to their own group, hence their own delivery (see ``_get_procurement_group``)."""
        fbs = shipment_records.filtered(lambda r: r.order_id.flipkart_fulfilment == "fbs")
        groups = self.env["procurement.group"].create(
            [
                {
                    # as sale_stock's _prepare_procurement_group_vals, per shipment
                    "name": record.order_id.name,
                    "move_type": record.order_id.picking_policy,
                    "sale_id": record.order_id.id,
                    "partner_id": record.order_id.partner_shipping_id.id,
                }
                for record in fbs
            ]
        )
        for record, group in zip(fbs, groups, strict=True):
            record.procurement_group_id = group

    def _flipkart_confirm(self):
        """Confirm imported orders (their deliveries follow from sale_stock)."""
        if self:
            self.with_context(mail_notrack=True).action_confirm()

    @api.model
    def _flipkart_prepare_order_values(self, account, shipments, buyer, delivery):
        first = shipments[0]
        item = first.items[0]
        return {
            "partner_id": buyer.id,
            "partner_invoice_id": buyer.id,
            "partner_shipping_id": delivery.id,
            "company_id": account.company_id.id,
            "team_id": account.team_id.id,
            "user_id": account.user_id.id,
            "warehouse_id": account.warehouse_id.id,
            "pricelist_id": account.pricelist_id.id,
            "date_order": first.order_date or fields.Datetime.now(),
            "client_order_ref": first.order_ref,
            "flipkart_account_id": account.id,
            "flipkart_order_ref": first.order_ref,
            "flipkart_fulfilment": "fbf" if first.is_fbf else "fbs",
            "flipkart_payment_type": "cod" if item.payment_type == "COD" else "prepaid",
        }

    # ------------------------------------------------------------------ FBF
    @api.model
    def _flipkart_create_fbf_moves(self, shipment_records):
        """One done stock move per order item of shipped FBF shipments, from the account's
        Flipkart location to the customer, linked to its line (so it counts as delivered).
        Items tracked by lot or serial number get no move: a sync error tells the user to
        record it by hand."""
        customers = self.env.ref("stock.stock_location_customers")
        values, untracked = [], []
        for record in shipment_records:
            account = record.account_id
            for line in record.line_ids.filtered(
                lambda line: line.flipkart_order_item_ref and line.product_id.is_storable
            ):
                if line.move_ids.filtered(lambda move: move.state == "done"):
                    continue
                if line.product_id.tracking != "none":
                    untracked.append((account, line))
                    continue
                values.append(
                    line._flipkart_prepare_fbf_move_values(account.fbf_location_id, customers)
                )
        if values:
            moves = self.env["stock.move"].create(values)
            moves._action_confirm(merge=False)
            for move in moves:
                move.quantity = move.product_uom_qty
            moves.picked = True
            moves._action_done()
        for account, line in untracked:
            self.env["flipkart.sync.error"]._flipkart_record(
                account,
                line.order_id.flipkart_order_ref,
                self.env._(
                    "%(product)s is tracked by lot or serial number: record the stock move of "
                    "%(qty)s unit(s) out of %(location)s for order %(order)s by hand.",
                    product=line.product_id.display_name,
                    qty=line.product_uom_qty,
                    location=account.fbf_location_id.display_name,
                    order=line.order_id.name,
                ),
                operation="fbf_move",
                retry=False,
            )

    # ------------------------------------------------------------------ later updates
    def _flipkart_goods_gone(self, shipment_records):
        """True when the goods of these shipments left (done delivery or FBF move) or the
        order is invoiced: a cancellation then needs a return or a credit note."""
        self.ensure_one()
        lines = shipment_records.line_ids
        return bool(
            shipment_records.picking_id.filtered(lambda p: p.state == "done")
            or lines.move_ids.filtered(lambda m: m.state == "done")
            or self.invoice_ids.filtered(lambda m: m.state == "posted")
        )

    def _flipkart_apply_cancellation(self, cancelled):
        """Apply Flipkart cancellations to this order.

        :param cancelled: {flipkart.shipment record: [cancelled parsed OrderItem, ...]}
        """
        self.ensure_one()
        records = self.env["flipkart.shipment"].concat(*cancelled)
        items = [item for entries in cancelled.values() for item in entries]
        refs = {item.ref for item in items}
        reasons = ", ".join(sorted({i.cancellation_reason for i in items if i.cancellation_reason}))
        if self._flipkart_goods_gone(records):
            note = self.env._(
                "Flipkart cancelled %(items)s (%(reason)s) after the goods left or the order "
                "was invoiced: nothing was changed here. Handle the return or the credit note.",
                items=", ".join(sorted(refs)),
                reason=reasons or "-",
            )
            self.message_post(body=note)
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                note=note,
                user_id=(self.user_id or self.env.user).id,
                summary=self.env._("Flipkart cancellation to handle"),
            )
            return
        item_lines = self.order_line.filtered("flipkart_order_item_ref")
        remaining = item_lines.filtered(
            lambda line: line.flipkart_order_item_ref not in refs and line.product_uom_qty
        )
        if not remaining:
            self._action_cancel()
            self.message_post(
                body=self.env._("Cancelled on Flipkart (%(reason)s).", reason=reasons or "-")
            )
            return
        for record, entries in cancelled.items():
            cancelled_refs = {item.ref for item in entries}
            if record.picking_id.state not in ("done", "cancel"):
                record.picking_id.action_cancel()
            lines = record.line_ids.filtered(
                lambda line, refs=cancelled_refs: line.flipkart_order_item_ref in refs
            )
            if not (record.line_ids.filtered("flipkart_order_item_ref") - lines).filtered(
                "product_uom_qty"
            ):
                lines |= record.line_ids  # the shipment's shipping line goes with its items
            lines.product_uom_qty = 0
        self.message_post(
            body=self.env._(
                "Flipkart cancelled the items %(items)s (%(reason)s): their quantity is now 0.",
                items=", ".join(sorted(refs)),
                reason=reasons or "-",
            )
        )

    @api.model
    def _flipkart_flag_shipped_outside(self, shipment_records):
        """Flipkart reports these FBS shipments shipped while their delivery is still open in
        Odoo: say so on the picking, validate nothing."""
        for record in shipment_records:
            picking = record.picking_id
            if not picking or picking.state in ("done", "cancel"):
                continue
            note = self.env._(
                "Flipkart reports shipment %(ref)s %(state)s, but this delivery is not "
                "validated: it was shipped outside Odoo. Check the stock and validate it.",
                ref=record.name,
                state=record.state,
            )
            picking.message_post(body=note)
            picking.activity_schedule(
                "mail.mail_activity_data_todo",
                note=note,
                user_id=(record.account_id.user_id or self.env.user).id,
                summary=self.env._("Flipkart shipment shipped outside Odoo"),
            )
