import Foundation
import HummingbirdTesting
import Testing
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// Issue 20's API fuzzing from the outside: Schemathesis (from PyPI; `scripts/test.sh` installs it
/// and sets OVERDUE_TEST_SCHEMATHESIS) reads the served OpenAPI document and drives every
/// operation of a live server with generated requests — the document's examples and boundaries,
/// random valid and invalid data, and stateful sequences following the links it infers — once
/// per role. Checks (`scripts/schemathesis.toml`): no 5xx, no undocumented status or content
/// type, answers match their schemas, no schema-violating request accepted, 405 with `Allow` for
/// undocumented methods, no operation answers without credentials.
@Suite struct APISchemaFuzzTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The run's seed (OVERDUE_FUZZ_SEED replays another run).
    static let seed = ProcessInfo.processInfo.environment["OVERDUE_FUZZ_SEED"] ?? "20261208"

    /// A key of `role` for the demo tenant (the owner's is the suite's own).
    static func key(_ role: Role) -> String {
        role == .owner ? APITests.ownerKey : "od_" + String((role.rawValue + "xxxxxxxxxx").prefix(10)) + "_" + String(repeating: "f", count: 40)
    }

    @Test(arguments: Role.allCases) func everyOperationHoldsItsDocumentForRole(_ role: Role) async throws {
        guard let schemathesis = ProcessInfo.processInfo.environment["OVERDUE_TEST_SCHEMATHESIS"] else {
            Issue.record("OVERDUE_TEST_SCHEMATHESIS is not set: run scripts/test.sh (it installs Schemathesis from PyPI)")
            return
        }
        let key = Self.key(role)
        try await APITests().withApp(
            setup: { store in
                guard role != .owner else { return }
                try await store.write { s in
                    try await s.exec(
                        "INSERT INTO api_keys (prefix, tenant_id, name, role, hash, created_at) VALUES (?, 'demo', 'fuzz', ?, ?, ?)",
                        [.text(String(key.prefix(13))), .text(role.rawValue), .text(APIKey.hash(key)), .time(Date())])
                }
            },
            configure: {
                // One caller sending thousands of requests a minute, some without credentials.
                $0.apiRatePerMinute = 10_000_000; $0.authFailuresPerMinute = 10_000_000
            }
        ) { client, store in
            let port = try #require(client.port)
            let report = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-schemathesis-\(role.rawValue)-\(UUID().uuidString).txt")
            defer { try? FileManager.default.removeItem(at: report) }
            _ = FileManager.default.createFile(atPath: report.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: schemathesis)
            // Its cache goes where it runs: not into the repository.
            process.currentDirectoryURL = FileManager.default.temporaryDirectory
            process.arguments = [
                "--no-color", "--config-file", Self.repo.appendingPathComponent("scripts/schemathesis.toml").path, "run",
                "http://127.0.0.1:\(port)/api/v1/openapi.json", "-H", "Authorization: Bearer \(key)", "--seed", Self.seed,
            ]
            let output = try FileHandle(forWritingTo: report)
            process.standardOutput = output
            process.standardError = output
            try process.run()
            // A run takes a minute or two; one that is still going after 15 is stuck, not slow.
            let deadline = ContinuousClock.now + .seconds(900)
            while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
            if process.isRunning {
                process.terminate()
                Issue.record("Schemathesis as \(role.rawValue) still ran after 15 minutes")
            }
            process.waitUntilExit()
            try output.close()
            let text = (try? String(contentsOf: report, encoding: .utf8)) ?? ""
            let failures = text.range(of: "FAILURES").map { String(text[$0.lowerBound...].prefix(12_000)) } ?? String(text.suffix(4_000))
            #expect(process.terminationStatus == 0, "Schemathesis as \(role.rawValue) (seed \(Self.seed)) failed:\n\(failures)")
            // Not a vacuous run: every documented operation was tried, with thousands of requests.
            let total = text.firstMatch(of: /Selected: \d+\/(\d+)/).flatMap { Int($0.1) } ?? 0
            let tested = text.firstMatch(of: /Tested: (\d+)/).flatMap { Int($0.1) } ?? 0
            #expect(total > 60 && tested == total, "tested \(tested) of \(total) operations: \(text.suffix(2_000))")
            let generated = text.firstMatch(of: /(\d+) generated/).flatMap { Int($0.1) } ?? 0
            #expect(generated > 1_000, "only \(generated) test cases generated")
            // The fuzzer's own key still works (it did not lock itself out halfway), and the
            // audit chain is whole.
            try await client.execute(uri: "/api/v1/cases?limit=1", method: .get, headers: ResourceAPITests.headers(key)) { response in
                #expect(response.status == .ok)
            }
            #expect(try await store.read { try await $0.brokenAuditLink() } == nil)
        }
    }
}
