#!/usr/bin/env python3
"""Signs a webhook request the way a provider does, with the provider's official Python library
(twilio's RequestValidator, plivo's signature_v3, vonage's Auth.sign_params), so tests can check
Overdue's verification against the providers' own code.

    scripts/provider-sign.py '{"provider": "twilio", "token": "…", "url": "…", "params": [["From", "+1…"], …]}'
    scripts/provider-sign.py '{"provider": "twilio-json", "token": "…", "url": "…?bodySHA256=…"}'
    scripts/provider-sign.py '{"provider": "plivo", "token": "…", "url": "…", "nonce": "…", "params": [...]}'
    scripts/provider-sign.py '{"provider": "vonage", "secret": "…", "method": "sha256", "params": [...]}'

Prints the signature (for vonage: the `sig` value, the params must hold `timestamp`).
"""
import json, sys

req = json.loads(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())
p = req["provider"]
params = {k: v for k, v in req.get("params", [])}
if p == "twilio":
    from twilio.request_validator import RequestValidator
    print(RequestValidator(req["token"]).compute_signature(req["url"], params))
elif p == "twilio-json":
    from twilio.request_validator import RequestValidator
    # A JSON body is signed through the URL alone (which carries bodySHA256).
    print(RequestValidator(req["token"]).compute_signature(req["url"], {}))
elif p == "plivo":
    from plivo.utils.signature_v3 import construct_post_url, get_signature_v3
    base = construct_post_url(req["url"], params)
    print(get_signature_v3(req["token"].encode(), base, req["nonce"].encode()).decode())
elif p == "vonage":
    from vonage_http_client.auth import Auth
    auth = Auth(api_key="abcd1234", signature_secret=req["secret"], signature_method=req.get("method", "sha256"))
    print(auth.sign_params(dict(params)))
else:
    sys.exit(f"unknown provider {p}")
