import Foundation
import Logging
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueStore
import ServiceLifecycle

/// The composition root: the one place a process (`overdue serve`, `overdue worker`, each CLI
/// command, a test) builds its object graph — the store, the channels, the composer, the case
/// processor, the conversation engine, the use cases, and on demand the scheduler, the mailbox
/// reader, the provider webhooks and the voice agent — each part once, all sharing the same
/// processor and channels. Replacing a part is one argument here: `channels:` for another
/// provider (or a recorder), `composer:` for another writer of messages.
///
/// The doors (`OverdueServer`, the `overdue` executable) never see the store: they get a runtime
/// and call `useCases`.
public final class Runtime: Sendable {
    /// Where each channel's messages go.
    public enum ChannelChoice: Sendable {
        /// Nothing leaves the process (every channel is the sandbox).
        case sandbox
        /// The tenant's providers: SMTP for email, the configured SMS and voice providers, whose
        /// APIs are at the operator's `ProviderEndpoints`.
        case live(ProviderEndpoints)
        /// Every channel appends what it would send to this JSON-lines file (crash tests count it).
        case recording(URL)
        /// These adapters (the sandbox for any channel left out).
        case custom([Channel: any ChannelAdapter])

        /// `recording` to `OVERDUE_SANDBOX_RECORD` when it is set, else `live` with the providers'
        /// APIs where the environment puts them (`ProviderEndpoints.from(environment:)`).
        public static func fromEnvironment() throws(Failure) -> ChannelChoice {
            if let path = ProcessInfo.processInfo.environment["OVERDUE_SANDBOX_RECORD"], !path.isEmpty { return .recording(URL(fileURLWithPath: path)) }
            do { return .live(try ProviderEndpoints.from()) } catch { throw Failure(badInput: true, description: "\(error)") }
        }
    }

    /// Why a runtime could not be built.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// True when the database URL itself is wrong (the caller's input); false when the
        /// database could not be opened or migrated.
        public let badInput: Bool
        /// What went wrong, with the server's message (and SQLSTATE) when the database said no.
        public let description: String
    }

    let store: Store
    /// Where "now" comes from.
    public let clock: any Clock
    /// Where stored documents are.
    public let documents: DocumentLibrary
    /// The adapter of each channel.
    public let channels: [Channel: any ChannelAdapter]
    /// Carries recorded messages to their channels: shared by the dispatcher and the conversation engine.
    public let delivery: Delivery
    /// Plans a case and carries out the decision: the dispatcher every part below shares.
    public let processor: CaseProcessor
    /// The inbound pipeline (replies on every channel), sending through `processor`.
    public let conversations: ConversationEngine
    /// Every use case, for the doors.
    public let useCases: UseCases
    /// The process's logger.
    public let logger: Logger

    /// The database URL when none is given (`sqlite://./overdue.sqlite`).
    public static let defaultDatabase = DatabaseURL.default.raw

    /// A runtime over an open `store` (tests open theirs; a process uses `open`).
    /// `composer` replaces the standard composer factory (templates, or a model when the tenant set one).
    public init(
        store: Store, clock: any Clock = SystemClock(), documents: DocumentLibrary = DocumentLibrary(directory: DocumentLibrary.defaultDirectory),
        channels choice: ChannelChoice = .sandbox, composer: ComposerFactory? = nil,
        logger: Logger = Logger(label: "overdue")
    ) {
        self.store = store
        self.clock = clock
        self.documents = documents
        self.logger = logger
        let channels: [Channel: any ChannelAdapter]
        switch choice {
        case .sandbox: channels = [:]
        case .live(let endpoints): channels = liveChannels(store: store, documents: documents, endpoints: endpoints, logger: logger)
        case .recording(let file):
            let recorder = RecordingChannel(file: file)
            channels = Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, recorder as any ChannelAdapter) })
        case .custom(let given): channels = given
        }
        self.channels = channels
        delivery = Delivery(store: store, channels: channels, logger: logger)
        processor = CaseProcessor(store: store, delivery: delivery, composers: composer ?? .standard(store: store), logger: logger)
        conversations = ConversationEngine(store: store, processor: processor, documents: documents, logger: logger)
        useCases = UseCases(store: store, clock: clock, conversations: conversations, documents: documents)
    }

    /// Opens (creating and migrating) the database at `database` and builds the runtime over it.
    /// Throws `Failure` naming the URL's problem, or the database's own message.
    public static func open(
        database: String, clock: any Clock = SystemClock(),
        documents: DocumentLibrary = DocumentLibrary(directory: DocumentLibrary.defaultDirectory),
        channels: ChannelChoice = .sandbox, logger: Logger = Logger(label: "overdue")
    ) async throws(Failure) -> Runtime {
        let url: DatabaseURL
        do { url = try DatabaseURL(database) } catch { throw Failure(badInput: true, description: error.description) }
        let store: Store
        do { store = try await Store.open(url, logger: logger, clock: clock) } catch {
            throw Failure(badInput: false, description: "cannot open database \(url): \(describeStoreError(error))")
        }
        return Runtime(store: store, clock: clock, documents: documents, channels: channels, logger: logger)
    }

    /// The database this runtime works on, as given (a password shown as `***`).
    public var database: String { store.url.description }

    /// Closes the database.
    public func close() async { await store.close() }

    /// Runs `body` and closes the database whatever happens.
    public func closing<T>(after body: (Runtime) async throws -> T) async throws -> T {
        try await store.closing { _ in try await body(self) }
    }

    /// A scheduler working due cases through `processor`: `owner` names this process in leases,
    /// which last `leaseSeconds`; each lane claims and plans up to `batchSize` cases together.
    public func scheduler(owner: String = "overdue-\(ProcessInfo.processInfo.processIdentifier)", leaseSeconds: Double = 30, batchSize: Int = 16)
        -> Scheduler
    {
        Scheduler(
            store: store, processor: processor, inbound: InboundWork(store: store, engine: conversations, logger: logger), owner: owner,
            leaseSeconds: leaseSeconds, batchSize: batchSize, logger: logger)
    }

    /// The reader of tenants' mailboxes, answering through `conversations`.
    public func mailReader() -> MailboxReader {
        MailboxReader(store: store, intake: MailIntake(store: store, engine: conversations, logger: logger), logger: logger)
    }

    /// The agent that speaks on calls.
    public func voiceAgent() -> VoiceAgent { VoiceAgent(store: store, engine: conversations, logger: logger) }

    /// The background work of a worker or a serving process: the scheduler's lanes, the mailbox
    /// reader, outbound webhooks, housekeeping and (on PostgreSQL) leader election.
    public func workerServices(scheduler: Scheduler, idleWait: Duration? = nil, concurrency: Int? = nil, mail: MailboxReader? = nil) -> [any Service] {
        OverdueAgents.workerServices(store: store, scheduler: scheduler, idleWait: idleWait, concurrency: concurrency, mail: mail, logger: logger)
    }
}

extension Runtime {
    /// Runs, on the virtual clock, everything of `tenant` that falls due in [`from`, `until`], in
    /// time order, through this runtime's channels. Refused (`conflict`, code `clock_behind`)
    /// when `from` is before where the tenant's virtual clock already stopped.
    public func simulate(tenant: String, from: Date, until: Date, progress: (@Sendable (Date, RunReport) -> Void)? = nil) async throws -> RunReport {
        do {
            return try await scheduler().simulate(tenant: tenant, from: from, until: until, progress: progress)
        } catch let e as StoreError {
            guard case .clockBehind(let m) = e else { throw e }
            throw UseCaseError(.conflict, [UseCaseError.Problem("from", m)], code: "clock_behind")
        }
    }
}

extension Runtime {
    /// Runs one conversation scenario (`overdue eval conversations`) in a database of its own, in
    /// memory, and throws that database away.
    public static func evaluate(_ scenario: ConversationEval.Scenario) async throws -> ConversationEval.Result {
        let store = try await Store.open(try DatabaseURL("sqlite::memory:"))
        return try await store.closing { try await ConversationEval.run(scenario, store: $0) }
    }
}
