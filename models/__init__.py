from . import flipkart_account
from . import flipkart_offer
from . import flipkart_shipment
from . import flipkart_sync_error
from . import res_partner
from . import sale_order
from . import sale_order_line
from . import stock_picking
