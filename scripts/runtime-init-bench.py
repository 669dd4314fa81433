"""Cold start of each Lambda binary, run by scripts/init-bench (which starts moto and
builds the release binaries first). For every function, N times:

  * init: from spawning the binary to its first `GET /2018-06-01/runtime/invocation/next`,
    answered by a small fake Runtime API here (what Lambda bills as Init Duration): the
    configuration, the SDK clients and the function's secrets, fetched from Secrets
    Manager (moto) with one GetSecretValue each;
  * peak RSS (VmHWM) at that moment, and again after it answered one representative
    API Gateway / schedule event against moto (password: a failed login, so Argon2 runs);
  * first request: from handing it that event to its answer (the cold request's own work:
    SDK calls to moto, JSON, templates; what a slower, smaller build would show in);

then the median, and the size of each binary zipped as `bootstrap` (what SAM uploads).
Each binary gets the environment template.yaml gives it (the secrets' ARNs, not the keys),
with AWS_ENDPOINT_URL at moto.
"""

import argparse
import base64
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import jwt
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUNCTIONS = ["registration", "approval", "password", "invitation", "deactivation", "mailer", "pages", "oidc"]
STAFF_AUDIENCE = "portal-staff"


def serve_provider_documents(jwks):
    """The staff identity provider's discovery document and keys on a free local port (the
    approval, invitation and deactivation binaries read them on their first staff request);
    returns its issuer."""
    documents = {}

    class Documents(BaseHTTPRequestHandler):
        def do_GET(self):
            body = documents.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write((body or "{}").encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Documents)
    issuer = f"http://127.0.0.1:{server.server_port}"
    documents["/.well-known/openid-configuration"] = json.dumps({
        "issuer": issuer, "authorization_endpoint": f"{issuer}/auth",
        "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks"})
    documents["/jwks"] = jwks
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return issuer


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Template:
    """template.yaml with CloudFormation's tags (!Ref, !If, ...) read as None."""

    def __init__(self):
        class Loader(yaml.SafeLoader):
            pass

        Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
        with open(os.path.join(ROOT, "template.yaml")) as file:
            self.doc = yaml.load(file, Loader=Loader)
        self.globals = self.doc["Globals"]["Function"]

    def function(self, binary):
        for resource in self.doc["Resources"].values():
            if resource.get("Type") == "AWS::Serverless::Function" and (
                resource.get("Metadata", {}).get("BuildProperties", {}).get("Binary") == binary
            ):
                return resource["Properties"]
        sys.exit(f"template.yaml has no function whose binary is {binary}")

    def variables(self, binary):
        merged = dict(self.globals.get("Environment", {}).get("Variables", {}))
        merged.update(self.function(binary).get("Environment", {}).get("Variables", {}))
        return merged

    def setting(self, binary, name, default):
        return self.function(binary).get(name, self.globals.get(name, default))

    def table(self):
        return self.doc["Resources"]["Table"]["Properties"]


class Deployment:
    """A table, a verified sender and the keys (as Secrets Manager secrets), on moto; each
    function's environment."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.template = Template()
        suffix = uuid.uuid4().hex[:8]
        self.table = f"portal-init-bench-{suffix}"
        self.sender = f"bench-{suffix}@acme.example"
        self.configuration_set = f"bench-{suffix}"
        aws = dict(endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
        table = self.template.table()
        boto3.client("dynamodb", **aws).create_table(
            TableName=self.table,
            BillingMode=table["BillingMode"],
            AttributeDefinitions=table["AttributeDefinitions"],
            KeySchema=table["KeySchema"],
            GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
        )
        ses = boto3.client("sesv2", **aws)
        ses.create_email_identity(EmailIdentity=self.sender)
        ses.create_configuration_set(ConfigurationSetName=self.configuration_set)
        self.staff_key = Ed25519PrivateKey.generate()
        public = self.staff_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.staff_jwks = json.dumps({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": b64url(public), "kid": "bench", "alg": "EdDSA", "use": "sig"}
        ]})
        signing_seed = os.urandom(32)
        signing_public = Ed25519PrivateKey.from_private_bytes(signing_seed).public_key().public_bytes(
            Encoding.Raw, PublicFormat.Raw)
        secrets = boto3.client("secretsmanager", **aws)
        seal_key_secret = secrets.create_secret(
            Name=f"portal-init-bench-{suffix}/seal-key", SecretString=b64url(os.urandom(32)))["ARN"]
        signing_key_secret = secrets.create_secret(
            Name=f"portal-init-bench-{suffix}/signing-key", SecretString=b64url(signing_seed))["ARN"]
        client_secret = secrets.create_secret(
            Name=f"portal-init-bench-{suffix}/staff-client", SecretString="a client secret")["ARN"]
        oidc_keys = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
        oidc_keys_secret = secrets.create_secret(
            Name=f"portal-init-bench-{suffix}/oidc-keys", SecretString=oidc_keys)["ARN"]
        self.staff_issuer = serve_provider_documents(self.staff_jwks)
        self.values = {
            "TABLE_NAME": self.table,
            "PORTAL_BASE_URL": "https://portal.example.test",
            "EMAIL_SENDER": self.sender,
            "SUPPORT_ADDRESS": self.sender,
            "PRODUCT_NAME": "Customer portal",
            "OUTBOX_SEAL_KEY_SECRET_ARN": seal_key_secret,
            "INVITATION_TTL_HOURS": "72",
            "USERNAME_FIELD": "email",
            "PASSWORD_MIN_LENGTH": "15",
            "CLIENT_RATE_LIMIT": "60",
            "SES_CONFIGURATION_SET": self.configuration_set,
            "STAFF_OIDC_ISSUER": self.staff_issuer,
            "STAFF_OIDC_CLIENT_ID": "portal-console",
            "STAFF_OIDC_CLIENT_SECRET_ARN": client_secret,
            "STAFF_JWT_AUDIENCE": STAFF_AUDIENCE,
            "STAFF_PERMISSIONS_CLAIM": "permissions",
            "STAFF_PERMISSION_MAP": "",
            "PORTAL_SIGNING_KEY_SECRET_ARN": signing_key_secret,
            "PORTAL_OIDC_KEYS_SECRET_ARN": oidc_keys_secret,
            "PORTAL_TOKEN_PUBLIC_KEY": b64url(signing_public),
            "PORTAL_TOKEN_ISSUER": "https://api.example.test",
            "PORTAL_TOKEN_AUDIENCE": "portal",
            "MAILER_RATE_PER_SECOND": "50",
        }

    def environment(self, binary, runtime_api):
        env = {}
        for name, value in self.template.variables(binary).items():
            if value is None:
                if name not in self.values:
                    sys.exit(f"template.yaml gives {binary} {name}: add a value in {__file__}")
                value = self.values[name]
            env[name] = str(value)
        env.update({
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
            "AWS_LAMBDA_FUNCTION_NAME": binary,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.template.setting(binary, "MemorySize", 128)),
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_SESSION_TOKEN": "test",
            "AWS_ENDPOINT_URL": self.endpoint,
            "LAMBDA_TASK_ROOT": "/var/task",
            "TZ": ":UTC",
        })
        return env

    def staff_token(self):
        now = int(time.time())
        claims = {"iss": self.staff_issuer, "aud": STAFF_AUDIENCE, "sub": "bench", "name": "Bench",
                  "permissions": ["portal.users.manage"], "iat": now, "exp": now + 3600}
        return jwt.encode(claims, self.staff_key, algorithm="EdDSA", headers={"kid": "bench"})


def http_event(method, route, path, body=None, token=None, query=""):
    headers = {"host": "a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com",
               "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https", "user-agent": "init-bench"}
    if body is not None:
        headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = f"Bearer {token}"
    event = {
        "version": "2.0", "routeKey": f"{method} {route}", "rawPath": path, "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "a1b2c3d4e5", "stage": "$default",
            "domainName": headers["host"], "domainPrefix": "a1b2c3d4e5",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.7", "userAgent": "init-bench"},
            "requestId": uuid.uuid4().hex, "routeKey": f"{method} {route}",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = dict(pair.split("=", 1) for pair in query.split("&"))
    if body is not None:
        event["body"] = json.dumps(body)
    return event


def representative_event(binary, deployment):
    """One typical request per function and the status it must answer."""
    staff = deployment.staff_token()
    if binary == "registration":
        person = {"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines",
                  "email": f"ada-{uuid.uuid4().hex[:8]}@example.com", "phone": "+44 20 7946 0958"}
        return http_event("POST", "/registrations", "/registrations", person), 202
    if binary == "approval":
        return http_event("GET", "/staff/registrations", "/staff/registrations", token=staff, query="status=new"), 200
    if binary == "password":
        # A new name each run: failed logins of one name lock it (429) after a few.
        login = {"username": f"nobody-{uuid.uuid4().hex[:8]}@example.com",
                 "password": "correct horse battery staple"}
        return http_event("POST", "/sessions", "/sessions", login), 401
    if binary == "invitation":
        return http_event("GET", "/staff/portal-users", "/staff/portal-users", token=staff), 200
    if binary == "deactivation":
        route = "/staff/portal-users/{id}/deactivate"
        return http_event("POST", route, "/staff/portal-users/nobody/deactivate", token=staff), 404
    if binary == "mailer":
        return {"source": "portal.mailer.sweep"}, None
    if binary == "pages":
        return http_event("GET", "/register", "/register"), 200
    if binary == "oidc":
        # The JWKS: the first request that needs the ID-token keys, which reads their
        # secret and parses them (not at cold start).
        return http_event("GET", "/oauth2/jwks", "/oauth2/jwks"), 200
    raise ValueError(binary)


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class FakeRuntime:
    """The Runtime API for one run: times the first `next`, hands out one event, and
    reads the process's peak RSS before it answers each."""

    def __init__(self, event, timeout_s):
        self.event, self.timeout_s = event, timeout_s
        self.pid = None
        self.first_next_ns = None
        self.init_rss = None
        self.answer, self.answer_rss, self.answer_ns, self.error = None, None, None, None
        self.done = threading.Event()
        runtime = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if not self.path.endswith("/runtime/invocation/next"):
                    return self.reply(404, b"{}")
                if runtime.first_next_ns is None:
                    runtime.first_next_ns = time.perf_counter_ns()
                    runtime.init_rss = peak_rss_kib(runtime.pid)
                    deadline = int((time.time() + runtime.timeout_s) * 1000)
                    return self.reply(200, json.dumps(runtime.event).encode(), {
                        "Lambda-Runtime-Aws-Request-Id": "bench-1",
                        "Lambda-Runtime-Deadline-Ms": str(deadline),
                        "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:bench",
                        "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0",
                    })
                # The next event never comes: the run is over once the answer is in.
                runtime.done.wait(60)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                runtime.answer_ns = time.perf_counter_ns()
                rss = peak_rss_kib(runtime.pid)
                if self.path.endswith("/response"):
                    runtime.answer, runtime.answer_rss = json.loads(body or b"null"), rss
                else:
                    runtime.error = body.decode(errors="replace")
                self.reply(202, b'{"status":"OK"}')
                runtime.done.set()

            def reply(self, status, body, headers=None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # The binary is killed while its next long poll is open: not an error.
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.address = f"127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.done.set()
        self.server.shutdown()
        self.server.server_close()


def run_once(binary, path, deployment, log):
    event, expected = representative_event(binary, deployment)
    timeout_s = int(deployment.template.setting(binary, "Timeout", 3))
    runtime = FakeRuntime(event, timeout_s)
    env = deployment.environment(binary, runtime.address)
    try:
        started = time.perf_counter_ns()
        process = subprocess.Popen([path], env=env, stdout=log, stderr=log)
        runtime.pid = process.pid
        if not runtime.done.wait(60):
            raise RuntimeError(f"{binary} answered nothing within 60 s (see {log.name})")
        process.send_signal(signal.SIGKILL)
        process.wait()
        if runtime.first_next_ns is None or runtime.error:
            raise RuntimeError(f"{binary} failed: {runtime.error} (see {log.name})")
        status = runtime.answer.get("statusCode") if expected else None
        if status != expected:
            raise RuntimeError(f"{binary} answered {status}, not {expected}: {runtime.answer}")
        return {
            "init_ms": (runtime.first_next_ns - started) / 1e6,
            "request_ms": (runtime.answer_ns - runtime.first_next_ns) / 1e6,
            "init_rss_mib": runtime.init_rss / 1024,
            "peak_rss_mib": runtime.answer_rss / 1024,
        }
    finally:
        runtime.close()


def zipped_size(binary_path, zip_path):
    """The binary zipped as `bootstrap` (deflate, executable), as SAM and cargo-lambda ship it."""
    info = zipfile.ZipInfo("bootstrap", date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = 0o755 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(binary_path, "rb") as source, zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr(info, source.read(), compresslevel=9)
    return os.path.getsize(zip_path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--binaries", default=os.path.join(ROOT, "target", "release"))
    parser.add_argument("--arm64", help="folder of cargo lambda build's output (<name>/bootstrap)")
    parser.add_argument("--out", default=os.path.join(ROOT, "target", "init-bench"))
    parser.add_argument("functions", nargs="*", default=FUNCTIONS)
    args = parser.parse_args()
    endpoint = os.environ["PORTAL_TEST_DYNAMODB_ENDPOINT"]
    os.makedirs(args.out, exist_ok=True)
    deployment = Deployment(endpoint)
    results = {}
    for binary in args.functions:
        path = os.path.join(args.binaries, binary)
        runs = []
        with open(os.path.join(args.out, f"{binary}.log"), "w") as log:
            for _ in range(args.runs):
                runs.append(run_once(binary, path, deployment, log))
        result = {
            "init_ms_median": statistics.median(r["init_ms"] for r in runs),
            "init_ms_min": min(r["init_ms"] for r in runs),
            "init_ms_max": max(r["init_ms"] for r in runs),
            "request_ms_median": statistics.median(r["request_ms"] for r in runs),
            "init_rss_mib_median": statistics.median(r["init_rss_mib"] for r in runs),
            "peak_rss_mib_median": statistics.median(r["peak_rss_mib"] for r in runs),
            "binary_bytes": os.path.getsize(path),
            "zip_bytes": zipped_size(path, os.path.join(args.out, f"{binary}.zip")),
            "runs": runs,
        }
        if args.arm64:
            arm = os.path.join(args.arm64, binary, "bootstrap")
            result["arm64_binary_bytes"] = os.path.getsize(arm)
            result["arm64_zip_bytes"] = zipped_size(arm, os.path.join(args.out, f"{binary}-arm64.zip"))
        results[binary] = result
        print(f"{binary}: init {result['init_ms_median']:.1f} ms median", file=sys.stderr)
    with open(os.path.join(args.out, "results.json"), "w") as file:
        json.dump(results, file, indent=2)
    mib = 1024 * 1024
    arm_header = " | zipped arm64 |" if args.arm64 else " |"
    print(f"\n{args.runs} runs each, release x86_64 binaries; init = spawn → first `next`.\n")
    print(f"| function | init median (min – max) | first request | peak RSS after init | peak RSS after one request | zipped x86_64{arm_header}")
    print("|---|---|---|---|---|---|" + ("---|" if args.arm64 else ""))
    for binary, r in results.items():
        arm = f" {r['arm64_zip_bytes'] / mib:.2f} MiB |" if args.arm64 else ""
        print(f"| {binary} | {r['init_ms_median']:.1f} ms ({r['init_ms_min']:.1f} – {r['init_ms_max']:.1f}) "
              f"| {r['request_ms_median']:.1f} ms "
              f"| {r['init_rss_mib_median']:.1f} MiB | {r['peak_rss_mib_median']:.1f} MiB "
              f"| {r['zip_bytes'] / mib:.2f} MiB |{arm}")


if __name__ == "__main__":
    main()
