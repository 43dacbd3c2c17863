#!/usr/bin/env python3
"""Validates a SARIF log against the SARIF 2.1.0 JSON schema (draft-07), for drift.sh.

    validate.py SCHEMA.json LOG.sarif

The schema is the one @microsoft/jest-sarif ships (lib/schemas/sarif-2.1.0-rtm.5.json, the
2.1.0 schema of the rtm.5 committee draft; pinned in package.json). python3-jsonschema validates.
"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
validator = jsonschema.Draft7Validator(schema)
errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
for e in errors:
    print("SARIF schema: %s at %s" % (e.message, "/".join(str(p) for p in e.path)))
sys.exit(1 if errors else 0)
