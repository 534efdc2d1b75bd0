/// statusd's version, in one place: `statusd --version`, the start-up line, `/health` and the OpenAPI
/// document's `info.version` all read it. Raise it with each release (semantic versioning: the
/// HTTP surface and the file formats are the public API).
package enum StatusdVersion {
    package static let current = "0.7.0"
}
