#!/usr/bin/env python3
"""Memory benchmark driver for bench/memory.sh: seeds moto, then drives the running bot with
three phases of traffic and samples its RSS (VmRSS, VmHWM from /proc/<pid>/status).

  (a) fuzz:   N fuzzed activities (random types, texts, sizes, nested JSON, invalid commands,
              help for random services), CONCURRENCY at a time
  (b) reads:  sequential read commands whose output is about 200 KB (waits for each reply)
  (c) help:   `<service> help` for every service the bot knows, sequentially

Every request goes to 127.0.0.1. Needs python3 with boto3 (the moto install has it).
"""

import argparse
import http.client
import json
import os
import random
import string
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


class Sampler(threading.Thread):
    """Samples VmRSS every 100 ms and keeps the highest value seen since the last reset."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            rss = status_kb(self.pid, "VmRSS")
            with self.lock:
                self.peak = max(self.peak, rss)
            time.sleep(0.1)

    def reset(self):
        with self.lock:
            self.peak = status_kb(self.pid, "VmRSS")

    def take_peak(self):
        with self.lock:
            return max(self.peak, status_kb(self.pid, "VmRSS"))


def log_lines(path):
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def count_replies(port):
    """Messages the bot sent to the Connector, and those it gave up on, read from its
    `/metrics` (a reply is not logged at info)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    counts = {}
    for line in text.splitlines():
        if line.startswith('aws_chatops_connector_events_total{event="'):
            event = line.split('"')[1]
            counts[event] = int(float(line.rsplit(" ", 1)[1]))
    return counts.get("sent", 0), counts.get("refused", 0) + counts.get("given_up", 0)


def wait_quiet(log, quiet_s=2.0, deadline_s=120.0):
    """Waits until the server log stops growing: the turns in flight have finished."""
    end = time.time() + deadline_s
    last = log_lines(log)
    still_since = time.time()
    while time.time() < end:
        time.sleep(0.2)
        now = log_lines(log)
        if now != last:
            last, still_since = now, time.time()
        elif time.time() - still_since >= quiet_s:
            return
    print("warning: the server log kept growing until the deadline", file=sys.stderr)


def lines_in(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_read(audit, want, pid, deadline_s=60.0):
    """A read's result card is posted without a log line: wait for its audit record (written
    once the AWS call returned), then until the bot stops using CPU (the card is rendered and
    sent)."""
    end = time.time() + deadline_s
    while lines_in(audit) < want:
        if time.time() > end:
            return False
        time.sleep(0.01)
    last = cpu_ticks(pid)
    while time.time() < end:
        time.sleep(0.05)
        now = cpu_ticks(pid)
        if now == last:
            return True
        last = now
    return False


def wait_replies(port, want, deadline_s=60.0):
    end = time.time() + deadline_s
    while time.time() < end:
        sent, failed = count_replies(port)
        if sent + failed >= want:
            return True
        time.sleep(0.02)
    return False


# ---------------------------------------------------------------------------------------------
# Seeding moto


def seed(moto_url, alarms, description_len):
    import boto3

    cw = boto3.client(
        "cloudwatch",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    filler = "Runbook: " + ("check the service dashboard and page the owner. " * 40)
    for i in range(alarms):
        cw.put_metric_alarm(
            AlarmName=f"memory-bench-alarm-{i:04d}",
            AlarmDescription=filler[:description_len],
            MetricName="CPUUtilization",
            Namespace="AWS/EC2",
            Statistic="Average",
            Period=60,
            EvaluationPeriods=1,
            Threshold=80.0 + i,
            ComparisonOperator="GreaterThanThreshold",
            Dimensions=[{"Name": "InstanceId", "Value": f"i-{i:017x}"}],
        )


# ---------------------------------------------------------------------------------------------
# Activities


class Bot:
    def __init__(self, port, auth, template):
        self.port = port
        self.auth = auth
        self.template = template
        self.local = threading.local()

    def post(self, body):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.local.conn = conn
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Authorization": self.auth}
        try:
            conn.request("POST", "/api/messages", body=data, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            self.local.conn = None
            return -1

    def message(self, text, conversation_suffix="1776390257332"):
        activity = json.loads(json.dumps(self.template))
        activity["text"] = f"<at>AWS</at> {text}"
        conv = activity["conversation"]["id"].split(";")[0]
        activity["conversation"]["id"] = f"{conv};messageid={conversation_suffix}"
        activity["id"] = str(random.randrange(10**12, 10**13))
        return activity


def nested(depth, rng):
    value = rng.choice([1, "x", None, True, 1.5])
    for _ in range(depth):
        value = {"k": value} if rng.random() < 0.5 else [value, rng.randrange(100)]
    return value


def random_text(rng, size):
    alphabet = string.ascii_letters + string.digits + " -_=,.:/'\"{}[]\u2014\u201c\u201d\u00a0é漢😀"
    return "".join(rng.choice(alphabet) for _ in range(size))


def fuzz_activity(bot, rng, services):
    kind = rng.random()
    activity = bot.message("", conversation_suffix=str(rng.randrange(10**12)))
    r = rng.random()
    if r < 0.25:
        text = f"{rng.choice(services)} help"
    elif r < 0.35:
        text = f"{rng.choice(services)} {random_text(rng, rng.randrange(3, 20))} --foo bar"
    elif r < 0.45:
        text = "cloudwatch describe-alarms --max-items " + str(rng.randrange(1, 20))
    elif r < 0.55:
        text = "cloudwatch put-metric-alarm --cli-input-json '" + json.dumps(nested(rng.randrange(1, 60), rng)) + "'"
    elif r < 0.65:
        text = "logs describe-log-groups --query '" + random_text(rng, rng.randrange(1, 200)) + "'"
    elif r < 0.75:
        text = random_text(rng, rng.randrange(0, 20000))
    elif r < 0.85:
        text = "s3api list-objects --bucket b --" + random_text(rng, 30)
    else:
        text = " ".join(rng.choice(["--", "help", "{", "[", "=", "'", '"', "ec2", "run-instances"]) for _ in range(rng.randrange(1, 300)))
    activity["text"] = f"<at>AWS</at> {text}"
    if kind < 0.08:
        activity["type"] = rng.choice(["conversationUpdate", "installationUpdate", "typing", "messageReaction", "event", "endOfConversation", "x" * rng.randrange(1, 500)])
    elif kind < 0.14:
        activity["type"] = "invoke"
        activity["name"] = "adaptiveCard/action"
        activity["value"] = {"action": {"type": "Action.Execute", "verb": rng.choice(["run", "confirm", "cancel", "x"]), "data": {"request": random_text(rng, 32), "extra": nested(rng.randrange(1, 40), rng)}}}
    elif kind < 0.2:
        activity["channelData"]["extra"] = nested(rng.randrange(1, 100), rng)
    elif kind < 0.23:
        activity["value"] = {"verb": rng.choice(["run", "submit", "x"]), "request": random_text(rng, 40)}
        activity["text"] = ""
    elif kind < 0.25:
        # Not an activity at all, or a broken one.
        return rng.choice([b"{", b"[]", b"null", json.dumps({"type": "message"}).encode(), random_text(rng, 100).encode()])
    if rng.random() < 0.05:
        activity["entities"].append({"type": "mention", "text": random_text(rng, 50), "mentioned": {"id": random_text(rng, 10)}})
    return activity


# ---------------------------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--body", required=True, help="the signed message template from bench-standins")
    p.add_argument("--auth", required=True)
    p.add_argument("--audit", required=True, help="the bot's audit log: one record per AWS call")
    p.add_argument("--moto", required=True)
    p.add_argument("--models", required=True, help="data/models, for the service names")
    p.add_argument("--fuzz", type=int, default=20000)
    p.add_argument("--reads", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--alarms", type=int, default=120)
    p.add_argument("--rest", type=float, default=10.0, help="seconds idle before reading RSS at rest")
    p.add_argument("--seed", type=int, default=20261202)
    p.add_argument("--phases", default="fuzz,reads,help")
    args = p.parse_args()

    with open(args.body) as f:
        template = json.load(f)
    bot = Bot(args.port, args.auth, template)
    services = sorted(
        name[: -len(".json.gz")]
        for name in os.listdir(args.models)
        if name.endswith(".json.gz") and name != "endpoints.json.gz"
    )
    rng = random.Random(args.seed)

    print(f"== seeding moto with {args.alarms} alarms", flush=True)
    seed(args.moto, args.alarms, 600)

    sampler = Sampler(args.pid)
    sampler.start()
    rows = [("start", status_kb(args.pid, "VmRSS"), status_kb(args.pid, "VmHWM"), None, "")]

    def finish(name, started, detail):
        wait_quiet(args.log)
        peak = sampler.take_peak()
        elapsed = time.time() - started
        time.sleep(args.rest)
        rest = status_kb(args.pid, "VmRSS")
        hwm = status_kb(args.pid, "VmHWM")
        rows.append((name, peak, hwm, rest, f"{detail}; {elapsed:.0f} s"))
        print(f"   {name}: peak {peak // 1024} MB, at rest {rest // 1024} MB ({detail})", flush=True)

    for phase in args.phases.split(","):
        sampler.reset()
        started = time.time()
        if phase == "fuzz":
            print(f"== (a) {args.fuzz} fuzzed activities, {args.concurrency} at a time", flush=True)
            bodies = (fuzz_activity(bot, rng, services) for _ in range(args.fuzz))
            statuses = {}
            with ThreadPoolExecutor(args.concurrency) as pool:
                for status in pool.map(bot.post, bodies, chunksize=16):
                    statuses[status] = statuses.get(status, 0) + 1
            finish("fuzz", started, "HTTP statuses " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
        elif phase == "reads":
            print(f"== (b) {args.reads} sequential read commands of about 200 KB output", flush=True)
            lost = 0
            for i in range(args.reads):
                before = lines_in(args.audit)
                status = bot.post(bot.message("cloudwatch describe-alarms"))
                if status != 200 or not wait_read(args.audit, before + 1, args.pid):
                    lost += 1
            finish("reads", started, f"{args.reads - lost} answered")
        elif phase == "preads":
            # Not part of the default run: the same reads, CONCURRENCY at a time.
            print(f"== (b') {args.reads} read commands of about 200 KB output, {args.concurrency} at a time", flush=True)
            before = lines_in(args.audit)
            with ThreadPoolExecutor(args.concurrency) as pool:
                statuses = list(pool.map(lambda _: bot.post(bot.message("cloudwatch describe-alarms")), range(args.reads)))
            wait_read(args.audit, before + args.reads, args.pid, deadline_s=300)
            finish("preads", started, f"{statuses.count(200)} accepted")
        elif phase == "help":
            print(f"== (c) help for each of {len(services)} services", flush=True)
            lost = 0
            for service in services:
                before = sum(count_replies(args.port))
                status = bot.post(bot.message(f"{service} help"))
                if status != 200 or not wait_replies(args.port, before + 1):
                    lost += 1
            finish("help", started, f"{len(services) - lost} replied")
        else:
            raise SystemExit(f"unknown phase {phase}")
    sampler.stop.set()

    print()
    print("| phase | peak RSS (sampled VmRSS) | VmHWM so far | RSS at rest | notes |")
    print("|---|---|---|---|---|")
    for name, peak, hwm, rest, note in rows:
        rest_s = "–" if rest is None else f"{rest / 1024:.0f} MB"
        print(f"| {name} | {peak / 1024:.0f} MB | {hwm / 1024:.0f} MB | {rest_s} | {note} |")
    sent, failed = count_replies(args.port)
    print(f"\nmessages sent: {sent}, failed: {failed}")


if __name__ == "__main__":
    main()
