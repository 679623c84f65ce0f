import Foundation

/// Overdue's OpenAPI 3.1 document, served at `/api/v1/openapi.json`. Its source is
/// `Resources/openapi.json`, written by `scripts/gen-openapi.py` from compact tables (edit them
/// there, then run it) and embedded in the binary when it is built (`Package.swift`:
/// `.embedInCode`), so a deployed binary needs no resource files.
enum OpenAPIDocument {
    /// The document as JSON.
    static let json = String(decoding: PackageResources.openapi_json, as: UTF8.self)

    /// Each documented path as segments (`{name}` stands for any one segment) with its methods,
    /// upper case.
    static let routes: [(segments: [Substring], methods: [String])] = {
        let document = (try? JSONSerialization.jsonObject(with: Data(PackageResources.openapi_json))) as? [String: Any]
        let paths = document?["paths"] as? [String: [String: Any]] ?? [:]
        let verbs: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        return paths.map { path, operations in
            (path.split(separator: "/"), operations.keys.filter(verbs.contains).map { $0.uppercased() }.sorted())
        }
    }()

    /// The methods documented for `path`, nil when no documented path matches it: "no such
    /// method here" (405 with `Allow`) is then told from "no such path" (404). As the router
    /// does, a literal segment wins over a `{name}` one (`/users/me` is not `/users/{id}`).
    static func methods(for path: String) -> [String]? {
        let given = path.split(separator: "/")
        let found = routes.filter { route in
            route.segments.count == given.count
                && zip(route.segments, given).allSatisfy { template, segment in template.first == "{" || template == segment }
        }
        // Literal segments, left to right: the greatest is the route the router would take.
        func literal(_ route: (segments: [Substring], methods: [String])) -> [Int] { route.segments.map { $0.first == "{" ? 0 : 1 } }
        guard let best = found.map(literal).max(by: { $0.lexicographicallyPrecedes($1) }) else { return nil }
        return Array(Set(found.filter { literal($0) == best }.flatMap(\.methods))).sorted()
    }
}
