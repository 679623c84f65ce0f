import Foundation
import Testing
@testable import OverdueAgents
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// Every dashboard page rendered from fixed data and compared byte for byte with its snapshot in
/// `Tests/Fixtures/snapshots`, so any change to a page's markup is seen in review. After an
/// intended change: `OVERDUE_UPDATE_SNAPSHOTS=1 swift test --filter PageSnapshotTests`, then read the diff.
@Suite struct PageSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/snapshots")
    static let now = Timestamp.parse("2026-11-20T16:00:00Z")!
    static let today = LocalDate(year: 2026, month: 11, day: 20)!
    static let chicago = TimeZone(identifier: "America/Chicago")!
    static let manager = Pages.Viewer(email: "mo@lakeside.test", role: .manager, tenant: "lakeside", csrf: "csrf-fixed-token")
    static let owner = Pages.Viewer(email: "olu@lakeside.test", role: .owner, tenant: "lakeside", csrf: "csrf-fixed-token")
    static let hostile = #"<script>alert(1)</script> "><img src=x onerror=alert(2)>"#

    static func usd(_ cents: Int64) -> Money { Money(minorUnits: cents, currency: .usd) }

    static func record(_ id: String, _ name: String, status: CaseStatus, cents: Int64, due: String) -> CaseRecord {
        CaseRecord(
            debtorID: id, debtorName: name, status: status, balance: usd(cents), otherBalances: [], openInvoices: 2,
            nextActionAt: now.addingTimeInterval(3600), nextActionChannel: .sms, oldestDue: LocalDate.parse(due),
            reasons: [Reason("scheduled", "next: sms attempt 1 of 3 (stage 2 of 3) to Dana at 2026-11-20T17:00:00Z")],
            state: CaseState(), updatedAt: now)
    }

    static func message(
        _ id: String, _ direction: MessageRecord.Direction, _ channel: Channel, minutesAgo: Double, body: String,
        status: MessageRecord.Status
    ) -> MessageRecord {
        MessageRecord(
            id: id, key: "k/\(id)", direction: direction, channel: channel, at: now.addingTimeInterval(-minutesAgo * 60), debtorID: "D100",
            contactID: 1, contactName: "Dana Ruiz", to: direction == .outbound ? "dana@acme.test" : nil, from: direction == .inbound ? "dana@acme.test" : nil,
            invoiceNumbers: ["INV-7001"], stage: direction == .outbound ? 1 : nil, attempt: direction == .outbound ? 1 : nil,
            kind: direction == .outbound ? "reminder" : "reply", subject: channel == .email ? "Invoice INV-7001" : nil, body: body, status: status)
    }

    static func summary(_ r: CaseRecord) -> CaseSummary {
        CaseSummary(
            debtorID: r.debtorID, debtorName: r.debtorName, status: r.status, balance: r.balance, oldestDue: r.oldestDue,
            nextActionAt: r.nextActionAt, nextActionChannel: r.nextActionChannel)
    }

    static var caseData: Pages.CaseData {
        let invoices = [
            Invoice(
                number: "INV-7001", debtorID: "D100", amount: usd(245_000), issueDate: today.adding(days: -45), dueDate: today.adding(days: -15),
                loadNumber: "LD-88"),
            Invoice(number: "INV-7002", debtorID: "D100", amount: usd(90_000), issueDate: today.adding(days: -20), dueDate: today.adding(days: 10)),
        ]
        let contact = Contact(
            id: 1, debtorID: "D100", name: "Dana Ruiz", email: "dana@acme.test", phone: "+13125550100", role: "AP", timeZone: "America/Chicago",
            smsConsent: true, callConsent: false)
        var data = Pages.CaseData(
            record: record("D100", "Acme Shippers " + hostile, status: .active, cents: 335_000, due: "2026-11-05"),
            contacts: [contact], suppressions: [Suppression(contactID: 1, channel: .voice, reason: "asked not to be called")],
            invoices: invoices,
            documents: [
                StoredDocument(
                    ref: DocumentRef(
                        id: "doc1", invoiceNumber: "INV-7001", kind: .pod, filename: "pod.pdf", contentType: "application/pdf", size: 1200, sha256: "ab"),
                    debtorID: "D100", path: "ab/pod.pdf", token: "t", createdAt: now)
            ],
            messages: [
                {
                    var m = message("m1", .outbound, .email, minutesAgo: 600, body: "Invoice INV-7001 is 15 days past due.", status: .sent)
                    m.composition = CompositionNote(
                        composer: "model", model: "gpt-4o-mini", tokens: 508, milliseconds: 930,
                        notes: ["second draft (first refused: the amount \"$9.99\" is not one the case holds)"])
                    return m
                }(),
                message("m2", .inbound, .email, minutesAgo: 300, body: "We dispute the lumper " + hostile, status: .received),
                message("m3", .outbound, .email, minutesAgo: 290, body: "Thanks — we are looking into it.", status: .draft),
            ],
            decisions: [
                (now.addingTimeInterval(-280 * 60), "wait", [Reason("dispute", "invoice INV-7001 disputed (accessorial charges); not chased until resolved")])
            ],
            promises: [
                Commitment(
                    id: "p1", kind: .promise, contactID: 1, channel: .email, madeAt: now.addingTimeInterval(-86_400), date: today.adding(days: 5),
                    target: usd(90_000), amountStated: true, reviewAt: now.addingTimeInterval(7 * 86_400))
            ],
            disputes: [Dispute(id: "d1", invoiceNumber: "INV-7001", reason: .accessorial, openedAt: now.addingTimeInterval(-280 * 60))],
            holds: [Hold(debtorID: "D100", invoiceNumber: "INV-7002", reason: "customer audit", until: now.addingTimeInterval(10 * 86_400))],
            payments: [Payment(id: "pay1", debtorID: "D100", amount: usd(10_000), date: today.adding(days: -2), reference: "CHK 881")],
            now: now)
        data.openInvoices = ["INV-7001", "INV-7002"]
        data.zone = chicago
        return data
    }

    static var pages: [(String, HTML)] {
        let settings = TenantSettings(values: [
            "company.name": "Lakeside Freight", "window.holidays": "12-25, 2026-11-26", "twilio.auth_token": "secret-token-value-1234",
        ])
        let overview = Pages.OverviewData(
            overview: Overview(
                cases: [
                    CaseFigures(debtorID: "D100", balance: usd(335_000), oldestDue: today.adding(days: -15), status: .active),
                    CaseFigures(debtorID: "D200", balance: usd(1_200_000), oldestDue: today.adding(days: -95), status: .handoff),
                ],
                currency: .usd, today: today),
            collected: 480_000, promises: PromiseFigures(promises: caseData.promises, today: today),
            disputes: [("accessorial charges (detention, lumper, layover…)", 2)],
            effectiveness: [
                ChannelEffectiveness(channel: .email, stage: 1, sent: 120, replied: 18, paid: 9),
                ChannelEffectiveness(channel: .sms, stage: 2, sent: 60, replied: 15, paid: 6),
            ],
            dso: DSOTrend.compute(
                invoiced: ["2026-08": 3_000_000, "2026-09": 2_800_000, "2026-10": 3_100_000, "2026-11": 2_000_000],
                collected: ["2026-09": 2_500_000, "2026-10": 2_900_000, "2026-11": 1_800_000], today: today),
            model: ModelUsage(written: 41, fellBack: 3, tokens: 52_310, averageMilliseconds: 870))
        let work = [
            Pages.WorkItem(
                record: summary(record("D200", "Big Box Retail", status: .handoff, cents: 1_200_000, due: "2026-08-17")), score: 88.5,
                reasons: ["95 days late", "waiting for a person"], daysPastDue: 95),
            Pages.WorkItem(
                record: summary(record("D100", "Acme Shippers " + hostile, status: .active, cents: 335_000, due: "2026-11-05")), score: 12.25,
                reasons: ["15 days late"], daysPastDue: 15),
        ]
        let inbox = [
            (
                item: InboxItem(
                    id: 7, debtorID: "D100", kind: .draft, code: "dispute", reason: "dispute on INV-7001: a person reviews it " + hostile,
                    messageID: "m2", draftID: "m3", createdAt: now, resolvedAt: nil, resolution: nil),
                debtorName: Optional("Acme Shippers"), message: Optional(caseData.messages[1]), draft: Optional(caseData.messages[2])
            )
        ]
        let user = User(
            id: "usr_1", tenant: "lakeside", email: "mo@lakeside.test", name: "Mo", role: .manager, passwordHash: "x", totpSecret: nil,
            totpPending: nil, createdAt: now, disabledAt: nil)
        let audit = [
            AuditEntry(
                id: 2, tenant: "lakeside", at: now, actor: "user:mo@lakeside.test", action: "app.post", object: "/app/cases/D100/promise",
                outcome: "ok", ip: "127.0.0.1", detail: "", prevHash: "a", hash: "b")
        ]
        let policy = Policy.standard
        let steps = CadencePreview.run(
            policy: policy, settings: TenantSettings(values: ["company.timezone": "America/Chicago"]),
            facts: CadencePreview.sampleFacts(settings: TenantSettings(values: ["company.timezone": "America/Chicago"]), due: today),
            from: today.at(in: chicago), dueDay: today)
        let key = APIKey(prefix: "od_abc123", tenant: "lakeside", name: "TMS sync", role: .collector, createdAt: now, revokedAt: nil, lastUsedAt: nil)
        let hook = WebhookSubscription(
            id: "wh_1", tenant: "lakeside", url: "https://erp.example.com/overdue", events: ["payment.recorded"], secret: "whsec_hidden",
            description: "ERP", createdAt: now, disabledAt: nil)
        return [
            ("login", Pages.login(error: "the email or password is wrong", email: "mo@lakeside.test", next: "/app/cases")),
            ("overview", Pages.overview(overview, viewer: manager)),
            ("worklist", Pages.worklist(work, total: 250, page: 2, query: "INV-7001", status: "all", viewer: manager)),
            ("case", Pages.casePage(caseData, viewer: manager, flash: .notice("Promise recorded: the ladder waits for it."))),
            (
                "inbox",
                Pages.inbox(
                    inbox, total: 120, page: 2,
                    proposals: [
                        (
                            ContactProposal(
                                id: 7, debtorID: "D100",
                                contact: NewContact(name: "AP Desk", email: "ap@acme-freight.test", phone: nil, timeZone: "America/Chicago"),
                                reason: Reason("redirect", "a reply from dana@acme-freight.test says the right contact is ap@acme-freight.test"),
                                messageID: "m2",
                                createdAt: now), "Acme Freight <LLC>"
                        )
                    ], viewer: manager)
            ),
            ("cadence", Pages.cadence(Pages.CadenceForm(policy), errors: [], steps: steps, zone: chicago, previewing: false, viewer: manager, flash: nil)),
            ("templates", Pages.templates([("reminder", .email, false), ("reminder", .sms, true)], viewer: manager)),
            (
                "template-editor",
                Pages.templateEditor(
                    name: "reminder", channel: .sms, subject: nil, body: "Hi {{contact_name}}, {{total}} is overdue.", tenant: true, viewer: manager)
            ),
            ("import", Pages.importPage(viewer: manager)),
            (
                "settings",
                Pages.settings(settings, errors: ["window.start": "window.start: must be a time HH:MM (e.g. 08:00) (got '25:00')"], viewer: manager, flash: nil)
            ),
            ("users", Pages.users([user], self: "usr_0", viewer: owner, flash: .error("Not done — email: is not an email address."))),
            ("keys", Pages.keys([key], made: ("od_abc123_secret", "TMS sync"), viewer: owner, flash: nil)),
            ("webhooks", Pages.webhooks([(hook, ["delivered": 3])], made: nil, errors: [], typedURL: "", viewer: owner, flash: nil)),
            ("account", Pages.account(viewer: manager, user: user, enrolment: nil, notice: nil, errors: [])),
            ("audit", Pages.audit(audit, broken: nil, viewer: owner)),
        ]
    }

    @Test func everyPageMatchesItsSnapshot() throws {
        let update = ProcessInfo.processInfo.environment["OVERDUE_UPDATE_SNAPSHOTS"] == "1"
        for (name, page) in Self.pages {
            let file = Self.directory.appendingPathComponent("\(name).html")
            let html = page.rendered
            // Whatever the snapshot says, debtor text never reaches a page as markup.
            #expect(!html.contains("<script>alert"), "\(name)")
            #expect(!html.contains("<img src=x"), "\(name)")
            // …and none of the page's own markup is escaped into text (a String where HTML was meant).
            for tag in [
                "&lt;text", "&lt;a ", "&lt;div", "&lt;span", "&lt;tr", "&lt;td", "&lt;li", "&lt;p", "&lt;form", "&lt;input", "&lt;strong", "&lt;rect",
                "&lt;circle", "&lt;option",
            ] {
                #expect(!html.contains(tag), "\(name): escaped markup \(tag)")
            }
            #expect(!html.contains("secret-token-value") && !html.contains("whsec_hidden"), "\(name): a stored secret is never shown")
            if update {
                try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
                try Data(html.utf8).write(to: file)
                continue
            }
            guard let stored = try? String(contentsOf: file, encoding: .utf8) else {
                Issue.record("no snapshot \(file.path); run OVERDUE_UPDATE_SNAPSHOTS=1 swift test --filter PageSnapshotTests")
                continue
            }
            if stored != html {
                let a = stored.split(separator: "\n", omittingEmptySubsequences: false), b = html.split(separator: "\n", omittingEmptySubsequences: false)
                let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
                Issue.record(
                    """
                    \(name).html differs from the page at line \(line + 1):
                      snapshot: \(line < a.count ? String(a[line]) : "<end>")
                      page:     \(line < b.count ? String(b[line]) : "<end>")
                    (an intended change: OVERDUE_UPDATE_SNAPSHOTS=1 swift test --filter PageSnapshotTests)
                    """)
            }
        }
    }
}
