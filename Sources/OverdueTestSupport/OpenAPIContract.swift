import Foundation

/// Checks HTTP requests against an OpenAPI 3 document: the path matches a template, the method is
/// an operation of it, a form body has every required field, no undeclared one, enum values from
/// the enum, phone numbers in E.164 and URIs as URLs; a query carries only declared parameters.
/// Used by the provider contract tests (Twilio's official document for API 2010).
public struct OpenAPIContract: @unchecked Sendable {
    // Immutable after init.
    let spec: [String: Any]

    /// Loads the document at `path`.
    public init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw CocoaError(.fileReadCorruptFile) }
        spec = object
    }

    /// The repository's copy of `name` under `Tests/Fixtures/providers/`.
    public static func fixture(_ name: String, file: String = #filePath) -> String {
        var dir = URL(fileURLWithPath: file).deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("Tests/Fixtures/providers/\(name)").path
    }

    func resolve(_ node: Any?) -> [String: Any]? {
        guard let dict = node as? [String: Any] else { return nil }
        guard let ref = dict["$ref"] as? String, ref.hasPrefix("#/") else { return dict }
        var cur: Any? = spec
        for part in ref.dropFirst(2).split(separator: "/") { cur = (cur as? [String: Any])?[String(part)] }
        return resolve(cur)
    }

    /// What is wrong with a request (empty when it conforms).
    public func problems(method: String, url: String, form: [(String, String)]?, query: [(String, String)] = []) -> [String] {
        guard let components = URLComponents(string: url) else { return ["\(url) is not a URL"] }
        let path = components.percentEncodedPath
        let paths = spec["paths"] as? [String: Any] ?? [:]
        guard let template = paths.keys.first(where: { Self.matches(path, template: $0) }), let item = paths[template] as? [String: Any] else {
            return ["no operation for path \(path)"]
        }
        guard let op = item[method.lowercased()] as? [String: Any] else { return ["\(method) is not an operation of \(template)"] }
        var out: [String] = []
        let declared = ((op["parameters"] as? [Any]) ?? []).compactMap(resolve).filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String }
        for (k, _) in query where !declared.contains(k) { out.append("query parameter \(k) is not declared for \(method) \(template)") }
        if let form {
            guard
                let schema = resolve(
                    (((op["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/x-www-form-urlencoded"] as? [String: Any])?["schema"])
            else {
                return out + ["\(method) \(template) takes no form body"]
            }
            let props = schema["properties"] as? [String: Any] ?? [:]
            for r in schema["required"] as? [String] ?? [] where !form.contains(where: { $0.0 == r }) { out.append("required field \(r) is missing") }
            for (k, v) in form {
                guard let prop = resolve(props[k]) else { out.append("field \(k) is not in the schema"); continue }
                if let values = prop["enum"] as? [String], !values.contains(v) { out.append("field \(k)=\(v) is not one of \(values)") }
                if let items = resolve(prop["items"]), let values = items["enum"] as? [String], !values.contains(v) {
                    out.append("field \(k)=\(v) is not one of \(values)")
                }
                switch prop["format"] as? String {
                case "phone-number":
                    if v.range(of: #"^\+[1-9][0-9]{6,14}$"#, options: .regularExpression) == nil { out.append("field \(k)=\(v) is not an E.164 number") }
                case "uri":
                    if URL(string: v)?.scheme.map({ ["http", "https"].contains($0) }) != true { out.append("field \(k)=\(v) is not an http(s) URL") }
                default: break
                }
                if prop["type"] as? String == "boolean" && !["true", "false"].contains(v) { out.append("field \(k)=\(v) is not a boolean") }
                if prop["type"] as? String == "integer" && Int(v) == nil { out.append("field \(k)=\(v) is not an integer") }
            }
        }
        return out
    }

    static func matches(_ path: String, template: String) -> Bool {
        let a = path.split(separator: "/", omittingEmptySubsequences: false), b = template.split(separator: "/", omittingEmptySubsequences: false)
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            if y.contains("{") {
                // `{Sid}.json`: the variable part is anything, the literal suffix must match.
                let suffix = y.split(separator: "}", maxSplits: 1).dropFirst().first ?? ""
                if !x.hasSuffix(suffix) || x.count <= suffix.count { return false }
            } else if x != y {
                return false
            }
        }
        return true
    }
}
