#!/usr/bin/env python3
"""Load-shaped attacks on a cosell binary, on loopback only, each bounded in time and count.

    cargo build --release
    python3 scripts/attack.py                          # target/release/cosell on SQLite
    scripts/with-postgres.sh python3 scripts/attack.py # on PostgreSQL (TEST_DATABASE_URL)
    python3 scripts/attack.py --binary /path/to/old/cosell --only slow-body

Each attack prints one line of figures: the server's RSS (from /proc), another tenant's
latency while the attack runs (p50/p95 of `{ viewer { role } }` or a small list), and what the
attacking requests were answered (HTTP status and extensions.code, counted).
"""
import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import resource
import time
import urllib.request
import uuid
from collections import Counter

SECRET = "attack-secret-0123456789-abcdefghijklmnop"
OTHER_QUERY = '{"query":"{ viewer { role } }"}'


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self, binary, database_url, env):
        self.binary = binary
        self.port = free_port()
        self.env = dict(os.environ, DATABASE_URL=database_url, COSELL_JWT_SECRET=SECRET,
                        COSELL_LISTEN=f"127.0.0.1:{self.port}", RUST_LOG="error", **env)
        self.proc = None

    def token(self, *args):
        out = subprocess.run([self.binary, "token", *args], env=self.env, capture_output=True,
                             text=True, check=True)
        return out.stdout.strip()

    def run(self, *args):
        subprocess.run([self.binary, *args], env=self.env, capture_output=True, check=True)

    def start(self):
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()


# The other tenant connects from an address of its own (all of 127/8 is loopback), as tenants
# do; attackers from 127.0.0.1, or spread over 127.0.1.x where an attack is distributed.
VICTIM_ADDRESS = "127.0.0.2"


async def connect(port, source):
    return await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 5)


async def request(port, body, token=None, timeout=30.0, source="127.0.0.1"):
    """One POST /graphql on its own connection: (status, code, seconds)."""
    started = time.perf_counter()
    try:
        reader, writer = await connect(port, source)
    except (OSError, asyncio.TimeoutError):
        return 0, "CONNECT_FAILED", time.perf_counter() - started
    data = body.encode()
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    writer.write(f"POST /graphql HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n{auth}"
                 f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
    try:
        raw = await asyncio.wait_for(reader.read(), timeout)
    except (OSError, asyncio.TimeoutError):
        writer.close()
        return 0, "NO_ANSWER", time.perf_counter() - started
    writer.close()
    elapsed = time.perf_counter() - started
    head, _, payload = raw.partition(b"\r\n\r\n")
    try:
        status = int(head.split()[1])
    except (IndexError, ValueError):
        return 0, "NO_ANSWER", elapsed
    code = "-"
    try:
        if b"transfer-encoding: chunked" in head.lower():
            payload = payload.split(b"\r\n", 1)[1]
        doc = json.loads(payload.decode(errors="replace").strip().rsplit("\r\n0", 1)[0])
        errors = doc.get("errors") or []
        code = errors[0].get("extensions", {}).get("code", "-") if errors else "OK"
    except Exception:
        pass
    return status, code, elapsed


async def other_tenant(port, token, seconds, query=OTHER_QUERY):
    """Latencies of another tenant's small request, one at a time, while an attack runs."""
    latencies, outcomes = [], Counter()
    end = time.time() + seconds
    while time.time() < end:
        status, code, elapsed = await request(port, query, token, timeout=15, source=VICTIM_ADDRESS)
        latencies.append(elapsed)
        outcomes[f"{status} {code}"] += 1
        await asyncio.sleep(0.05)
    return latencies, outcomes


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def report(name, server, rss_before, rss_peak, rss_after, latencies, outcomes, attack):
    print(f"{name}: RSS {rss_before:.0f} MB -> peak {rss_peak:.0f} MB -> {rss_after:.0f} MB 5 s after; "
          f"other tenant p50 {pct(latencies, 50) * 1000:.0f} ms p95 {pct(latencies, 95) * 1000:.0f} ms "
          f"({dict(outcomes)}); attack answered {dict(attack)}", flush=True)


async def watch_rss(pid, stop, peak):
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], rss_mb(pid))
        except FileNotFoundError:
            return
        await asyncio.sleep(0.1)


async def attack_slow_body(server, tokens, count=1500, hold=12):
    """Connections that announce a mebibyte and trickle it: without a token, and with one."""
    pid, port = server.proc.pid, server.port
    before = rss_mb(pid)
    stop, peak = asyncio.Event(), [before]
    watcher = asyncio.create_task(watch_rss(pid, stop, peak))
    answered = Counter()

    async def slow(token, fill, source):
        try:
            reader, writer = await connect(port, source)
        except (OSError, asyncio.TimeoutError):
            answered["CONNECT_FAILED"] += 1
            return
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        length = 1024 * 1024
        writer.write(f"POST /graphql HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n{auth}"
                     f"Content-Length: {length}\r\n\r\n".encode())
        try:
            if fill:
                writer.write(b'{"query":"' + b"x" * (length - 100))
            await writer.drain()
            end = time.time() + hold
            while time.time() < end:
                try:
                    line = await asyncio.wait_for(reader.read(200), 1.0)
                except asyncio.TimeoutError:
                    line = None
                if line:
                    answered[line.split(b"\r\n")[0].decode(errors="replace")[9:12]] += 1
                    break
                if line == b"":
                    answered["closed"] += 1
                    break
                writer.write(b"x")
                await asyncio.wait_for(writer.drain(), 1.0)
            else:
                answered["held"] += 1
        except asyncio.TimeoutError:
            answered["held"] += 1
        except OSError:
            answered["reset"] += 1
        finally:
            writer.close()

    # Token-less trickles, then 500 authenticated ones each pushing almost a mebibyte.
    # Spread over 16 addresses: a distributed attacker, past any per-address cap.
    tasks = [asyncio.create_task(slow(None, False, f"127.0.1.{i % 16 + 1}")) for i in range(count)]
    tasks += [asyncio.create_task(slow(tokens[i % len(tokens)], True, f"127.0.1.{i % 16 + 1}"))
              for i in range(500)]
    latencies, outcomes = await other_tenant(port, tokens[-1], hold)
    await asyncio.gather(*tasks)
    await asyncio.sleep(5)
    stop.set()
    await watcher
    report("slow bodies from 16 addresses (1500 without a token, 500 x 1 MiB with one)", server, before, peak[0],
           rss_mb(pid), latencies, outcomes, answered)


async def flood(port, token, body, concurrency, seconds):
    answered = Counter()
    end = time.time() + seconds

    async def worker():
        while time.time() < end:
            status, code, _ = await request(port, body, token, timeout=30)
            answered[f"{status} {code}"] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return answered


async def attack_with(server, name, attacker, victim, body, concurrency=8, seconds=10,
                      victim_query=OTHER_QUERY):
    pid, port = server.proc.pid, server.port
    before = rss_mb(pid)
    stop, peak = asyncio.Event(), [before]
    watcher = asyncio.create_task(watch_rss(pid, stop, peak))
    flooding = asyncio.create_task(flood(port, attacker, body, concurrency, seconds))
    latencies, outcomes = await other_tenant(port, victim, seconds, victim_query)
    answered = await flooding
    await asyncio.sleep(5)
    stop.set()
    await watcher
    report(name, server, before, peak[0], rss_mb(pid), latencies, outcomes, answered)


def introspection_bomb(levels=3):
    """Each level walks from a field's type (and its wrappers) to that type's fields again."""
    inner = "name"
    for _ in range(levels):
        inner = (f"name type {{ name fields {{ {inner} }} ofType {{ name fields {{ {inner} }} "
                 f"ofType {{ name fields {{ {inner} }} }} }} }}")
    return json.dumps({"query": f"{{ __schema {{ types {{ name fields {{ {inner} }} }} }} }}"})


INTROSPECTION_BOMB = introspection_bomb()


def amplification(ids):
    spreads = " ".join(f"a{i}: nodes(ids: $ids) {{ ...F }}" for i in range(6))
    fragment = "fragment F on Opportunity { " + " ".join(
        f"x{i}: asks(first: 100) {{ nodes {{ id }} }}" for i in range(4)) + " }"
    query = f"query($ids: [ID!]!) {{ {spreads} }} {fragment}"
    return json.dumps({"query": query.replace("...F", "... on Opportunity { ...F }"),
                       "variables": {"ids": ids}})


HEAVY_LIST = json.dumps({"query": "{ opportunities(first: 100) { totalCount nodes { id title readiness { ready checks { name passed } } customer { companyName contacts { email } } history(first: 20) { nodes { id changes } } } } }"})
SMALL_LIST = json.dumps({"query": "{ opportunities(first: 5) { nodes { id title } } }"})


async def drain(server, token, rounds=7):
    """SIGTERM while 16 list requests are in flight: every request already sent must get a
    complete 200. The server is restarted for each round."""
    failures = Counter()
    for _ in range(rounds):
        if server.proc.poll() is not None:
            server.start()
        tasks = [asyncio.create_task(request(server.port, HEAVY_LIST, token, timeout=40,
                                             source=VICTIM_ADDRESS)) for _ in range(16)]
        await asyncio.sleep(0.05)
        server.proc.send_signal(15)
        for status, code, _ in await asyncio.gather(*tasks):
            failures[f"{status} {code}"] += 1
        server.proc.wait(timeout=40)
    print(f"SIGTERM with 16 requests in flight, {rounds} rounds: {dict(failures)}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="target/release/cosell")
    parser.add_argument("--only", help="slow-body, introspection, amplification, pool, writes, "
                        "or drain (not run by default: SIGTERM under load, 7 rounds)")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    args = parser.parse_args()
    # Two thousand connections at once need as many descriptors on this side.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="cosell-attack-")
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if admin_url:
        name = f"attack_{uuid.uuid4().hex[:12]}"
        subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
        database_url = admin_url.rsplit("/", 1)[0] + "/" + name
    else:
        database_url = f"sqlite://{work}/cosell.db?mode=rwc"
    env = dict(kv.split("=", 1) for kv in args.env)
    server = Server(binary, database_url, env)
    print(f"binary {binary}, database {'PostgreSQL' if admin_url else 'SQLite'}", flush=True)
    try:
        server.run("seed-demo")
        server.start()
        admin = server.token("--role", "ADMIN", "--sub", "attacker@example.com")
        victim = server.token("--role", "ADMIN", "--sub", "victim@example.com")
        tokens = [server.token("--role", "ADMIN", "--sub", f"slow{i}@example.com") for i in range(3)]
        tokens.append(victim)
        listing = urllib.request.Request(
            f"http://127.0.0.1:{server.port}/graphql",
            data=b'{"query":"{ opportunities(first: 100) { nodes { id } } }"}',
            headers={"Authorization": f"Bearer {victim}", "Content-Type": "application/json"})
        with urllib.request.urlopen(listing, timeout=30) as response:
            ids_doc = json.load(response)
        ids = [n["id"] for n in ids_doc["data"]["opportunities"]["nodes"]]
        ids = (ids * (100 // max(1, len(ids)) + 1))[:100]
        only = args.only
        run = lambda name: only in (None, name)
        if run("introspection"):
            asyncio.run(attack_with(server, "introspection bombs (8 at once, 10 s)", admin, victim,
                                    INTROSPECTION_BOMB))
        if run("amplification"):
            asyncio.run(attack_with(server, "complexity amplification (nodes x fragments, 8 at once, 10 s)",
                                    admin, victim, amplification(ids)))
        if run("pool"):
            asyncio.run(attack_with(server, "pool pressure (one tenant, 32 heavy lists at once, 15 s)",
                                    admin, victim, HEAVY_LIST, concurrency=32, seconds=15,
                                    victim_query=SMALL_LIST))
        if run("writes"):
            body = json.dumps({"query": 'mutation { createPartner(input: { name: "w-%s" }) { id } }'})
            async def writes():
                answered = Counter()
                end = time.time() + 14
                n = 0
                async def worker():
                    nonlocal n
                    while time.time() < end:
                        n += 1
                        status, code, _ = await request(server.port, body.replace("%s", uuid.uuid4().hex), admin)
                        answered[f"{status} {code}"] += 1
                await asyncio.gather(*(worker() for _ in range(8)))
                print(f"write flood (one token, 8 at once, 14 s): {dict(answered)}", flush=True)
            asyncio.run(writes())
        if run("slow-body"):
            asyncio.run(attack_slow_body(server, tokens))
        if only == "drain":
            asyncio.run(drain(server, victim))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
