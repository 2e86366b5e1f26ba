from collections import defaultdict

from odoo import api, fields, models


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
        if not account.flipkart_location_ref:
            fbs = [s.location_ref for s in shipments if not s.is_fbf and s.location_ref]
            if fbs:
                account.flipkart_location_ref = fbs[0]
        return self.browse([o.id for o in orders.values()])

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
