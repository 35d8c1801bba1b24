#!/usr/bin/env python3
"""A Redshift Data API fixture server for tests: the AWS JSON 1.1 protocol the SDK speaks
(`POST /`, `X-Amz-Target: RedshiftData.<Op>`), serving system-view rows from a file.

moto's Data API is a stub whose timestamps the Rust SDK cannot parse, so the tests use
this instead. It implements ExecuteStatement, DescribeStatement, GetStatementResult and
CancelStatement in their real shapes: statements go SUBMITTED -> STARTED -> FINISHED
over successive DescribeStatement calls, results come in pages of `page_size` Records
(each field `{"stringValue": ...}`, `{"longValue": ...}`, `{"doubleValue": ...}`,
`{"booleanValue": ...}` or `{"isNull": true}`) with ColumnMetadata and NextToken, and
errors are `{"__type": "...Exception", "message": ...}` with HTTP 400.

The fixture file is JSON:
    {"tables": {"sys_query_history": {"columns": [["start_time", "timestamp"], ...],
                                      "rows": [[...], ...]}, ...},
     "time_column": {"sys_query_history": "start_time", ...},
     "page_size": 100}
A statement's table is the one its SQL names after FROM; rows are those whose time column
is within the statement's :window_start/:window_end parameters (string comparison of
`YYYY-MM-DD HH:MM:SS` timestamps). The SQL must carry no quoted literal (the tool passes
values as parameters). The workgroup name picks a behaviour:
    throttled-once  ExecuteStatement answers ThrottlingException once, then works
    throttled       always ThrottlingException
    denied          AccessDeniedException
    stuck           the statement stays STARTED forever
    failing         the statement FAILED with an error message
    empty           every table is empty
    anything else   normal
Every request is appended as a JSON line to --log when given.

Usage: data_api_server.py FIXTURE.json [--log FILE]
Prints `READY http://127.0.0.1:<port>`; exits when its standard input closes.
"""

import argparse
import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATEMENTS = {}
THROTTLED_ONCE = set()


def field(value, kind):
    if value is None:
        return {"isNull": True}
    if kind in ("int", "int4", "int8", "bigint", "integer"):
        return {"longValue": int(value)}
    if kind in ("float", "float8", "double", "numeric"):
        return {"doubleValue": float(value)}
    if kind in ("bool", "boolean"):
        return {"booleanValue": bool(value)}
    return {"stringValue": str(value)}


class Handler(BaseHTTPRequestHandler):
    fixture = {}
    log = None

    def log_message(self, format, *args):  # noqa: A002
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, message):
        self.reply(400, {"__type": code, "message": message})

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        op = target.split(".")[-1]
        if Handler.log:
            with LOCK, open(Handler.log, "a") as f:
                f.write(json.dumps({"op": op, "body": body}) + "\n")
        getattr(self, "op_" + op, self.unknown)(body)

    def unknown(self, body):
        self.error("UnknownOperationException", "not implemented by the fixture")

    def op_ExecuteStatement(self, body):
        wg = body.get("WorkgroupName", "")
        sql = body.get("Sql", "")
        if not wg or not body.get("Database"):
            return self.error("ValidationException", "WorkgroupName and Database are required")
        if wg == "denied":
            return self.error(
                "AccessDeniedException",
                "User is not authorized to perform: redshift-serverless:GetCredentials",
            )
        if wg == "throttled" or (wg == "throttled-once" and wg not in THROTTLED_ONCE):
            THROTTLED_ONCE.add(wg)
            return self.error("ThrottlingException", "Rate exceeded")
        if "'" in sql:
            return self.error("ValidationException", "the fixture refuses quoted literals")
        params = {p["name"]: p["value"] for p in body.get("Parameters", [])}
        match = re.search(r"\bFROM\s+(\w+)", sql, re.IGNORECASE)
        table = match.group(1).lower() if match else ""
        sid = str(uuid.uuid4())
        with LOCK:
            STATEMENTS[sid] = {"wg": wg, "table": table, "params": params, "polls": 0, "sql": sql}
        self.reply(200, {"Id": sid, "CreatedAt": time.time(), "WorkgroupName": wg,
                         "Database": body["Database"]})

    def rows(self, st):
        spec = self.fixture["tables"].get(st["table"])
        if spec is None or st["wg"] == "empty":
            return (spec or {"columns": []})["columns"], []
        col = self.fixture.get("time_column", {}).get(st["table"])
        names = [c[0] for c in spec["columns"]]
        lo = st["params"].get("window_start", "")
        hi = st["params"].get("window_end", "\uffff")
        rows = spec["rows"]
        if col in names:
            i = names.index(col)
            rows = [r for r in rows if lo <= str(r[i]) < hi]
        return spec["columns"], rows

    def op_DescribeStatement(self, body):
        with LOCK:
            st = STATEMENTS.get(body.get("Id"))
            if st is None:
                return self.error("ResourceNotFoundException", "no such statement")
            st["polls"] += 1
            polls = st["polls"]
        status = ["SUBMITTED", "STARTED", "FINISHED"][min(polls - 1, 2)]
        if st["wg"] == "stuck":
            status = "STARTED"
        if st["wg"] == "failing" and polls >= 2:
            status = "FAILED"
        out = {"Id": body["Id"], "Status": status, "CreatedAt": time.time(),
               "UpdatedAt": time.time(), "QueryString": st["sql"], "WorkgroupName": st["wg"]}
        if status == "FINISHED":
            _, rows = self.rows(st)
            out["HasResultSet"] = True
            out["ResultRows"] = len(rows)
        if status == "FAILED":
            out["Error"] = 'ERROR: permission denied for relation sys_serverless_usage'
        self.reply(200, out)

    def op_GetStatementResult(self, body):
        with LOCK:
            st = STATEMENTS.get(body.get("Id"))
        if st is None:
            return self.error("ResourceNotFoundException", "no such statement")
        columns, rows = self.rows(st)
        size = int(self.fixture.get("page_size", 100))
        start = int(body.get("NextToken") or 0)
        page = rows[start:start + size]
        out = {
            "Records": [[field(v, c[1]) for v, c in zip(r, columns)] for r in page],
            "ColumnMetadata": [{"name": c[0], "typeName": c[1]} for c in columns],
            "TotalNumRows": len(rows),
        }
        if start + size < len(rows):
            out["NextToken"] = str(start + size)
        self.reply(200, out)

    def op_CancelStatement(self, body):
        self.reply(200, {"Status": True})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("fixture")
    parser.add_argument("--log")
    args = parser.parse_args()
    with open(args.fixture) as f:
        Handler.fixture = json.load(f)
    Handler.log = args.log
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
