package import Mustache
import Wire

/// The public pages' Mustache templates (`Resources/page-*.mustache`, embedded in the binary: statusd
/// ships as one file), compiled once at start-up into one library. Every value is written
/// with `{{...}}`, which escapes `& < > " '`: user text is shown as text in HTML and in attributes.
/// The pages run no inline script or style, so the Content-Security-Policy can forbid both.
package enum PageTemplates {
    package static func library() throws -> MustacheLibrary {
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in sources { templates[name] = try MustacheTemplate(string: text) }
        return MustacheLibrary(templates: templates)
    }

    package static let sources: [(String, String)] = [
        ("head", head), ("foot", foot), ("incident", incident), ("maintenance", maintenance),
        ("status", status), ("history", history), ("permalink", permalink), ("subscription", subscription),
    ]

    package static let head = String(decoding: PackageResources.page_head_mustache, as: UTF8.self)

    package static let foot = String(decoding: PackageResources.page_foot_mustache, as: UTF8.self)

    package static let incident = String(decoding: PackageResources.page_incident_mustache, as: UTF8.self)

    package static let maintenance = String(decoding: PackageResources.page_maintenance_mustache, as: UTF8.self)

    package static let status = String(decoding: PackageResources.page_status_mustache, as: UTF8.self)

    package static let history = String(decoding: PackageResources.page_history_mustache, as: UTF8.self)

    package static let permalink = String(decoding: PackageResources.page_permalink_mustache, as: UTF8.self)

    package static let subscription = String(decoding: PackageResources.page_subscription_mustache, as: UTF8.self)
}
