"""A client nobody here wrote: Debian's authlib gets a token with the client credentials grant, and jwcrypto and
authlib.jose validate it against the published JWKS. Prints the verified claims as JSON; exits non-zero on failure."""
import json
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey
from authlib.jose import jwt as authlib_jwt
from jwcrypto import jwk, jwt

issuer, client_id, client_secret = sys.argv[1:4]

discovery = requests.get(issuer + ".well-known/openid-configuration", timeout=30).json()
assert discovery["issuer"] == issuer, discovery["issuer"]

session = OAuth2Session(client_id, client_secret, scope="sync", token_endpoint_auth_method="client_secret_basic")
token = session.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
access_token = token["access_token"]

jwks = requests.get(discovery["jwks_uri"], timeout=30).json()

# jwcrypto: signature with the key named by kid, ES256 only, issuer, audience and expiry checked.
verified = jwt.JWT(jwt=access_token, key=jwk.JWKSet.from_json(json.dumps(jwks)), algs=["ES256"],
                   check_claims={"iss": issuer, "aud": "registryexchange", "exp": None})
claims = json.loads(verified.claims)
header = json.loads(verified.header)

# authlib.jose: the same token, an independent implementation.
authlib_claims = authlib_jwt.decode(access_token, JsonWebKey.import_key_set(jwks),
                                    claims_options={"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": "registryexchange"}})
authlib_claims.validate()

# A tampered token must fail the same check.
head, body, signature = access_token.split(".")
tampered = head + "." + body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
try:
    jwt.JWT(jwt=tampered, key=jwk.JWKSet.from_json(json.dumps(jwks)), algs=["ES256"])
    tampered_rejected = False
except Exception:  # noqa: BLE001 - any failure is a rejection
    tampered_rejected = True

print(json.dumps({
    "alg": header["alg"], "kid_published": any(k["kid"] == header["kid"] for k in jwks["keys"]),
    "client_id": claims["client_id"], "school_code": claims.get("school_code"), "scope": claims["scope"],
    "expires_in": token.get("expires_in"), "authlib_school_code": authlib_claims.get("school_code"),
    "tampered_rejected": tampered_rejected,
}))
