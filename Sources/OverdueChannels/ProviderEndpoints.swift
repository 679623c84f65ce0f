import Foundation

/// Where the SMS and voice providers' APIs are: the operator's configuration, never a tenant's
/// setting (a tenant who could point `api.twilio.com` elsewhere would receive its own provider
/// secret there, and could aim the server at the operator's network). Read from the environment
/// once, when a process builds its channels; tests point them at stand-ins.
public struct ProviderEndpoints: Sendable, Hashable {
    /// Twilio's REST API (texts and calls).
    public var twilio: String
    /// Vonage's SMS API.
    public var vonage: String
    /// Plivo's API.
    public var plivo: String

    /// The providers' public APIs.
    public static let standard = ProviderEndpoints(twilio: "https://api.twilio.com", vonage: "https://rest.nexmo.com", plivo: "https://api.plivo.com")

    /// The variables that move each (an operator running a proxy or a regional edge).
    public static let variables = ["OVERDUE_TWILIO_API_URL", "OVERDUE_VONAGE_API_URL", "OVERDUE_PLIVO_API_URL"]

    /// Endpoints at these base URLs.
    public init(twilio: String, vonage: String, plivo: String) {
        (self.twilio, self.vonage, self.plivo) = (twilio, vonage, plivo)
    }

    /// The standard endpoints, each replaced by its variable when set (`OVERDUE_TWILIO_API_URL`,
    /// `OVERDUE_VONAGE_API_URL`, `OVERDUE_PLIVO_API_URL`). Refused when one is not an http(s) URL.
    public static func from(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ProviderEndpoints {
        func url(_ name: String, _ standard: String) throws -> String {
            guard let v = environment[name], !v.isEmpty else { return standard }
            guard let u = URL(string: v), ["http", "https"].contains(u.scheme?.lowercased() ?? ""), u.host != nil else {
                throw ConfigurationError(description: "\(name) must be an http(s) URL, not '\(v)'")
            }
            return v.hasSuffix("/") ? String(v.dropLast()) : v
        }
        return ProviderEndpoints(
            twilio: try url(variables[0], standard.twilio), vonage: try url(variables[1], standard.vonage), plivo: try url(variables[2], standard.plivo))
    }

    /// Why the operator's configuration cannot be used.
    public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
        /// What is wrong, naming the variable.
        public var description: String
    }
}
