"""The code an authenticator app shows now (plus an offset in seconds), computed by pyotp,
a TOTP implementation none of us wrote: python totp_code.py SECRET [OFFSET_SECONDS]."""

import sys
import time

import pyotp

secret = sys.argv[1]
offset = int(sys.argv[2]) if len(sys.argv) > 2 else 0
print(pyotp.TOTP(secret).at(int(time.time()) + offset))
