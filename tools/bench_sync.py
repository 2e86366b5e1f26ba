"""Order-sync benchmark: the connector against the local simulator, next to the ORM alone.

    python3 tools/dev.py bench --orders 1000     # prepares the database, then runs this

1. ``sync``: a seeded simulator shop of N orders (FBS and FBF, some split or cancelled) served
   over real HTTP on loopback; one account imports them all (``_sync_orders``).
2. ``orm``: the same orders (same partners, products, quantities, prices) created by the ORM in
   batches of 20 and confirmed, without any Flipkart work: the floor the sync is compared with.

Both commit batch by batch, as the scheduled action does, on a throwaway copy of the prepared
database, dropped at the end (copying it disconnects whatever else uses that database). Prints
orders/s and SQL queries per order for both (``--memory``: also the peak of traced Python
memory, which slows both down).
"""

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import odoo
from odoo.tools import config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from flipkart_sandbox import SandboxServer  # noqa: E402  (standalone: its own import path)


def measure(label, orders, func, memory=False):
    if memory:
        tracemalloc.start()
    queries = odoo.sql_db.sql_counter
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    queries = odoo.sql_db.sql_counter - queries
    line = (
        f"{label:5} {orders:7d} orders  {elapsed:8.1f} s  {orders / elapsed:8.1f} orders/s  "
        f"{queries / orders:7.1f} queries/order"
    )
    if memory:
        line += f"  peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB (traced, slower)"
        tracemalloc.stop()
    print(line, flush=True)


def orm_values(orders):
    return [
        {
            "partner_id": o.partner_id.id,
            "partner_shipping_id": o.partner_shipping_id.id,
            "pricelist_id": o.pricelist_id.id,
            "warehouse_id": o.warehouse_id.id,
            "order_line": [
                (
                    0,
                    0,
                    {
                        "product_id": line.product_id.id,
                        "product_uom_qty": line.product_uom_qty,
                        "price_unit": line.price_unit,
                        "tax_id": [(6, 0, line.tax_id.ids)],
                    },
                )
                for line in o.order_line
            ],
        }
        for o in orders
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("conf")
    parser.add_argument("database")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--memory", action="store_true", help="trace Python memory (slower)")
    args = parser.parse_args()
    config.parse_config(["-c", args.conf, "--log-level=warn"])
    config["list_db"] = True  # copying a database is a database-management call
    run_db = f"{args.database}_run"
    drop(run_db)
    odoo.service.db.exp_duplicate_database(args.database, run_db)
    try:
        run(args, run_db)
    finally:
        odoo.modules.registry.Registry.delete(run_db)
        drop(run_db)


def drop(db):
    """Drop the throwaway copy; PostgreSQL's autovacuum may hold it for a few seconds."""
    for _attempt in range(10):
        if db not in odoo.service.db.list_dbs(True):
            return
        try:
            odoo.service.db.exp_drop(db)
        except Exception:  # noqa: BLE001 - busy (autovacuum): try again shortly
            time.sleep(3)
    print(f"could not drop {db}: the next run drops it", flush=True)


def run(args, run_db):
    registry = odoo.modules.registry.Registry(run_db)
    with (
        SandboxServer(
            seed=args.seed, orders=args.orders, fbf_ratio=0.2, days=5, label_delay=0
        ) as sandbox,
        registry.cursor() as cr,
    ):
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        account = env["flipkart.account"].create(
            {
                "name": "Benchmark",
                "client_id": sandbox.client_id,
                "client_secret": sandbox.client_secret,
                "environment": "sandbox",
                "api_base_url": sandbox.url,
            }
        )
        cr.commit()  # a throwaway copy: commit page by page, as the scheduled action does
        print(f"simulator: {sandbox.url}, seed {args.seed}; Odoo database {run_db} (a copy)")
        result = {}
        cron = account.with_context(flipkart_cron=True)  # commits after each page
        measure(
            "sync", args.orders, lambda: result.update(cron._sync_orders()[account.id]), args.memory
        )
        orders = env["sale.order"].search([("flipkart_account_id", "=", account.id)])
        print(
            f"      imported {len(orders)} orders, {len(orders.order_line)} lines, "
            f"{result.get('failed', 0)} errors, {len(orders.picking_ids)} pickings"
        )
        values = orm_values(orders)

        def orm_batches():
            for start in range(0, len(values), 20):
                env["sale.order"].create(values[start : start + 20]).action_confirm()
                cr.commit()  # batch by batch, as the sync

        measure("orm", len(values), orm_batches, args.memory)


if __name__ == "__main__":
    main()
