"""Link the demo database to the local Flipkart simulator and run a first order sync.

Usage (tools/dev.py demo calls it): python3 tools/demo_setup.py ODOO_CONF DATABASE SIMULATOR_URL
"""

import sys

import odoo
from odoo.tools import config


def main(conf, db, url):
    config.parse_config(["-c", conf])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        if "has_received_warning_stock_sms" in company._fields:
            # no SMS-confirmation dialog on the first delivery validated in the demo
            company.has_received_warning_stock_sms = True
        values = {
            "client_id": "sandbox-app",
            "client_secret": "sandbox-secret",
            "environment": "sandbox",
            "api_base_url": url,
            "active": True,
            "user_id": env.ref("base.user_admin").id,
        }
        account = (
            env["flipkart.account"]
            .with_context(active_test=False)
            .search([("name", "=", "Demo Shop (simulator)")], limit=1)
        )
        if account:
            account.write(values)
        else:
            account = env["flipkart.account"].create({"name": "Demo Shop (simulator)", **values})
        account.action_test_connection()
        result = account._sync_orders().get(account.id, {})
        cr.commit()  # demo setup script: its own cursor
        print(f"[demo] account {account.name!r}: {account.connection_state}; sync: {result}")
        print(
            f"[demo] {account.order_count} Flipkart orders in Odoo, "
            f"{account.sync_error_count} sync errors"
        )


if __name__ == "__main__":
    main(*sys.argv[1:4])
