#!/usr/bin/env python3
"""Password-hash oracle for tenantctl's tests: answers what Odoo would do with a hash.

Builds the same passlib CryptContext as Odoo's res_users.py for the given major:
  12-15: CryptContext(['pbkdf2_sha512', 'plaintext'], deprecated=['plaintext'])
  16+:   CryptContext(['pbkdf2_sha512', 'plaintext'], deprecated=['auto'],
                      pbkdf2_sha512__rounds=max(MIN_ROUNDS, ICP password.hashing.rounds))
where MIN_ROUNDS is 600000, or the request's "min_rounds" (early 16.0 builds, up to
early 2023, have MIN_ROUNDS = 350000).

Input (stdin, one JSON object; secrets never go on argv):
  {"hash": str|null, "password": str, "odoo_major": int, "rounds": int (optional),
   "min_rounds": int (optional, default 600000; 16+ only)}
Output (stdout, one JSON object):
  {"verifies": bool, "needs_update": bool, "identified": "pbkdf2_sha512"|"plaintext"|null}
or, when passlib raises (a malformed hash: Odoo answers a server error at login):
  {"error": "..."}

Because 'plaintext' is the last scheme, any string that is not a pbkdf2_sha512 hash
(argon2, bcrypt, ...) is identified as a plaintext password, exactly as in Odoo.
"""

import json
import sys
import warnings

warnings.simplefilter("ignore")  # passlib 1.7.4 warns about the 'crypt' module on 3.11+

from passlib.context import CryptContext  # noqa: E402

MIN_ROUNDS = 600000


def context(odoo_major, rounds, min_rounds=MIN_ROUNDS):
    if odoo_major >= 16:
        return CryptContext(
            ["pbkdf2_sha512", "plaintext"],
            deprecated=["auto"],
            pbkdf2_sha512__rounds=max(min_rounds, rounds or 0),
        )
    return CryptContext(["pbkdf2_sha512", "plaintext"], deprecated=["plaintext"])


def main():
    try:
        req = json.load(sys.stdin)
        hashed = req.get("hash")
        password = req.get("password", "")
        ctx = context(
            int(req["odoo_major"]),
            int(req.get("rounds") or 0),
            int(req.get("min_rounds") or MIN_ROUNDS),
        )
        if hashed is None or hashed == "":
            # NULL/empty password column: Odoo refuses the login before passlib is asked.
            out = {"verifies": False, "needs_update": False, "identified": None}
        else:
            identified = ctx.identify(hashed)
            verifies = bool(ctx.verify(password, hashed))
            needs_update = bool(ctx.needs_update(hashed))
            out = {
                "verifies": verifies,
                "needs_update": needs_update,
                "identified": identified,
            }
    except Exception as exc:  # passlib raises ValueError/TypeError on malformed hashes
        out = {"error": "%s: %s" % (type(exc).__name__, exc)}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
