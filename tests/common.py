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
