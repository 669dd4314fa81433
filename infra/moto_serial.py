"""moto's server, answering one request at a time.

Stock `moto_server` is threaded, and moto's DynamoDB does not lock an item between a
condition check and the write, so two concurrent conditional writes can both succeed —
which real DynamoDB never allows. Serving requests one by one restores DynamoDB's
per-request atomicity, so the race tests (concurrent approvals, accepts, refreshes) test
our conditions rather than moto's threading. Usage: moto_serial.py <host> <port>.

It also fixes one cost of moto's transactions (see `_copy_each_table_once`).
"""

import copy
import os
import sys

from werkzeug.serving import run_simple

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


class _CopyOncePerObject:
    """`copy` as moto's DynamoDB module sees it during one transaction: an object copied
    again gets the first copy. moto 5.2.5 deep-copies the whole table once per item of a
    TransactWriteItems (to roll back on failure), all before the first write, so the
    copies are identical: one is the same rollback at a hundredth of the cost. Without
    this, a 100-item transaction on a table of 3 000 items takes seconds."""

    def __init__(self) -> None:
        self._copies: dict[int, tuple[object, object]] = {}

    def deepcopy(self, value, memo=None):
        kept = self._copies.get(id(value))
        # The original is kept alive with its copy, so an id is never reused meanwhile.
        if kept is not None and kept[0] is value:
            return kept[1]
        copied = copy.deepcopy(value, memo)
        self._copies[id(value)] = (value, copied)
        return copied


def _copy_each_table_once() -> None:
    transact = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        # Safe to swap the module's global: this server handles one request at a time.
        dynamodb_models.copy = _CopyOncePerObject()
        try:
            return transact(self, transact_items)
        finally:
            dynamodb_models.copy = copy

    DynamoDBBackend.transact_write_items = transact_write_items


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    _copy_each_table_once()
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
