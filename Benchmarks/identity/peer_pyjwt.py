"""The peer of `custos identity bench`: PyJWT with the `cryptography` package (OpenSSL), ES256.

Measures, on one core, what a typical Python token service does for the same work: issue a token
with the claims of a JWT-SVID (sign), and verify it (signature, exp, audience). There is no cache in
PyJWT, so every verification is cold. Prints one JSON object.
"""
import json
import sys
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 20000

key = ec.generate_private_key(ec.SECP256R1())
public = key.public_key()
now = int(time.time())

tokens = []
started = time.perf_counter()
for index in range(COUNT):
    claims = {
        "sub": f"spiffe://bench.local/agent/bench/i/i{index}", "aud": "https://tools.example", "exp": now + 3600,
        "iat": now, "jti": str(uuid.uuid4()), "custos_epoch": 0,
    }
    tokens.append(jwt.encode(claims, key, algorithm="ES256", headers={"kid": "k1"}))
issued = COUNT / (time.perf_counter() - started)

started = time.perf_counter()
for token in tokens:
    jwt.decode(token, public, algorithms=["ES256"], audience="https://tools.example")
verified = COUNT / (time.perf_counter() - started)

print(json.dumps({
    "peer": f"PyJWT {jwt.__version__} (cryptography, OpenSSL)", "tokens": COUNT,
    "issued_per_second": int(issued), "verified_per_second": int(verified),
}, sort_keys=True))
