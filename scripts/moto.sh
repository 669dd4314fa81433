# Sourced by scripts/test and scripts/bench: installs the pinned DynamoDB/SES emulator (moto)
# into ./.venv, starts it on a free port, exports its address for the tests, and stops it on exit.
# The venv is rebuilt whenever the pinned requirements change.
requirements=infra/requirements-dev.txt
stamp=.venv/.requirements.sha256
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x .venv/bin/moto_server ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "==> installing the test emulator into .venv ($requirements)"
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" > "$stamp"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p target
.venv/bin/python infra/moto_serial.py 127.0.0.1 "$port" > target/moto.log 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
endpoint="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('$endpoint/moto-api/')" 2>/dev/null && break
  kill -0 "$moto_pid" 2>/dev/null || { cat target/moto.log >&2; echo "moto did not start" >&2; exit 1; }
  sleep 0.2
done
echo "==> moto on $endpoint (log: target/moto.log)"

# Tests talk only to the emulator, with throwaway credentials.
export PORTAL_TEST_DYNAMODB_ENDPOINT=$endpoint PORTAL_TEST_SES_ENDPOINT=$endpoint
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN

