from odoo import api, fields, models

from ..flipkart_api.payload import normalize_phone, normalize_text

#: Flipkart state codes that Odoo 18's Indian states spell differently.
STATE_CODE_ALIASES = {"TG": "TS", "OD": "OR", "UT": "UK", "CT": "CG", "DH": "DN"}


class ResPartner(models.Model):
    _inherit = "res.partner"

    flipkart_buyer_key = fields.Char(
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="Identity of a Flipkart buyer: name with phone, or name with address.",
    )
    flipkart_address_key = fields.Char(index="btree_not_null", copy=False, readonly=True)

    # ------------------------------------------------------------------ identity rules
    @api.model
    def _flipkart_address_key(self, address):
        """Same address = same first line (case- and space-insensitive) and pincode."""
        line = "".join(normalize_text(address.line1).split())
        pincode = "".join(c for c in address.pincode or "" if c.isdigit())
        return f"{line}|{pincode}"

    @api.model
    def _flipkart_buyer_key(self, shipment):
        """Same buyer = same name and phone; without a phone, same name at the same address."""
        name = normalize_text(shipment.buyer_name)
        phone = normalize_phone(shipment.delivery_address.phone)
        if phone:
            return f"{name}|phone:{phone}"
        return f"{name}|addr:{self._flipkart_address_key(shipment.delivery_address)}"

    @api.model
    def _flipkart_indian_states(self):
        """{code or normalized name: state} of India's states, for a batch of addresses."""
        states = self.env["res.country.state"].search(
            [("country_id", "=", self._flipkart_india().id)]
        )
        by_key = {normalize_text(s.name): s for s in states}
        by_key.update({s.code.upper(): s for s in states})
        return by_key

    @api.model
    def _flipkart_india(self):
        return self.env.ref("base.in")

    @api.model
    def _flipkart_find_state(self, address, states):
        """Odoo state of a Flipkart address (ISO ``IN-KA`` and Flipkart's newer codes accepted),
        or an empty record."""
        code = (address.state_code or "").upper().removeprefix("IN-").strip()
        code = STATE_CODE_ALIASES.get(code, code)
        return (
            states.get(code)
            or states.get(normalize_text(address.state_name))
            or self.env["res.country.state"]
        )

    @api.model
    def _flipkart_prepare_address_values(self, address, name, states):
        state = self._flipkart_find_state(address, states)
        return {
            "name": name or address.name or "Flipkart Buyer",
            "street": address.line1 or False,
            "street2": ", ".join(p for p in (address.line2, address.landmark) if p) or False,
            "city": address.city or False,
            "zip": address.pincode or False,
            "state_id": state.id,
            "country_id": self._flipkart_india().id,
            "phone": address.phone or False,
        }

    # ------------------------------------------------------------------ batch resolution
    @api.model
    def _flipkart_resolve_buyers(self, account, shipments):
        """Buyer contact and delivery address of each order, for a batch of orders.

        :param shipments: one shipment (with details) per order to resolve
        :return: dict order_ref → (contact, delivery address, warnings)
        """
        company_ids = [account.company_id.id, False]
        states = self._flipkart_indian_states()
        buyer_keys = {s.order_ref: self._flipkart_buyer_key(s) for s in shipments}
        contacts = {}
        for partner in self.search(
            [
                ("flipkart_buyer_key", "in", list(set(buyer_keys.values()))),
                ("company_id", "in", company_ids),
            ],
            order="id",
        ):
            contacts.setdefault(partner.flipkart_buyer_key, partner)
        new_contacts = {}
        for shipment in shipments:
            key = buyer_keys[shipment.order_ref]
            if key not in contacts and key not in new_contacts:
                address = (
                    shipment.billing_address
                    if shipment.billing_address.line1
                    else shipment.delivery_address
                )
                values = self._flipkart_prepare_address_values(address, shipment.buyer_name, states)
                values.update(
                    flipkart_buyer_key=key,
                    company_id=account.company_id.id,
                    type="contact",
                    phone=shipment.delivery_address.phone or False,
                )
                new_contacts[key] = values
        if new_contacts:
            created = self.create(list(new_contacts.values()))
            contacts.update(zip(new_contacts, created, strict=True))

        address_keys = {
            s.order_ref: self._flipkart_address_key(s.delivery_address) for s in shipments
        }
        deliveries = {}
        for partner in self.search(
            [
                ("parent_id", "in", [c.id for c in contacts.values()]),
                ("type", "=", "delivery"),
                ("flipkart_address_key", "in", list(address_keys.values())),
            ],
            order="id",
        ):
            deliveries.setdefault((partner.parent_id.id, partner.flipkart_address_key), partner)
        new_deliveries = {}
        for shipment in shipments:
            contact = contacts[buyer_keys[shipment.order_ref]]
            key = (contact.id, address_keys[shipment.order_ref])
            if key not in deliveries and key not in new_deliveries:
                values = self._flipkart_prepare_address_values(
                    shipment.delivery_address, shipment.delivery_address.name, states
                )
                values.update(
                    parent_id=contact.id,
                    type="delivery",
                    flipkart_address_key=key[1],
                    company_id=account.company_id.id,
                )
                new_deliveries[key] = values
        if new_deliveries:
            created = self.create(list(new_deliveries.values()))
            deliveries.update(zip(new_deliveries, created, strict=True))

        result = {}
        for shipment in shipments:
            contact = contacts[buyer_keys[shipment.order_ref]]
            delivery = deliveries[(contact.id, address_keys[shipment.order_ref])]
            warnings = []
            if not delivery.state_id:
                warnings.append(
                    self.env._(
                        "Flipkart's state code %(code)s (%(name)s) matches no Indian state: the "
                        "delivery address was imported without a state.",
                        code=shipment.delivery_address.state_code or "-",
                        name=shipment.delivery_address.state_name or "-",
                    )
                )
            result[shipment.order_ref] = (contact, delivery, warnings)
        return result
