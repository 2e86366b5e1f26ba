import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..flipkart_api import FlipkartError, RequestRejectedError
from .flipkart_shipment import LABEL_NOT_READY_CODE

_logger = logging.getLogger(__name__)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    flipkart_shipment_ids = fields.One2many(
        "flipkart.shipment", "picking_id", string="Flipkart Shipments"
    )
    flipkart_shipment_ref = fields.Char(
        string="Flipkart Shipment",
        compute="_compute_flipkart_shipment_ref",
        store=True,
        index="btree_not_null",
    )
    flipkart_shipment_id = fields.Many2one(
        "flipkart.shipment",
        string="Flipkart Shipment Record",
        compute="_compute_flipkart_shipment_id",
        help="The Flipkart shipment of this delivery or of the delivery it is a backorder of.",
    )
    flipkart_label_state = fields.Selection(
        selection=lambda self: self.env["flipkart.shipment"]._fields["label_state"].selection,
        string="Flipkart Label",
        compute="_compute_flipkart_shipment_id",
    )
    flipkart_dispatch_state = fields.Selection(
        selection=lambda self: self.env["flipkart.shipment"]._fields["dispatch_state"].selection,
        string="Flipkart Pickup",
        compute="_compute_flipkart_shipment_id",
    )
    flipkart_carrier_name = fields.Char(
        string="Flipkart Courier", compute="_compute_flipkart_shipment_id"
    )
    flipkart_error_message = fields.Char(
        string="Flipkart Error", compute="_compute_flipkart_shipment_id"
    )

    @api.depends("flipkart_shipment_ids.name")
    def _compute_flipkart_shipment_ref(self):
        for picking in self:
            picking.flipkart_shipment_ref = (
                ", ".join(picking.flipkart_shipment_ids.mapped("name")) or False
            )

    @api.depends(
        "group_id",
        "flipkart_shipment_ids.label_state",
        "flipkart_shipment_ids.dispatch_state",
        "flipkart_shipment_ids.carrier_name",
        "flipkart_shipment_ids.error_message",
    )
    def _compute_flipkart_shipment_id(self):
        for picking in self:
            shipment = picking._flipkart_shipments()[:1]
            picking.flipkart_shipment_id = shipment
            picking.flipkart_label_state = shipment.label_state
            picking.flipkart_dispatch_state = shipment.dispatch_state
            picking.flipkart_carrier_name = shipment.carrier_name
            picking.flipkart_error_message = shipment.error_message

    # ------------------------------------------------------------------ helpers
    def _flipkart_shipments(self):
        """Flipkart shipments of the pickings: their own, and for a backorder those of its
        procurement group."""
        shipments = self.flipkart_shipment_ids
        groups = self.filtered(lambda p: p.picking_type_code == "outgoing").group_id
        if groups:
            shipments |= self.env["flipkart.shipment"].search(
                [("procurement_group_id", "in", groups.ids)]
            )
        return shipments

    def _flipkart_get_shipments(self):
        """The shipments a button acts on; a clear error for pickings that have none."""
        shipments = self._flipkart_shipments()
        if not shipments:
            raise UserError(
                self.env._("These transfers are not deliveries of Flipkart FBS orders.")
                if len(self) > 1
                else self.env._(
                    "%(picking)s is not the delivery of a Flipkart FBS order.",
                    picking=self.display_name,
                )
            )
        return shipments

    def _flipkart_notification(self, title, message, kind="info", sticky=False, reload=True):
        params = {"title": title, "message": message, "type": kind, "sticky": sticky}
        if reload:
            params["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    # ------------------------------------------------------------------ validation
    def _action_done(self):
        """A done FBS delivery queues its Flipkart pickup notification (sent by the dispatch
        cron, never here: the validation must not wait for Flipkart). A delivery validated
        with a backorder does not: the backorder's validation does."""
        res = super()._action_done()
        # bookkeeping only (a state and a cron trigger), whoever validates
        self.sudo()._flipkart_shipments()._flipkart_mark_to_notify()
        return res

    # ------------------------------------------------------------------ buttons
    def action_flipkart_generate_label(self):
        shipments = self._flipkart_get_shipments()
        result = shipments._flipkart_generate_labels()
        refused = result["refused"]
        if not (result["requested"] or result["ready"] or result["failed"]):
            raise UserError("\n".join(refused))
        lines = []
        if result["requested"]:
            lines.append(
                self.env._(
                    "Labels requested for %(refs)s. Flipkart prepares them in a few seconds to "
                    "30 minutes; they are downloaded automatically (or use Fetch Label).",
                    refs=", ".join(result["requested"].mapped("name")),
                )
            )
        if result["ready"]:
            lines.append(
                self.env._(
                    "Flipkart already has the labels of %(refs)s (packed): they are downloaded "
                    "automatically (or use Fetch Label).",
                    refs=", ".join(result["ready"].mapped("name")),
                )
            )
        for shipment in result["failed"]:
            lines.append(
                self.env._(
                    "%(ref)s: %(message)s", ref=shipment.name, message=shipment.error_message
                )
            )
        lines += refused
        ok = not (result["failed"] or refused)
        return self._flipkart_notification(
            self.env._("Flipkart labels requested")
            if ok
            else self.env._("Some Flipkart labels were not requested"),
            "\n".join(lines),
            "success" if ok else "warning",
            sticky=not ok,
        )

    def action_flipkart_fetch_label(self):
        shipments = self._flipkart_get_shipments()
        pending = shipments.filtered(lambda s: s.label_state in ("requested", "ready"))
        if not pending:
            raise UserError(
                self.env._(
                    "No label is waiting on Flipkart for these deliveries: generate the label "
                    "first."
                )
            )
        result = pending._flipkart_fetch_labels()
        if result["errors"]:
            return self._flipkart_notification(
                self.env._("Flipkart labels not downloaded"),
                "\n".join(result["errors"]),
                "danger",
                sticky=True,
            )
        if result["pending"]:
            return self._flipkart_notification(
                self.env._("Flipkart labels not ready yet"),
                self.env._(
                    "Flipkart is still preparing the labels of %(refs)s; they are downloaded "
                    "automatically when ready.",
                    refs=", ".join(result["pending"].mapped("name")),
                ),
                "warning",
            )
        return self._flipkart_notification(
            self.env._("Flipkart labels downloaded"),
            self.env._(
                "The labels of %(refs)s are attached to their deliveries.",
                refs=", ".join(result["fetched"].mapped("name")),
            ),
            "success",
        )

    def action_flipkart_print_label(self):
        shipments = self._flipkart_get_shipments()
        not_asked = shipments.filtered(lambda s: s.label_state in ("none", "error"))
        if not_asked:
            raise UserError(
                self.env._(
                    "Generate the Flipkart label of %(refs)s first.",
                    refs=", ".join(not_asked.mapped("name")),
                )
            )
        try:
            attachment = shipments._flipkart_print_labels()
        except RequestRejectedError as error:
            return self._flipkart_notification(
                self.env._("Flipkart labels not ready yet")
                if error.code == LABEL_NOT_READY_CODE
                else self.env._("Flipkart refused to print the labels"),
                error.message or str(error),
                "warning",
                sticky=True,
                reload=False,
            )
        except (FlipkartError, ValueError) as error:
            return self._flipkart_notification(
                self.env._("Flipkart labels not downloaded"),
                str(error),
                "danger",
                sticky=True,
                reload=False,
            )
        if not attachment:
            return self._flipkart_notification(
                self.env._("Flipkart label not ready yet"),
                shipments.error_message
                or self.env._(
                    "Flipkart is still preparing the label of %(ref)s; try again in a minute.",
                    ref=shipments.name,
                ),
                "warning",
            )
        return shipments._flipkart_download_url(attachment)

    def action_flipkart_retry_dispatch(self):
        shipments = self._flipkart_get_shipments()
        waiting = shipments.filtered(lambda s: s.dispatch_state in ("to_notify", "failed"))
        # a delivery done before the connector saw it, or whose notification was never queued
        waiting |= shipments._flipkart_mark_to_notify()
        if not waiting:
            raise UserError(
                self.env._(
                    "There is no Flipkart pickup notification to send: validate the delivery "
                    "first (already notified shipments are never sent twice)."
                )
            )
        result = waiting._flipkart_dispatch()
        if result["failed"]:
            return self._flipkart_notification(
                self.env._("Flipkart pickup notification failed"),
                "\n".join(
                    self.env._("%(ref)s: %(message)s", ref=s.name, message=s.error_message)
                    for s in result["failed"]
                ),
                "danger",
                sticky=True,
            )
        return self._flipkart_notification(
            self.env._("Flipkart notified"),
            self.env._(
                "%(refs)s: ready for pickup.", refs=", ".join(result["notified"].mapped("name"))
            ),
            "success",
        )
