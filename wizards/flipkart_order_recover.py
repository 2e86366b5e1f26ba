from odoo import fields, models
from odoo.exceptions import UserError

from ..flipkart_api import FlipkartError


class FlipkartOrderRecover(models.TransientModel):
    _name = "flipkart.order.recover"
    _description = "Recover a Flipkart Order"

    account_id = fields.Many2one(
        "flipkart.account",
        required=True,
        ondelete="cascade",
        domain="[('company_id', 'in', allowed_company_ids)]",
    )
    order_ref = fields.Char(
        string="Flipkart Order Id",
        required=True,
        help="The order id shown in Seller Hub, e.g. OD123456789012345678.",
    )

    def action_recover(self):
        """Import one order by its Flipkart id, whatever the sync cursor says."""
        self.ensure_one()
        account = self.account_id
        reference = self.order_ref.strip()
        account._ensure_defaults()
        try:
            client = account._get_client()
            shipments = client.get_shipments(order_ids=[reference])
        except (FlipkartError, ValueError) as error:
            raise UserError(
                self.env._("Flipkart could not be asked: %(error)s", error=str(error))
            ) from error
        if not shipments:
            raise UserError(
                self.env._(
                    "Flipkart knows no order %(ref)s for %(account)s.",
                    ref=reference,
                    account=account.name,
                )
            )
        if not account._lock_sync():
            raise UserError(
                self.env._(
                    "A synchronization of %(account)s is running: try again in a moment.",
                    account=account.name,
                )
            )
        result = {"imported": 0, "updated": 0, "failed": 0}
        try:
            account._import_shipment_page(client, shipments, result)
        except FlipkartError as error:
            raise UserError(str(error)) from error
        order = self.env["sale.order"].search(
            [("flipkart_account_id", "=", account.id), ("flipkart_order_ref", "=", reference)]
        )
        if not order:
            error = self.env["flipkart.sync.error"].search(
                [("account_id", "=", account.id), ("reference", "=", reference)], limit=1
            )
            raise UserError(
                self.env._(
                    "Order %(ref)s could not be imported: %(error)s",
                    ref=reference,
                    error=error.message or "-",
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
            "target": "current",
        }
