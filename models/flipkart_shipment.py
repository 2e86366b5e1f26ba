import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from ..flipkart_api import (
    FlipkartError,
    InvalidResponseError,
    RequestRejectedError,
    UnknownOutcomeError,
)
from ..flipkart_api.const import DISPATCH_CHUNK, LABELS_DOWNLOAD_MAX, LABELS_GENERATE_CHUNK
from ..flipkart_api.payload import Shipment, tracking_of
from .sale_order import SHIPPED_STATES

_logger = logging.getLogger(__name__)

#: Flipkart states at which Flipkart already knows the shipment is ready (or gone).
DISPATCHED_STATES = {"READY_TO_DISPATCH", "SHIPPED", "DELIVERED", "PICKUP_COMPLETE", "COMPLETED"}
#: Flipkart states at which the label exists (PACKED and later).
LABEL_READY_STATES = {"PACKED"} | DISPATCHED_STATES
#: Flipkart states at which a label can be asked for.
LABEL_REQUEST_STATES = {"APPROVED", "PACKING_IN_PROGRESS"}
CANCELLED_STATE = "CANCELLED"
#: Flipkart states the order sync acts on when it sees them change (cancelling the order,
#: flagging a delivery shipped outside Odoo): a refresh outside the sync does not write them.
SYNC_ACTED_STATES = {CANCELLED_STATE} | SHIPPED_STATES
#: Flipkart's answer to a label download whose label is not generated yet.
LABEL_NOT_READY_CODE = "OPERATION_NOT_ALLOWED"
#: Package of a label request when the picking gives none: centimetres and kilograms
#: (Flipkart's units, UNCONFIRMED). The only place these defaults live.
DEFAULT_PACKAGE = {"length": 10.0, "breadth": 10.0, "height": 10.0, "weight": 0.5}


class FlipkartShipment(models.Model):
    _name = "flipkart.shipment"
    _description = "Flipkart Shipment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(string="Shipment Id", required=True, readonly=True)
    account_id = fields.Many2one(
        "flipkart.account", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    order_id = fields.Many2one("sale.order", index=True, readonly=True, ondelete="cascade")
    picking_id = fields.Many2one("stock.picking", index=True, readonly=True)
    procurement_group_id = fields.Many2one("procurement.group", readonly=True, copy=False)
    line_ids = fields.One2many("sale.order.line", "flipkart_shipment_id", string="Order Lines")
    location_ref = fields.Char(string="Flipkart Location Id", readonly=True)
    state = fields.Char(string="Flipkart State", readonly=True, tracking=True)
    hold = fields.Boolean(string="On Hold", readonly=True)
    dispatch_after = fields.Datetime(string="Dispatch After", readonly=True)
    dispatch_by = fields.Datetime(string="Dispatch By", readonly=True)
    label_state = fields.Selection(
        [
            ("none", "Not Requested"),
            ("requested", "Requested"),
            ("ready", "Ready"),
            ("fetched", "Fetched"),
            ("error", "Error"),
        ],
        default="none",
        required=True,
        readonly=True,
        tracking=True,
    )
    label_attachment_id = fields.Many2one(
        "ir.attachment", string="Label", readonly=True, copy=False, ondelete="set null"
    )
    dispatch_state = fields.Selection(
        [
            ("none", "Not Ready"),
            ("to_notify", "To Notify"),
            ("notified", "Notified"),
            ("failed", "Failed"),
        ],
        default="none",
        required=True,
        readonly=True,
        tracking=True,
    )
    tracking_ref = fields.Char(string="Tracking Id", readonly=True)
    carrier_name = fields.Char(string="Courier", readonly=True)
    error_message = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "name_account_uniq",
            "unique(account_id, name)",
            "A Flipkart shipment is imported once per account.",
        ),
    ]

    def _flipkart_prepare_values(self, account, shipment, order):
        """Values of a new shipment record from a parsed Flipkart shipment."""
        return {
            "name": shipment.ref,
            "account_id": account.id,
            "order_id": order.id,
            "location_ref": shipment.location_ref,
            "state": shipment.state,
            "hold": shipment.hold,
            "dispatch_after": shipment.dispatch_after,
            "dispatch_by": shipment.dispatch_by,
            "tracking_ref": shipment.tracking_ref or False,
            "carrier_name": shipment.carrier_name or False,
            "dispatch_state": "notified" if shipment.state in DISPATCHED_STATES else "none",
        }

    def _flipkart_update_from(self, shipment, sync=True):
        """Refresh from a newer view of the same Flipkart shipment (a parsed
        :class:`~..flipkart_api.payload.Shipment`): the one refresh path.

        Outside the order sync (``sync=False``) a new state in :data:`SYNC_ACTED_STATES` is
        not written: the sync acts on those changes (cancels the order...) only when it sees
        the state change, so it must still see it; the sync cron is woken up instead."""
        self.ensure_one()
        news = {
            "state": shipment.state,
            "hold": shipment.hold,
            "dispatch_after": shipment.dispatch_after,
            "dispatch_by": shipment.dispatch_by,
        }
        if not sync and shipment.state in SYNC_ACTED_STATES and shipment.state != self.state:
            del news["state"]
            self.env.ref("sale_flipkart.ir_cron_flipkart_sync_orders").sudo()._trigger()
        values = {
            fname: value
            for fname, value in news.items()
            if (value or fname == "hold") and self[fname] != value
        }
        if shipment.state in DISPATCHED_STATES and self.dispatch_state != "notified":
            values["dispatch_state"] = "notified"  # Flipkart already knows: never send it
        if values:
            self.write(values)
        if shipment.tracking_ref:
            self._flipkart_set_tracking(shipment.tracking_ref, shipment.carrier_name)
        return values

    def _flipkart_link_pickings(self):
        """Attach each shipment to the delivery of its own procurement group."""
        groups = self.procurement_group_id
        if not groups:
            return
        pickings = self.env["stock.picking"].search(
            [
                ("group_id", "in", groups.ids),
                ("picking_type_code", "=", "outgoing"),
                ("state", "!=", "cancel"),
            ],
            order="id",
        )
        by_group = {}
        for picking in pickings:
            by_group.setdefault(picking.group_id.id, picking)
        for shipment in self:
            picking = by_group.get(shipment.procurement_group_id.id)
            if picking and shipment.picking_id != picking:
                shipment.picking_id = picking

    # ------------------------------------------------------------------ helpers
    def _flipkart_pickings(self):
        """Outgoing pickings of the shipments: their own picking and its backorders (same
        procurement group)."""
        pickings = self.picking_id
        if self.procurement_group_id:
            pickings |= self.env["stock.picking"].search(
                [
                    ("group_id", "in", self.procurement_group_id.ids),
                    ("picking_type_code", "=", "outgoing"),
                ]
            )
        return pickings

    def _flipkart_location(self):
        self.ensure_one()
        return self.location_ref or self.account_id.flipkart_location_ref

    def _flipkart_post(self, body):
        """A message on the shipment's picking (where the warehouse user looks), else on the
        shipment."""
        for shipment in self:
            (shipment.picking_id or shipment).message_post(body=body)

    def _flipkart_commit_if_cron(self):
        if self.env.context.get("flipkart_cron"):
            # cron: a Flipkart call is done and cannot be undone; keep its outcome even if a
            # later batch fails, so that it is never sent twice
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _flipkart_set_tracking(self, tracking, carrier):
        """The courier's tracking id lands on the shipment and its undone pickings."""
        self.ensure_one()
        if (self.tracking_ref, self.carrier_name or "") == (tracking, carrier or ""):
            return
        self.write({"tracking_ref": tracking, "carrier_name": carrier or False})
        pickings = self._flipkart_pickings().filtered(lambda p: p.state != "cancel")
        pickings.filtered(lambda p: p.carrier_tracking_ref != tracking).write(
            {"carrier_tracking_ref": tracking}
        )

    def _flipkart_fetch_raw(self, client, details=False):
        """{shipment id: raw Flipkart shipment} for the shipments in ``self`` (one account);
        the client asks per ≤ 100 ids (≤ 25 for details)."""
        names = self.mapped("name")
        if details:
            raws = client.get_shipment_details(names)
        else:
            raws = client.get_shipments(shipment_ids=names)
        return {str(raw.get("shipmentId")): raw for raw in raws if isinstance(raw, dict)}

    def _flipkart_read(self, client, details=False):
        """Read the shipments in ``self`` (one account) on Flipkart and refresh them through
        :meth:`_flipkart_update_from` (``sync=False``).

        :param details: read the details shape (with the courier's tracking id) rather than
            the search shape (with hold and dates)
        :return: ``(parsed, errors)``: ``{record: parsed Shipment}`` for those Flipkart
            returned, ``{record: message}`` for those it returned unreadable; shipments Flipkart
            did not return are in neither
        :raise FlipkartError: Flipkart could not be read
        """
        raws = self._flipkart_fetch_raw(client, details=details)
        parsed, errors = {}, {}
        for record in self:
            raw = raws.get(record.name)
            if raw is None:
                continue
            try:
                shipment = Shipment.from_json(raw)
            except InvalidResponseError as error:
                _logger.info("Flipkart shipment %s unreadable: %s", record.name, error)
                errors[record] = str(error)
                continue
            if "hold" not in raw:  # the details shape does not say: keep the known one
                shipment.hold = record.hold
            shipment.tracking_ref, shipment.carrier_name = tracking_of(raw)
            record._flipkart_update_from(shipment, sync=False)
            parsed[record] = shipment
        return parsed, errors

    @staticmethod
    def _flipkart_result_message(result):
        code, message = result.get("errorCode"), result.get("errorMessage")
        if code and message:
            return f"{message} ({code})"
        return str(message or code or "Flipkart gave no reason")

    # ------------------------------------------------------------------ labels: request
    def _flipkart_check_label_request(self, state=None):
        """Why Flipkart would refuse a label for this shipment now ('' when it would not).

        :param state: the shipment's Flipkart state as just read (default: the known one)
        """
        self.ensure_one()
        state = self.state if state is None else state
        if state == CANCELLED_STATE:
            return self.env._("Shipment %(ref)s is cancelled.", ref=self.name)
        if state not in LABEL_REQUEST_STATES:
            return self.env._(
                "Shipment %(ref)s is %(state)s at Flipkart: a label can be requested only "
                "while it is APPROVED or PACKING_IN_PROGRESS.",
                ref=self.name,
                state=state or self.env._("in an unknown state"),
            )
        if self.hold:
            return self.env._("Shipment %(ref)s is on hold at Flipkart.", ref=self.name)
        # Flipkart's dates carry milliseconds, Odoo's now() whole seconds
        dispatch_after = self.dispatch_after and self.dispatch_after.replace(microsecond=0)
        if dispatch_after and dispatch_after > fields.Datetime.now():
            return self.env._(
                "Shipment %(ref)s can be processed only after %(date)s.",
                ref=self.name,
                date=fields.Datetime.to_string(self.dispatch_after),
            )
        if not self._flipkart_location():
            return self.env._("Shipment %(ref)s has no Flipkart location id.", ref=self.name)
        return ""

    def _flipkart_tax_rate(self, line):
        """GST rate of an order line in percent: the sum of its percent taxes (group taxes
        counted through their children)."""
        taxes = line.tax_id.flatten_taxes_hierarchy()
        return sum(tax.amount for tax in taxes if tax.amount_type == "percent")

    def _flipkart_prepare_tax_items(self):
        """One tax item per Flipkart order item of the shipment. ``purchasePrice`` is the
        item's amount including tax for all its units, like Flipkart's sellingPrice (the
        project's price rule; Flipkart's own meaning is UNCONFIRMED)."""
        self.ensure_one()
        return [
            {
                "orderItemId": line.flipkart_order_item_ref,
                "quantity": int(line.product_uom_qty),
                "taxRate": self._flipkart_tax_rate(line),
                "purchasePrice": line.currency_id.round(line.price_total),
            }
            for line in self.line_ids.filtered("flipkart_order_item_ref")
        ]

    def _flipkart_prepare_invoices(self):
        """The order's posted invoice, when there is one; otherwise nothing, and Flipkart
        issues the invoice on the seller's behalf (printed with the label)."""
        self.ensure_one()
        invoices = self.order_id.invoice_ids.filtered(
            lambda inv: inv.state == "posted" and inv.move_type == "out_invoice"
        ).sorted("id")
        if not invoices:
            return []
        invoice = invoices[-1]
        return [
            {
                "orderId": self.order_id.flipkart_order_ref,
                "invoiceNumber": invoice.name,
                "invoiceDate": fields.Date.to_string(invoice.invoice_date),
            }
        ]

    def _flipkart_package_dimensions(self):
        """Dimensions (cm) and weight (kg) of the shipment's parcel: from the picking's
        package type and weight when known, else :data:`DEFAULT_PACKAGE`."""
        self.ensure_one()
        dims = dict(DEFAULT_PACKAGE)
        picking = self.picking_id
        if not picking:
            return dims
        uom_cm = self.env.ref("uom.product_uom_cm")
        uom_kg = self.env.ref("uom.product_uom_kgm")
        packages = picking.move_line_ids.result_package_id
        package_type = packages[:1].package_type_id
        if package_type:
            length_uom = self.env["product.template"]._get_length_uom_id_from_ir_config_parameter()
            for key, value in (
                ("length", package_type.packaging_length),
                ("breadth", package_type.width),
                ("height", package_type.height),
            ):
                if value:
                    dims[key] = round(length_uom._compute_quantity(value, uom_cm), 2)
        weight = picking.shipping_weight or picking.weight
        if weight:
            weight_uom = self.env["product.template"]._get_weight_uom_id_from_ir_config_parameter()
            dims["weight"] = round(weight_uom._compute_quantity(weight, uom_kg), 3)
        return dims

    def _flipkart_prepare_label_request(self):
        """One shipment entry of ``POST /v3/shipments/labels``."""
        self.ensure_one()
        return {
            "shipmentId": self.name,
            "locationId": self._flipkart_location(),
            "taxItems": self._flipkart_prepare_tax_items(),
            "invoices": self._flipkart_prepare_invoices(),
            "subShipments": [
                {
                    "subShipmentId": f"{self.name}-1",
                    "dimensions": self._flipkart_package_dimensions(),
                }
            ],
            "serialNumbers": [],
        }

    def _flipkart_generate_labels(self):
        """Ask Flipkart for the labels of the shipments in ``self``, read from Flipkart first:
        a shipment already PACKED or later (its label made in Seller Hub, or requested
        before) is set ``ready`` without a request, and the label fetch downloads it.

        :return: ``{"requested": shipments, "ready": shipments, "failed": shipments,
            "refused": [messages]}``; refused shipments (on hold, before their dispatch-after
            date, in a state that takes no label...) are not sent.
        """
        result = {
            "requested": self.browse(),
            "ready": self.browse(),
            "failed": self.browse(),
            "refused": [],
        }
        for account, shipments in self.grouped("account_id").items():
            try:
                client = account._get_client()
                parsed, errors = shipments._flipkart_read(client)
            except (FlipkartError, ValueError) as error:
                shipments._flipkart_label_failed(str(error))
                result["failed"] |= shipments
                continue
            todo = self.browse()
            for shipment in shipments:
                if shipment in errors:
                    shipment._flipkart_label_failed(errors[shipment])
                    result["failed"] |= shipment
                    continue
                if shipment not in parsed:
                    result["refused"].append(
                        self.env._("Flipkart does not know shipment %(ref)s.", ref=shipment.name)
                    )
                    continue
                state = parsed[shipment].state
                if state in LABEL_READY_STATES:
                    shipment.write({"label_state": "ready", "error_message": False})
                    result["ready"] |= shipment
                    continue
                reason = shipment._flipkart_check_label_request(state)
                if reason:
                    result["refused"].append(reason)
                else:
                    todo |= shipment
            for chunk in split_every(LABELS_GENERATE_CHUNK, todo.ids, self.browse):
                done = chunk._flipkart_generate_labels_chunk(client)
                result["requested"] |= done
                result["failed"] |= chunk - done
                self._flipkart_commit_if_cron()
        if result["requested"] or result["ready"]:
            self.env.ref("sale_flipkart.ir_cron_flipkart_fetch_labels").sudo()._trigger(
                fields.Datetime.add(fields.Datetime.now(), minutes=1)
                if result["requested"]
                else None
            )
        return result

    def _flipkart_generate_labels_chunk(self, client):
        """One label request (≤ 25 shipments); return the shipments Flipkart accepted."""
        try:
            answers = client.generate_labels([s._flipkart_prepare_label_request() for s in self])
        except UnknownOutcomeError as error:
            # maybe applied: the label fetch reads the state and sorts it out
            _logger.info("Flipkart label request, unknown outcome: %s", error)
            self.write({"label_state": "requested", "error_message": str(error)})
            return self
        except FlipkartError as error:
            self._flipkart_label_failed(str(error))
            return self.browse()
        by_ref = {str(a.get("shipmentId")): a for a in answers if isinstance(a, dict)}
        accepted = self.browse()
        for shipment in self:
            answer = by_ref.get(shipment.name)
            if answer is None:
                shipment._flipkart_label_failed(
                    self.env._("Flipkart's answer did not mention this shipment.")
                )
            elif str(answer.get("status") or "").upper() == "SUCCESS":
                shipment.write({"label_state": "requested", "error_message": False})
                accepted |= shipment
            else:
                shipment._flipkart_label_failed(self._flipkart_result_message(answer))
        return accepted

    def _flipkart_label_failed(self, message):
        self.write({"label_state": "error", "error_message": message})
        self._flipkart_post(
            self.env._("Flipkart label request failed: %(message)s", message=message)
        )

    # ------------------------------------------------------------------ labels: fetch
    @api.model
    def _cron_flipkart_fetch_labels(self):
        self._flipkart_labels_pending().with_context(flipkart_cron=True)._flipkart_fetch_labels()

    @api.model
    def _flipkart_labels_pending(self):
        """Shipments of active accounts whose label Flipkart is preparing or that is ready to
        download."""
        return self.search(
            [("label_state", "in", ("requested", "ready")), ("account_id.active", "=", True)]
        )

    def _flipkart_fetch_labels(self):
        """Move ``requested`` shipments to ``ready`` once Flipkart shows them PACKED, then
        download the ready labels and attach them to the pickings (``fetched``).

        :return: ``{"fetched": shipments, "pending": shipments, "errors": [messages]}``
        """
        result = {"fetched": self.browse(), "pending": self.browse(), "errors": []}
        todo = self.filtered(lambda s: s.label_state in ("requested", "ready"))
        for account, shipments in todo.grouped("account_id").items():
            try:
                client = account._get_client()
                shipments._flipkart_check_labels_ready(client)
            except (FlipkartError, ValueError) as error:
                _logger.info("Flipkart account %s: label check failed: %s", account.id, error)
                result["errors"].append(str(error))
                result["pending"] |= shipments
                continue
            for shipment in shipments.filtered(lambda s: s.label_state == "ready"):
                try:
                    shipment._flipkart_download_label(client)
                except RequestRejectedError as error:
                    if error.code != LABEL_NOT_READY_CODE:
                        shipment._flipkart_label_failed(error.message or str(error))
                        result["errors"].append(str(error))
                except (FlipkartError, ValueError) as error:  # outage: the next run goes on
                    _logger.info("Flipkart label %s not downloaded: %s", shipment.name, error)
                    result["errors"].append(str(error))
                    break
                self._flipkart_commit_if_cron()
            result["fetched"] |= shipments.filtered(lambda s: s.label_state == "fetched")
            result["pending"] |= shipments.filtered(
                lambda s: s.label_state in ("requested", "ready")
            )
        return result

    def _flipkart_check_labels_ready(self, client):
        """Read the ``requested`` shipments on Flipkart (with tracking): PACKED or later →
        ``ready``; back at APPROVED (the request did not reach Flipkart) or cancelled →
        ``error``; PACKING_IN_PROGRESS → still ``requested``."""
        requested = self.filtered(lambda s: s.label_state == "requested")
        if not requested:
            return
        parsed, errors = requested._flipkart_read(client, details=True)
        for shipment, message in errors.items():  # unreadable: asked again next time
            _logger.info("Flipkart label of %s not checked: %s", shipment.name, message)
        for shipment, flipkart in parsed.items():
            if flipkart.state in LABEL_READY_STATES:
                shipment.write({"label_state": "ready", "error_message": False})
            elif flipkart.state == CANCELLED_STATE:
                shipment._flipkart_label_failed(self.env._("The shipment is cancelled."))
            elif flipkart.state == "APPROVED":
                shipment._flipkart_label_failed(
                    self.env._("Flipkart has no label request for this shipment: generate again.")
                )

    def _flipkart_download_label(self, client):
        """Download the label PDF and attach it to the picking (replacing an older one)."""
        self.ensure_one()
        pdf = client.download_labels([self.name])
        old = self.label_attachment_id
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"Flipkart-Label-{self.name}.pdf",
                "type": "binary",
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": "stock.picking" if self.picking_id else self._name,
                "res_id": self.picking_id.id or self.id,
            }
        )
        self.write(
            {"label_state": "fetched", "label_attachment_id": attachment.id, "error_message": False}
        )
        if old:
            old.unlink()
        (self.picking_id or self).message_post(
            body=self.env._("Flipkart label of shipment %(ref)s downloaded.", ref=self.name),
            attachment_ids=attachment.ids,
        )
        return attachment

    @api.model
    def _flipkart_download_url(self, attachment):
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _flipkart_print_labels(self):
        """The action printing the labels of the shipments in ``self``: the attached PDF for
        one shipment (downloaded first when missing); for several, one merged PDF downloaded
        from Flipkart in one call."""
        if len(self) == 1:
            if not self.label_attachment_id:
                if self.label_state == "fetched":  # the attachment was deleted
                    self.label_state = "ready"
                self._flipkart_fetch_labels()
            return self.label_attachment_id
        if len(self) > LABELS_DOWNLOAD_MAX:
            raise UserError(
                self.env._(
                    "Flipkart prints at most %(max)s labels at once; %(count)s are selected.",
                    max=LABELS_DOWNLOAD_MAX,
                    count=len(self),
                )
            )
        if len(self.account_id) > 1:
            raise UserError(self.env._("Print the labels of one Flipkart account at a time."))
        pdf = self.account_id._get_client().download_labels(self.mapped("name"))
        # one merged PDF per user, overwritten by the next print; attached to no record, so
        # that only its creator can read it (it holds buyers' addresses)
        values = {
            "name": f"Flipkart-Labels-{len(self)}-shipments.pdf",
            "type": "binary",
            "raw": pdf,
            "mimetype": "application/pdf",
            "res_model": False,
            "res_id": False,
        }
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", False),
                ("create_uid", "=", self.env.uid),
                ("name", "=like", "Flipkart-Labels-%-shipments.pdf"),
            ],
            order="id",
        )
        if attachment:
            attachment[1:].unlink()
            attachment = attachment[:1]
            attachment.write(values)
        else:
            attachment = attachment.create(values)
        return attachment

    # ------------------------------------------------------------------ dispatch
    @api.model
    def _cron_flipkart_dispatch(self):
        self._flipkart_dispatch_pending().with_context(flipkart_cron=True)._flipkart_dispatch()

    @api.model
    def _flipkart_dispatch_pending(self):
        """Shipments of active accounts the dispatch cron sends: queued ones, and failed ones
        (retried) unless Flipkart cancelled them."""
        return self.search(
            [
                ("dispatch_state", "in", ("to_notify", "failed")),
                ("state", "!=", CANCELLED_STATE),
                ("account_id.active", "=", True),
            ]
        )

    def _flipkart_ready_for_dispatch(self):
        """Shipments whose whole delivery is done: no outgoing picking of their procurement
        group (the picking and its backorders) is left to do."""
        if not self:
            return self
        pending = self.env["stock.picking"].search(
            [
                "|",
                ("id", "in", self.picking_id.ids),
                ("group_id", "in", self.procurement_group_id.ids),
                ("picking_type_code", "=", "outgoing"),
                ("state", "not in", ("done", "cancel")),
            ]
        )
        busy_pickings = set(pending.ids)
        busy_groups = set(pending.group_id.ids)
        return self.filtered(
            lambda s: (
                s.picking_id.state == "done"
                and s.picking_id.id not in busy_pickings
                and s.procurement_group_id.id not in busy_groups
            )
        )

    def _flipkart_mark_to_notify(self):
        """Queue the pickup notification of the shipments whose delivery is done, and wake
        the dispatch cron up: no Flipkart call inside the user's validation."""
        ready = self.filtered(lambda s: s.dispatch_state == "none")._flipkart_ready_for_dispatch()
        known = ready.filtered(lambda s: s.state in DISPATCHED_STATES)
        known.write({"dispatch_state": "notified"})  # dispatched on Seller Hub already
        ready -= known
        if ready:
            ready.write({"dispatch_state": "to_notify"})
            self.env.ref("sale_flipkart.ir_cron_flipkart_dispatch").sudo()._trigger()
        return ready

    def _flipkart_lock_for_dispatch(self):
        """The shipments of ``self`` still to notify, locked for this transaction; those
        another transaction is notifying right now are skipped."""
        if not self:
            return self
        self.flush_model(["dispatch_state"])
        self.env.cr.execute(
            """SELECT id FROM flipkart_shipment
                WHERE id IN %s AND dispatch_state IN ('to_notify', 'failed')
                FOR NO KEY UPDATE SKIP LOCKED""",
            [tuple(self.ids)],
        )
        locked = self.browse([row[0] for row in self.env.cr.fetchall()])
        locked.invalidate_recordset(["dispatch_state"])
        return locked

    def _flipkart_dispatch(self):
        """Send the pickup notification ("ready to dispatch") of the shipments in ``self``
        that are ``to_notify`` (or ``failed``: a retry). Outcome per shipment: ``notified``,
        or ``failed`` with Flipkart's message. Every shipment is read from Flipkart first (an
        earlier call may have been applied although Odoo's transaction rolled back): it is
        never notified twice.

        :return: ``{"notified": shipments, "failed": shipments}``
        """
        result = {"notified": self.browse(), "failed": self.browse()}
        todo = self.filtered(lambda s: s.dispatch_state in ("to_notify", "failed"))
        todo = todo._flipkart_lock_for_dispatch()
        for account, shipments in todo.grouped("account_id").items():
            try:
                client = account._get_client()
                to_send = shipments._flipkart_dispatch_recheck(client)
            except (FlipkartError, ValueError) as error:
                shipments._flipkart_dispatch_failed(str(error))
                continue
            by_location = to_send.grouped(lambda s: s._flipkart_location() or "")
            for location, group in by_location.items():
                if not location:
                    group._flipkart_dispatch_failed(
                        self.env._("No Flipkart location id is known for this shipment.")
                    )
                    continue
                for chunk in split_every(DISPATCH_CHUNK, group.ids, self.browse):
                    # again after each cron commit, which released the earlier locks
                    locked = chunk._flipkart_lock_for_dispatch()
                    if locked:
                        locked._flipkart_dispatch_chunk(client, location)
                        self._flipkart_commit_if_cron()
            shipments.filtered(lambda s: s.dispatch_state == "notified")._flipkart_fetch_tracking(
                client
            )
        result["notified"] = todo.filtered(lambda s: s.dispatch_state == "notified")
        result["failed"] = todo.filtered(lambda s: s.dispatch_state == "failed")
        return result

    def _flipkart_dispatch_recheck(self, client):
        """Read the shipments on Flipkart before sending them: an earlier attempt may have
        been applied by Flipkart while Odoo's transaction rolled back (a crash between the
        call and the commit, a replayed request), leaving the shipment ``to_notify`` or
        ``failed``. Those already READY_TO_DISPATCH (or later) are ``notified`` without a
        call; unknown, unreadable, cancelled or held ones are ``failed`` (retried). Return
        the shipments to send.

        :raise FlipkartError: Flipkart could not be read (nothing is sent)
        """
        parsed, errors = self._flipkart_read(client)
        to_send = self.browse()
        for shipment in self:
            flipkart = parsed.get(shipment)
            if shipment in errors:
                shipment._flipkart_dispatch_failed(errors[shipment])
            elif flipkart is None:
                shipment._flipkart_dispatch_failed(
                    self.env._("Flipkart does not know shipment %(ref)s.", ref=shipment.name)
                )
            elif flipkart.state in DISPATCHED_STATES:
                shipment._flipkart_dispatch_done()
            elif flipkart.state == CANCELLED_STATE:
                shipment._flipkart_dispatch_failed(self.env._("The shipment is cancelled."))
            elif flipkart.hold:
                shipment._flipkart_dispatch_failed(
                    self.env._("Shipment %(ref)s is on hold at Flipkart.", ref=shipment.name)
                )
            else:
                to_send |= shipment
        return to_send

    def _flipkart_dispatch_chunk(self, client, location):
        try:
            answers = client.dispatch(self.mapped("name"), location)
        except FlipkartError as error:
            # also UnknownOutcomeError (maybe applied): shipments are read from Flipkart
            # before they are sent again
            self._flipkart_dispatch_failed(str(error))
            return
        by_ref = {str(a.get("shipmentId")): a for a in answers if isinstance(a, dict)}
        for shipment in self:
            answer = by_ref.get(shipment.name)
            if answer is None:
                shipment._flipkart_dispatch_failed(
                    self.env._("Flipkart's answer did not mention this shipment.")
                )
            elif str(answer.get("status") or "").upper() == "SUCCESS":
                shipment.state = "READY_TO_DISPATCH"
                shipment._flipkart_dispatch_done()
            else:
                shipment._flipkart_dispatch_failed(self._flipkart_result_message(answer))

    def _flipkart_dispatch_done(self):
        self.write({"dispatch_state": "notified", "error_message": False})
        self._flipkart_post(
            self.env._("Flipkart notified: the shipment is ready for pickup by the courier.")
        )

    def _flipkart_dispatch_failed(self, message):
        for shipment in self:
            repeated = shipment.dispatch_state == "failed" and shipment.error_message == message
            shipment.write({"dispatch_state": "failed", "error_message": message})
            if not repeated:
                shipment._flipkart_post(
                    self.env._(
                        "Flipkart pickup notification failed: %(message)s It is retried "
                        "automatically; use Retry Dispatch once the cause is fixed.",
                        message=message,
                    )
                )

    def _flipkart_fetch_tracking(self, client):
        """Courier tracking ids of the shipments that have none yet (best effort)."""
        missing = self.filtered(lambda s: not s.tracking_ref)
        if not missing:
            return
        try:
            missing._flipkart_read(client, details=True)  # sets the tracking ids given
        except FlipkartError as error:
            _logger.info("Flipkart tracking not read: %s", error)
