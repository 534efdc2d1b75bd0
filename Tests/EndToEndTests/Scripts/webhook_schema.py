"""Validates webhook bodies against Schemas/statuspage-webhook/webhook.schema.json (strict), with format
checks: `webhook_schema.py FILE...` prints each failure and exits 1 if any; prints "valid N" otherwise."""

import json
import os
import sys

import jsonschema_rs

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "Schemas", "statuspage-webhook", "webhook.schema.json")


def main(paths):
    with open(SCHEMA) as f:
        validator = jsonschema_rs.validator_for(json.load(f), validate_formats=True)
    failures = 0
    for path in paths:
        with open(path) as f:
            body = json.load(f)
        for error in validator.iter_errors(body):
            failures += 1
            print("%s: %s at %s" % (path, error.message, list(error.instance_path)))
    if failures:
        sys.exit(1)
    print("valid %d" % len(paths))


if __name__ == "__main__":
    main(sys.argv[1:])
