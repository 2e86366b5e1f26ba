import math

from odoo import api, fields, models
from odoo.tools import float_round


class FlipkartOffer(models.Model):
    _name = "flipkart.offer"
    _description = "Flipkart Offer (SKU of a seller account)"
    _order = "account_id, sku"
    _rec_name = "sku"

    account_id = fields.Many2one("flipkart.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    sku = fields.Char(string="SKU", required=True)
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="restrict", check_company=True
    )
    fsn = fields.Char(string="FSN", help="Flipkart Serial Number of the product.")
    listing_ref = fields.Char(string="Listing Id")
    fulfilment = fields.Selection(
        [("fbs", "Fulfilled by Seller"), ("fbf", "Fulfilled by Flipkart")],
        required=True,
        default="fbf",
        help="FBS as soon as the SKU appears on an order the seller ships; only FBS offers "
        "have their stock pushed to Flipkart.",
    )
    inventory_pushed_qty = fields.Integer(string="Last Pushed Quantity", readonly=True)
    inventory_pushed_at = fields.Datetime(string="Last Pushed On", readonly=True)
    inventory_error = fields.Char(readonly=True)

    _sql_constraints = [
        ("sku_account_uniq", "unique(account_id, sku)", "A SKU has one offer per account."),
    ]

    @api.model
    def _flipkart_resolve(self, account, items_by_sku):
        """Offers of ``account`` for every SKU of ``items_by_sku`` ({sku: [OrderItem, ...]}),
        found, matched to a product by internal reference, or created with a new product.
        Works per batch of SKUs (one page of shipments): a constant number of queries.

        :param items_by_sku: dict sku → list of (OrderItem, is_fbs)
        :return: dict sku → flipkart.offer
        """
        skus = list(items_by_sku)
        offers = {
            o.sku: o for o in self.search([("account_id", "=", account.id), ("sku", "in", skus)])
        }
        missing = [sku for sku in skus if sku not in offers]
        if missing:
            products = self._flipkart_match_products(account, missing)
            to_create = [sku for sku in missing if sku not in products]
            if to_create:
                new = self.env["product.product"].create(
                    [
                        self._flipkart_prepare_product_values(account, items_by_sku[sku][0][0])
                        for sku in to_create
                    ]
                )
                products.update(zip(to_create, new, strict=True))
            created = self.create(
                [
                    self._flipkart_prepare_offer_values(
                        account, sku, products[sku], items_by_sku[sku]
                    )
                    for sku in missing
                ]
            )
            offers.update({o.sku: o for o in created})
        for sku, entries in items_by_sku.items():
            offer = offers[sku]
            values = {
                fname: value
                for fname, value in self._flipkart_prepare_offer_values(
                    account, sku, offer.product_id, entries
                ).items()
                if fname in ("fsn", "listing_ref", "fulfilment") and value and offer[fname] != value
            }
            if values.get("fulfilment") == "fbf":
                del values["fulfilment"]  # once seen on an FBS order, an offer stays FBS
            if values:
                offer.write(values)
        return offers

    @api.model
    def _flipkart_match_products(self, account, skus):
        """{sku: product} for the products whose internal reference is the SKU, in the
        account's company (or shared)."""
        products = (
            self.env["product.product"]
            .with_context(active_test=False)
            .search(
                [
                    ("default_code", "in", skus),
                    ("company_id", "in", [account.company_id.id, False]),
                ],
                order="active desc, company_id, id",
            )
        )
        found = {}
        for product in products:
            found.setdefault(product.default_code, product)
        return found

    @api.model
    def _flipkart_prepare_product_values(self, account, item):
        return {
            "name": item.title or item.sku,
            "default_code": item.sku,
            "type": "consu",
            "is_storable": True,
            "list_price": round(item.selling_price / item.quantity, 2),
            "company_id": account.company_id.id,
        }

    @api.model
    def _flipkart_prepare_offer_values(self, account, sku, product, entries):
        item = entries[0][0]
        return {
            "account_id": account.id,
            "sku": sku,
            "product_id": product.id,
            "fsn": item.fsn,
            "listing_ref": item.listing_ref,
            "fulfilment": "fbs" if any(is_fbs for _item, is_fbs in entries) else "fbf",
        }

    # ---- inventory push
    def _flipkart_inventory_quantities(self, warehouse):
        """{offer id: whole units to announce}: the warehouse's free quantity of the offer's
        product, rounded down, never negative."""
        products = self.product_id.with_context(warehouse_id=warehouse.id)
        products.invalidate_recordset(["free_qty"])  # not stored, nor invalidated by quants
        free = {product.id: product.free_qty for product in products}
        quantities = {}
        for offer in self:
            qty = float_round(
                free.get(offer.product_id.id, 0.0),
                precision_rounding=offer.product_id.uom_id.rounding,
            )
            quantities[offer.id] = max(0, math.floor(qty))
        return quantities

    def _flipkart_inventory_to_push(self, quantities):
        """Offers to send: never pushed, failed last time, or whose quantity changed since the
        last successful push."""
        return self.filtered(
            lambda o: (
                not o.inventory_pushed_at
                or o.inventory_error
                or quantities[o.id] != o.inventory_pushed_qty
            )
        )

    def _flipkart_prepare_inventory(self, location_ref, quantity):
        """The entry of this SKU in Flipkart's inventory update."""
        self.ensure_one()
        return {"product_id": self.fsn, "locations": [{"id": location_ref, "inventory": quantity}]}

    def _flipkart_record_inventory(self, quantities, answers):
        """Store Flipkart's per-SKU answers: the pushed quantity, or the failure's text.

        :return: (pushed offers, failed offers)
        """
        now = fields.Datetime.now()
        pushed, failed = self.browse(), self.browse()
        for offer in self:
            answer = answers.get(offer.sku) or {}
            status = answer.get("status") or "FAILURE"
            if status in ("SUCCESS", "WARNING"):
                offer.write(
                    {
                        "inventory_pushed_qty": quantities[offer.id],
                        "inventory_pushed_at": now,
                        "inventory_error": False,
                    }
                )
                pushed |= offer
                continue
            texts = [
                " ".join(str(part) for part in (e.get("code"), e.get("description")) if part)
                if isinstance(e, dict)
                else str(e)
                for e in answer.get("errors") or []
            ]
            offer.inventory_error = "; ".join(t for t in texts if t) or self.env._(
                "Flipkart refused the stock update without a reason."
            )
            failed |= offer
        return pushed, failed
