from odoo import fields, models

#: Flipkart states at which Flipkart already knows the shipment is ready (or gone).
DISPATCHED_STATES = {"READY_TO_DISPATCH", "SHIPPED", "DELIVERED", "PICKUP_COMPLETE", "COMPLETED"}


class FlipkartShipment(models.Model):
    _name = "flipkart.shipment"
    _description = "Flipkart Shipment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(string="Shipment Id", required=True, readonly=True)
    account_id = fields.Many2one(
        "flipkart.account", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    order_id = fields.Many2one("sale.order", index=True, readonly=True, ondelete="cascade")
    picking_id = fields.Many2one("stock.picking", index=True, readonly=True)
    procurement_group_id = fields.Many2one("procurement.group", readonly=True, copy=False)
    line_ids = fields.One2many("sale.order.line", "flipkart_shipment_id", string="Order Lines")
    location_ref = fields.Char(string="Flipkart Location Id", readonly=True)
    state = fields.Char(string="Flipkart State", readonly=True, tracking=True)
    hold = fields.Boolean(string="On Hold", readonly=True)
    dispatch_after = fields.Datetime(string="Dispatch After", readonly=True)
    dispatch_by = fields.Datetime(string="Dispatch By", readonly=True)
    label_state = fields.Selection(
        [
            ("none", "Not Requested"),
            ("requested", "Requested"),
            ("ready", "Ready"),
            ("fetched", "Fetched"),
            ("error", "Error"),
        ],
        default="none",
        required=True,
        readonly=True,
        tracking=True,
    )
    dispatch_state = fields.Selection(
        [
            ("none", "Not Ready"),
            ("to_notify", "To Notify"),
            ("notified", "Notified"),
            ("failed", "Failed"),
        ],
        default="none",
        required=True,
        readonly=True,
        tracking=True,
    )
    tracking_ref = fields.Char(string="Tracking Id", readonly=True)
    carrier_name = fields.Char(string="Courier", readonly=True)
    error_message = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "name_account_uniq",
            "unique(account_id, name)",
            "A Flipkart shipment is imported once per account.",
        ),
    ]

    def _flipkart_prepare_values(self, account, shipment, order):
        """Values of a new shipment record from a parsed Flipkart shipment."""
        return {
            "name": shipment.ref,
            "account_id": account.id,
            "order_id": order.id,
            "location_ref": shipment.location_ref,
            "state": shipment.state,
            "hold": shipment.hold,
            "dispatch_after": shipment.dispatch_after,
            "dispatch_by": shipment.dispatch_by,
            "tracking_ref": shipment.tracking_ref or False,
            "carrier_name": shipment.carrier_name or False,
            "dispatch_state": "notified" if shipment.state in DISPATCHED_STATES else "none",
        }

    def _flipkart_update_from(self, shipment):
        """Refresh from a newer view of the same Flipkart shipment."""
        self.ensure_one()
        values = {}
        for fname, value in (
            ("state", shipment.state),
            ("hold", shipment.hold),
            ("dispatch_after", shipment.dispatch_after),
            ("dispatch_by", shipment.dispatch_by),
        ):
            if value and self[fname] != value or fname == "hold" and self.hold != value:
                values[fname] = value
        if values:
            self.write(values)
        return values

    def _flipkart_link_pickings(self):
        """Attach each shipment to the delivery of its own procurement group."""
        groups = self.procurement_group_id
        if not groups:
            return
        pickings = self.env["stock.picking"].search(
            [
                ("group_id", "in", groups.ids),
                ("picking_type_code", "=", "outgoing"),
                ("state", "!=", "cancel"),
            ],
            order="id",
        )
        by_group = {}
        for picking in pickings:
            by_group.setdefault(picking.group_id.id, picking)
        for shipment in self:
            picking = by_group.get(shipment.procurement_group_id.id)
            if picking and shipment.picking_id != picking:
                shipment.picking_id = picking
