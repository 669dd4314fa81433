"""moto's server, answering one request at a time.

Stock `moto_server` is threaded, and moto's DynamoDB does not lock an item between a
condition check and the write, so two concurrent conditional writes can both succeed —
which real DynamoDB never allows. Serving requests one by one restores DynamoDB's
per-request atomicity, so the race tests (concurrent approvals, accepts, refreshes) test
our conditions rather than moto's threading. Usage: moto_serial.py <host> <port>.
"""

import os
import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
