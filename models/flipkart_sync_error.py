from odoo import api, fields, models

#: Retries of a reference Flipkart returns nothing for, before it is left to the user.
MAX_ATTEMPTS_NOT_FOUND = 5
#: Attempts of any failing order before the runs stop retrying it (left to the user, who can
#: use Recover Order once the cause is fixed).
MAX_ATTEMPTS = 20


class FlipkartSyncError(models.Model):
    _name = "flipkart.sync.error"
    _description = "Flipkart Synchronization Error"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, write_date desc"
    _rec_name = "reference"

    account_id = fields.Many2one(
        "flipkart.account", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    reference = fields.Char(
        required=True, readonly=True, help="The Flipkart order (or shipment) id the error concerns."
    )
    operation = fields.Selection(
        [("order", "Order Import"), ("fbf_move", "FBF Stock Move")],
        default="order",
        required=True,
        readonly=True,
    )
    message = fields.Text(readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved")],
        default="open",
        required=True,
        readonly=True,
        index=True,
    )
    retry = fields.Boolean(default=True, readonly=True, help="Retried by the next synchronization.")
    attempts = fields.Integer(default=1, readonly=True)
    last_attempt = fields.Datetime(default=fields.Datetime.now, readonly=True)

    _sql_constraints = [
        (
            "reference_uniq",
            "unique(account_id, operation, reference)",
            "One error record per Flipkart reference.",
        ),
    ]

    @api.model
    def _flipkart_record(self, account, reference, message, operation="order", retry=True):
        """Record (or update) the error of ``reference``; a new one gets an activity for the
        account's responsible user."""
        retry = retry and reference != "unknown"  # nothing to ask Flipkart for
        error = self.search(
            [
                ("account_id", "=", account.id),
                ("operation", "=", operation),
                ("reference", "=", reference),
            ]
        )
        if error:
            error.write(
                {
                    "message": message,
                    "state": "open",
                    "retry": retry and error.attempts + 1 < MAX_ATTEMPTS,
                    "attempts": error.attempts + 1,
                    "last_attempt": fields.Datetime.now(),
                }
            )
            return error
        error = self.create(
            {
                "account_id": account.id,
                "reference": reference,
                "message": message,
                "operation": operation,
                "retry": retry,
            }
        )
        error.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(account.user_id or self.env.user).id,
            summary=self.env._("Flipkart order %(ref)s needs attention", ref=reference),
            note=message,
        )
        return error

    @api.model
    def _flipkart_resolve(self, account, references, operation="order"):
        errors = self.search(
            [
                ("account_id", "=", account.id),
                ("operation", "=", operation),
                ("reference", "in", list(references)),
                ("state", "=", "open"),
            ]
        )
        if errors:
            errors.write({"state": "resolved"})
            errors.activity_ids.action_feedback(
                feedback=self.env._("Imported by a later synchronization.")
            )
        return errors

    def _flipkart_not_found(self):
        """Flipkart returned nothing for these references: count the attempt, and stop
        retrying after a while so that they do not crowd out the others."""
        for error in self:
            error.write(
                {
                    "attempts": error.attempts + 1,
                    "last_attempt": fields.Datetime.now(),
                    "retry": error.attempts + 1 < MAX_ATTEMPTS_NOT_FOUND,
                    "message": self.env._(
                        "%(message)s\n(Flipkart returns nothing for %(ref)s any more.)",
                        message=error.message,
                        ref=error.reference,
                    )
                    if error.attempts + 1 >= MAX_ATTEMPTS_NOT_FOUND
                    else error.message,
                }
            )
