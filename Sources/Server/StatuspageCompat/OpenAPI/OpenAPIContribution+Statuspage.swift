package import HTTP
import Wire

extension OpenAPIContribution {
    /// Statuspage's public v2 documents, feeds and badges, and its management API v1 (each of whose
    /// paths `V1Router` also serves with `.json` appended).
    package static var statuspage: OpenAPIContribution {
        OpenAPIContribution(
            operations: OpenAPIStatuspage.operations + OpenAPIStatuspage.extras + OpenAPIStatuspageV1.operations,
            schemas: OpenAPIStatuspage.schemas.merging(OpenAPIStatuspageV1.schemas) { $1 },
            aliases: Set(OpenAPIStatuspageV1.operations.map { "\($0.method.uppercased()) \($0.path).json" }))
    }
}
