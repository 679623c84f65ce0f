/// Overdue's OpenAPI 3.1 document, served at `/api/v1/openapi.json`. Its source is
/// `Resources/openapi.json`, written by `scripts/gen-openapi.py` from compact tables (edit them
/// there, then run it) and embedded in the binary when it is built (`Package.swift`:
/// `.embedInCode`), so a deployed binary needs no resource files.
enum OpenAPIDocument {
    /// The document as JSON.
    static let json = String(decoding: PackageResources.openapi_json, as: UTF8.self)
}
