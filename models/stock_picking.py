from odoo import api, fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    flipkart_shipment_ids = fields.One2many(
        "flipkart.shipment", "picking_id", string="Flipkart Shipments"
    )
    flipkart_shipment_ref = fields.Char(
        string="Flipkart Shipment",
        compute="_compute_flipkart_shipment_ref",
        store=True,
        index="btree_not_null",
    )

    @api.depends("flipkart_shipment_ids.name")
    def _compute_flipkart_shipment_ref(self):
        for picking in self:
            picking.flipkart_shipment_ref = (
                ", ".join(picking.flipkart_shipment_ids.mapped("name")) or False
            )
