from odoo import fields
from odoo.exceptions import AccessError
from odoo.modules.neutralize import neutralize_database
from odoo.tests import new_test_user, tagged

from .common import FlipkartSandboxCase


@tagged("post_install", "-at_install")
class TestFlipkartAccount(FlipkartSandboxCase):
    def test_defaults_created_when_none_chosen(self):
        account = self.account
        self.assertEqual(account.team_id.name, "Flipkart")
        self.assertEqual(account.pricelist_id.currency_id, self.env.ref("base.INR"))
        self.assertEqual(account.fbf_location_id.usage, "internal")
        self.assertFalse(account.fbf_location_id.warehouse_id, "FBF stock is in no warehouse")
        self.assertFalse(account.sync_inventory, "pushing stock is opt-in")
        self.assertTrue(account.sync_fbs_orders and account.sync_fbf_orders)

    def test_api_host_follows_environment(self):
        account = self.account.copy({"client_id": "other-app", "environment": "sandbox"})
        self.assertEqual(account.api_base_url, "https://sandbox-api.flipkart.net")
        account.environment = "production"
        self.assertEqual(account.api_base_url, "https://api.flipkart.net")

    def test_test_connection_success(self):
        action = self.account.action_test_connection()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.account.connection_state, "ok")
        self.assertTrue(self.account.sudo().access_token, "the token is kept on the account")
        paths = [r["path"] for r in self.sandbox.requests]
        self.assertIn("/oauth-service/oauth/token", paths)
        self.assertTrue(any(p.startswith("/sellers/v3/") for p in paths), paths)

    def test_test_connection_bad_credentials(self):
        self.account.client_secret = "wrong"
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self.account.connection_state, "failed")
        self.assertIn("credentials", action["params"]["message"].lower())
        self.assertFalse(self.account.sudo().access_token)

    def test_test_connection_unreachable(self):
        self.account.api_base_url = "http://127.0.0.1:9"  # discard port: nothing listens
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self.account.connection_state, "failed")
        self.assertTrue(self.account.connection_message)

    def test_token_reused_between_calls(self):
        self.account.action_test_connection()
        self.account.action_test_connection()
        token_calls = [r for r in self.sandbox.requests if r["path"].startswith("/oauth-service")]
        self.assertEqual(len(token_calls), 1)

    def test_salesman_cannot_read_secrets(self):
        salesman = new_test_user(self.env, "fk_salesman", groups="sales_team.group_sale_salesman")
        account = self.account.with_user(salesman)
        self.assertEqual(account.name, "Test Shop")
        for secret in ("client_secret", "access_token", "token_expires_at"):
            with self.assertRaises(AccessError):
                account.read([secret])
        # ... yet the connector works for them: it reads the credentials as superuser.
        self.assertEqual(account.action_test_connection()["params"]["type"], "success")

    def test_other_company_does_not_see_account(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        user_b = new_test_user(
            self.env,
            "fk_user_b",
            groups="sales_team.group_sale_manager",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        accounts = self.env["flipkart.account"].with_user(user_b).search([])
        self.assertNotIn(self.account, accounts)
        with self.assertRaises(AccessError):
            self.account.with_user(user_b).read(["name"])

    def test_neutralize_blanks_secrets_and_archives(self):
        self.account.action_test_connection()
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.account.invalidate_recordset()
        account = self.account.sudo()
        self.assertFalse(account.active)
        self.assertFalse(account.client_secret)
        self.assertFalse(account.access_token)
        self.assertEqual(account.client_id, self.sandbox.client_id, "the id is no secret")

    def test_sales_manager_syncs_orders(self):
        manager = new_test_user(self.env, "fk_manager", groups="sales_team.group_sale_manager")
        added = self.sandbox.add_order()
        self.account.last_orders_sync = fields.Datetime.now()
        action = self.account.with_user(manager).action_sync_orders()
        self.assertEqual(action["params"]["type"], "success", action["params"])
        order = self.env["sale.order"].search([("flipkart_order_ref", "=", added["orderId"])])
        self.assertEqual(order.state, "sale")

    def test_only_administrators_choose_the_api_host(self):
        manager = new_test_user(self.env, "fk_host_mgr", groups="sales_team.group_sale_manager")
        with self.assertRaises(AccessError):
            self.account.with_user(manager).write({"api_base_url": "http://127.0.0.1:9999"})
        with self.assertRaises(AccessError):
            self.account.with_user(manager).read(["api_base_url"])

    def test_new_credentials_forget_the_token(self):
        self.account.action_test_connection()
        self.assertTrue(self.account.sudo().access_token)
        self.account.sudo().client_secret = "rotated-secret"
        self.assertFalse(self.account.sudo().access_token)

    def test_sales_manager_edits_account(self):
        manager = new_test_user(self.env, "fk_edit_mgr", groups="sales_team.group_sale_manager")
        self.account.action_test_connection()
        account = self.account.with_user(manager)
        account.write({"client_id": "new-app", "environment": "production"})
        self.assertFalse(self.account.sudo().access_token)
        self.assertEqual(self.account.sudo().api_base_url, "https://api.flipkart.net")
        new = (
            self.env["flipkart.account"]
            .with_user(manager)
            .create({"name": "Second Shop", "client_id": "second-app"})
        )
        self.assertEqual(new.sudo().api_base_url, "https://api.flipkart.net")
        self.assertEqual(new.team_id.name, "Flipkart")

    def test_missing_secret_is_a_clear_error(self):
        self.account.sudo().client_secret = False
        result = self.account._sync_orders()[self.account.id]
        self.assertTrue(result["error"])
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
