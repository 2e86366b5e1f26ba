from odoo import api, fields, models
from odoo.tools import float_round


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    flipkart_order_item_ref = fields.Char(
        string="Flipkart Order Item Id", readonly=True, copy=False
    )
    flipkart_discount = fields.Float(
        string="Flipkart Discount",
        readonly=True,
        copy=False,
        digits="Product Price",
        help="Flipkart's flipkartDiscount for the whole order item, as Flipkart gave it.",
    )
    flipkart_shipment_id = fields.Many2one(
        "flipkart.shipment", index="btree_not_null", readonly=True, copy=False
    )
    flipkart_account_id = fields.Many2one(related="order_id.flipkart_account_id", store=True)

    _sql_constraints = [
        (
            "flipkart_order_item_ref_uniq",
            "unique(flipkart_account_id, flipkart_order_item_ref)",
            "A Flipkart order item is imported once per account.",
        ),
    ]

    # ------------------------------------------------------------------ stock
    def _get_procurement_group(self):
        """Every Flipkart shipment gets its own procurement group, hence its own picking."""
        shipment = self.flipkart_shipment_id
        if not shipment:
            return super()._get_procurement_group()
        if not shipment.procurement_group_id:
            shipment.procurement_group_id = self.env["procurement.group"].create(
                self._prepare_procurement_group_vals()
            )
        return shipment.procurement_group_id

    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        """Flipkart ships FBF orders itself: no delivery in the seller's warehouse."""
        lines = self.filtered(lambda line: line.order_id.flipkart_fulfilment != "fbf")
        return super(SaleOrderLine, lines)._action_launch_stock_rule(previous_product_uom_qty)

    # ------------------------------------------------------------------ import
    @api.model
    def _flipkart_prepare_shipment_lines(self, order, shipment, shipment_record, offers):
        """Line values of one Flipkart shipment: one line per order item, plus one shipping
        line when its items carry a shipping charge."""
        values = []
        for item in shipment.items:
            product = offers[item.sku].product_id
            values.append(
                self._flipkart_prepare_line_values(
                    order,
                    product,
                    item.quantity,
                    item.selling_price,
                    shipment_record,
                    flipkart_order_item_ref=item.ref,
                    flipkart_discount=item.flipkart_discount,
                )
            )
        shipping = sum(item.shipping_charge for item in shipment.items)
        if shipping > 0:
            values.append(
                self._flipkart_prepare_line_values(
                    order,
                    self._flipkart_shipping_product(),
                    1,
                    shipping,
                    shipment_record,
                    name=self.env._("Flipkart Shipping (%(shipment)s)", shipment=shipment.ref),
                )
            )
        return values

    @api.model
    def _flipkart_shipping_product(self):
        return self.env.ref("sale_flipkart.product_flipkart_shipping")

    @api.model
    def _flipkart_prepare_line_values(
        self, order, product, quantity, total, shipment_record, **extra
    ):
        taxes = order.fiscal_position_id.map_tax(
            product.taxes_id._filter_taxes_by_company(order.company_id)
        )
        values = {
            "order_id": order.id,
            "product_id": product.id,
            "product_uom_qty": quantity,
            "discount": 0.0,  # Flipkart's amount is final: no pricelist discount on top
            "tax_id": [fields.Command.set(taxes.ids)],
            "price_unit": self._flipkart_price_unit(total, quantity, taxes, product, order),
            "flipkart_shipment_id": shipment_record.id,
            **extra,
        }
        return values

    @api.model
    def _flipkart_price_unit(self, total_included, quantity, taxes, product, order):
        """Price rule: the unit price whose line total *including* ``taxes`` is Flipkart's
        amount ``total_included`` (for all units), whatever the taxes and their price-included
        setting. Percent taxes make the total linear in the unit price and fixed ones add a
        constant, so two evaluations of the taxes give the exact unit price before rounding.
        """
        currency = order.currency_id
        digits = self.env["decimal.precision"].precision_get("Product Price")
        if not taxes:
            return float_round(total_included / quantity, precision_digits=digits)

        def total(price_unit):
            return taxes.compute_all(
                price_unit,
                currency=currency,
                quantity=quantity,
                product=product,
                partner=order.partner_id,
            )["total_included"]

        probe = 1_000_000.0
        fixed = total(0.0)
        slope = (total(probe) - fixed) / probe
        return float_round((total_included - fixed) / slope, precision_digits=digits)

    def _flipkart_prepare_fbf_move_values(self, location, customers):
        self.ensure_one()
        order = self.order_id
        return {
            "name": self.name[:2000] if self.name else self.product_id.display_name,
            "product_id": self.product_id.id,
            "product_uom_qty": self.product_uom_qty,
            "product_uom": self.product_uom.id,
            "location_id": location.id,
            "location_dest_id": customers.id,
            "sale_line_id": self.id,
            "company_id": order.company_id.id,
            "partner_id": order.partner_shipping_id.id,
            "origin": order.name,
        }
