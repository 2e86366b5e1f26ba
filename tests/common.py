from odoo.tests import TransactionCase

from ..flipkart_sandbox import SandboxServer


class FlipkartSandboxCase(TransactionCase):
    """Odoo test case with the local Flipkart simulator on a free loopback port and an account
    pointed at it. The simulator lives for the class; it is emptied before each test."""

    sandbox_orders = 0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = SandboxServer(seed=1, orders=cls.sandbox_orders, label_delay=0)
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.account = cls.env["flipkart.account"].create(
            {
                "name": "Test Shop",
                "client_id": cls.sandbox.client_id,
                "client_secret": cls.sandbox.client_secret,
                "environment": "sandbox",
                "api_base_url": cls.sandbox.url,
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox.reset(seed=1, orders=self.sandbox_orders)

    @classmethod
    def create_gst18_product(cls, sku, name):
        """A storable product carrying an 18 % GST excluded from its price (Odoo's default)."""
        tax = cls.env["account.tax"].create(
            {
                "name": f"GST 18% ({sku})",
                "amount": 18,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
            }
        )
        return cls.env["product.product"].create(
            {
                "name": name,
                "default_code": sku,
                "type": "consu",
                "is_storable": True,
                "taxes_id": [(6, 0, tax.ids)],
            }
        )

    def sync(self):
        """Synchronous order sync of the test account; its result."""
        return self.account._sync_orders()[self.account.id]

    def order_of(self, flipkart_order_id):
        return self.env["sale.order"].search(
            [
                ("flipkart_account_id", "=", self.account.id),
                ("flipkart_order_ref", "=", flipkart_order_id),
            ]
        )

    def record_counts(self):
        """Records of every kind a sync creates: a re-sync must leave them unchanged."""
        models = [
            "sale.order",
            "sale.order.line",
            "res.partner",
            "product.product",
            "flipkart.offer",
            "flipkart.shipment",
            "stock.picking",
            "stock.move",
            "flipkart.sync.error",
        ]
        return {model: self.env[model].search_count([]) for model in models}
