import Foundation
import OverdueCore
import OverdueStore

/// Seeds a demo tenant: a trucking company with ~40 shippers and brokers, ~300 invoices, contacts in
/// US, Canadian and Mexican time zones, some paid, some partially paid, some factored.
public struct DemoTenant: Sendable {
    /// What was seeded.
    public struct Summary: Hashable, Sendable {
        /// Debtors created.
        public var debtors: Int
        /// Contacts created.
        public var contacts: Int
        /// Invoices created.
        public var invoices: Int
        /// Payments created.
        public var payments: Int
    }

    /// The data set as of `asOf` (invoice dates are relative to it).
    public let asOf: LocalDate

    /// Creates the demo relative to `asOf`.
    public init(asOf: LocalDate) { self.asOf = asOf }

    static let shippers = [
        "Great Lakes Steel Supply", "Heartland Grain Co-op", "Blue Ridge Furniture", "Sunbelt Produce Distributors",
        "Cascade Paper Products", "Ozark Poultry Processing", "Keystone Building Materials", "Desert Sun Solar",
        "Prairie Packaging Inc", "Twin Cities Appliance", "Bayou Chemical Supply", "Rocky Mountain Beverage",
        "Maple Leaf Lumber (Ontario)", "Fraser Valley Foods", "Northern Plains Fertilizer", "Gulf Coast Plastics",
        "Monterrey Autopartes SA de CV", "Jalisco Agave Exports", "Hudson Valley Dairy", "Piedmont Textiles",
        "Sonoran Copper Works", "Willamette Timber", "Lone Star Pipe & Tube", "Appalachian Coal Sales",
    ]
    static let brokers = [
        "Summit Freight Brokerage", "Crossroads Logistics", "Interstate Load Partners", "Bluewater Transport Brokers",
        "RedLine Freight Solutions", "Northstar Brokerage Services", "Pacific Rim Logistics", "Gateway Freight Group",
        "Ironhorse Capacity", "Evergreen Load Board Brokers", "Tri-State Truckload", "Frontier Freight Connect",
        "Borderland Cross-Dock Brokers", "Canuck Freight Brokers", "Midwest Lane Partners", "Atlas Carrier Network",
    ]
    static let zones = [
        "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix",
        "America/Toronto", "America/Vancouver", "America/Winnipeg", "America/Mexico_City", "America/Monterrey",
        "America/Tijuana", "America/Halifax",
    ]
    static let firstNames = [
        "Dana", "Luis", "Priya", "Marcus", "Aiko", "Rosa", "Tom", "Chloé", "Jamal", "Grace", "Mateo", "Ingrid",
        "Omar", "Hannah", "Diego", "Nora", "Kevin", "Fatima", "Ben", "Lucía",
    ]
    static let lastNames = [
        "Reyes", "Olsen", "Patel", "Nguyen", "Tremblay", "García", "Kowalski", "Brooks", "Hernández", "Fischer",
        "Mbeki", "Larsen", "Dubois", "Okafor", "Schmidt", "Ramírez", "Walsh", "Sato", "Moreau", "Castillo",
    ]

    /// The settings the demo company uses.
    public static let settings: [(String, String)] = [
        ("company.name", "Prairie Line Trucking"), ("company.timezone", "America/Chicago"), ("company.country", "US"),
        ("sender.name", "Prairie Line AR Team"), ("sender.email", "ar@prairieline.example"), ("sender.phone", "+13125550100"),
    ]

    /// Builds the data set.
    public func build() -> (debtors: [Debtor], contacts: [Contact], invoices: [Invoice], payments: [Payment]) {
        var rng = SeededGenerator(seed: 0x0DE_0DDE)
        var debtors: [Debtor] = []
        var contacts: [Contact] = []
        var invoices: [Invoice] = []
        var payments: [Payment] = []
        let names = DemoTenant.shippers.map { ($0, "S") } + DemoTenant.brokers.map { ($0, "B") }
        var invoiceSeq = 10_400, loadSeq = 58_100, proSeq = 7_700_120
        for (i, (name, kind)) in names.enumerated() {
            let id = "\(kind)\(String(format: "%03d", i + 1))"
            debtors.append(Debtor(id: id, name: name))
            let zone: String
            if name.contains("SA de CV") || name.contains("Jalisco") || name.contains("Sonoran") {
                zone = ["America/Mexico_City", "America/Monterrey", "America/Tijuana"][i % 3]
            } else if name.contains("Ontario") || name.contains("Fraser") || name.contains("Canuck") {
                zone = ["America/Toronto", "America/Vancouver", "America/Winnipeg"][i % 3]
            } else {
                zone = DemoTenant.zones[Int(rng.next() % 5)]
            }
            let mexican = zone.hasPrefix("America/M") || zone == "America/Tijuana"
            let canadian = ["America/Toronto", "America/Vancouver", "America/Winnipeg", "America/Halifax"].contains(zone)
            let currency = mexican ? Currency("MXN")! : canadian ? Currency("CAD")! : .usd
            let domain = name.lowercased().filter { $0.isLetter }.prefix(14) + ".example"
            let contactCount = 1 + Int(rng.next() % 3)
            for c in 0..<contactCount {
                let first = DemoTenant.firstNames[Int(rng.next() % UInt64(DemoTenant.firstNames.count))]
                let last = DemoTenant.lastNames[Int(rng.next() % UInt64(DemoTenant.lastNames.count))]
                let hasEmail = c == 0 || rng.next() % 4 != 0
                let line = 100 + (i * 3 + c) % 100
                let phone: String? =
                    rng.next() % 6 == 0 && c > 0
                    ? nil : (mexican ? "+5255555501\(String(format: "%02d", line % 100))" : "+1312555\(String(format: "%04d", line))")
                let smsConsent = phone != nil && rng.next() % 3 != 0
                let callConsent = phone != nil && rng.next() % 4 != 0
                let preferred: Channel? = c == 0 && rng.next() % 5 == 0 ? (smsConsent ? .sms : .email) : nil
                contacts.append(
                    Contact(
                        id: 0, debtorID: id, name: c == 0 && rng.next() % 4 == 0 ? "Accounts Payable" : "\(first) \(last)",
                        email: hasEmail ? "\(first.lowercased().filter { $0.isASCII })\(c == 0 ? "" : ".\(c)")@\(domain)" : nil,
                        phone: phone, role: c == 0 ? "AP" : ["Controller", "Logistics manager", "Owner"][c % 3],
                        timeZone: zone, smsConsent: smsConsent, callConsent: callConsent, preferredChannel: preferred))
            }
            let invoiceCount = 4 + Int(rng.next() % 8)
            // A few accounts pay everything (resolved) and a few only have recent loads (current).
            let paysAll = i % 11 == 3, recentOnly = i % 9 == 4
            for _ in 0..<invoiceCount {
                invoiceSeq += 1; loadSeq += 1; proSeq += 7
                let issue = asOf.adding(days: -Int(recentOnly ? 2 + rng.next() % 20 : 5 + rng.next() % 110))
                let termsDays = [30, 30, 30, 15, 45][Int(rng.next() % 5)]
                let cents = Int64(45_000 + (rng.next() % 805_000))
                let number = "PLT-\(invoiceSeq)"
                let factored = rng.next() % 25 == 0
                let inv = Invoice(
                    number: number, debtorID: id, amount: Money(minorUnits: cents - cents % 100, currency: currency),
                    issueDate: issue, dueDate: issue.adding(days: termsDays),
                    loadNumber: "L\(loadSeq)", proNumber: String(proSeq), bolNumber: "BOL-\(loadSeq + 300_000)",
                    poNumber: rng.next() % 2 == 0 ? "PO\(4_000_000 + Int(rng.next() % 999_999))" : nil,
                    terms: "Net \(termsDays)", factored: factored)
                invoices.append(inv)
                guard !factored else { continue }
                let roll = rng.next() % 100
                var payDay = issue.adding(days: termsDays - 5 + Int(rng.next() % 25))
                if paysAll { payDay = min(payDay, asOf.adding(days: -1)) }
                guard payDay <= asOf else { continue }
                if roll < 38 || paysAll {
                    let ref = ["ACH PRO \(inv.proNumber!)", "Check 10\(rng.next() % 9999) load \(inv.loadNumber!)", "Remit \(inv.number)"][Int(rng.next() % 3)]
                    payments.append(Payment(id: "DEMO-PAY-\(payments.count + 1)", debtorID: id, amount: inv.amount, date: payDay, reference: ref))
                } else if roll < 48 {
                    let part = inv.amount.minorUnits / 100 * Int64(30 + rng.next() % 50)
                    payments.append(
                        Payment(
                            id: "DEMO-PAY-\(payments.count + 1)", debtorID: id,
                            amount: Money(minorUnits: part - part % 100, currency: currency), date: payDay,
                            reference: "Partial payment \(inv.number)", invoiceNumber: inv.number))
                }
            }
        }
        return (debtors, contacts, invoices, payments)
    }

    /// Writes the data set and the demo settings into `tenant`.
    public func seed(store: Store, tenant: String, now: Date) async throws -> Summary {
        let data = build()
        return try await store.write { s in
            try await s.ensureTenant(tenant, now: now)
            var settings = try await s.settings(tenant)
            for (k, v) in DemoTenant.settings { try settings.set(k, v) }
            try await s.saveSettings(tenant, settings)
            try await s.savePolicy(tenant, .standard)
            try await s.upsertDebtors(tenant, data.debtors)
            try await s.upsertContacts(tenant, data.contacts)
            try await s.upsertInvoices(tenant, data.invoices)
            try await s.upsertPayments(tenant, data.payments)
            try await s.scheduleAll(tenant, at: Session.asap, mode: .earliest)
            return Summary(debtors: data.debtors.count, contacts: data.contacts.count, invoices: data.invoices.count, payments: data.payments.count)
        }
    }
}
