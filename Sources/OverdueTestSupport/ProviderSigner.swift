import Foundation

/// Signs webhook requests with the providers' official Python libraries through
/// `scripts/provider-sign.py` (the test script installs them and sets OVERDUE_TEST_PROVIDER_SIGNER).
public enum ProviderSigner {
    /// Whether the signer is available.
    public static var available: Bool { ProcessInfo.processInfo.environment["OVERDUE_TEST_PROVIDER_SIGNER"] != nil }

    /// The provider's signing library is not installed here.
    public struct Unavailable: Error, CustomStringConvertible {
        /// What it is, in words.
        public var description: String
    }

    /// The signature for `request` (see the script for its fields).
    public static func sign(_ request: [String: Any]) throws -> String {
        guard let signer = ProcessInfo.processInfo.environment["OVERDUE_TEST_PROVIDER_SIGNER"] else {
            throw Unavailable(description: "OVERDUE_TEST_PROVIDER_SIGNER is not set (run scripts/test.sh)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", signer, String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Unavailable(description: "\(signer) exited with \(p.terminationStatus)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
