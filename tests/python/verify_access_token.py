"""Verifies a portal access token with PyJWT against the published JWKS.

An independent implementation: if our tokens or JWKS drift from the standards, this fails.
Usage: verify_access_token.py <jwks-url> <token> <issuer> <audience>; prints the claims.
"""

import json
import sys
import urllib.request

import jwt


def main() -> None:
    jwks_url, token, issuer, audience = sys.argv[1:5]
    with urllib.request.urlopen(jwks_url) as response:
        jwks = jwt.PyJWKSet.from_dict(json.load(response))
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(key for key in jwks.keys if key.key_id == kid)
    claims = jwt.decode(
        token,
        key=key.key,
        algorithms=["EdDSA"],
        issuer=issuer,
        audience=audience,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )
    print(json.dumps(claims))


if __name__ == "__main__":
    main()
