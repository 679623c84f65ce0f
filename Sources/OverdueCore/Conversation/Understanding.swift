import Foundation

/// Why a debtor disputes an invoice.
public enum DisputeReason: String, Codable, Sendable, CaseIterable {
    case amountIncorrect = "amount_incorrect"
    case accessorial
    case damageShortage = "damage_shortage"
    case notDelivered = "not_delivered"
    case duplicate
    case rate
    case other

    /// How people say it.
    public var label: String {
        switch self {
        case .amountIncorrect: return "amount incorrect"
        case .accessorial: return "accessorial charges (detention, lumper, layover…)"
        case .damageShortage: return "damage or shortage"
        case .notDelivered: return "not delivered"
        case .duplicate: return "duplicate billing"
        case .rate: return "rate not as agreed"
        case .other: return "other"
        }
    }

    /// What the debtor should send (or what we will send) so the dispute can be settled.
    public var evidenceChecklist: [String] {
        switch self {
        case .accessorial:
            return [
                "the facility's in/out times or ELD records for the stop", "the detention/lumper terms on the rate confirmation",
                "any lumper receipt or signed in/out sheet you hold",
            ]
        case .damageShortage:
            return [
                "the delivery receipt/POD with the exceptions noted at delivery", "photos of the damage or count of the shortage",
                "the claim amount and how it was calculated",
            ]
        case .notDelivered:
            return ["the consignee and delivery date you expected", "any tracking or appointment records you hold"]
        case .duplicate:
            return ["the other invoice number you were billed for the same load", "the payment reference if you paid it"]
        case .rate:
            return ["the rate confirmation you agreed to (we will send ours)", "the amount you expected to be billed"]
        case .amountIncorrect:
            return ["the amount you expected and how it was calculated", "any short-pay or deduction reference"]
        case .other:
            return ["a short description of what is wrong", "any document that shows it"]
        }
    }
}

/// A kind of document stored for an invoice.
public enum DocumentKind: String, Codable, Sendable, CaseIterable {
    case invoice
    case pod
    case bol
    case rateConfirmation = "rate_confirmation"
    case w9
    case statement

    /// How people say it.
    public var label: String {
        switch self {
        case .invoice: return "invoice copy"
        case .pod: return "proof of delivery (POD)"
        case .bol: return "bill of lading (BOL)"
        case .rateConfirmation: return "rate confirmation"
        case .w9: return "W-9"
        case .statement: return "statement of account"
        }
    }
}

/// What the reader understood of an inbound message, as the decider needs it.
public struct Understanding: Hashable, Sendable, Codable {
    /// The intent.
    public var intent: Intent
    /// How sure the reader is, in [0, 1].
    public var confidence: Double
    /// The tone.
    public var sentiment: Sentiment
    /// The promised date (promises), the first instalment's (plans) or the day asked for (callbacks).
    public var promiseDate: LocalDate?
    /// The amount named.
    public var amount: Money?
    /// Invoice/load/PRO/BOL/PO numbers as written.
    public var invoiceRefs: [String]
    /// Why the debtor disputes.
    public var disputeReason: DisputeReason?
    /// The document asked for.
    public var document: DocumentKind?
    /// The right contact's email or phone, as written.
    public var redirect: String?
    /// When an absent contact is back.
    public var returnDate: LocalDate?
    /// The channel an opt-out is about; nil with `optOutAll` false means the message's own channel.
    public var optOutChannel: Channel?
    /// Whether the opt-out covers every channel.
    public var optOutAll: Bool
    /// The carrier keyword an SMS consisted of (STOP, START, HELP…).
    public var keyword: String?
    /// A time of day named for a callback, in minutes after local midnight.
    public var callbackMinute: Int?
    /// The language the reply is written in (`en`, `es`, `fr`).
    public var language: String?

    /// Creates an understanding.
    public init(
        intent: Intent, confidence: Double, sentiment: Sentiment = .neutral, promiseDate: LocalDate? = nil, amount: Money? = nil,
        invoiceRefs: [String] = [], disputeReason: DisputeReason? = nil, document: DocumentKind? = nil, redirect: String? = nil,
        returnDate: LocalDate? = nil, optOutChannel: Channel? = nil, optOutAll: Bool = false, keyword: String? = nil, callbackMinute: Int? = nil,
        language: String? = nil
    ) {
        self.intent = intent
        self.confidence = confidence
        self.sentiment = sentiment
        self.promiseDate = promiseDate
        self.amount = amount
        self.invoiceRefs = invoiceRefs
        self.disputeReason = disputeReason
        self.document = document
        self.redirect = redirect
        self.returnDate = returnDate
        self.optOutChannel = optOutChannel
        self.optOutAll = optOutAll
        self.keyword = keyword
        self.language = language
        self.callbackMinute = callbackMinute
    }
}

extension Understanding {
    /// The channel an opt-out received on `channel` stops; nil: every channel.
    public func stoppedChannel(receivedOn channel: Channel) -> Channel? { optOutAll ? nil : (optOutChannel ?? channel) }
}
