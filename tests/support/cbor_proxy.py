#!/usr/bin/env python3
"""A Smithy RPC v2 CBOR <-> AWS JSON 1.0 translating proxy for CloudWatch, for tests.

aws-sdk-cloudwatch (>= 1.100) speaks only Smithy RPC v2 CBOR; moto serves CloudWatch as
AWS JSON 1.0 (and query). This proxy sits between them:

    SDK --CBOR--> proxy --JSON 1.0--> moto
    SDK <--CBOR-- proxy <--JSON 1.0-- moto

Requests arrive as `POST /service/GraniteServiceVersion20100801/operation/<Op>` with a CBOR
body; they go on to moto as `POST /` with `X-Amz-Target: GraniteServiceVersion20100801.<Op>`.
Values are converted by the operation's shapes in botocore's service model (which moto
installs): timestamps are CBOR tag 1 on the SDK side and epoch seconds in JSON, doubles stay
doubles, blobs are base64 in JSON. The SDK's `Authorization` header is passed on as is:
moto routes by its SigV4 credential scope (`.../<region>/monitoring/aws4_request`) and does
not check signatures. Gzip-compressed request bodies (the SDK compresses large
PutMetricData requests) are inflated first. Responses get `smithy-protocol: rpc-v2-cbor`, which the SDK requires.

Usage:
    cbor_proxy.py --moto              start moto in this process (127.0.0.1, free port)
    cbor_proxy.py --upstream URL      front a moto server that is already running

The proxy binds 127.0.0.1 on a free port (or --port) and prints one line,
`READY http://127.0.0.1:<port>`, on stdout when it accepts requests. It exits when its
standard input closes (so a test that dies does not leave it behind), or on SIGTERM.
Only loopback addresses are accepted for --upstream.
"""

import argparse
import base64
import datetime
import gzip
import json
import logging
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
import cbor2

SERVICE_PREFIX = "GraniteServiceVersion20100801"
PATH_PREFIX = f"/service/{SERVICE_PREFIX}/operation/"
DEFAULT_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDPROXY/20260101/us-east-1/monitoring/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)

MODEL = botocore.session.get_session().get_service_model("cloudwatch")


def walk(value, shape, leaf):
    """Rebuilds `value` along the model's `shape`, converting scalars with `leaf`."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        return {
            k: walk(v, shape.members.get(k), leaf)
            for k, v in value.items()
            if v is not None
        }
    if kind == "list":
        return [walk(v, shape.member, leaf) for v in value]
    if kind == "map":
        return {k: walk(v, shape.value, leaf) for k, v in value.items()}
    return leaf(value, kind)


def cbor_leaf_to_json(value, kind):
    if kind == "timestamp":
        if isinstance(value, datetime.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=datetime.timezone.utc)
            return value.timestamp()
        return float(value)
    if kind == "blob":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def json_leaf_to_cbor(value, kind):
    if kind == "timestamp":
        if isinstance(value, str):
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            seconds = parsed.timestamp()
        else:
            seconds = float(value)
        return cbor2.CBORTag(1, seconds)
    if kind in ("double", "float"):
        return float(value)
    if kind in ("integer", "long"):
        return int(value)
    if kind == "blob":
        return base64.b64decode(value)
    return value


class Proxy(BaseHTTPRequestHandler):
    upstream = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 (keeps test output quiet)
        pass

    def reply(self, status, body, extra_headers=()):
        data = cbor2.dumps(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/cbor")
        self.send_header("smithy-protocol", "rpc-v2-cbor")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message):
        self.reply(status, {"__type": f"{SERVICE_PREFIX}#{code}", "message": message})

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if "gzip" in (self.headers.get("Content-Encoding") or "").lower():
            # The SDK compresses large PutMetricData bodies (request compression).
            try:
                raw = gzip.decompress(raw)
            except OSError as e:
                self.error(400, "SerializationException", f"bad gzip body: {e}")
                return
        if not self.path.startswith(PATH_PREFIX):
            self.error(404, "UnknownOperationException", f"no such path {self.path}")
            return
        op_name = self.path[len(PATH_PREFIX):].split("?")[0]
        try:
            op = MODEL.operation_model(op_name)
        except Exception:  # botocore raises OperationNotFoundError
            self.error(404, "UnknownOperationException", f"unknown operation {op_name}")
            return
        try:
            params = cbor2.loads(raw) if raw else {}
        except Exception as e:  # a malformed body is the client's fault
            self.error(400, "SerializationException", f"bad CBOR body: {e}")
            return
        body = json.dumps(walk(params or {}, op.input_shape, cbor_leaf_to_json)).encode()
        request = urllib.request.Request(
            self.upstream + "/",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": f"{SERVICE_PREFIX}.{op_name}",
                "Authorization": self.headers.get("Authorization") or DEFAULT_AUTH,
                "X-Amz-Date": self.headers.get("X-Amz-Date") or "20260101T000000Z",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as resp:
                status, headers, payload = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, headers, payload = e.code, e.headers, e.read()
        except OSError as e:
            self.error(502, "ServiceUnavailable", f"moto unreachable: {e}")
            return
        passed = [
            (h, headers[h])
            for h in ("x-amzn-requestid", "x-amzn-query-error")
            if headers.get(h)
        ]
        try:
            decoded = json.loads(payload) if payload.strip() else {}
        except ValueError:
            # moto answers some failures (percentile statistics, for one) with an HTML 500.
            self.reply(
                status if status >= 400 else 500,
                {
                    "__type": f"{SERVICE_PREFIX}#InternalFailure",
                    "message": f"upstream answered {status} with a non-JSON body",
                },
                passed,
            )
            return
        if status >= 400:
            error = {"__type": decoded.get("__type", "InternalFailure")}
            message = decoded.get("message") or decoded.get("Message")
            if message:
                error["message"] = message
            self.reply(status, error, passed)
            return
        self.reply(status, walk(decoded, op.output_shape, json_leaf_to_cbor) or {}, passed)


def loopback(url):
    host = urllib.parse.urlparse(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--moto", action="store_true", help="start moto in this process")
    group.add_argument("--upstream", help="URL of a running moto server (loopback only)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    if args.moto:
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer

        moto = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
        moto.start()
        host, port = moto.get_host_and_port()
        Proxy.upstream = f"http://{host}:{port}"
    else:
        if not loopback(args.upstream):
            parser.error("--upstream must be a loopback address")
        Proxy.upstream = args.upstream.rstrip("/")

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Proxy)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        # Lives as long as whoever started it keeps our standard input open.
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
