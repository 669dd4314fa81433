# Sourced by scripts/test: installs the pinned cargo-lambda (the Lambda emulator the
# runtime tests run the function binaries under, tests/tests/lambda_runtime.rs) into
# ./.venv-lambda and exports its path. The venv is rebuilt whenever the pins change.
lambda_requirements=infra/requirements-lambda.txt
lambda_stamp=.venv-lambda/.requirements.sha256
lambda_wanted=$(sha256sum "$lambda_requirements" | cut -d' ' -f1)
if [ ! -x .venv-lambda/bin/cargo-lambda ] || [ "$(cat "$lambda_stamp" 2>/dev/null)" != "$lambda_wanted" ]; then
  echo "==> installing cargo-lambda into .venv-lambda ($lambda_requirements)"
  rm -rf .venv-lambda
  python3 -m venv .venv-lambda
  .venv-lambda/bin/pip install --quiet --disable-pip-version-check -r "$lambda_requirements"
  echo "$lambda_wanted" > "$lambda_stamp"
fi
export PORTAL_TEST_CARGO_LAMBDA="$PWD/.venv-lambda/bin/cargo-lambda"
