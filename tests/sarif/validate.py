#!/usr/bin/env python3
"""Validates a SARIF log against a SARIF 2.1.0 JSON schema, for drift.sh.

    validate.py SCHEMA.json LOG.sarif

SCHEMA is oasis/sarif-schema-2.1.0.json (the OASIS standard's schema, JSON Schema draft 4, see
README.md); the validator is the draft the schema's "$schema" names. python3-jsonschema validates.
"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
validator_class = jsonschema.validators.validator_for(schema)
validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
for e in errors:
    print("SARIF schema: %s at %s" % (e.message, "/".join(str(p) for p in e.path)))
sys.exit(1 if errors else 0)
