from . import flipkart_order_recover
