#!/usr/bin/env python3
"""Developer entry point of the Flipkart Connector: run the tests, run the demo, run a benchmark.

    python3 tools/dev.py test [pytest args...]   # every test, on a fresh database
    python3 tools/dev.py demo                    # Odoo + the local Flipkart simulator on 127.0.0.1
    python3 tools/dev.py bench --orders 1000     # order-sync throughput against the simulator

Odoo 18 is taken from the environment: an importable ``odoo`` package, or the Odoo source folder
named by ``ODOO_PATH``. Nothing is downloaded.

PostgreSQL: when ``PGHOST`` is set, that server is used with ``PGPORT``/``PGUSER``/``PGPASSWORD``.
Otherwise a private throwaway cluster is started on 127.0.0.1 (data in a temporary folder, the
server run as the ``postgres`` system user when we are root, Odoo connecting with its own role).
"""

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ADDON = "sale_flipkart"
REPO = Path(__file__).resolve().parent.parent
BASE_MODULES = "sale_management,sale_stock,stock_delivery,account"
DEMO_STATE = Path(os.environ.get("FLIPKART_DEMO_DIR", "/var/tmp/sale_flipkart-demo"))


def log(msg):
    print(f"[dev] {msg}", flush=True)


def die(msg, code=2):
    print(f"[dev] ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


# --------------------------------------------------------------------------- Odoo
def odoo_env():
    """Return (env for subprocesses, Odoo's own addons folders)."""
    env = dict(os.environ, TZ="UTC")
    odoo_path = os.environ.get("ODOO_PATH")
    if odoo_path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [odoo_path, env.get("PYTHONPATH")]))
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import odoo, odoo.release; print(odoo.release.version_info[0]);"
            "print(odoo.__path__[0])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        die(
            "Odoo 18 is not installed for this Python (%s): `import odoo` fails.\n"
            "Install Odoo 18.0 Community (see README.rst, 'Installation'), or set ODOO_PATH to the "
            "folder of its source (the one holding odoo-bin)." % sys.executable
        )
    major, odoo_pkg = probe.stdout.split()
    if major != "18":
        die(f"Odoo {major} found in {odoo_pkg}; this addon needs Odoo 18.0.")
    odoo_pkg = Path(odoo_pkg)
    paths = [p for p in (odoo_pkg.parent / "addons", odoo_pkg / "addons") if p.is_dir()]
    return env, paths


def link_addon(workdir):
    """The checkout, reachable as <workdir>/addons/sale_flipkart (any clone folder name works)."""
    addons = Path(workdir) / "addons"
    addons.mkdir(parents=True, exist_ok=True)
    link = addons / ADDON
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(REPO, target_is_directory=True)
    return addons, link


# --------------------------------------------------------------------------- PostgreSQL
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir():
    found = shutil.which("pg_ctl")
    if found and (Path(found).resolve().parent / "psql").exists():
        return Path(found).resolve().parent
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        if (Path(out.stdout.strip()) / "pg_ctl").exists():
            return Path(out.stdout.strip())
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    if not candidates:
        die("no PostgreSQL server found (pg_ctl): install PostgreSQL 15 or set PGHOST")
    return candidates[0].parent


class PrivateCluster:
    """Throwaway PostgreSQL cluster on 127.0.0.1, run as the `postgres` user when we are root."""

    def __init__(self, root, port=None):
        self.root = Path(root)
        self.data = self.root / "pgdata"
        self.port = port or free_port()
        self.bindir = pg_bindir()
        self.as_root = os.geteuid() == 0

    def _run(self, *cmd, check=True, **kw):
        cmd = [str(c) for c in cmd]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, **kw)

    def init(self):
        if (self.data / "PG_VERSION").exists():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        self.data.mkdir(exist_ok=True)
        if self.as_root:
            shutil.chown(self.data, "postgres", "postgres")
        self._run(
            self.bindir / "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            stdout=subprocess.DEVNULL,
        )

    def running(self):
        return (
            self._run(
                self.bindir / "pg_ctl",
                "-D",
                self.data,
                "status",
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ).returncode
            == 0
        )

    def start(self):
        self.init()
        if self.running():
            self.port = int((self.data / "postmaster.pid").read_text().splitlines()[3])
            return self
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.data} -c fsync=off -c full_page_writes=off"
        self._run(
            self.bindir / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.data / "server.log",
            "-o",
            opts,
            "-w",
            "start",
            stdout=subprocess.DEVNULL,
        )
        self.sql(
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='odoo') THEN "
            "CREATE ROLE odoo LOGIN CREATEDB PASSWORD 'odoo'; END IF; END$$;"
        )
        return self

    def sql(self, statement):
        self._run(
            self.bindir / "psql",
            "-h",
            "127.0.0.1",
            "-p",
            self.port,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qAtc",
            statement,
            stdout=subprocess.DEVNULL,
        )

    def stop(self):
        self._run(
            self.bindir / "pg_ctl",
            "-D",
            self.data,
            "-m",
            "immediate",
            "stop",
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def db_options(self):
        return {
            "db_host": "127.0.0.1",
            "db_port": self.port,
            "db_user": "odoo",
            "db_password": "odoo",
        }


def configured_db_options():
    if not os.environ.get("PGHOST"):
        return None
    return {
        "db_host": os.environ["PGHOST"],
        "db_port": os.environ.get("PGPORT", "5432"),
        "db_user": os.environ.get("PGUSER", "odoo"),
        "db_password": os.environ.get("PGPASSWORD", "False"),
    }


def write_config(path, addons_paths, db_options, data_dir, **extra):
    lines = [
        "[options]",
        "addons_path = " + ",".join(str(p) for p in addons_paths),
        f"data_dir = {data_dir}",
        "without_demo = all",
        "max_cron_threads = 1",
        "list_db = False",
        "http_interface = 127.0.0.1",
    ]
    lines += [f"{k} = {v}" for k, v in {**db_options, **extra}.items()]
    Path(path).write_text("\n".join(lines) + "\n")
    return path


def odoo_cmd(conf, *args):
    return [sys.executable, "-c", "import odoo; odoo.cli.main()", "-c", str(conf), *args]


def addon_log_problems(text):
    pattern = re.compile(r" (WARNING|ERROR|CRITICAL) \S+ odoo\.addons\.%s\b.*" % ADDON)
    return [m.group(0) for m in pattern.finditer(text)]


def install_database(env, conf, db, logfile, modules=ADDON):
    log(f"creating database {db} with {modules} (about a minute)...")
    start = time.time()
    with open(logfile, "w") as out:
        rc = subprocess.run(
            odoo_cmd(conf, "-d", db, "-i", modules, "--stop-after-init", "--log-level=warn"),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    text = Path(logfile).read_text()
    if rc != 0:
        print(text[-6000:])
        die(f"installing {modules} failed (exit {rc}); log: {logfile}")
    problems = addon_log_problems(text)
    if problems:
        print("\n".join(problems))
        die(f"installing {ADDON} logged warnings or errors (see above)")
    log(f"database {db} ready in {time.time() - start:.0f} s")


UNINSTALL_CHECK = """
import odoo, sys
odoo.tools.config.parse_config(['-c', sys.argv[1]])
odoo.tools.config['list_db'] = True  # exp_duplicate_database is a db-management call
odoo.service.db.exp_duplicate_database(sys.argv[3], sys.argv[2], neutralize_database=True)
registry = odoo.modules.registry.Registry(sys.argv[2])
with registry.cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    module = env['ir.module.module'].search([('name', '=', '%s')])
    module.button_immediate_uninstall()
registry = odoo.modules.registry.Registry(sys.argv[2])
with registry.cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    state = env['ir.module.module'].search([('name', '=', '%s')]).state
    assert state == 'uninstalled', state
    assert 'flipkart.account' not in env, 'model still registered'
    cr.execute("SELECT to_regclass('flipkart_account')")
    assert cr.fetchone()[0] is None, 'table flipkart_account still exists'
print('uninstall ok')
""" % (ADDON, ADDON)


# --------------------------------------------------------------------------- commands
def cmd_test(args, pytest_args):
    env, odoo_addons = odoo_env()
    workdir = Path(tempfile.mkdtemp(prefix="sale_flipkart-test-"))
    os.chmod(workdir, 0o755)
    addons, link = link_addon(workdir)
    cluster = None
    db_options = configured_db_options()
    db = args.database or f"flipkart_test_{os.getpid()}"
    try:
        if db_options is None:
            cluster = PrivateCluster(workdir / "pg")
            db_options = cluster.start().db_options()
            log(f"private PostgreSQL on 127.0.0.1:{cluster.port}")
        conf = write_config(
            workdir / "odoo.conf", [*odoo_addons, addons], db_options, workdir / "data"
        )
        install_database(env, conf, db, workdir / "install.log", f"{BASE_MODULES},{ADDON}")
        if not args.skip_uninstall:
            # The uninstall check runs on a copy, so that the tests keep the installed addon.
            copy = f"{db}_uninstall"
            out = subprocess.run(
                [sys.executable, "-c", UNINSTALL_CHECK, str(conf), copy, db],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            problems = addon_log_problems(out.stdout + out.stderr)
            if out.returncode != 0 or problems:
                print(out.stdout[-4000:], out.stderr[-4000:])
                die(f"uninstalling {ADDON} failed")
            log("the addon uninstalls cleanly (checked on a copy of the database)")
        # Paths go through the link, so that pytest-odoo imports the tests as
        # odoo.addons.sale_flipkart.tests (a working directory would be the resolved path).
        paths = [a for a in pytest_args if not a.startswith("-") and (link / a).exists()]
        options = [a for a in pytest_args if a not in paths]
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            f"--odoo-config={conf}",
            f"--odoo-database={db}",
            "--odoo-log-level=warn",
            # Odoo 18 logs an ERROR when its test framework is imported outside test mode;
            # naming a test file puts it in test mode without running any module's tests.
            f"--odoo-extra=test-file={workdir / 'pytest'}",
            f"--rootdir={link}",
            "-p",
            "no:cacheprovider",
            *[str(link / p) for p in paths or ["tests"]],
            *options,
        ]
        log("running: pytest " + " ".join(cmd[3:]))
        rc = subprocess.run(cmd, cwd=link, env=env, check=False).returncode
    finally:
        if cluster:
            cluster.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {workdir}")
    return rc


@contextlib.contextmanager
def simulator(port, seed, orders):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flipkart_sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--seed",
            str(seed),
            "--orders",
            str(orders),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if proc.poll() is not None:
                die(f"the Flipkart simulator exited (code {proc.returncode})")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def prepared_environment(args):
    """Odoo env, config and database of the persistent demo/bench state."""
    env, odoo_addons = odoo_env()
    state = DEMO_STATE
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)
    addons, _link = link_addon(state)
    db_options = configured_db_options()
    if db_options is None:
        cluster = PrivateCluster(state / "pg", port=args.pg_port).start()
        db_options = cluster.db_options()
        log(f"PostgreSQL on 127.0.0.1:{cluster.port} (data in {cluster.data})")
    conf = write_config(state / "odoo.conf", [*odoo_addons, addons], db_options, state / "data")
    return env, conf


def database_exists(env, conf, db):
    code = (
        "import odoo,sys; odoo.tools.config.parse_config(['-c', sys.argv[1]]); "
        "print(sys.argv[2] in odoo.service.db.list_dbs(True))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(conf), db],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().endswith("True")


def cmd_demo(args):
    env, conf = prepared_environment(args)
    db = args.database
    if database_exists(env, conf, db):
        log(f"updating {ADDON} in the existing database {db}")
        subprocess.run(
            odoo_cmd(conf, "-d", db, "-u", ADDON, "--stop-after-init", "--log-level=warn"),
            env=env,
            check=True,
        )
    else:
        install_database(env, conf, db, DEMO_STATE / "install.log", f"{BASE_MODULES},{ADDON}")
    with simulator(args.simulator_port, args.seed, args.orders) as url:
        log(f"Flipkart simulator on {url} (seed {args.seed}, {args.orders} orders)")
        setup = [sys.executable, str(REPO / "tools" / "demo_setup.py"), str(conf), db, url]
        subprocess.run(setup, env=env, check=True)
        print(
            f"\n  Odoo: http://127.0.0.1:{args.port}  (login: admin / password: admin, "
            f"database {db})\n  Flipkart simulator: {url}\n  Ctrl+C stops both.\n",
            flush=True,
        )
        serve = odoo_cmd(
            conf,
            "-d",
            db,
            "--db-filter",
            f"^{db}$",
            "--http-port",
            str(args.port),
            "--gevent-port",
            str(free_port()),
        )
        with contextlib.suppress(KeyboardInterrupt):
            subprocess.run(serve, env=env, check=False)
    return 0


def cmd_bench(args):
    env, conf = prepared_environment(args)
    db = "flipkart_bench"
    if not database_exists(env, conf, db):
        install_database(env, conf, db, DEMO_STATE / "bench-install.log", f"{BASE_MODULES},{ADDON}")
    else:
        subprocess.run(
            odoo_cmd(conf, "-d", db, "-u", ADDON, "--stop-after-init", "--log-level=warn"),
            env=env,
            check=True,
        )
    script = [
        sys.executable,
        str(REPO / "tools" / "bench_sync.py"),
        str(conf),
        db,
        "--orders",
        str(args.orders),
        "--seed",
        str(args.seed),
        *(["--memory"] if args.memory else []),
    ]
    return subprocess.run(script, env=env, cwd=REPO, check=False).returncode


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("test", help="run every test on a fresh database")
    test.add_argument("--database", help="database name (default: a new one)")
    test.add_argument("--keep", action="store_true", help="keep the temporary folder")
    test.add_argument(
        "--skip-uninstall", action="store_true", help="skip the uninstall check (faster local runs)"
    )
    demo = sub.add_parser("demo", help="run Odoo with the addon against the local simulator")
    demo.add_argument("--database", default="flipkart_demo")
    demo.add_argument("--port", type=int, default=8069)
    demo.add_argument("--simulator-port", type=int, default=8070)
    demo.add_argument("--pg-port", type=int, default=None)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--orders", type=int, default=60)
    bench = sub.add_parser("bench", help="benchmark the order sync against the simulator")
    bench.add_argument("--orders", type=int, default=1000)
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument("--pg-port", type=int, default=None)
    bench.add_argument("--memory", action="store_true", help="also trace Python memory")
    args, rest = parser.parse_known_args()
    if args.command == "test":
        return cmd_test(args, rest)
    if rest:
        parser.error("unrecognized arguments: " + " ".join(rest))
    return {"demo": cmd_demo, "bench": cmd_bench}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
