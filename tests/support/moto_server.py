#!/usr/bin/env python3
"""moto on 127.0.0.1 for the Cost Explorer tests (moto speaks Cost Explorer's AWS JSON 1.1
as the SDK does, so no proxy is needed).

Usage:
    moto_server.py [--ce-results FILE]

Starts moto's threaded server on a free loopback port; with --ce-results, posts FILE (a
JSON object {"results": [GetCostAndUsage responses...]}) to moto's
/moto-api/static/ce/cost-and-usage-results, which queues one response per distinct
request (so a second page, whose request carries a NextPageToken, gets the next one).
Prints `READY http://127.0.0.1:<port>` and exits when its standard input closes.
"""

import argparse
import logging
import sys
import urllib.request

from moto.moto_server.threaded_moto_server import ThreadedMotoServer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ce-results", help="GetCostAndUsage responses to queue")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    moto = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    url = f"http://{host}:{port}"
    if args.ce_results:
        with open(args.ce_results, "rb") as f:
            body = f.read()
        req = urllib.request.Request(
            f"{url}/moto-api/static/ce/cost-and-usage-results",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(req, timeout=10).read()
    print(f"READY {url}", flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    moto.stop()


if __name__ == "__main__":
    main()
