#!/usr/bin/env python3
"""Cuts Twilio's OpenAPI document for API 2010 (MIT, github.com/twilio/twilio-oai) down to the
operations Overdue calls (Messages, Calls) and every component they reference, for the contract
tests in Tests/Fixtures/providers/.

    scripts/extract-twilio-spec.py ../shared/specs/twilio_api_v2010.json > Tests/Fixtures/providers/twilio_api_v2010.subset.json
"""
import json, sys

spec = json.load(open(sys.argv[1]))
keep = [p for p in spec["paths"] if p.split("/")[-1].split(".")[0] in ("Messages", "Calls", "{Sid}") and ("/Messages" in p or "/Calls" in p)
        and p.count("/") <= 6]
out = {k: spec[k] for k in ("openapi", "info", "servers") if k in spec}
out["paths"] = {p: spec["paths"][p] for p in keep}
components = {}

def walk(node):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            _, _, kind, name = ref.split("/", 3)
            if name not in components.setdefault(kind, {}):
                components[kind][name] = spec["components"][kind][name]
                walk(components[kind][name])
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)

walk(out["paths"])
for kind in ("securitySchemes",):
    if kind in spec.get("components", {}):
        components[kind] = spec["components"][kind]
out["components"] = components
json.dump(out, sys.stdout, indent=1, sort_keys=True)
