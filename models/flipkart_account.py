import logging
from collections import defaultdict
from datetime import datetime, timedelta

from odoo import api, fields, models

from ..flipkart_api import (
    AuthenticationError,
    FlipkartClient,
    FlipkartError,
    InvalidResponseError,
    RateLimitedError,
    TokenStore,
    const,
)
from ..flipkart_api.payload import Shipment, format_datetime
from .sale_order import SHIPPED_STATES

_logger = logging.getLogger(__name__)

#: Flipkart shipment queries of an FBS order sync: (filter type, states).
FBS_QUERIES = [
    ("preDispatch", list(const.PRE_DISPATCH_STATES)),
    ("postDispatch", list(const.POST_DISPATCH_STATES)),
]
#: Flipkart states of the FBF shipments pulled (Flipkart ships them: only once shipped).
FBF_STATES = ["SHIPPED", "DELIVERED"]
FLIPKART_PRICELIST = "Flipkart (INR)"
#: Changing one of these forgets the access token.
CREDENTIAL_FIELDS = {"client_id", "client_secret", "environment", "api_base_url"}
#: Each run asks for shipments modified since the cursor minus this overlap.
SYNC_OVERLAP = timedelta(hours=1)
#: Open sync errors retried at the start of each run (at most).
RETRY_BATCH = 100
#: Lock namespace of the per-account order sync (pg_try_advisory_xact_lock's first key).
SYNC_LOCK_KEY = 0x464B5359  # "FKSY"

FLIPKART_HOSTS = {"production": const.PRODUCTION_HOST, "sandbox": const.SANDBOX_HOST}


class FlipkartAccountTokenStore(TokenStore):
    """Keeps the access token on the account record (administrator-only fields)."""

    def __init__(self, account):
        self.account = account.sudo()

    def load(self):
        return self.account.access_token or None, self.account.token_expires_at or None

    def save(self, access_token, expires_at):
        self.account.write({"access_token": access_token, "token_expires_at": expires_at})


class FlipkartAccount(models.Model):
    _name = "flipkart.account"
    _description = "Flipkart Seller Account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    client_id = fields.Char(
        string="Client Id",
        required=True,
        tracking=True,
        help="Application id from Seller Hub → Manage Profile → Developer Access.",
    )
    client_secret = fields.Char(
        string="Client Secret",
        groups="base.group_system",
        help="Application secret from Seller Hub → Manage Profile → Developer Access. "
        "Confidential: Flipkart deactivates accounts whose credentials are shared.",
    )
    environment = fields.Selection(
        [("production", "Production"), ("sandbox", "Flipkart Sandbox")],
        required=True,
        default="production",
        tracking=True,
    )
    api_base_url = fields.Char(
        string="API Host",
        compute="_compute_api_base_url",
        store=True,
        copy=False,
        readonly=False,
        groups="base.group_system",
        help="Follows the environment; in developer mode it can point elsewhere, e.g. at the "
        "project's local Flipkart simulator (http://127.0.0.1:8070). Administrators only: "
        "this host receives the credentials.",
    )
    access_token = fields.Char(groups="base.group_system", copy=False)
    token_expires_at = fields.Datetime(groups="base.group_system", copy=False)

    connection_state = fields.Selection(
        [("unknown", "Not Tested"), ("ok", "Connected"), ("failed", "Failed")],
        default="unknown",
        readonly=True,
        copy=False,
        tracking=True,
    )
    connection_message = fields.Char(readonly=True, copy=False)

    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
        help="Warehouse that ships the orders fulfilled by the seller (FBS).",
    )
    flipkart_location_ref = fields.Char(
        string="Flipkart Location Id",
        help="Flipkart's pickup locationId for the warehouse; filled from the first FBS "
        "shipment when empty.",
    )
    fbf_location_id = fields.Many2one(
        "stock.location",
        string="Flipkart Stock Location",
        check_company=True,
        ondelete="restrict",
        help="Stands for Flipkart's warehouses: FBF orders leave from here. Created when empty.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        help="Team of the imported orders; a 'Flipkart' team is created when none is chosen.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Salesperson of the imported orders; receives the activities about problems.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Pricelist of the imported orders: Flipkart amounts are in INR.",
    )
    last_orders_sync = fields.Datetime(
        string="Orders Synced Until",
        copy=False,
        help="The next sync asks Flipkart for shipments modified since this moment (minus an "
        "overlap). Move it back to import older orders again; nothing is duplicated.",
    )
    sync_fbs_orders = fields.Boolean(string="Sync FBS Orders", default=True)
    sync_fbf_orders = fields.Boolean(string="Sync FBF Orders", default=True)
    sync_inventory = fields.Boolean(
        string="Push Inventory",
        default=False,
        help="Send the warehouse's free quantities to Flipkart. Off by default: it writes to "
        "live listings.",
    )

    order_count = fields.Integer(compute="_compute_counts")
    shipment_count = fields.Integer(compute="_compute_counts")
    offer_count = fields.Integer(compute="_compute_counts")
    sync_error_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        (
            "client_company_uniq",
            "unique(client_id, company_id)",
            "This Flipkart application is already linked to this company.",
        ),
    ]

    @api.depends("environment")
    def _compute_api_base_url(self):
        for account in self:
            account.api_base_url = FLIPKART_HOSTS[account.environment or "production"]

    def _compute_counts(self):
        counters = {
            "order_count": ("sale.order", "flipkart_account_id", []),
            "shipment_count": ("flipkart.shipment", "account_id", []),
            "offer_count": ("flipkart.offer", "account_id", []),
            "sync_error_count": ("flipkart.sync.error", "account_id", [("state", "=", "open")]),
        }
        for fname, (model, field, domain) in counters.items():
            counts = dict(
                self.env[model]._read_group(
                    [(field, "in", self.ids), *domain], [field], ["__count"]
                )
            )
            for account in self:
                account[fname] = counts.get(account, 0)

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts._ensure_defaults()
        return accounts

    def write(self, vals):
        result = super().write(vals)
        if CREDENTIAL_FIELDS & set(vals) and "access_token" not in vals:
            # a token belongs to the credentials and host it was issued for; sudo: a sales
            # manager may change the client id, not read or write tokens
            self.sudo().write(
                {
                    "access_token": False,
                    "token_expires_at": False,
                    "connection_state": "unknown",
                }
            )
        return result

    # ------------------------------------------------------------------ defaults
    def _ensure_defaults(self):
        """Create what Odoo's documentation promises when the user picks nothing."""
        for account in self:
            values = {}
            if not account.team_id:
                values["team_id"] = account._default_team().id
            if not account.pricelist_id:
                values["pricelist_id"] = account._default_pricelist().id
            if not account.fbf_location_id:
                values["fbf_location_id"] = account._default_fbf_location().id
            if values:
                account.write(values)

    def _default_team(self):
        team_model = self.env["crm.team"].sudo()
        team = team_model.search(
            [("name", "=", "Flipkart"), ("company_id", "in", [self.company_id.id, False])], limit=1
        )
        return team or team_model.create({"name": "Flipkart", "company_id": self.company_id.id})

    def _default_pricelist(self):
        inr = self.env.ref("base.INR").sudo()
        if not inr.active:
            inr.active = True
        pricelist_model = self.env["product.pricelist"].sudo()
        # A pricelist of its own, without rules: Flipkart's amounts are final.
        domain = [
            ("name", "=", FLIPKART_PRICELIST),
            ("currency_id", "=", inr.id),
            ("company_id", "=", self.company_id.id),
            ("item_ids", "=", False),
        ]
        pricelist = pricelist_model.search(domain, limit=1)
        return pricelist or pricelist_model.create(
            {"name": FLIPKART_PRICELIST, "currency_id": inr.id, "company_id": self.company_id.id}
        )

    def _default_fbf_location(self):
        return (
            self.env["stock.location"]
            .sudo()
            .create(
                {
                    "name": f"Flipkart FBF ({self.name})",
                    "usage": "internal",
                    "location_id": self.env.ref("stock.stock_location_locations").id,
                    "company_id": self.company_id.id,
                }
            )
        )

    # ------------------------------------------------------------------ client
    def _get_client_class(self):
        return FlipkartClient

    def _get_client(self):
        """The Flipkart client of this account. Credentials are read as superuser so that
        sales and stock users can use the connector's buttons without seeing them."""
        self.ensure_one()
        account = self.sudo()
        return self._get_client_class()(
            client_id=account.client_id,
            client_secret=account.client_secret,
            base_url=account.api_base_url or FLIPKART_HOSTS[account.environment],
            token_store=FlipkartAccountTokenStore(account),
        )

    # ------------------------------------------------------------------ actions
    def action_test_connection(self):
        self.ensure_one()
        try:
            self._get_client().check_connection()
        except (FlipkartError, ValueError) as error:
            _logger.info("Flipkart account %s: connection test failed: %s", self.id, error)
            self.sudo().write({"connection_state": "failed", "connection_message": str(error)})
            return self._notification(
                self.env._("Connection to Flipkart failed"), str(error), "danger"
            )
        self.sudo().write({"connection_state": "ok", "connection_message": False})
        return self._notification(
            self.env._("Connected to Flipkart"),
            self.env._(
                "Odoo can talk to Flipkart with the credentials of %(account)s.", account=self.name
            ),
            "success",
        )

    def _action_view(self, xmlid, field):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [(field, "=", self.id)]
        action["context"] = dict(
            self.env.context, **{f"default_{field}": self.id}, search_default_open=1
        )
        return action

    def action_view_orders(self):
        self.ensure_one()
        return self._action_view("sale_flipkart.sale_order_action_flipkart", "flipkart_account_id")

    def action_view_shipments(self):
        self.ensure_one()
        return self._action_view("sale_flipkart.flipkart_shipment_action", "account_id")

    def action_view_offers(self):
        self.ensure_one()
        return self._action_view("sale_flipkart.flipkart_offer_action", "account_id")

    def action_view_sync_errors(self):
        self.ensure_one()
        return self._action_view("sale_flipkart.flipkart_sync_error_action", "account_id")

    def _notification(self, title, message, kind, sticky=False):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": sticky,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------ order sync
    @api.model
    def _cron_sync_orders(self):
        for account in self.search([]).with_context(flipkart_cron=True):
            try:
                account._sync_orders()
                self.env.cr.commit()  # pylint: disable=invalid-commit  # cron: keep its outcome
            except Exception:  # noqa: BLE001 - one account's failure must not stop the others
                _logger.exception("Flipkart account %s: order sync failed", account.id)
                self.env.cr.rollback()  # cron: drop the failed account's partial work
                self.env.invalidate_all()

    def action_sync_orders(self):
        self.ensure_one()
        if not self.last_orders_sync or self.last_orders_sync < fields.Datetime.now() - timedelta(
            days=1
        ):
            # A first or long-delayed sync may bring thousands of orders: the cron does it.
            self.env.ref("sale_flipkart.ir_cron_flipkart_sync_orders")._trigger()
            return self._notification(
                self.env._("Synchronization started"),
                self.env._(
                    "Orders since %(since)s are being imported in the background; "
                    "they appear in Sales as they arrive.",
                    since=fields.Datetime.to_string(self._orders_sync_since()),
                ),
                "info",
            )
        result = self._sync_orders()[self.id]
        if result.get("skipped"):
            return self._notification(
                self.env._("Synchronization already running"), result["skipped"], "warning"
            )
        message = self.env._(
            "%(new)s new orders, %(updated)s shipments updated, %(failed)s orders in error.",
            new=result["imported"],
            updated=result["updated"],
            failed=result["failed"],
        )
        if result.get("error"):
            return self._notification(
                self.env._("Synchronization interrupted"),
                f"{result['error']} {message}",
                "warning",
                sticky=True,
            )
        return self._notification(self.env._("Orders synchronized"), message, "success")

    def _sync_orders(self):
        """Import the orders of the accounts in ``self``. Never raises for a bad order or a
        Flipkart outage: bad orders become sync errors, an outage ends the account's run.

        :return: {account id: {"imported", "updated", "failed", "error", "skipped"}}
        """
        results = {}
        for account in self:
            if not account.active or not (account.sync_fbs_orders or account.sync_fbf_orders):
                continue
            results[account.id] = account._sync_orders_one()
        return results

    def _orders_sync_since(self):
        self.ensure_one()
        if self.last_orders_sync:
            return self.last_orders_sync - SYNC_OVERLAP
        days = int(
            self.env["ir.config_parameter"].sudo().get_param("sale_flipkart.first_sync_days", 7)
        )
        return fields.Datetime.now() - timedelta(days=days)

    def _lock_sync(self):
        """Only one order sync per account at a time, across workers and servers: a
        transaction-level advisory lock (released at commit or rollback)."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (SYNC_LOCK_KEY, self.id))
        return self.env.cr.fetchone()[0]

    def _commit_progress(self):
        """In the cron only: commit what is imported so far, so that a later failure or a
        timeout loses nothing, and take the lock again for the next batch."""
        if not self.env.context.get("flipkart_cron"):
            return True
        # Cron only: keep the imported pages; the cursor moves only at the end of the run.
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return self._lock_sync()

    def _order_filters(self, since, until):
        """Flipkart shipment filters of one order sync run: FBS orders before and after
        dispatch, FBF orders once shipped, and every kind of cancellation."""
        self.ensure_one()
        modified = {"from": format_datetime(since), "to": format_datetime(until)}
        profiles = []
        filters = []
        if self.sync_fbs_orders:
            profiles.append("NON_FBF")
            filters += [
                {
                    "type": kind,
                    "states": states,
                    "serviceProfiles": ["NON_FBF"],
                    "modifiedDate": modified,
                }
                for kind, states in FBS_QUERIES
            ]
        if self.sync_fbf_orders:
            profiles.append("FBF")
            filters.append(
                {
                    "type": "postDispatch",
                    "states": FBF_STATES,
                    "serviceProfiles": ["FBF"],
                    "modifiedDate": modified,
                }
            )
        filters += [
            {
                "type": "cancelled",
                "states": ["CANCELLED"],
                "cancellationType": kind,
                "serviceProfiles": [profile],
                "cancellationDate": modified,
            }
            for profile in profiles
            for kind in const.CANCELLATION_TYPES
        ]
        return filters

    def _sync_orders_one(self):
        self.ensure_one()
        result = {"imported": 0, "updated": 0, "failed": 0, "error": False, "skipped": False}
        if not self._lock_sync():
            result["skipped"] = self.env._(
                "Another synchronization of %(account)s is running; this one was skipped.",
                account=self.name,
            )
            _logger.info("Flipkart account %s: sync skipped, another one is running", self.id)
            return result
        started = datetime.utcnow()  # with its microseconds: Flipkart's dates have them
        self._ensure_defaults()
        try:
            client = self._get_client()
        except ValueError as error:  # incomplete configuration (e.g. no secret)
            self.sudo().write({"connection_state": "failed", "connection_message": str(error)})
            result["error"] = str(error)
            return result
        try:
            self._retry_failed_orders(client, result)
            for flt in self._order_filters(self._orders_sync_since(), started):
                for page in client.iter_shipment_pages(flt):
                    self._import_shipment_page(client, page, result, flt["serviceProfiles"][0])
                    if not self._commit_progress():
                        result["skipped"] = self.env._("Another synchronization took over.")
                        return result
        except RateLimitedError as error:
            _logger.info("Flipkart account %s: rate limited, the next run goes on", self.id)
            result["error"] = str(error)
            return result
        except AuthenticationError as error:
            self._flipkart_auth_failed(error)
            result["error"] = str(error)
            return result
        except FlipkartError as error:
            _logger.info("Flipkart account %s: sync interrupted: %s", self.id, error)
            result["error"] = str(error)
            return result
        self.last_orders_sync = started
        if self.connection_state != "ok":
            self.sudo().write({"connection_state": "ok", "connection_message": False})
        self._commit_progress()
        return result

    def _flipkart_auth_failed(self, error):
        already_told = self.connection_state == "failed"
        self.sudo().write(
            {
                "connection_state": "failed",
                "connection_message": str(error),
                "access_token": False,
                "token_expires_at": False,
            }
        )
        if already_told:
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(self.user_id or self.env.user).id,
            summary=self.env._(
                "Flipkart refused the credentials of %(account)s", account=self.name
            ),
            note=self.env._(
                "%(error)s Check the Client Id and Client Secret in Seller Hub "
                "(Developer Access), then use Test Connection.",
                error=str(error),
            ),
        )

    def _retry_failed_orders(self, client, result):
        errors = self.env["flipkart.sync.error"].search(
            [
                ("account_id", "=", self.id),
                ("state", "=", "open"),
                ("retry", "=", True),
                ("operation", "=", "order"),
            ],
            limit=RETRY_BATCH,
            order="last_attempt",
        )
        if not errors:
            return
        try:
            shipments = client.get_shipments(order_ids=errors.mapped("reference"))
            self._import_shipment_page(client, shipments, result)
        except (AuthenticationError, RateLimitedError):
            raise
        except FlipkartError as error:  # the run goes on with the new orders
            _logger.info("Flipkart account %s: retrying failed orders: %s", self.id, error)
            errors._flipkart_not_found()  # counted, so that a bad batch does not stick
            return
        found = {self._reference_of(raw) for raw in shipments}
        failed = result.get("failed_refs", set())
        self.env["flipkart.sync.error"]._flipkart_resolve(self, found - failed)
        errors.filtered(lambda e: e.reference not in found)._flipkart_not_found()

    def _import_shipment_page(self, client, raw_shipments, result, profile=None):
        """Import one page of Flipkart shipments: refresh the known ones, create the orders of
        the new ones (in one batch; order by order when the batch fails).

        :param profile: the service profile the page was asked for ("FBF" / "NON_FBF"), which
            decides the fulfilment whatever the items say; None: from the items
        """
        parsed, failures = {}, {}
        self._parse_shipments(raw_shipments, profile, parsed, failures)
        shipment_model = self.env["flipkart.shipment"]
        known = shipment_model.search([("account_id", "=", self.id), ("name", "in", list(parsed))])
        self._complete_cancelled_orders(client, parsed, known, failures, profile)
        changed = []  # (record, parsed shipment) whose Flipkart state changed
        for record in known:
            shipment = parsed.pop(record.name)
            previous_state = record.state
            if record._flipkart_update_from(shipment):
                result["updated"] += 1
            if shipment.state != previous_state:
                changed.append((record, shipment, previous_state))
        if parsed:
            details = {d.get("shipmentId"): d for d in client.get_shipment_details(list(parsed))}
            for ref, shipment in list(parsed.items()):
                if ref in details:
                    shipment.add_details(details[ref])
                else:
                    failures[shipment.order_ref] = self.env._(
                        "Flipkart returned no details (addresses) for shipment %(ref)s.", ref=ref
                    )
                    del parsed[ref]
        imported = self._import_new_shipments(list(parsed.values()), failures)
        result["imported"] += len(imported)
        new_cancelled = [
            s for s in parsed.values() if s.order_ref in imported and s.state == "CANCELLED"
        ]
        if new_cancelled:
            records = shipment_model.search(
                [("account_id", "=", self.id), ("name", "in", [s.ref for s in new_cancelled])]
            )
            by_ref = {s.ref: s for s in new_cancelled}
            changed += [(record, by_ref[record.name], False) for record in records]
        self._apply_state_changes(changed, failures)
        failed = result.setdefault("failed_refs", set())
        for reference, message in failures.items():
            if reference not in failed:  # a run may meet an order twice (retry, then search)
                failed.add(reference)
                self.env["flipkart.sync.error"]._flipkart_record(self, reference, message)
        result["failed"] = len(failed)
        self.env["flipkart.sync.error"]._flipkart_resolve(
            self, [ref for ref in imported if ref not in failed]
        )

    def _parse_shipments(self, raw_shipments, profile, parsed, failures):
        """Parse raw shipments into ``parsed`` ({ref: Shipment}); malformed ones into
        ``failures`` ({order ref: message})."""
        for raw in raw_shipments:
            try:
                shipment = Shipment.from_json(raw)
            except InvalidResponseError as error:
                failures[self._reference_of(raw)] = str(error)
                continue
            if profile:
                shipment.fbf = profile == "FBF"
            parsed.setdefault(shipment.ref, shipment)  # a page may repeat a shipment

    def _complete_cancelled_orders(self, client, parsed, known, failures, profile=None):
        """A cancelled shipment of an order never seen may be only part of it: fetch the
        order's other shipments, so that the order is imported whole (and cancelled only when
        all of it is)."""
        known_refs = set(known.mapped("name"))
        orders = {
            s.order_ref
            for s in parsed.values()
            if s.state == "CANCELLED" and s.ref not in known_refs
        }
        if not orders:
            return
        orders -= set(
            self.env["sale.order"]
            .search(
                [
                    ("flipkart_account_id", "=", self.id),
                    ("flipkart_order_ref", "in", list(orders)),
                ]
            )
            .mapped("flipkart_order_ref")
        )
        if orders:
            siblings = [
                raw
                for raw in client.get_shipments(order_ids=list(orders))
                if raw.get("shipmentId") not in parsed
            ]
            self._parse_shipments(siblings, profile, parsed, failures)

    def _apply_state_changes(self, changed, failures):
        """Cancellations (each order in its own savepoint) and FBS shipments shipped outside
        Odoo, from shipments whose Flipkart state changed."""
        cancelled = defaultdict(dict)
        previous = {}
        shipped_outside = fbf_shipped = self.env["flipkart.shipment"]
        for record, shipment, previous_state in changed:
            if shipment.state == "CANCELLED":
                cancelled[record.order_id][record] = shipment.items
                previous[record] = previous_state
            elif shipment.state in SHIPPED_STATES:
                if record.order_id.flipkart_fulfilment == "fbs":
                    shipped_outside |= record
                else:
                    fbf_shipped |= record
        self.env["sale.order"]._flipkart_create_fbf_moves(fbf_shipped)
        for order, entries in cancelled.items():
            try:
                with self.env.cr.savepoint():
                    order._flipkart_apply_cancellation(entries)
            except Exception as error:  # noqa: BLE001 - recorded on the order's sync error
                _logger.info("Flipkart order %s: cancellation failed", order.id, exc_info=True)
                failures[order.flipkart_order_ref] = self.env._(
                    "Applying Flipkart's cancellation failed: %(error)s", error=str(error)
                )
                for record in entries:  # so that the retry sees the cancellation again
                    record.state = previous[record]
        self.env["sale.order"]._flipkart_flag_shipped_outside(shipped_outside)

    def _import_new_shipments(self, shipments, failures):
        """Orders of new shipments, in one batch; order by order if the batch fails.
        :return: the Flipkart order ids imported"""
        by_order = defaultdict(list)
        for shipment in shipments:
            if shipment.order_ref not in failures:
                by_order[shipment.order_ref].append(shipment)
        if not by_order:
            return []
        # Imported records need no creation message, follower or field tracking: they would
        # cost a dozen queries an order and tell nothing Flipkart does not.
        order_model = self.env["sale.order"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        try:
            with self.env.cr.savepoint():
                order_model._flipkart_import_shipments(
                    self, [s for group in by_order.values() for s in group]
                )
            return list(by_order)
        except Exception:  # noqa: BLE001 - retried order by order below, where it is recorded
            _logger.info(
                "Flipkart account %s: batch import failed, retrying order by order", self.id
            )
        imported = []
        for order_ref, group in by_order.items():
            try:
                with self.env.cr.savepoint():
                    order_model._flipkart_import_shipments(self, group)
                imported.append(order_ref)
            except Exception as error:  # noqa: BLE001 - one bad order must not stop the rest
                _logger.info("Flipkart order %s failed: %s", order_ref, error, exc_info=True)
                failures[order_ref] = self.env._("Import failed: %(error)s", error=str(error))
        return imported

    @staticmethod
    def _reference_of(raw):
        """Best Flipkart reference of a raw (possibly malformed) shipment."""
        if isinstance(raw, dict):
            for item in raw.get("orderItems") or []:
                if isinstance(item, dict) and item.get("orderId"):
                    return str(item["orderId"])
            if raw.get("shipmentId"):
                return str(raw["shipmentId"])
        return "unknown"

    # ---- inventory push
    #: SKUs written (and, in the cron, committed) per batch: 10 Flipkart calls.
    _inventory_batch_size = 100

    @api.model
    def _cron_sync_inventory(self):
        self.search([("sync_inventory", "=", True)]).with_context(
            flipkart_cron=True
        )._sync_inventory()

    def action_sync_inventory(self):
        self.ensure_one()
        if not self.sync_inventory:
            return self._notification(
                self.env._("Inventory push is off"),
                self.env._(
                    "Turn on Push Inventory on %(account)s first: it writes to your live "
                    "Flipkart listings.",
                    account=self.name,
                ),
                "warning",
            )
        result = self._sync_inventory()[self.id]
        message = self.env._(
            "%(pushed)s SKUs updated, %(unchanged)s unchanged, %(failed)s refused by Flipkart "
            "(see the offers' inventory errors).",
            pushed=result["pushed"],
            unchanged=result["unchanged"],
            failed=result["failed"],
        )
        if result["error"]:
            return self._notification(
                self.env._("Inventory push interrupted"),
                f"{result['error']} {message}",
                "danger",
                sticky=True,
            )
        kind = "warning" if result["failed"] else "success"
        return self._notification(self.env._("Inventory pushed to Flipkart"), message, kind)

    def _sync_inventory(self):
        """Push the free quantities of the FBS offers of the accounts in ``self`` that opted
        in (``sync_inventory``). Never raises for a Flipkart failure: per-SKU failures are
        stored on the offers, an outage ends the account's run.

        :return: {account id: {"pushed", "failed", "unchanged", "error"}}
        """
        results = {}
        for account in self:
            if not account.active or not account.sync_inventory:
                continue
            results[account.id] = account._sync_inventory_one()
        return results

    def _inventory_offers(self):
        """Offers whose stock this account pushes: FBS offers of storable products."""
        self.ensure_one()
        return self.env["flipkart.offer"].search(
            [
                ("account_id", "=", self.id),
                ("fulfilment", "=", "fbs"),
                ("product_id.is_storable", "=", True),
            ]
        )

    def _sync_inventory_one(self):
        self.ensure_one()
        result = {"pushed": 0, "failed": 0, "unchanged": 0, "error": False}
        if not self.warehouse_id or not self.flipkart_location_ref:
            result["error"] = self.env._(
                "%(account)s needs a warehouse and a Flipkart location id (filled by the first "
                "FBS order sync) to push stock.",
                account=self.name,
            )
            return result
        offers = self._inventory_offers().with_company(self.company_id)
        quantities = offers._flipkart_inventory_quantities(self.warehouse_id)
        todo = offers._flipkart_inventory_to_push(quantities)
        result["unchanged"] = len(offers) - len(todo)
        no_fsn = todo.filtered(lambda o: not o.fsn)
        if no_fsn:
            no_fsn.write(
                {"inventory_error": self.env._("No FSN: Flipkart needs it to update stock.")}
            )
            result["failed"] += len(no_fsn)
            todo -= no_fsn
        try:
            client = self._get_client()
            for start in range(0, len(todo), self._inventory_batch_size):
                batch = todo[start : start + self._inventory_batch_size]
                answers = client.update_inventory(
                    {
                        offer.sku: offer._flipkart_prepare_inventory(
                            self.flipkart_location_ref, quantities[offer.id]
                        )
                        for offer in batch
                    }
                )
                pushed, failed = batch._flipkart_record_inventory(quantities, answers)
                result["pushed"] += len(pushed)
                result["failed"] += len(failed)
                if self.env.context.get("flipkart_cron"):
                    # cron: keep what Flipkart accepted, so that a later failure or a timeout
                    # does not make the next run send it again
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        except AuthenticationError as error:
            self._flipkart_auth_failed(error)
            result["error"] = str(error)
        except (FlipkartError, ValueError) as error:
            _logger.info("Flipkart account %s: inventory push interrupted: %s", self.id, error)
            result["error"] = str(error)
        return result
