"""The code an authenticator app shows, computed by pyotp, a TOTP implementation none of us
wrote (the black-box and browser tests' app): python totp_code.py SECRET [UNIX_SECONDS]
(now when left out; spaces in the secret, as the pages group it, are dropped)."""

import sys
import time

import pyotp

secret = "".join(sys.argv[1].split())
at = int(sys.argv[2]) if len(sys.argv) > 2 else int(time.time())
print(pyotp.TOTP(secret).at(at))
