#!/usr/bin/env python3
"""Writes Overdue's OpenAPI 3.1 document to Sources/OverdueServer/Resources/openapi.json (served at
/api/v1/openapi.json; Package.swift embeds it in the binary at build time, so a deployed binary
needs no resource files).

The document is generated from the compact tables below so that it stays readable and consistent;
the test suite keeps it true to the server: every /api/v1 route in the sources is documented and
every documented operation is served, the document passes openapi-spec-validator, and real
responses are validated against the documented schemas (scripts/check-openapi.py).

    python3 scripts/gen-openapi.py            # rewrite the file
    python3 scripts/gen-openapi.py --check    # exit 1 if the file is stale
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Sources/OverdueServer/Resources/openapi.json")

S = {"type": "string"}
I = {"type": "integer"}
B = {"type": "boolean"}
N = lambda t: {"type": [t["type"], "null"]} if "type" in t else {"anyOf": [t, {"type": "null"}]}
A = lambda t: {"type": "array", "items": t}
R = lambda name: {"$ref": f"#/components/schemas/{name}"}
DATE = {"type": "string", "format": "date"}
TIME = {"type": "string", "format": "date-time"}


def nullable(t):
    """`t` or null: the server reads an optional field given as null as left out."""
    if t.get("type") == "null" or (isinstance(t.get("type"), list) and "null" in t["type"]):
        return t
    if "anyOf" in t and {"type": "null"} in t["anyOf"]:
        return t
    return {"anyOf": [t, {"type": "null"}]}


def obj(required, optional=None, description=None):
    props = dict(required)
    props.update({name: nullable(t) for name, t in (optional or {}).items()})
    o = {"type": "object", "properties": props, "required": sorted(required.keys())}
    if description:
        o["description"] = description
    return o


def page(item):
    return obj({"items": A(R(item))}, {"next_cursor": N(S)}, f"A page of {item} items; pass next_cursor as ?cursor= for the next one.")


ROLE = {"type": "string", "enum": ["owner", "admin", "manager", "collector", "viewer"]}
CHANNEL = {"type": "string", "enum": ["email", "sms", "voice"]}
EVENT_TYPES = ["case.resolved", "payment.recorded", "promise.created", "promise.broken", "promise.kept", "dispute.opened",
               "dispute.resolved", "message.received", "message.sent", "handoff.created", "hold.created"]

SCHEMAS = {
    "Problem": obj({"type": S, "title": S, "status": I, "detail": S},
                   {"errors": A(R("FieldError"))},
                   "RFC 9457 problem details. `type` is stable per kind of error; validation problems list every bad field in `errors`."),
    "FieldError": obj({"pointer": S, "detail": S}, None, "A JSON Pointer into the body (or #/query/NAME, #/line/N/column) and what is wrong."),
    "Health": obj({"status": S, "version": S, "database": S}),
    "Case": obj({"debtor_id": S, "debtor_name": S, "status": S, "balance": S, "balance_minor": I, "open_invoices": I, "reasons": A(S),
                 "reason_codes": A(S), "cycle": I, "attempts_sent": I},
                {"currency": N(S), "other_balances": A(obj({"amount": S, "currency": S})), "oldest_due": N(S), "next_action_at": N(S),
                 "next_action_channel": N(S)}),
    "CasePage": obj({"tenant": S, "count": I, "items": A(R("Case"))}, {"next_cursor": N(S)}),
    "CaseDetail": obj({"case": R("Case"), "messages": A(R("Message")), "decisions": A(obj({"at": S, "action": S, "reasons": A(S)})),
                       "promises": A(R("Promise")), "disputes": A(R("Dispute")), "holds": A(R("Hold")), "payments": A(R("Payment"))}),
    "Message": obj({"id": S, "at": S, "channel": S, "direction": S, "kind": S, "body": S, "status": S, "invoice_numbers": A(S)},
                   {"to": N(S), "from": N(S), "debtor_id": N(S), "contact_name": N(S), "stage": N(I), "attempt": N(I), "subject": N(S),
                    "provider_id": N(S), "error": N(S), "intent": N(S), "confidence": N({"type": "number"}), "delivery_status": N(S),
                    "recording_url": N(S), "opens": N(I), "clicks": N(I)}),
    "MessagePage": obj({"tenant": S, "count": I, "items": A(R("Message"))}, {"next_cursor": N(S)}),
    "InboxItem": obj({"id": I, "kind": S, "code": S, "reason": S, "created_at": S},
                     {"debtor_id": N(S), "message_id": N(S), "draft_id": N(S), "resolved_at": N(S), "resolution": N(S)}),
    "InboxPage": obj({"tenant": S, "count": I, "items": A(R("InboxItem"))}),
    "ContactProposal": obj({"id": I, "debtor_id": S, "name": S, "reason_code": S, "reason": S, "created_at": S},
                           {"email": N(S), "phone": N(S), "message_id": N(S)}),
    "ContactProposalPage": obj({"tenant": S, "count": I, "items": A(R("ContactProposal"))}),
    "Dispute": obj({"id": S, "invoice": S, "reason": S, "opened_at": S, "status": S}, {"resolution": N(S)}),
    "DisputePage": obj({"tenant": S, "count": I, "items": A(R("Dispute"))}),
    "Conversation": obj({}, {"message_id": N(S), "debtor_id": N(S), "intent": N(S), "new": B}, "What Overdue understood of an inbound message and did."),
    "Status": obj({"status": S}),
    "Debtor": obj({"id": S, "name": S}),
    "DebtorPage": page("Debtor"),
    "DebtorDetail": obj({"id": S, "name": S, "contacts": A(R("Contact")), "invoices": A(R("Invoice")), "payments": A(R("Payment"))}),
    "Contact": obj({"id": I, "name": S, "timezone": S, "sms_consent": B, "call_consent": B},
                   {"email": N(S), "phone": N(S), "role": N(S), "preferred_channel": N(S)}),
    "Invoice": obj({"number": S, "debtor_id": S, "amount_minor": I, "currency": S, "issue_date": DATE, "due_date": DATE, "factored": B},
                   {"load_number": N(S), "pro_number": N(S), "bol_number": N(S), "po_number": N(S), "terms": N(S)}),
    "InvoicePage": page("Invoice"),
    "InvoiceInput": obj({"invoice_number": S, "debtor_id": S, "debtor_name": S, "amount_minor": I, "currency": S, "issue_date": DATE, "due_date": DATE},
                        {"load_number": S, "pro_number": S, "bol_number": S, "po_number": S, "terms": S, "factored": B}),
    "ContactInput": obj({"debtor_id": S, "name": S}, {"email": S, "phone": S, "role": S, "timezone": S, "sms_consent": B, "call_consent": B,
                                                       "preferred_channel": CHANNEL}),
    "PaymentInput": obj({"debtor_id": S, "amount_minor": I, "currency": S, "date": DATE}, {"reference": S, "invoice_number": S, "payment_id": S}),
    "Payment": obj({"id": S, "debtor_id": S, "amount_minor": I, "currency": S, "date": DATE}, {"reference": N(S), "invoice_number": N(S)}),
    "PaymentPage": page("Payment"),
    "ImportResult": obj({"rows_read": I, "rows_written": I, "debtors_replanned": I, "unknown_columns": A(S), "skipped": A(R("FieldError")),
                         "moved_invoices": A(S)}),
    "Document": obj({"id": S, "invoice_number": S, "kind": S, "filename": S, "content_type": S, "size": I, "sha256": S}),
    "DocumentPage": page("Document"),
    "Hold": obj({"debtor_id": S, "reason": S, "until": S}, {"invoice_number": N(S)}),
    "HoldPage": page("Hold"),
    "HoldInput": obj({"debtor_id": S, "reason": S, "until": TIME}, {"invoice_number": S}),
    "Promise": obj({"id": S, "kind": S, "date": DATE, "amount_minor": I, "currency": S, "channel": S, "status": S, "made_at": S, "review_at": S,
                    "invoice_numbers": A(S)}),
    "PromisePage": page("Promise"),
    "Tenant": obj({"id": S, "timezone": S, "currency": S, "country": S, "policy": S}),
    "TenantPage": page("Tenant"),
    "Policy": {"type": "object", "description": "An escalation policy (see docs/policy.md): name, stages (channel, attempts, delay_days…), on_exhausted."},
    "Setting": obj({"key": S, "secret": B, "help": S}, {"value": N(S)}),
    "SettingPage": page("Setting"),
    "Template": obj({"name": S, "channel": S, "source": S}, {"subject": N(S), "body": N(S)}),
    "TemplatePage": page("Template"),
    "TemplateInput": obj({"body": S}, {"subject": S}),
    "PreviewInput": obj({"name": S, "channel": CHANNEL}, {"debtor_id": S, "body": S, "subject": S}),
    "Preview": obj({"body": S, "warnings": A(S)}, {"subject": N(S), "html": N(S), "sms": obj({"characters": I, "encoding": S, "segments": I})}),
    "User": obj({"id": S, "email": S, "name": S, "role": ROLE, "totp_enabled": B, "created_at": S}, {"disabled_at": N(S), "last_login_at": N(S)}),
    "UserPage": page("User"),
    "UserInput": obj({"email": S, "role": ROLE, "password": {"type": "string", "minLength": 12}}, {"name": S}),
    "UserUpdate": obj({}, {"role": ROLE, "name": S, "disabled": B}),
    "Session": obj({"user": R("User"), "tenant": S, "csrf_token": S, "expires_at": S}),
    "Login": obj({"email": {"type": "string", "minLength": 1}, "password": {"type": "string", "minLength": 1}}, {"totp": S}),
    "PasswordChange": obj({"current": S, "new": {"type": "string", "minLength": 12}}),
    "TOTPEnrolment": obj({"secret": S, "otpauth_url": S}),
    "Code": obj({"code": S}),
    "Key": obj({"prefix": S, "name": S, "role": ROLE, "created_at": S}, {"revoked_at": N(S), "last_used_at": N(S), "expires_at": N(S), "key": S}),
    "KeyPage": page("Key"),
    "KeyInput": obj({"name": S, "role": ROLE}, {"expires_in_days": {"type": "integer", "minimum": 1, "maximum": 730, "description": "default 365"}}),
    "Subscription": obj({"id": S, "url": S, "events": A(S), "created_at": S}, {"description": N(S), "disabled_at": N(S), "secret": S}),
    "SubscriptionPage": page("Subscription"),
    "SubscriptionInput": obj({"url": S, "events": A(S)}, {"description": S}),
    "Delivery": obj({"id": I, "event_id": S, "event_type": S, "status": {"type": "string", "enum": ["pending", "delivered", "failed"]}, "attempts": I,
                     "created_at": S}, {"next_attempt_at": N(S), "last_attempt_at": N(S), "response_status": N(I), "error": N(S), "delivered_at": N(S)}),
    "DeliveryPage": page("Delivery"),
    "Event": obj({"id": S, "type": {"type": "string", "enum": EVENT_TYPES}, "created_at": S, "payload": R("EventPayload")}, {"debtor": N(S)}),
    "EventPage": page("Event"),
    "EventPayload": obj({"id": S, "type": S, "created": I, "tenant": S, "data": {"type": "object"}}, None,
                        "What a webhook subscriber receives, signed with Overdue-Signature: t=<unix>,v1=<hex HMAC-SHA256 of \"t.body\">."),
    "InboundMessage": obj({"channel": CHANNEL, "from": S, "text": S}, {"subject": S, "at": TIME, "provider_id": S}),
    "Bulk": lambda item: obj({"items": A(R(item))}),
}
SCHEMAS["InvoiceBulk"] = SCHEMAS["Bulk"]("InvoiceInput")
SCHEMAS["ContactBulk"] = SCHEMAS["Bulk"]("ContactInput")
SCHEMAS["PaymentBulk"] = SCHEMAS["Bulk"]("PaymentInput")
del SCHEMAS["Bulk"]

# A query parameter. Given, it must not be empty, and it is given once (the server answers 422 otherwise).
Q = lambda name, desc, schema=S, required=False: {"name": name, "in": "query", "required": required, "description": desc,
                                                  "schema": dict(schema, minLength=1) if schema.get("type") == "string" and "enum" not in schema else schema}
BOOL = {"type": "string", "enum": ["true", "false"]}
MINOR = {"type": "integer", "minimum": 0}
DEBTOR_REQUIRED = Q("debtor", "Debtor id.", required=True)
PAGING = [Q("limit", "Items per page (1–500, default 50).", {"type": "integer", "minimum": 1, "maximum": 500}),
          Q("cursor", "next_cursor from the previous page.")]
SKIP = Q("skip_invalid", "true: write the good rows and list the bad ones as skipped.", BOOL)

# (method, path, permission, summary, request schema or media, response status, response schema or media, query parameters)
OPS = [
    ("get", "/health", None, "Readiness (checks the database)", None, 200, "Health", []),
    ("get", "/healthz", None, "Liveness", None, 200, "Status", []),
    ("get", "/readyz", None, "Readiness (checks the database)", None, 200, "Health", []),
    ("post", "/auth/login", None, "Sign in (sets the HttpOnly session cookie; 429 after too many tries from one address)", "Login", 200, "Session", []),
    ("post", "/auth/logout", None, "Sign out (needs X-CSRF-Token)", None, 204, None, []),
    ("get", "/auth/session", None, "The signed-in user and the CSRF token", None, 200, "Session", []),
    ("get", "/api/v1/openapi.json", None, "This document", None, 200, {"type": "object"}, []),
    ("get", "/api/v1/tenants", "administer", "The caller's tenant", None, 200, "TenantPage", []),
    ("get", "/api/v1/tenants/{id}", "administer", "The caller's tenant (any other id is not found)", None, 200, "Tenant", []),
    ("get", "/api/v1/settings", "read", "Settings (secrets masked)", None, 200, "SettingPage", []),
    ("get", "/api/v1/policy", "read", "The escalation policy in force", None, 200, "Policy", []),
    ("put", "/api/v1/policy", "manage", "Replace the escalation policy (every case is re-planned)", "Policy", 200, "Policy", []),
    ("get", "/api/v1/templates", "read", "Every template and whether the tenant overrides it", None, 200, "TemplatePage", []),
    ("get", "/api/v1/templates/{channel}/{name}", "read", "A template's source", None, 200, "Template", []),
    ("put", "/api/v1/templates/{channel}/{name}", "manage", "Override a template (Mustache)", "TemplateInput", 200, "Template", []),
    ("delete", "/api/v1/templates/{channel}/{name}", "manage", "Drop the override", None, 204, None, []),
    ("post", "/api/v1/templates/preview", "read", "Render a stored template, or (with the `manage` permission) a draft, for a debtor (or a sample)", "PreviewInput", 200, "Preview", []),
    ("get", "/api/v1/cases", "read", "Cases, filtered and sorted", None, 200, "CasePage",
     [Q("status", "Comma-separated statuses."), Q("aging", "Days past due of the oldest open invoice.", {"type": "string", "enum": ["current", "1-30", "31-60", "61-90", "90+"]}),
      Q("min_balance", "Minor units.", MINOR), Q("max_balance", "Minor units.", MINOR), Q("currency", "ISO 4217."), Q("channel", "Channel of the next action.", CHANNEL),
      Q("q", "Text in the debtor's name or id."), Q("sort", "debtor, balance, oldest_due, next_action_at or updated_at; - for descending.")] + PAGING),
    ("get", "/api/v1/cases/{debtor}", "read", "A case with its timeline: messages on every channel, decisions with reasons, promises, disputes, holds, payments", None, 200, "CaseDetail", []),
    ("post", "/api/v1/cases/{debtor}/messages", "work", "A person's own message (email or sms), sent now if the contact rules allow — else 409 naming them",
     obj({"channel": CHANNEL, "text": S}, {"subject": S, "contact": S}), 201, "Message", []),
    ("post", "/api/v1/cases/{debtor}/takeover", "work", "A person takes the case", obj({}, {"by": S}), 200, "Status", []),
    ("post", "/api/v1/cases/{debtor}/handback", "work", "Hand the case back to automation", obj({}, {"by": S}), 200, "Status", []),
    ("get", "/api/v1/outbox", "read", "Outbound messages in time order", None, 200, "MessagePage", [Q("debtor", "Debtor id."), Q("channel", "Channel.", CHANNEL)] + PAGING),
    ("post", "/api/v1/messages", "work", "An inbound message as a provider or a person received it", "InboundMessage", 201, "Conversation", []),
    ("post", "/api/v1/messages/{id}/approve", "manage", "Send a drafted answer", None, 200, "Message", []),
    ("post", "/api/v1/messages/{id}/discard", "manage", "Throw a drafted answer away", None, 200, "Status", []),
    ("get", "/api/v1/contact-proposals", "read", "Contacts replies named, waiting for a person", None, 200, "ContactProposalPage", []),
    ("post", "/api/v1/contact-proposals/{id}/approve", "manage", "Add a proposed contact (the case is planned again)", None, 200, "Status", []),
    ("post", "/api/v1/contact-proposals/{id}/reject", "manage", "Reject a proposed contact", None, 200, "Status", []),
    ("get", "/api/v1/inbox", "read", "What needs a person", None, 200, "InboxPage", [Q("all", "true: resolved items too.", BOOL), Q("debtor", "Debtor id.")]),
    ("post", "/api/v1/inbox/{id}/resolve", "work", "Mark an inbox item dealt with", obj({}, {"note": S}), 200, "Status", []),
    ("get", "/api/v1/disputes", "read", "Disputes", None, 200, "DisputePage", [Q("all", "true: resolved disputes too.", BOOL)]),
    ("post", "/api/v1/disputes/{id}/resolve", "work", "Resolve a dispute (the invoice is chased again)", obj({"resolution": S}), 200, "Status", []),
    ("get", "/api/v1/debtors", "read", "Debtors by id", None, 200, "DebtorPage", [Q("q", "Text in the name or id.")] + PAGING),
    ("get", "/api/v1/debtors/{id}", "read", "A debtor with contacts, invoices and payments", None, 200, "DebtorDetail", []),
    ("get", "/api/v1/invoices", "read", "Invoices by number", None, 200, "InvoicePage",
     [Q("debtor", "Debtor id."), Q("due_from", "Date.", DATE), Q("due_to", "Date.", DATE)] + PAGING),
    ("post", "/api/v1/invoices", "work", "Create or update up to 10,000 invoices (all or nothing unless skip_invalid)", "InvoiceBulk", 200, "ImportResult", [SKIP]),
    ("get", "/api/v1/invoices/{number}", "read", "An invoice", None, 200, "Invoice", []),
    ("get", "/api/v1/invoices/{number}/documents", "read", "An invoice's documents", None, 200, "DocumentPage", []),
    ("post", "/api/v1/invoices/{number}/documents", "work", "Upload a document (the body is the file)", "binary", 201, "Document",
     [Q("kind", "invoice, pod, bol, rate_confirmation, w9 or statement."), Q("filename", "Its file name.")]),
    ("get", "/api/v1/documents/{id}", "read", "Download a document", None, 200, "binary", []),
    ("post", "/api/v1/contacts", "work", "Create or update contacts", "ContactBulk", 200, "ImportResult", [SKIP]),
    ("post", "/api/v1/payments", "work", "Record payments", "PaymentBulk", 200, "ImportResult", [SKIP]),
    ("get", "/api/v1/payments", "read", "A debtor's payments", None, 200, "PaymentPage", [DEBTOR_REQUIRED]),
    ("post", "/api/v1/imports/{kind}", "work", "Upload a CSV file of invoices, contacts or payments (as `overdue import`)", "csv", 200, "ImportResult", [SKIP]),
    ("get", "/api/v1/holds", "read", "A debtor's holds", None, 200, "HoldPage", [DEBTOR_REQUIRED]),
    ("post", "/api/v1/holds", "work", "Pause a debtor or one invoice until a time", "HoldInput", 201, "Hold", []),
    ("get", "/api/v1/promises", "read", "A debtor's promises and payment claims", None, 200, "PromisePage",
     [DEBTOR_REQUIRED, Q("status", "open, kept, broken or unmatched.")]),
    ("get", "/api/v1/events", "read", "Event history (what webhooks deliver), oldest first", None, 200, "EventPage",
     [Q("type", "Comma-separated event types."), Q("debtor", "Debtor id.")] + PAGING),
    ("get", "/api/v1/webhooks", "administer", "Webhook subscriptions", None, 200, "SubscriptionPage", []),
    ("post", "/api/v1/webhooks", "administer", "Subscribe an endpoint (the secret is in this answer only)", "SubscriptionInput", 201, "Subscription", []),
    ("get", "/api/v1/webhooks/{id}", "administer", "A subscription", None, 200, "Subscription", []),
    ("delete", "/api/v1/webhooks/{id}", "administer", "Switch a subscription off", None, 204, None, []),
    ("get", "/api/v1/webhooks/{id}/deliveries", "administer", "The delivery log, newest first", None, 200, "DeliveryPage",
     [Q("status", "pending, delivered or failed.")] + PAGING),
    ("post", "/api/v1/webhooks/{id}/deliveries/{delivery}/retry", "administer", "Queue a delivery again", None, 202, "Status", []),
    ("get", "/api/v1/users", "administer", "The tenant's users", None, 200, "UserPage", []),
    ("post", "/api/v1/users", "administer", "Add a user (only an owner may add an owner)", "UserInput", 201, "User", []),
    ("get", "/api/v1/users/me", "read", "The signed-in user", None, 200, "User", []),
    ("post", "/api/v1/users/me/password", "read", "Change one's password (every session of the user ends: sign in again)", "PasswordChange", 204, None, []),
    ("post", "/api/v1/users/me/totp", "read", "Start enrolling a TOTP second factor", None, 201, "TOTPEnrolment", []),
    ("post", "/api/v1/users/me/totp/confirm", "read", "Confirm the second factor with a code", "Code", 204, None, []),
    ("delete", "/api/v1/users/me/totp", "read", "Turn the second factor off (needs a code)", "Code", 204, None, []),
    ("get", "/api/v1/users/{id}", "administer", "A user", None, 200, "User", []),
    ("patch", "/api/v1/users/{id}", "administer", "Change a user's role, name or status (their sessions end)", "UserUpdate", 200, "User", []),
    ("delete", "/api/v1/users/{id}", "administer", "Disable a user", None, 204, None, []),
    ("get", "/api/v1/keys", "administer", "API keys (prefixes only)", None, 200, "KeyPage", []),
    ("post", "/api/v1/keys", "administer", "Make an API key (shown in this answer only; no more than the caller's role; expires after 365 days unless told)", "KeyInput", 201, "Key", []),
    ("delete", "/api/v1/keys/{prefix}", "administer", "Revoke a key", None, 204, None, []),
]

# Operations with a second success answer: (method, path) → {status: description}.
OTHER_SUCCESS = {
    ("post", "/api/v1/messages"): {"200": "Already received (the same provider_id): the first answer, `new` false; nothing is done again."},
}

ERRORS = {
    "400": "The body is not JSON, or a parameter is malformed.",
    "401": "No valid API key or session.",
    "403": "The role may not do this (or a session change lacks its CSRF token).",
    "404": "Not found — including anything of another tenant.",
    "409": "The object is in a state that does not allow this.",
    "422": "Validation failed; `errors` names every bad field.",
    "429": "Too many requests; see Retry-After.",
}


def media(schema):
    if schema == "binary":
        return {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}
    if schema == "csv":
        return {"text/csv": {"schema": {"type": "string"}}}
    return {"application/json": {"schema": R(schema) if isinstance(schema, str) else schema}}


def build():
    paths = {}
    for method, path, perm, summary, body, status, response, params in OPS:
        op = {"summary": summary, "operationId": (method + path.replace("/api/v1", "").replace("{", "").replace("}", "").replace("/", "_").replace(".", "_").replace("-", "_")),
              "tags": [path.split("/")[3] if path.startswith("/api/v1/") else path.split("/")[1]], "responses": {}}
        if perm:
            op["description"] = f"Needs the `{perm}` permission."
        else:
            op["security"] = []
        names = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
        parameters = [{"name": n, "in": "path", "required": True, "schema": S} for n in names] + list(params)
        if method == "post" and path.startswith("/api/v1/"):
            parameters.append({"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                               "description": "The first answer is kept 24 h and replayed for the same key; a different request with the same key is 422."})
        if parameters:
            op["parameters"] = parameters
        if body:
            op["requestBody"] = {"required": True, "content": media(body)}
        ok = {"description": "OK"}
        if response:
            ok["content"] = media(response)
        op["responses"][str(status)] = ok
        for code, text in OTHER_SUCCESS.get((method, path), {}).items():
            op["responses"][code] = dict(ok, description=text)
        for code, text in ERRORS.items():
            if code == "401" and perm is None and not path.startswith("/auth"):
                continue
            op["responses"][code] = {"$ref": f"#/components/responses/Problem{code}"}
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Overdue API", "version": "1", "description": "Self-hosted payment collection for logistics. Every object is scoped to the caller's tenant."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "responses": {f"Problem{code}": {"description": text, "content": {"application/problem+json": {"schema": R("Problem")}}}
                          for code, text in ERRORS.items()},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API key: overdue keys create --role ROLE."},
                "session": {"type": "apiKey", "in": "cookie", "name": "overdue_session",
                            "description": "The dashboard's session (POST /auth/login); changes also need X-CSRF-Token."},
            },
        },
    }


def main():
    text = json.dumps(build(), indent=1, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        current = open(OUT).read() if os.path.exists(OUT) else ""
        if current != text:
            print(f"{OUT} is stale: run python3 scripts/gen-openapi.py", file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {OUT} ({len(OPS)} operations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
