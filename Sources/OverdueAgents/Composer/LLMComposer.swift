import Foundation
import Logging
import OverdueCore

/// Lets any OpenAI-compatible model write a message, never trusting it with facts: the template
/// composer writes the same message first (the facts, the fallback); the model's draft must pass
/// `DraftGuard` (every amount, date, number, address and link is one the case holds; opt-out line
/// and sender present; no threats or blocked words; channel length; the debtor's language). A
/// refused draft gets one retry with the failures explained; then the template's message goes, and
/// why is noted. A model that errs, is slow past its timeout, or has spent the month's token budget
/// never holds a message up.
public struct LLMComposer: Composer {
    /// What the tenant configured (`llm.*` settings).
    public struct Configuration: Sendable, Hashable {
        /// Base URL up to `/v1`.
        public var baseURL: String
        /// Model name.
        public var model: String
        /// Bearer key.
        public var apiKey: String
        /// Per call for email and SMS.
        public var textTimeout: Duration
        /// Per call for a spoken turn.
        public var voiceTimeout: Duration
        /// Sampling temperature.
        public var temperature: Double
        /// Tokens per calendar month (0: no limit).
        public var monthlyTokens: Int
        /// The tenant's guardrail policy.
        public var policy: DraftGuard.Policy
        /// Tone guide for the model.
        public var tone: String?
        /// Language debtors are written to.
        public var language: String

        /// The configuration `settings` describe, or nil when models are off.
        public static func from(_ settings: TenantSettings) -> Configuration? {
            guard settings.modelProvider == .openai else { return nil }
            let blocked = (settings.value("llm.blocked_phrases") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return Configuration(
                baseURL: settings.value("llm.base_url")!, model: settings.value("llm.model")!,
                apiKey: settings.value("llm.api_key") ?? "", textTimeout: .milliseconds(settings.int("llm.timeout_ms")),
                voiceTimeout: .milliseconds(settings.int("llm.voice_timeout_ms")),
                temperature: settings.number("llm.temperature"), monthlyTokens: settings.int("llm.monthly_tokens"),
                policy: DraftGuard.Policy(blocked: blocked), tone: settings.value("llm.tone"), language: settings.value("llm.language")!)
        }
    }

    let configuration: Configuration
    let client: any ChatClient
    let fallback: TemplateComposer
    /// Tokens the tenant spent in the calendar month of the given instant, up to it.
    let spent: @Sendable (Date) async throws -> Int
    let logger: Logger
    /// "Now" for a request that does not say when it is composed.
    let clock: any Clock

    /// Creates the composer; `spent` reports the month's tokens so far (for the budget).
    public init(
        configuration: Configuration, client: (any ChatClient)? = nil, fallback: TemplateComposer,
        spent: @escaping @Sendable (Date) async throws -> Int = { _ in 0 }, logger: Logger = Logger(label: "overdue.llm"),
        clock: any Clock = SystemClock()
    ) {
        self.clock = clock
        self.configuration = configuration
        self.client = client ?? OpenAIChatClient(baseURL: configuration.baseURL, apiKey: configuration.apiKey)
        self.fallback = fallback
        self.spent = spent
        self.logger = logger
    }

    /// The facts a draft for `r` may state: the request's and everything the template's message says.
    public static func facts(_ r: CompositionRequest, template: ComposedMessage, language: String) -> DraftGuard.Facts {
        let s = r.settings
        var amounts: Set<Int64> = []
        var refs: Set<String> = []
        var dates: Set<LocalDate> = []
        for l in r.invoices {
            amounts.formUnion([l.balance.minorUnits, l.invoice.amount.minorUnits])
            refs.formUnion([l.invoice.number, l.invoice.loadNumber, l.invoice.proNumber, l.invoice.bolNumber, l.invoice.poNumber].compactMap { $0 })
            dates.formUnion([l.invoice.dueDate, l.invoice.issueDate])
        }
        var totals: [Currency: Int64] = [:]
        for l in r.invoices { totals[l.balance.currency, default: 0] += l.balance.minorUnits }
        amounts.formUnion(totals.values)
        let trusted = [template.subject, template.body, r.details.values.joined(separator: "\n"), r.lines.joined(separator: "\n")].compactMap { $0 }.joined(
            separator: "\n")
        let given = DraftGuard.Facts(
            amounts: amounts, dates: dates, references: refs,
            emails: Set([s.value("sender.email")].compactMap { $0 }),
            phones: Set([s.value("sender.phone"), s.value("sms.from"), s.value("voice.from")].compactMap { $0 }),
            senders: [s.companyName, s.senderName],
            links: [s.value("pay.url"), s.value("public_url")].compactMap { $0 } + r.documents.compactMap(\.link), language: language)
        let year = r.now.map { LocalDate($0, in: s.timeZone).year } ?? dates.map(\.year).max()
        return given.union(DraftGuard.mentioned(in: trusted, language: language, year: year))
    }

    /// The instructions: the model's role, the channel's form, and the rules it may not break.
    static func instructions(_ r: CompositionRequest, configuration c: Configuration) -> String {
        let form: String
        switch r.channel {
        case .email:
            form = "an email. Start with one line 'Subject: …', then the body. End with: To stop receiving these emails, reply \"unsubscribe\"."
        case .sms:
            form = "one text message of at most 300 characters, no line breaks. End with: Reply STOP to opt out."
        case .voice:
            form = "what the caller says aloud, at most 60 words, no lists or symbols."
        }
        return """
            You write \(form)
            You write for \(r.settings.companyName)'s accounts-receivable team to \(r.contactName.isEmpty ? "the customer" : r.contactName) at \(r.debtor.name), \
            about freight invoices. Sign as \(r.settings.senderName) of \(r.settings.companyName).
            Rules: use only the amounts, dates, invoice/load/PRO/BOL/PO numbers, emails, phone numbers and links in CASE and REFERENCE — never others. \
            No threats, no legal action, no credit reporting, no pressure words. Be courteous, brief and clear. Write in \(LanguageGuess.name(c.language)).
            \(c.tone.map { "Tone: \($0)." } ?? "")
            Answer with the message only.
            """
    }

    /// The case as the model sees it: only what this message needs (no contact addresses).
    static func caseJSON(_ r: CompositionRequest) -> String {
        var o: [String: Any] = [
            "message_kind": r.kind.rawValue, "channel": r.channel.rawValue, "debtor": r.debtor.name, "contact": r.contactName,
            "company": r.settings.companyName, "tone": r.tone.rawValue,
        ]
        o["invoices"] = r.invoices.map { l -> [String: Any] in
            var i: [String: Any] = [
                "number": l.invoice.number, "balance": l.balance.description, "due": l.invoice.dueDate.description, "days_late": l.daysPastDue,
            ]
            if let v = l.invoice.loadNumber { i["load"] = v }
            if let v = l.invoice.proNumber { i["pro"] = v }
            if let v = l.invoice.bolNumber { i["bol"] = v }
            return i
        }
        if !r.details.isEmpty { o["details"] = r.details }
        if !r.lines.isEmpty { o["lines"] = r.lines }
        if let v = r.settings.value("pay.url") { o["pay_link"] = v }
        if let v = r.settings.value("sender.phone") { o["callback_phone"] = v }
        let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Splits an email draft's `Subject:` line from its body.
    static func parse(_ text: String, channel: Channel) -> (subject: String?, body: String) {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.hasPrefix("```") { body = body.trimmingCharacters(in: CharacterSet(charactersIn: "`")).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard channel == .email else { return (nil, channel == .email ? body : body.replacingOccurrences(of: "\n", with: " ")) }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        if let first = lines.first, first.lowercased().hasPrefix("subject:") {
            return (
                first.dropFirst("subject:".count).trimmingCharacters(in: .whitespaces),
                lines.dropFirst().joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            )
        }
        return (nil, body)
    }

    /// The tools offered: four that read the case (what this message is about, nothing else), and
    /// the proposals `ModelProposal` judges. The model never writes to the case.
    static let tools: [ChatTool] =
        [
            ChatTool(
                name: "get_case", description: "The debtor, the contact addressed, the open balance and how late it is.",
                parameters: #"{"type":"object","properties":{}}"#),
            ChatTool(
                name: "list_invoices", description: "The invoices this message is about: numbers, load/PRO/BOL/PO, balance, due date, days late.",
                parameters: #"{"type":"object","properties":{}}"#),
            ChatTool(
                name: "get_documents", description: "Documents on file for those invoices (POD, BOL, rate confirmation…).",
                parameters: #"{"type":"object","properties":{}}"#),
            ChatTool(name: "get_history", description: "The conversation so far, oldest first.", parameters: #"{"type":"object","properties":{}}"#),
        ] + ModelProposal.tools.map { ChatTool(name: $0.name, description: $0.description, parameters: $0.parameters) }

    /// Answers one tool call from the request (reads) or the proposal rules (proposals).
    static func run(_ call: ChatMessage.ToolCall, _ r: CompositionRequest, now: Date) -> (result: String, verdict: ModelProposal.Verdict?) {
        func json(_ o: Any) -> String {
            (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
        switch call.name {
        case "get_case":
            return (
                json([
                    "debtor": r.debtor.name, "contact": r.contactName, "open_balance": TemplateComposer.totals(r.invoices),
                    "open_invoices": r.invoices.count, "oldest_days_late": r.invoices.map(\.daysPastDue).max() ?? 0,
                ]), nil
            )
        case "list_invoices":
            return (
                json(
                    r.invoices.map { l -> [String: Any] in
                        [
                            "number": l.invoice.number, "load": l.invoice.loadNumber ?? "", "pro": l.invoice.proNumber ?? "", "bol": l.invoice.bolNumber ?? "",
                            "po": l.invoice.poNumber ?? "", "balance": l.balance.description, "due": l.invoice.dueDate.description, "days_late": l.daysPastDue,
                        ]
                    }), nil
            )
        case "get_documents":
            return (json(r.documents.map { ["invoice": $0.ref.invoiceNumber, "kind": $0.ref.kind.rawValue, "filename": $0.ref.filename] }), nil)
        case "get_history":
            return (json(Array(r.history.suffix(10))), nil)
        default:
            let zone = r.settings.timeZone
            let view = ModelProposal.Case(
                open: Dictionary(r.invoices.map { ($0.invoice.number, $0.balance) }, uniquingKeysWith: { a, _ in a }),
                documents: r.documents.map { ($0.ref.invoiceNumber, $0.ref.kind) }, today: LocalDate(now, in: zone),
                maxPromiseDays: r.settings.promiseMaxDays)
            let v = ModelProposal.judge(tool: call.name, arguments: call.arguments, case: view, now: now)
            return (json(["accepted": v.accepted, "reason": v.reason.message]), v)
        }
    }

    /// Texts whose wording carriers and the law fix (opt-out and opt-in confirmations, HELP): always the template's.
    static let templateOnly: Set<MessageKind> = [.optOutConfirmation, .optInConfirmation, .help]

    /// Writes the message for `r` (`Composer`).
    public func compose(_ r: CompositionRequest) async throws -> ComposedMessage {
        var template = try fallback.compose(r)
        guard !Self.templateOnly.contains(r.kind) else { return template }
        let c = configuration
        func useTemplate(_ notes: [String], tokens: Int, ms: Int, proposals: [ModelProposal.Verdict] = []) -> ComposedMessage {
            template.composition = CompositionNote(composer: "template", model: c.model, tokens: tokens, milliseconds: ms, notes: notes)
            template.composition?.proposals = proposals
            logger.warning("\(r.channel.rawValue) \(r.kind.rawValue) for \(r.debtor.id): the template's message is used — \(notes.joined(separator: "; "))")
            return template
        }
        let now = r.now ?? clock.now()
        if c.monthlyTokens > 0, let used = try? await spent(now), used >= c.monthlyTokens {
            return useTemplate(["the month's token budget (\(c.monthlyTokens)) is spent"], tokens: 0, ms: 0)
        }
        let facts = Self.facts(r, template: template, language: c.language)
        var messages = [
            ChatMessage(role: "system", content: Self.instructions(r, configuration: c)),
            ChatMessage(
                role: "user",
                content:
                    "CASE: \(Self.caseJSON(r))\n\nREFERENCE (say the same in your own words):\n\(template.subject.map { "Subject: \($0)\n" } ?? "")\(template.body)"
            ),
        ]
        var tokens = 0
        var waited = 0
        var notes: [String] = []
        let timeout = r.channel == .voice ? c.voiceTimeout : c.textTimeout
        var proposals: [ModelProposal.Verdict] = []
        // A live call cannot wait for rounds of tools and a retry: one try, within the voice timeout.
        let toolRounds = r.channel == .voice ? 0 : Self.maxToolRounds
        for attempt in 1...(r.channel == .voice ? 1 : 2) {
            var reply: ChatReply
            // A few rounds of tool calls (reads, proposals) before the draft; then it must write.
            var round = 0
            repeat {
                let started = ContinuousClock.now
                do {
                    reply = try await client.complete(
                        model: c.model, messages: messages, tools: round < toolRounds ? Self.tools : [],
                        temperature: c.temperature, maxTokens: r.channel == .email ? 600 : 200, timeout: timeout)
                } catch {
                    waited += Self.ms(ContinuousClock.now - started)
                    return useTemplate(notes + ["the model did not answer: \(error)"], tokens: tokens, ms: waited, proposals: proposals)
                }
                waited += Self.ms(ContinuousClock.now - started)
                tokens += reply.promptTokens + reply.completionTokens
                guard !reply.message.toolCalls.isEmpty, round < toolRounds else { break }
                messages.append(reply.message)
                for call in reply.message.toolCalls {
                    let (result, verdict) = Self.run(call, r, now: now)
                    if let verdict { proposals.append(verdict) }
                    messages.append(ChatMessage(role: "tool", content: result, toolCallID: call.id))
                }
                round += 1
            } while true
            let (subject, body) = Self.parse(reply.message.content ?? "", channel: r.channel)
            let failures = DraftGuard.check(subject: subject, body: body, channel: r.channel, kind: r.kind, facts: facts, policy: c.policy)
            if failures.isEmpty {
                var out = ComposedMessage(
                    subject: r.channel == .email ? (subject ?? template.subject) : nil, body: r.channel == .email ? body + "\n" : body,
                    html: r.channel == .email ? TemplateComposer.html(body) : nil)
                out.composition = CompositionNote(
                    composer: "model", model: c.model, tokens: tokens, milliseconds: waited,
                    notes: attempt > 1 ? ["second draft (first refused: \(notes.joined(separator: "; ")))"] : [])
                out.composition?.proposals = proposals
                return out
            }
            let why = failures.prefix(6).map(\.message)
            notes.append("draft \(attempt) refused: " + why.joined(separator: "; "))
            messages.append(ChatMessage(role: "assistant", content: reply.message.content ?? ""))
            messages.append(
                ChatMessage(
                    role: "user",
                    content: "That draft cannot be sent:\n" + why.map { "- \($0)" }.joined(separator: "\n")
                        + "\nRewrite it fixing every point. Use only facts from CASE and REFERENCE."))
        }
        return useTemplate(notes, tokens: tokens, ms: waited, proposals: proposals)
    }

    /// Rounds of tool calls per draft before the model must write.
    static let maxToolRounds = 3

    static func ms(_ d: Duration) -> Int { Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000) }
}
