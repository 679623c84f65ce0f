#!/usr/bin/env python3
"""Checks Overdue's OpenAPI document and real responses against it.

    python3 scripts/check-openapi.py SPEC.json [SAMPLES.json]

SPEC must pass openapi-spec-validator. SAMPLES (optional) is a JSON list of
{"method", "path" (the document's template), "status", "content_type", "body"}: each status must be
documented for the operation and each JSON body must validate against the documented schema
(openapi-schema-validator, OpenAPI 3.1 dialect). Prints one line per problem; exit 1 if any.
"""
import json
import sys

from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate


def main():
    spec = json.load(open(sys.argv[1]))
    validate(spec)
    problems = []
    samples = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else []
    for s in samples:
        op = spec["paths"].get(s["path"], {}).get(s["method"].lower())
        where = f'{s["method"]} {s["path"]} → {s["status"]}'
        if op is None:
            problems.append(f"{where}: not in the document")
            continue
        response = op["responses"].get(str(s["status"]))
        if response is not None and "$ref" in response:
            response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
        if response is None:
            problems.append(f"{where}: status not documented")
            continue
        ctype = (s.get("content_type") or "").split(";")[0]
        content = response.get("content", {})
        if not content:
            continue
        if ctype not in content:
            problems.append(f"{where}: content type {ctype} not documented ({', '.join(content)})")
            continue
        if not ctype.endswith("json"):
            continue
        schema = dict(content[ctype]["schema"])
        schema["components"] = spec["components"]
        validator = OAS31Validator(schema)
        for error in validator.iter_errors(json.loads(s["body"])):
            problems.append(f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
    for p in problems:
        print(p)
    print(f"{len(samples)} responses checked, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
