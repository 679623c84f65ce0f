import Foundation
import OverdueCore

/// Numbered, append-only schema migrations. Never edit one that has shipped: add the next.
enum Migrations {
    struct Migration: Sendable {
        let id: Int
        let name: String
        let statements: @Sendable (Dialect) -> [String]
    }

    static let all: [Migration] = [
        Migration(id: 1, name: "initial schema") { d in
            [
                """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY,
                    settings TEXT NOT NULL DEFAULT '{}',
                    policy TEXT,
                    sim_clock TEXT,
                    created_at TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE debtors (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, id)
                )
                """,
                """
                CREATE TABLE invoices (
                    tenant_id TEXT NOT NULL,
                    number TEXT NOT NULL,
                    debtor_id TEXT NOT NULL,
                    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
                    currency TEXT NOT NULL,
                    issue_date TEXT NOT NULL,
                    due_date TEXT NOT NULL,
                    load_number TEXT, pro_number TEXT, bol_number TEXT, po_number TEXT, terms TEXT,
                    factored INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (tenant_id, number),
                    FOREIGN KEY (tenant_id, debtor_id) REFERENCES debtors(tenant_id, id)
                )
                """,
                "CREATE INDEX invoices_debtor ON invoices (tenant_id, debtor_id)",
                """
                CREATE TABLE contacts (
                    id \(d.identityPrimaryKey),
                    tenant_id TEXT NOT NULL,
                    debtor_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    email TEXT, phone TEXT, role TEXT,
                    timezone TEXT NOT NULL,
                    sms_consent INTEGER NOT NULL DEFAULT 0,
                    call_consent INTEGER NOT NULL DEFAULT 0,
                    preferred_channel TEXT,
                    UNIQUE (tenant_id, debtor_id, name),
                    FOREIGN KEY (tenant_id, debtor_id) REFERENCES debtors(tenant_id, id)
                )
                """,
                "CREATE INDEX contacts_email ON contacts (tenant_id, email)",
                "CREATE INDEX contacts_phone ON contacts (tenant_id, phone)",
                """
                CREATE TABLE payments (
                    tenant_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    debtor_id TEXT NOT NULL,
                    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
                    currency TEXT NOT NULL,
                    date TEXT NOT NULL,
                    reference TEXT,
                    invoice_number TEXT,
                    PRIMARY KEY (tenant_id, id),
                    FOREIGN KEY (tenant_id, debtor_id) REFERENCES debtors(tenant_id, id)
                )
                """,
                "CREATE INDEX payments_debtor ON payments (tenant_id, debtor_id)",
                """
                CREATE TABLE holds (
                    id \(d.identityPrimaryKey),
                    tenant_id TEXT NOT NULL,
                    debtor_id TEXT NOT NULL,
                    invoice_number TEXT,
                    reason TEXT NOT NULL,
                    until TEXT NOT NULL,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX holds_debtor ON holds (tenant_id, debtor_id)",
                """
                CREATE TABLE suppressions (
                    tenant_id TEXT NOT NULL,
                    contact_id BIGINT NOT NULL REFERENCES contacts(id),
                    channel TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, contact_id, channel)
                )
                """,
                """
                CREATE TABLE cases (
                    tenant_id TEXT NOT NULL,
                    debtor_id TEXT NOT NULL,
                    state TEXT NOT NULL,
                    status TEXT NOT NULL,
                    balance_minor BIGINT NOT NULL DEFAULT 0,
                    currency TEXT,
                    other_balances TEXT NOT NULL DEFAULT '[]',
                    open_invoices INTEGER NOT NULL DEFAULT 0,
                    next_action_at TEXT,
                    next_action_channel TEXT,
                    reasons TEXT NOT NULL DEFAULT '[]',
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, debtor_id)
                )
                """,
                """
                CREATE TABLE messages (
                    id TEXT NOT NULL,
                    tenant_id TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
                    channel TEXT NOT NULL,
                    at TEXT NOT NULL,
                    debtor_id TEXT,
                    contact_id BIGINT,
                    contact_name TEXT,
                    to_addr TEXT,
                    from_addr TEXT,
                    invoice_numbers TEXT NOT NULL DEFAULT '[]',
                    stage INTEGER, attempt INTEGER,
                    kind TEXT NOT NULL,
                    subject TEXT,
                    body TEXT NOT NULL,
                    status TEXT NOT NULL,
                    provider_id TEXT,
                    error TEXT,
                    PRIMARY KEY (tenant_id, id),
                    UNIQUE (tenant_id, idempotency_key)
                )
                """,
                "CREATE INDEX messages_debtor_at ON messages (tenant_id, debtor_id, direction, at)",
                "CREATE INDEX messages_at ON messages (tenant_id, direction, at)",
                """
                CREATE TABLE decisions (
                    id \(d.identityPrimaryKey),
                    tenant_id TEXT NOT NULL,
                    debtor_id TEXT NOT NULL,
                    at TEXT NOT NULL,
                    action TEXT NOT NULL,
                    reasons TEXT NOT NULL
                )
                """,
                "CREATE INDEX decisions_debtor ON decisions (tenant_id, debtor_id, at)",
                """
                CREATE TABLE jobs (
                    id \(d.identityPrimaryKey),
                    tenant_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    due_at TEXT NOT NULL,
                    lease_owner TEXT,
                    lease_until TEXT,
                    fence BIGINT NOT NULL DEFAULT 0,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    dead_at TEXT,
                    UNIQUE (tenant_id, kind, subject)
                )
                """,
                "CREATE INDEX jobs_due ON jobs (due_at, tenant_id, subject)",
                // One tenant's queue in due order: `overdue run` claims from it thousands of times.
                "CREATE INDEX jobs_tenant_due ON jobs (tenant_id, due_at, subject)",
            ]
        },
        Migration(id: 2, name: "job versions and leased jobs index") { _ in
            [
                // Bumped whenever a job is (re)scheduled, so a worker finishing an older look at the case
                // cannot delete or postpone the newer request (new data arrived while it worked).
                "ALTER TABLE jobs ADD COLUMN version BIGINT NOT NULL DEFAULT 0",
                // Idle workers sleep until the next due job or lease expiry; leased jobs are few.
                "CREATE INDEX jobs_leased ON jobs (lease_until) WHERE lease_until IS NOT NULL",
            ]
        },
        Migration(id: 3, name: "conversations: commitments, disputes, documents, inbox, templates") { d in
            [
                "ALTER TABLE messages ADD COLUMN html TEXT",
                "ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]'",
                "ALTER TABLE messages ADD COLUMN in_reply_to TEXT",
                "ALTER TABLE messages ADD COLUMN understanding TEXT",
                // Drafts waiting for approval and calls booked for later.
                "CREATE INDEX messages_status ON messages (tenant_id, status, at) WHERE status IN ('draft', 'suggested', 'scheduled')",
                """
                CREATE TABLE commitments (
                    tenant_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    debtor_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    contact_id BIGINT,
                    channel TEXT NOT NULL,
                    made_at TEXT NOT NULL,
                    date TEXT NOT NULL,
                    target_minor BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    amount_stated INTEGER NOT NULL,
                    review_at TEXT NOT NULL,
                    status TEXT NOT NULL,
                    invoice_numbers TEXT NOT NULL DEFAULT '[]',
                    message_id TEXT,
                    settled_at TEXT,
                    settled_reason TEXT,
                    PRIMARY KEY (tenant_id, id)
                )
                """,
                "CREATE INDEX commitments_debtor ON commitments (tenant_id, debtor_id)",
                """
                CREATE TABLE disputes (
                    tenant_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    debtor_id TEXT NOT NULL,
                    invoice_number TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    opened_at TEXT NOT NULL,
                    status TEXT NOT NULL,
                    resolution TEXT,
                    resolved_at TEXT,
                    message_id TEXT,
                    PRIMARY KEY (tenant_id, id)
                )
                """,
                "CREATE INDEX disputes_debtor ON disputes (tenant_id, debtor_id)",
                """
                CREATE TABLE documents (
                    tenant_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    debtor_id TEXT NOT NULL,
                    invoice_number TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    filename TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    size BIGINT NOT NULL,
                    sha256 TEXT NOT NULL,
                    path TEXT NOT NULL,
                    token TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, id)
                )
                """,
                "CREATE INDEX documents_debtor ON documents (tenant_id, debtor_id)",
                """
                CREATE TABLE inbox (
                    id \(d.identityPrimaryKey),
                    tenant_id TEXT NOT NULL,
                    debtor_id TEXT,
                    kind TEXT NOT NULL,
                    code TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    message_id TEXT,
                    draft_id TEXT,
                    created_at TEXT NOT NULL,
                    resolved_at TEXT,
                    resolution TEXT
                )
                """,
                "CREATE INDEX inbox_open ON inbox (tenant_id, resolved_at, id)",
                """
                CREATE TABLE templates (
                    tenant_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    subject TEXT,
                    body TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, name, channel)
                )
                """,
            ]
        },
        Migration(id: 4, name: "email: thread references and mailbox cursors") { _ in
            [
                "ALTER TABLE messages ADD COLUMN thread_refs TEXT NOT NULL DEFAULT '[]'",
                // The highest UID processed per mailbox, valid only while the mailbox's UIDVALIDITY holds.
                """
                CREATE TABLE mail_cursors (
                    tenant_id TEXT NOT NULL,
                    mailbox TEXT NOT NULL,
                    uid_validity BIGINT NOT NULL,
                    last_uid BIGINT NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, mailbox)
                )
                """,
            ]
        },
        Migration(id: 5, name: "delivery attempts per message") { _ in
            [
                // Tries handed to the provider; a temporary failure books another try with backoff.
                "ALTER TABLE messages ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0"
            ]
        },
        Migration(id: 6, name: "email links: unsubscribe, opens and clicks") { _ in
            [
                // The secret in a message's unsubscribe, pixel and click links (never derived from its id).
                "ALTER TABLE messages ADD COLUMN link_token TEXT",
                "CREATE UNIQUE INDEX messages_link_token ON messages (link_token)",
                "ALTER TABLE messages ADD COLUMN opened_at TEXT",
                "ALTER TABLE messages ADD COLUMN opens INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE messages ADD COLUMN clicked_at TEXT",
                "ALTER TABLE messages ADD COLUMN clicks INTEGER NOT NULL DEFAULT 0",
            ]
        },
        Migration(id: 7, name: "provider delivery reports, sender rate slots, audit log") { d in
            [
                "ALTER TABLE messages ADD COLUMN delivery_status TEXT",
                "ALTER TABLE messages ADD COLUMN delivered_at TEXT",
                "CREATE INDEX messages_provider ON messages (tenant_id, provider_id)",
                // The latest second each sender number sends in, and how many sends it holds (rate
                // limits shared by every worker).
                """
                CREATE TABLE send_slots (
                    tenant_id TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    second TEXT NOT NULL,
                    used INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, sender)
                )
                """,
                // Append-only; each entry carries the hash of the one before it.
                """
                CREATE TABLE audit_log (
                    id \(d.identityPrimaryKey),
                    tenant_id TEXT,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    object TEXT,
                    outcome TEXT NOT NULL,
                    ip TEXT,
                    detail TEXT,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                )
                """,
            ]
        },
        Migration(id: 8, name: "call recordings") { _ in
            [
                "ALTER TABLE messages ADD COLUMN recording_url TEXT"
            ]
        },
        Migration(id: 9, name: "API keys") { _ in
            [
                // Only a hash of each key is kept; its prefix identifies it in lists and logs.
                """
                CREATE TABLE api_keys (
                    prefix TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    revoked_at TEXT,
                    last_used_at TEXT
                )
                """,
                "CREATE INDEX api_keys_tenant ON api_keys (tenant_id)",
            ]
        },
        Migration(id: 10, name: "idempotency keys") { _ in
            [
                // The first answer to a POST with an Idempotency-Key, replayed for 24 hours; `status` is
                // NULL while the first request is still being handled.
                """
                CREATE TABLE idempotency_keys (
                    tenant_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    status INTEGER,
                    content_type TEXT,
                    body TEXT,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, key)
                )
                """
            ]
        },
        Migration(id: 11, name: "events and outbound webhooks") { d in
            [
                // The transactional outbox: written in the same transaction as the change it reports.
                """
                CREATE TABLE events (
                    seq \(d.identityPrimaryKey),
                    id TEXT NOT NULL UNIQUE,
                    tenant_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    debtor_id TEXT,
                    data TEXT NOT NULL,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX events_tenant ON events (tenant_id, seq)",
                """
                CREATE TABLE webhook_subscriptions (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    url TEXT NOT NULL,
                    events TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    description TEXT,
                    created_at TEXT NOT NULL,
                    disabled_at TEXT
                )
                """,
                "CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id)",
                // One row per (event, subscription): the delivery log and the retry queue at once.
                """
                CREATE TABLE webhook_deliveries (
                    id \(d.identityPrimaryKey),
                    tenant_id TEXT NOT NULL,
                    subscription_id TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at TEXT,
                    last_attempt_at TEXT,
                    response_status INTEGER,
                    error TEXT,
                    created_at TEXT NOT NULL,
                    delivered_at TEXT,
                    UNIQUE (subscription_id, event_id)
                )
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)",
                "CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id)",
            ]
        },
        Migration(id: 12, name: "users and sessions") { _ in
            [
                // Passwords as bcrypt hashes; a second factor's secret once confirmed (pending while enrolling).
                """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    email TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    totp_secret TEXT,
                    totp_pending TEXT,
                    created_at TEXT NOT NULL,
                    disabled_at TEXT,
                    last_login_at TEXT
                )
                """,
                "CREATE INDEX users_tenant ON users (tenant_id)",
                // Only a hash of the session token is kept (the cookie is the secret).
                """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id),
                    csrf_token TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    last_seen_at TEXT NOT NULL,
                    ip TEXT
                )
                """,
                "CREATE INDEX sessions_user ON sessions (user_id)",
            ]
        },
        Migration(id: 13, name: "cases: oldest open due date (aging)") { _ in
            [
                "ALTER TABLE cases ADD COLUMN oldest_due TEXT",
                "CREATE INDEX cases_oldest_due ON cases (tenant_id, oldest_due)",
            ]
        },
        Migration(id: 14, name: "messages: the reply and payment each attempt led to (channel effectiveness)") { _ in
            [
                "ALTER TABLE messages ADD COLUMN replied_at TEXT",
                "ALTER TABLE messages ADD COLUMN paid_at TEXT",
            ]
        },
        Migration(id: 15, name: "covering indexes for the dashboard's aggregates") { _ in
            [
                "CREATE INDEX messages_effect ON messages (tenant_id, direction, status, at, channel, stage, replied_at, paid_at)",
                "CREATE INDEX invoices_month ON invoices (tenant_id, currency, factored, issue_date, amount_minor)",
            ]
        },
        Migration(id: 16, name: "messages: who wrote each (template or model), its tokens and time") { _ in
            [
                "ALTER TABLE messages ADD COLUMN composer TEXT",
                "ALTER TABLE messages ADD COLUMN composer_model TEXT",
                "ALTER TABLE messages ADD COLUMN llm_tokens INTEGER",
                "ALTER TABLE messages ADD COLUMN llm_ms INTEGER",
                "ALTER TABLE messages ADD COLUMN composer_notes TEXT",
            ]
        },
        Migration(id: 17, name: "messages a model was asked to write, by time (the model's monthly figures)") { _ in
            [
                "CREATE INDEX messages_composer ON messages (tenant_id, at) WHERE composer IS NOT NULL"
            ]
        },
        Migration(id: 18, name: "contacts: the language each writes in, learned from replies") { _ in
            [
                "ALTER TABLE contacts ADD COLUMN language TEXT"
            ]
        },
        Migration(id: 19, name: "inbound: messages kept as received, handled by a worker") { d in
            [
                """
                CREATE TABLE inbound (
                    id \(d.identityPrimaryKey),
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    kind TEXT NOT NULL,
                    dedup_key TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    status TEXT NOT NULL,
                    error TEXT,
                    done_at TEXT,
                    received_ms BIGINT NOT NULL,
                    done_ms BIGINT,
                    UNIQUE (tenant_id, dedup_key)
                )
                """,
                "CREATE INDEX inbound_queued ON inbound (tenant_id, status) WHERE status = 'queued'",
            ]
        },
        Migration(id: 20, name: "audit entries keyed with the master key; the store's own facts (the master key's check)") { _ in
            [
                "ALTER TABLE audit_log ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0",
                "CREATE TABLE store_facts (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            ]
        },
        Migration(id: 21, name: "users: failed sign-ins, lockout, the last second-factor step used") { _ in
            [
                "ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE users ADD COLUMN locked_until TEXT",
                "ALTER TABLE users ADD COLUMN totp_last_step BIGINT",
            ]
        },
        Migration(id: 22, name: "api keys: who made each, when it expires") { _ in
            [
                "ALTER TABLE api_keys ADD COLUMN created_by TEXT",
                "ALTER TABLE api_keys ADD COLUMN expires_at TEXT",
                "CREATE INDEX api_keys_maker ON api_keys (created_by) WHERE created_by IS NOT NULL",
            ]
        },
        Migration(id: 23, name: "secrets sealed at rest (the store seals those stored in clear when it applies this)") { _ in
            [
                "UPDATE store_facts SET value = value WHERE name = 'master_key_check'"
            ]
        },
        Migration(id: 24, name: "contacts a reply names, proposed for a person to approve") { d in
            [
                """
                CREATE TABLE contact_proposals (
                    id \(d.identityPrimaryKey),
                    tenant_id TEXT NOT NULL,
                    debtor_id TEXT NOT NULL,
                    contact TEXT NOT NULL,
                    reason_code TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    message_id TEXT,
                    created_at TEXT NOT NULL,
                    decided_at TEXT,
                    decision TEXT,
                    decided_by TEXT
                )
                """,
                "CREATE INDEX contact_proposals_open ON contact_proposals (tenant_id, decided_at, id)",
            ]
        },
    ]

    /// Serialises migrations of concurrently starting processes on PostgreSQL (a transaction-scoped
    /// advisory lock); SQLite's BEGIN IMMEDIATE already does.
    static let advisoryLockKey: Int64 = 0x0_0E_D0E_0001
    /// The migration that keys the audit chain.
    static let auditKeyed = 20
    /// The migration after which secrets are sealed at rest (the store seals those in clear).
    static let secretsSealed = 23

    /// Applies the pending migrations; returns the ids this process applied.
    @discardableResult
    static func apply(_ store: Store) async throws -> [Int] {
        var done: [Int] = []
        try await store.write { s in
            try await lockForMigration(s)
            try await s.exec("CREATE TABLE IF NOT EXISTS overdue_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        }
        let applied = try await store.read { s in
            try await s.rows("SELECT id FROM overdue_migrations ORDER BY id").map { try $0.int("id") }
        }
        let known = all.map(\.id).max() ?? 0
        if let newest = applied.max(), newest > known { throw StoreError.tooNew(applied: Int(newest), known: known) }
        for m in all where !applied.contains(Int64(m.id)) {
            do {
                let ran = try await store.write { s -> Bool in
                    try await lockForMigration(s)
                    // Another process may have applied it while this one waited for the lock.
                    if try await s.row("SELECT id FROM overdue_migrations WHERE id = ?", [.int(Int64(m.id))]) != nil { return false }
                    for sql in m.statements(s.dialect) { try await s.exec(sql) }
                    try await s.exec(
                        "INSERT INTO overdue_migrations (id, name, applied_at) VALUES (?, ?, ?)",
                        [.int(Int64(m.id)), .text(m.name), .time(store.clock.now())])
                    return true
                }
                if ran {
                    store.logger.info("applied migration \(m.id): \(m.name)")
                    done.append(m.id)
                }
            } catch {
                throw StoreError.migration(id: m.id, name: m.name, message: describeStoreError(error))
            }
        }
        return done
    }

    private static func lockForMigration(_ s: Session) async throws {
        guard s.dialect == .postgres else { return }
        // The statement timeout guards the application's queries; a migration waits for another
        // process's migration and may rewrite a large table, so neither is cut short (for this
        // transaction only).
        try await s.exec("SET LOCAL statement_timeout = 0")
        try await s.exec("SELECT pg_advisory_xact_lock(\(advisoryLockKey))")
    }
}
