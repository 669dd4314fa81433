"""Schemathesis hooks of tests/contract/run.py (loaded through each run's `hooks` setting).

One check, `refused_by_design`: where run.py's BY_DESIGN lets `positive_data_acceptance`
accept a 4xx for schema-valid input on one operation, the answer must be exactly one of the
refusals listed there (status, problem `code`, and the `errors[]` fields and messages), so
that the allowance does not hide any other refusal of that operation (an empty string the
schema allows, say). run.py passes the table in PORTAL_CONTRACT_BY_DESIGN (JSON).
"""

from __future__ import annotations

import json
import os

import schemathesis

# {"METHOD /path": [{"status": 422, "code": "validation_failed", "errors": [[field, message], …] | null}]}
# A message ending in "*" allows every message that starts with the rest (one that names
# what it found, such as a file's unknown columns).
BY_DESIGN: dict[str, list[dict]] = json.loads(os.environ.get("PORTAL_CONTRACT_BY_DESIGN", "{}"))


def _code(problem: object, content_type: str) -> str | None:
    """What names a refusal: a problem's `code`, an OAuth error's `error` (RFC 6749 §5.2),
    or `page` for the HTML page the OpenID provider shows where it must not redirect."""
    if isinstance(problem, dict):
        return problem.get("code") or problem.get("error")
    return "page" if content_type.startswith("text/html") else None


def _matches(refusal: dict, status: int, problem: object, content_type: str) -> bool:
    if status != refusal["status"] or _code(problem, content_type) != refusal["code"]:
        return False
    if refusal.get("errors") is None:
        return True
    errors = problem.get("errors") or []
    return bool(errors) and all(
        isinstance(error, dict) and any(_allows(pair, error) for pair in refusal["errors"]) for error in errors
    )


def _allows(pair: list[str], error: dict) -> bool:
    field, message = pair
    found = error.get("message")
    if error.get("field") != field or not isinstance(found, str):
        return False
    return found.startswith(message[:-1]) if message.endswith("*") else found == message


@schemathesis.check
def refused_by_design(ctx, response, case):
    """Schema-valid input refused with a status BY_DESIGN allows must be refused for that reason."""
    refusals = BY_DESIGN.get(case.operation.label)
    meta = case.meta
    if not refusals or meta is None or not meta.generation.mode.is_positive:
        return None
    # The coverage phase also sends undeclared methods to the path: not this operation's answers.
    if case.method.upper() != case.operation.method.upper():
        return None
    if response.status_code not in {refusal["status"] for refusal in refusals}:
        return None
    try:
        problem = response.json()
    except ValueError:
        problem = None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if any(_matches(refusal, response.status_code, problem, content_type) for refusal in refusals):
        return None
    expected = "; ".join(
        f"{refusal['status']} {refusal['code']}"
        + (f" on {', '.join(f'{field} ({message})' for field, message in refusal['errors'])}"
           if refusal.get("errors") else "")
        for refusal in refusals
    )
    raise AssertionError(
        f"Schema-valid data refused with {response.status_code}, but not for a reason the contract test "
        f"allows on this operation ({expected}): {json.dumps(problem)[:500]}"
    )
