"""Command line: ``python3 -m flipkart_sandbox --port 8070 --seed 42 --orders 200``."""

import argparse
import ipaddress
import signal
import sys
import threading

from . import const
from .server import SandboxServer


def _parser():
    p = argparse.ArgumentParser(
        prog="python3 -m flipkart_sandbox",
        description="Local simulator of Flipkart's Seller API (shipments, labels, inventory).",
    )
    p.add_argument("--host", default="127.0.0.1", help="bind address (loopback by default)")
    p.add_argument("--port", type=int, default=8070, help="0 = any free port")
    p.add_argument("--seed", default="42", help="data seed (integer or text)")
    p.add_argument("--orders", type=int, default=200, help="number of generated orders")
    p.add_argument("--fbf-ratio", type=float, default=0.2, help="share of FBF orders (0..1)")
    p.add_argument("--days", type=float, default=5, help="order dates spread over these days")
    p.add_argument("--start-time", help="anchor of the data (ISO-8601, default now)")
    p.add_argument("--client-id", default=const.DEFAULT_CLIENT_ID)
    p.add_argument("--client-secret", default=const.DEFAULT_CLIENT_SECRET)
    p.add_argument("--location-id", help="the seller's pickup locationId")
    p.add_argument("--token-ttl", type=int, default=const.DEFAULT_TOKEN_TTL, help="seconds")
    p.add_argument(
        "--label-delay", type=float, default=const.DEFAULT_LABEL_DELAY, help="seconds, 0 = now"
    )
    f = p.add_argument_group("faults")
    f.add_argument("--rate-429", type=float, default=0.0)
    f.add_argument("--retry-after", type=int, default=1)
    f.add_argument("--rate-500", type=float, default=0.0)
    f.add_argument("--rate-503", type=float, default=0.0)
    f.add_argument("--delay", type=float, default=0.0, help="seconds before every answer")
    f.add_argument("--malformed-json-rate", type=float, default=0.0)
    f.add_argument("--revoke-token-after", type=int, default=None)
    f.add_argument("--repeat-items-across-pages", action="store_true")
    f.add_argument(
        "--fault-path", action="append", dest="fault_paths", help="limit faults (repeatable)"
    )
    f.add_argument("--fault-seed", default=None)
    p.add_argument("--verbose", "-v", action="store_true", help="log every request")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    seed = int(args.seed) if args.seed.lstrip("-").isdigit() else args.seed
    try:
        loopback = ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = args.host == "localhost"
    if not loopback:
        print(f"warning: listening on non-loopback address {args.host}", file=sys.stderr)
    sb = SandboxServer(
        host=args.host,
        port=args.port,
        seed=seed,
        orders=args.orders,
        fbf_ratio=args.fbf_ratio,
        days=args.days,
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_ttl=args.token_ttl,
        label_delay=args.label_delay,
        start_time=args.start_time,
        location_id=args.location_id,
        verbose=args.verbose,
    )
    sb.set_faults(
        rate_429=args.rate_429,
        retry_after=args.retry_after,
        rate_500=args.rate_500,
        rate_503=args.rate_503,
        delay=args.delay,
        malformed_json_rate=args.malformed_json_rate,
        revoke_token_after=args.revoke_token_after,
        repeat_items_across_pages=args.repeat_items_across_pages,
        paths=args.fault_paths,
        seed=args.fault_seed,
    )
    sb.start()
    print(f"Flipkart sandbox listening on {sb.url}", flush=True)
    print(f"  api_base_url  : {sb.url}")
    print(f"  client id     : {sb.client_id}")
    print(f"  client secret : {sb.client_secret}")
    print(f"  location id   : {sb.location_id}")
    print(f"  orders        : {args.orders} (seed {seed}, FBF ratio {args.fbf_ratio})")
    print(f"  admin         : {sb.url}{const.ADMIN_PREFIX}/info", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
