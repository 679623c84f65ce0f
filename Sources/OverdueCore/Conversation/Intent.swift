/// What a reply asks for or tells us: exactly these labels.
public enum Intent: String, CaseIterable, Codable, Sendable {
    case promiseToPay = "promise_to_pay"
    case paid
    case dispute
    case documentRequest = "document_request"
    case paymentPlan = "payment_plan"
    case wrongContact = "wrong_contact"
    case optOut = "opt_out"
    case callbackRequest = "callback_request"
    case question
    case autoReply = "auto_reply"
    case acknowledge
    case abusive
    case other
}

/// The tone of a reply.
public enum Sentiment: String, CaseIterable, Codable, Sendable {
    case negative, neutral, positive
}
