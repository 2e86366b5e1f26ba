"""Seeded generator of Indian marketplace data.

Order ``i`` is derived from ``random.Random(f"{seed}:{i}")`` alone, so any order can be rebuilt on
demand and nothing has to be held in memory. The first draws of that stream (the "header": order
date, fulfilment, shipments and their states) are enough to filter a search; the rest (buyer,
address, items, prices) is drawn only when a shipment is returned.
"""

import random
import string

from . import const

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

# (name, stateCode Flipkart sends, relative weight, [(city, first 3 pincode digits), ...]).
# Telangana, Odisha, Uttarakhand, Chhattisgarh and DNH&DD use the newer codes (TG, OD, UT, CT, DH)
# that Odoo 18 lacks; a share of addresses carry the ISO form "IN-XX".
STATES = (
    (
        "Andhra Pradesh",
        "AP",
        5,
        (("Visakhapatnam", "530"), ("Vijayawada", "520"), ("Guntur", "522")),
    ),
    ("Arunachal Pradesh", "AR", 1, (("Itanagar", "791"),)),
    ("Assam", "AS", 3, (("Guwahati", "781"), ("Dibrugarh", "786"))),
    ("Bihar", "BR", 6, (("Patna", "800"), ("Gaya", "823"), ("Muzaffarpur", "842"))),
    ("Chhattisgarh", "CT", 2, (("Raipur", "492"), ("Bilaspur", "495"))),
    ("Goa", "GA", 1, (("Panaji", "403"), ("Margao", "403"))),
    ("Gujarat", "GJ", 6, (("Ahmedabad", "380"), ("Surat", "395"), ("Vadodara", "390"))),
    ("Haryana", "HR", 4, (("Gurugram", "122"), ("Faridabad", "121"), ("Panipat", "132"))),
    ("Himachal Pradesh", "HP", 1, (("Shimla", "171"), ("Mandi", "175"))),
    ("Jharkhand", "JH", 3, (("Ranchi", "834"), ("Jamshedpur", "831"))),
    ("Karnataka", "KA", 8, (("Bengaluru", "560"), ("Mysuru", "570"), ("Mangaluru", "575"))),
    ("Kerala", "KL", 4, (("Thiruvananthapuram", "695"), ("Kochi", "682"), ("Kozhikode", "673"))),
    ("Madhya Pradesh", "MP", 5, (("Bhopal", "462"), ("Indore", "452"), ("Jabalpur", "482"))),
    ("Maharashtra", "MH", 10, (("Mumbai", "400"), ("Pune", "411"), ("Nagpur", "440"))),
    ("Manipur", "MN", 1, (("Imphal", "795"),)),
    ("Meghalaya", "ML", 1, (("Shillong", "793"),)),
    ("Mizoram", "MZ", 1, (("Aizawl", "796"),)),
    ("Nagaland", "NL", 1, (("Kohima", "797"), ("Dimapur", "797"))),
    ("Odisha", "OD", 3, (("Bhubaneswar", "751"), ("Cuttack", "753"))),
    ("Punjab", "PB", 3, (("Ludhiana", "141"), ("Amritsar", "143"), ("Jalandhar", "144"))),
    ("Rajasthan", "RJ", 5, (("Jaipur", "302"), ("Jodhpur", "342"), ("Udaipur", "313"))),
    ("Sikkim", "SK", 1, (("Gangtok", "737"),)),
    ("Tamil Nadu", "TN", 7, (("Chennai", "600"), ("Coimbatore", "641"), ("Madurai", "625"))),
    ("Telangana", "TG", 5, (("Hyderabad", "500"), ("Warangal", "506"))),
    ("Tripura", "TR", 1, (("Agartala", "799"),)),
    ("Uttar Pradesh", "UP", 10, (("Lucknow", "226"), ("Kanpur", "208"), ("Noida", "201"))),
    ("Uttarakhand", "UT", 2, (("Dehradun", "248"), ("Haridwar", "249"))),
    ("West Bengal", "WB", 6, (("Kolkata", "700"), ("Siliguri", "734"), ("Durgapur", "713"))),
    ("Andaman and Nicobar Islands", "AN", 1, (("Port Blair", "744"),)),
    ("Chandigarh", "CH", 1, (("Chandigarh", "160"),)),
    (
        "Dadra and Nagar Haveli and Daman and Diu",
        "DH",
        1,
        (("Silvassa", "396"), ("Daman", "396")),
    ),
    ("Delhi", "DL", 7, (("New Delhi", "110"), ("Delhi", "110"))),
    ("Jammu and Kashmir", "JK", 2, (("Srinagar", "190"), ("Jammu", "180"))),
    ("Ladakh", "LA", 1, (("Leh", "194"),)),
    ("Lakshadweep", "LD", 1, (("Kavaratti", "682"),)),
    ("Puducherry", "PY", 1, (("Puducherry", "605"),)),
)
_STATE_WEIGHTS = tuple(s[2] for s in STATES)
ISO_STATE_CODE_SHARE = 0.2

FIRST_NAMES = (
    "Aarav", "Vihaan", "Arjun", "Rohan", "Rahul", "Amit", "Suresh", "Rajesh", "Karthik",
    "Venkatesh", "Sandeep", "Manoj", "Arun", "Pradeep", "Imran", "Farhan", "Gurpreet",
    "Harpreet", "Sourav", "Anirban", "Priya", "Ananya", "Diya", "Sneha", "Pooja", "Kavya",
    "Lakshmi", "Meena", "Divya", "Aishwarya", "Neha", "Shreya", "Fatima", "Ayesha", "Simran",
    "Nandini", "Bhavana", "Swati", "Ritika", "Deepika", "Mohammed", "Joseph", "Thomas",
    "Anjali", "Sunita", "Ramesh", "Ganesh",
)  # fmt: skip
LAST_NAMES = (
    "Sharma", "Verma", "Gupta", "Singh", "Kumar", "Patel", "Shah", "Mehta", "Reddy", "Rao",
    "Naidu", "Iyer", "Iyengar", "Nair", "Menon", "Pillai", "Das", "Banerjee", "Chatterjee",
    "Mukherjee", "Ghosh", "Bose", "Joshi", "Kulkarni", "Deshpande", "Patil", "Jadhav", "Yadav",
    "Mishra", "Tiwari", "Pandey", "Chauhan", "Rathore", "Gill", "Sandhu", "Khan", "Ansari",
    "Sheikh", "D'Souza", "Fernandes", "Mohanty", "Sahoo", "Hegde", "Gowda", "Bhat", "Saikia",
)  # fmt: skip
BUILDINGS = (
    "Sai Residency", "Shanti Apartments", "Green Park Towers", "Lakshmi Nilayam",
    "Krishna Enclave", "Royal Heights", "Sunrise Villa", "Ganga Complex", "Prestige Lakeside",
)  # fmt: skip
STREETS = (
    "MG Road", "Station Road", "Nehru Street", "Gandhi Road", "Temple Street", "Main Road",
    "Church Street", "Market Road", "Link Road", "Old Airport Road", "College Road",
)  # fmt: skip
LOCALITIES = (
    "Shivaji Nagar", "Indira Nagar", "Gandhi Nagar", "Rajendra Nagar", "Model Town", "Civil Lines",
    "Sector 15", "Sector 62", "Jayanagar 4th Block", "Anna Nagar", "Salt Lake", "Kothrud",
    "Vaishali Nagar", "Banjara Hills", "Malviya Nagar", "Ashok Vihar", "Koramangala",
)  # fmt: skip
LANDMARKS = (
    "Near Hanuman Temple", "Opp. SBI Bank", "Behind Govt. School", "Near Bus Stand",
    "Opp. City Hospital", "Near Railway Station", "Next to Reliance Fresh", "Near Post Office",
)  # fmt: skip

# (FSN prefix, title, HSN codes (4 to 8 digits), unit price range, variant kind)
CATEGORIES = (
    ("TSH", "Men's Round Neck Cotton T-Shirt", ("6109", "61091000"), (249, 799), "size"),
    ("KRT", "Women's Printed Rayon Kurta", ("6211", "62114290"), (399, 1499), "size"),
    ("SAR", "Woven Banarasi Silk Saree", ("5007", "50072090"), (799, 3999), "color"),
    ("MOB", "Back Cover for Redmi Note 13", ("3926", "39269099"), (149, 399), "color"),
    ("ERP", "Wireless Bluetooth Earbuds", ("8518", "851830", "85183000"), (799, 2999), "color"),
    ("CHG", "33W Fast Mobile Charger", ("8504", "85044030"), (399, 1299), None),
    ("PCK", "Aluminium Pressure Cooker 3 L", ("7615", "76151030"), (999, 2499), None),
    ("BTL", "Stainless Steel Water Bottle 1 L", ("7323", "73239390"), (299, 899), "color"),
    ("BED", "Cotton Double Bedsheet", ("6304", "63041940"), (499, 1599), "color"),
    ("BOK", "Mathematics Textbook for Class 10", ("4901", "49011010"), (150, 450), None),
    ("SHO", "Men's Running Shoes", ("6404", "640411"), (699, 2499), "shoe"),
    ("BAG", "Laptop Backpack 30 L", ("4202", "42029200"), (599, 1999), "color"),
    ("CLK", "Wooden Analog Wall Clock", ("9105", "91052100"), (349, 1299), None),
    ("CRM", "Aloe Vera Face Moisturiser 100 ml", ("3304", "33049910"), (149, 499), None),
    ("TEA", "Assam CTC Tea 1 kg", ("0902", "09024020"), (299, 699), None),
    ("YGM", "Anti-Skid Yoga Mat 6 mm", ("9506", "95069190"), (399, 1199), "color"),
)  # fmt: skip
BRANDS = ("Sandbox Basics", "Desi Threads", "UrbanKart", "Shree Crafts", "Zenvo", "Kaveri Home")
COLORS = ("Black", "Blue", "Maroon", "Green", "White", "Grey", "Mustard")
SIZES = ("S", "M", "L", "XL", "XXL")
SHOE_SIZES = ("6", "7", "8", "9", "10")
CATALOG_SIZE = 60
FBF_CATALOG_SHARE = 0.25

COURIERS = (
    ("Ekart Logistics", "FMPP", 10),
    ("Delhivery", "", 13),
    ("Xpressbees", "14", 12),
    ("Shadowfax", "SF", 10),
)
FBF_LOCATIONS = ("LOCFKBLR01", "LOCFKMUM02", "LOCFKDEL03")

FBS_STATE_WEIGHTS = (
    ("APPROVED", 58),
    ("PACKED", 5),
    ("READY_TO_DISPATCH", 5),
    ("SHIPPED", 12),
    ("DELIVERED", 10),
    ("CANCELLED", 10),
)
_FBS_STATES = tuple(s for s, _w in FBS_STATE_WEIGHTS)
_FBS_WEIGHTS = tuple(w for _s, w in FBS_STATE_WEIGHTS)
CANCELLATIONS = {
    const.BUYER_CANCELLATION: (
        55,
        "Order cancelled by customer",
        ("Bought it from somewhere else", "Expected delivery time is too long", "Changed my mind"),
    ),
    const.SELLER_CANCELLATION: (15, "not_enough_inventory", ("Out of stock",)),
    const.MARKETPLACE_CANCELLATION: (
        30,
        "Cancelled by Flipkart",
        ("Address not serviceable", "Payment failure", "Suspected fraud"),
    ),
}
_CTYPES = tuple(CANCELLATIONS)
_CWEIGHTS = tuple(v[0] for v in CANCELLATIONS.values())
SPLITS = {2: (((0,), (1,)),), 3: (((0,), (1,), (2,)), ((0, 1), (2,)), ((0,), (1, 2)))}

_ALNUM = string.ascii_uppercase + string.digits


def rand_code(rng, n, alphabet=_ALNUM):
    return "".join(rng.choice(alphabet) for _ in range(n))


def seed_tag(seed):
    return f"{abs(hash_seed(seed)) % 10**8:08d}"


def hash_seed(seed):
    """A stable integer for any seed (ints unchanged; strings hashed deterministically)."""
    if isinstance(seed, int):
        return seed
    return random.Random(str(seed)).randrange(10**12)


# --------------------------------------------------------------------------- people, addresses
def make_phone(rng):
    number = rng.choice("6789") + rand_code(rng, 9, string.digits)
    r = rng.random()
    if r < 0.15:
        return "+91" + number
    if r < 0.2:
        return "0" + number
    return number


def make_address(rng, first_name, last_name, phone):
    name, code, _w, cities = rng.choices(STATES, _STATE_WEIGHTS)[0]
    city, pin3 = rng.choice(cities)
    kind = rng.random()
    if kind < 0.4:
        line1 = f"Flat {rng.randint(1, 12)}0{rng.randint(1, 8)}, {rng.choice(BUILDINGS)}"
    elif kind < 0.7:
        line1 = f"H.No. {rng.randint(1, 40)}-{rng.randint(1, 400)}, {rng.choice(STREETS)}"
    else:
        line1 = f"{rng.randint(1, 999)}, {rng.randint(1, 20)}th Cross, {rng.choice(STREETS)}"
    state_code = f"IN-{code}" if rng.random() < ISO_STATE_CODE_SHARE else code
    address = {
        "firstName": first_name,
        "lastName": last_name,
        "addressLine1": line1,
        "addressLine2": rng.choice(LOCALITIES),
        "landmark": rng.choice(LANDMARKS) if rng.random() < 0.6 else "",
        "city": city,
        "state": name,
        "stateCode": state_code,
        "pinCode": f"{pin3}{rng.randint(1, 99):03d}",
    }
    if phone is not None:
        address["contactNumber"] = phone
    return address


def make_person(rng, phone_share=0.85):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    phone = make_phone(rng) if rng.random() < phone_share else None
    return {"firstName": first, "lastName": last, "phone": phone}


def pool_person(seed, j):
    """Repeat buyer ``j``: same name, phone and (usually) address in every order they place."""
    rng = random.Random(f"{seed}:buyer:{j}")
    person = make_person(rng, phone_share=0.9)
    person["address"] = make_address(rng, person["firstName"], person["lastName"], person["phone"])
    return person


# --------------------------------------------------------------------------- catalog
def make_catalog(seed):
    """Deterministic list of listings: sku, fsn (16 chars), listing id, title, hsn, price."""
    rng = random.Random(f"{seed}:catalog")
    catalog = []
    for k in range(CATALOG_SIZE):
        prefix, noun, hsns, (lo, hi), variant = CATEGORIES[k % len(CATEGORIES)]
        brand = rng.choice(BRANDS)
        color = rng.choice(COLORS)
        if variant == "size":
            size = rng.choice(SIZES)
            title = f"{brand} {noun} ({color}, {size})"
            sku = f"{prefix}-{color[:3].upper()}-{size}-{k:03d}"
        elif variant == "shoe":
            size = rng.choice(SHOE_SIZES)
            title = f"{brand} {noun} ({color}, UK {size})"
            sku = f"{prefix}-{color[:3].upper()}-UK{size}-{k:03d}"
        elif variant == "color":
            title = f"{brand} {noun} ({color})"
            sku = f"{prefix}-{color[:3].upper()}-{k:03d}"
        else:
            title = f"{brand} {noun}"
            sku = f"{prefix}-{k:03d}"
        fsn = prefix + rand_code(rng, 13)
        price = float(rng.randrange(lo, hi) // 10 * 10 + 9)
        catalog.append(
            {
                "sku": sku,
                "fsn": fsn,
                "listingId": "LST" + fsn + rand_code(rng, 6),
                "title": title,
                "hsn": rng.choice(hsns),
                "price": price,
                "mrp": float(round(price * rng.choice((1.2, 1.4, 1.8)) / 10) * 10 - 1),
                "fulfillmentProfile": const.FBF if rng.random() < FBF_CATALOG_SHARE else "NON_FBF",
            }
        )
    return catalog


# --------------------------------------------------------------------------- orders
def order_id(tag, i):
    return f"OD4{tag}{i:09d}"


def shipment_id(tag, i, k):
    return f"SH{tag}{i:09d}{k}"


def order_item_id(tag, i, j):
    return f"4{tag}{i:09d}{j}"


def tracking_for(rng):
    vendor, prefix, digits = rng.choice(COURIERS)
    suffix = "FPL" if vendor == "Shadowfax" else ""
    return vendor, prefix + rand_code(rng, digits, string.digits) + suffix


def generate_order(world, i, full=True):
    """Order ``i`` of the generated data set, as the store's internal dict.

    ``full=False`` stops after the header draws: shipments carry their state, dates and
    cancellation data but no items; the order no buyer, address or payment type.
    """
    rng = random.Random(f"{world.seed}:{i}")
    tag = world.tag
    step = world.span_ms / max(world.orders, 1)
    order_ms = world.base_ms + int((i + rng.random() * 0.9) * step)
    age_ms = world.start_ms - order_ms
    fbf = rng.random() < world.fbf_ratio
    n_items = rng.choices((1, 2, 3), (60, 28, 12))[0]
    if not fbf and n_items > 1 and rng.random() < 0.3:
        options = SPLITS[n_items]
        groups = options[rng.randrange(len(options))]
    else:
        groups = (tuple(range(n_items)),)
    location_id = rng.choice(FBF_LOCATIONS) if fbf else world.location_id
    order = {
        "v": i,
        "orderId": order_id(tag, i),
        "orderDate": order_ms,
        "serviceProfile": const.FBF if fbf else const.NON_FBF,
        "locationId": location_id,
        "shipments": [],
    }
    for k, group in enumerate(groups):
        if fbf:
            state = "SHIPPED" if age_ms < DAY_MS or rng.random() < 0.35 else "DELIVERED"
        else:
            state = rng.choices(_FBS_STATES, _FBS_WEIGHTS)[0]
            if state == "DELIVERED" and age_ms < 2 * DAY_MS:
                state = "SHIPPED"
            if state == "SHIPPED" and age_ms < 6 * HOUR_MS:
                state = "READY_TO_DISPATCH"
        r_updated = rng.random()
        if state == "APPROVED":
            updated = order_ms + 60_000 + int(r_updated * 600_000)
        else:
            updated = order_ms + int(r_updated * age_ms)
        updated = max(order_ms, min(updated, world.start_ms))
        ship = {
            "shipmentId": shipment_id(tag, i, k),
            "order": order,
            "state": state,
            "updatedAt": updated,
            "hold": False,
            "dispatchAfterDate": order_ms,
            "dispatchByDate": order_ms + 2 * DAY_MS,
            "cancellationType": None,
            "cancellationDate": None,
            "cancellationReason": None,
            "cancellationSubReason": None,
            "itemIndexes": group,
            "items": None,
            "labelReadyAt": None,
            "trackingId": None,
            "vendorName": None,
            "malformed": None,
            "invoice": None,
            "packages": [],
            "shipmentType": "NORMAL",
        }
        if state == "CANCELLED":
            ctype = rng.choices(_CTYPES, _CWEIGHTS)[0]
            _w, reason, sub_reasons = CANCELLATIONS[ctype]
            ship.update(
                cancellationType=ctype,
                cancellationDate=updated,
                cancellationReason=reason,
                cancellationSubReason=rng.choice(sub_reasons),
            )
        elif state == "APPROVED":
            r_hold = rng.random()
            if r_hold < 0.03:
                ship["hold"] = True
            elif r_hold < 0.06:
                ship["dispatchAfterDate"] = world.start_ms + DAY_MS
        order["shipments"].append(ship)
    if not full:
        return order

    # ---- details (drawn only when the order is returned)
    order["paymentType"] = "COD" if rng.random() < 0.4 else "PREPAID"
    if world.pool_size and rng.random() < 0.25:
        person = pool_person(world.seed, rng.randrange(world.pool_size))
        if rng.random() < 0.8:
            delivery = dict(person["address"])
        else:
            delivery = make_address(rng, person["firstName"], person["lastName"], person["phone"])
    else:
        person = make_person(rng)
        delivery = make_address(rng, person["firstName"], person["lastName"], person["phone"])
        if person["phone"] is None and rng.random() < 0.5:
            delivery["contactNumber"] = None  # sometimes null rather than absent
    order["buyer"] = {"firstName": person["firstName"], "lastName": person["lastName"]}
    order["deliveryAddress"] = delivery
    if rng.random() < 0.85:
        order["billingAddress"] = dict(delivery)
    else:
        order["billingAddress"] = make_address(
            rng, person["firstName"], person["lastName"], person["phone"]
        )
    order["isReplacement"] = rng.random() < 0.01
    if rng.random() < 0.05:
        for ship in order["shipments"]:
            ship["shipmentType"] = "EXPRESS"

    listings = world.fbf_listings if fbf else world.fbs_listings
    picked = rng.sample(listings, n_items)
    items = []
    for j, listing in enumerate(picked):
        quantity = rng.choices((1, 2, 3, 4, 5), (55, 25, 10, 6, 4))[0]
        unit = listing["price"]
        if rng.random() < 0.2:
            unit = float(round(unit * 0.9))
        selling = round(unit * quantity, 2)
        shipping = rng.choice((40.0, 49.0, 70.0)) if unit < 500 and rng.random() < 0.4 else 0.0
        discount = round(selling * rng.choice((0.05, 0.1)), 2) if rng.random() < 0.2 else 0.0
        item_id = order_item_id(tag, i, j)
        items.append(
            {
                "orderItemId": item_id,
                "cancellationGroupId": f"grp{item_id}",
                "sku": listing["sku"],
                "fsn": listing["fsn"],
                "listingId": listing["listingId"],
                "hsn": listing["hsn"],
                "title": listing["title"],
                "quantity": quantity,
                "sellingPrice": selling,
                "shippingCharge": shipping,
                "flipkartDiscount": discount,
            }
        )
    for ship in order["shipments"]:
        ship["items"] = [items[j] for j in ship["itemIndexes"]]
        if ship["state"] in const.LABEL_READY_STATES:
            if fbf:
                vendor, tracking = "Ekart Logistics", "FMPC" + rand_code(rng, 10, string.digits)
            else:
                vendor, tracking = tracking_for(rng)
            ship["vendorName"], ship["trackingId"] = vendor, tracking
            ship["labelReadyAt"] = min(ship["updatedAt"], order_ms + HOUR_MS)
    return order
