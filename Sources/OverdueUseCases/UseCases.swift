import Foundation
import OverdueAgents
import OverdueCore
import OverdueStore

/// Overdue's application layer: every use case, written once. The API, the dashboard, the CLI and
/// the provider webhooks are doors onto it — they parse what a caller sent, call one entry here and
/// present what it returns. An entry validates its input once, writes in one transaction, records
/// its event, and re-plans the case, taking "now" from the injected clock. Reads for pages and
/// listings are query entries here too; the doors never see the store. `Runtime` builds it.
public struct UseCases: Sendable {
    /// The database: only the application layer reads and writes it.
    let store: Store
    /// Where "now" comes from: the wall clock live, a virtual one in `overdue run`.
    public let clock: any Clock
    /// What sends and answers (its channels): needed by the use cases that send (an approved
    /// draft, a person's message); nil in a process that only records.
    public let conversations: ConversationEngine?
    /// Where stored documents are.
    public let documentLibrary: DocumentLibrary
    /// The overview's slow figures, shared by every request of this process.
    let aggregates = AggregateCache()

    /// The use cases over `store`, with time from `clock`, sending through `conversations`.
    public init(
        store: Store, clock: any Clock = SystemClock(), conversations: ConversationEngine? = nil,
        documents: DocumentLibrary = DocumentLibrary(directory: DocumentLibrary.defaultDirectory)
    ) {
        self.store = store
        self.clock = clock
        self.conversations = conversations
        self.documentLibrary = documents
    }
}

/// Why a use case refused: the one error every door presents — the API as an RFC 9457 problem,
/// the dashboard as a message on its form, the CLI as a usage error (exit 2).
public struct UseCaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of refusal it is.
    public enum Kind: Sendable, Equatable {
        /// The input is wrong (HTTP 422).
        case invalid
        /// What the input names does not exist (HTTP 404 when it is the subject itself).
        case notFound
        /// The input is fine but the state forbids it now (HTTP 409).
        case conflict
        /// The caller may not do this (HTTP 403).
        case forbidden
        /// The caller did not prove who they are: a wrong password or second-factor code (HTTP 401).
        case unauthorized
    }

    /// One bad input: the field as the use case names it (`debtor_id`, `until`) and what is wrong.
    public struct Problem: Sendable, Hashable {
        /// The field, in the API's words.
        public let field: String
        /// What is wrong with it.
        public let message: String

        /// A problem with `field`.
        public init(_ field: String, _ message: String) {
            self.field = field
            self.message = message
        }
    }

    /// The kind of refusal.
    public let kind: Kind
    /// Each bad input (for code `contact_rules`, each rule the action would break, by its code).
    public let problems: [Problem]
    /// Which refusal it is, for machines (`not_a_draft`, `contact_rules`), when the kind alone does not say.
    public let code: String?

    /// A refusal of `kind` for `problems`.
    public init(_ kind: Kind, _ problems: [Problem], code: String? = nil) {
        self.kind = kind
        self.problems = problems
        self.code = code
    }

    /// An invalid input.
    public static func invalid(_ field: String, _ message: String) -> UseCaseError { UseCaseError(.invalid, [Problem(field, message)]) }

    /// Something named that does not exist.
    public static func notFound(_ field: String, _ message: String) -> UseCaseError { UseCaseError(.notFound, [Problem(field, message)]) }

    /// What it is, in words.
    public var description: String { problems.map { "\($0.field): \($0.message)" }.joined(separator: "; ") }

    /// The value of a pure check from the core (`ManualRecord`), its refusal as an invalid input.
    static func checked<T>(_ check: () throws(ManualRecord.Refused) -> T) throws(UseCaseError) -> T {
        do {
            return try check()
        } catch {
            throw UseCaseError(.invalid, error.problems.map { Problem($0.field, $0.message) })
        }
    }
}
