#!/usr/bin/env python3
"""Load test for `diffuse serve`: N concurrent clients post txt2img for a while; prints throughput, latency
percentiles of the answered requests, status counts (429s are the server refusing cleanly; anything else
not 200 is an error) and the server's peak RSS (VmHWM).

    python Scripts/load_test.py --clients 16 --seconds 60 [--max-queue 8] [--steps 4] [--size 32]
        [--diffuse .build/release/diffuse --model Fixtures/tiny-sd1]   # starts the server itself
    python Scripts/load_test.py --url http://127.0.0.1:7860 --pid 1234  # an already running server

Only the standard library. A client that gets 429 waits for Retry-After (at most 1 s here) and tries again.
"""
import argparse, collections, http.client, json, os, socket, statistics, subprocess, sys, threading, time
from urllib.parse import urlparse


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None


def wait_healthy(host, port, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection(host, port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.3)
    return False


def client_loop(host, port, body, stop_at, results, lock):
    while time.time() < stop_at:
        start = time.time()
        try:
            c = http.client.HTTPConnection(host, port, timeout=600)
            c.request("POST", "/sdapi/v1/txt2img", body=body, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            payload = r.read()
            status, retry = r.status, r.getheader("Retry-After")
            if status == 200 and not json.loads(payload).get("images"):
                status = "200-without-images"
        except Exception as e:  # noqa: BLE001 — every failure is counted and reported
            status, retry = type(e).__name__, None
        elapsed = time.time() - start
        with lock:
            results.append((status, elapsed))
        if status == 429:
            time.sleep(min(1.0, float(retry or 1)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--url")
    ap.add_argument("--pid", type=int)
    ap.add_argument("--diffuse", default=".build/release/diffuse")
    ap.add_argument("--model", default="Fixtures/tiny-sd1")
    ap.add_argument("--max-queue", type=int, default=8)
    a = ap.parse_args()

    server = None
    if a.url:
        u = urlparse(a.url)
        host, port, pid = u.hostname, u.port or 80, a.pid
    else:
        host, port = "127.0.0.1", free_port()
        server = subprocess.Popen([a.diffuse, "serve", "--model", a.model, "--port", str(port),
                                   "--max-queue", str(a.max_queue)], stderr=subprocess.DEVNULL)
        pid = server.pid
        if not wait_healthy(host, port):
            server.kill()
            sys.exit("the server did not become healthy")
    body = json.dumps({"prompt": "a photo of a cat", "steps": a.steps, "width": a.size, "height": a.size,
                       "sampler_name": "Euler", "seed": -1})
    results, lock = [], threading.Lock()
    stop_at = time.time() + a.seconds
    threads = [threading.Thread(target=client_loop, args=(host, port, body, stop_at, results, lock))
               for _ in range(a.clients)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - t0
    rss = peak_rss_mib(pid) if pid else None
    exit_code = None
    if server:
        server.terminate()
        exit_code = server.wait(timeout=120)

    counts = collections.Counter(s for s, _ in results)
    ok = sorted(t for s, t in results if s == 200)
    errors = sum(n for s, n in counts.items() if s not in (200, 429))

    def pct(p):
        return ok[min(len(ok) - 1, int(p / 100 * len(ok)))] if ok else float("nan")

    print(f"clients {a.clients}, {wall:.1f} s, txt2img {a.size}x{a.size} {a.steps} steps, max-queue {a.max_queue if server else '?'}")
    print(f"answered 200: {len(ok)} ({len(ok) / wall:.2f}/s)   429: {counts.get(429, 0)}   errors: {errors}")
    if ok:
        print(f"latency of 200s (s): p50 {pct(50):.2f}  p90 {pct(90):.2f}  p99 {pct(99):.2f}  max {ok[-1]:.2f}  mean {statistics.mean(ok):.2f}")
    print("status counts:", dict(counts))
    if rss is not None:
        print(f"server peak RSS: {rss:.0f} MiB")
    if exit_code is not None:
        print(f"SIGTERM: server exited with {exit_code}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
