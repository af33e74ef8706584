#!/usr/bin/env python3
"""Sends webhook requests for the etl serve tests, signing them like a real sender.

Reads a JSON list of requests from --requests (a file); each request has
  url, method (POST), body (text), headers ({}), and optionally
  hmac: {secret, header, prefix, algorithm (sha256), encoding (hex|base64), timestamp_header, timestamp}
Prints one JSON line per request, in order: {"status": N, "body": "...", "headers": {...}}
(status 0 and "error" when the connection failed). --concurrency N sends N at a time.
"""
import argparse, base64, hashlib, hmac, json, sys, time, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor

def sign(req):
    body = req.get("body", "").encode()
    h = req.get("hmac")
    headers = dict(req.get("headers", {}))
    if h:
        payload = body
        if h.get("timestamp_header"):
            ts = str(h.get("timestamp", int(time.time())))
            headers[h["timestamp_header"]] = ts
            payload = ts.encode() + b"." + body
        digest = hmac.new(h["secret"].encode(), payload, getattr(hashlib, h.get("algorithm", "sha256"))).digest()
        text = base64.b64encode(digest).decode() if h.get("encoding") == "base64" else digest.hex()
        headers[h["header"]] = h.get("prefix", "") + text
    return body, headers

def send(req):
    body, headers = sign(req)
    r = urllib.request.Request(req["url"], data=body if req.get("method", "POST") != "GET" else None,
                               method=req.get("method", "POST"), headers=headers)
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return {"status": resp.status, "body": resp.read().decode(), "headers": dict(resp.headers)}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "body": e.read().decode(), "headers": dict(e.headers)}
    except Exception as e:
        return {"status": 0, "error": str(e)}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", required=True)
    ap.add_argument("--concurrency", type=int, default=1)
    args = ap.parse_args()
    with open(args.requests) as f:
        reqs = json.load(f)
    with ThreadPoolExecutor(max_workers=max(1, args.concurrency)) as pool:
        for result in pool.map(send, reqs):
            sys.stdout.write(json.dumps(result) + "\n")

if __name__ == "__main__":
    main()
