/// The `/docs` viewer: one page, a stylesheet and a script that render `/openapi.json` in the browser,
/// all served by statusd itself so that the docs work without internet access. Written by hand
/// because the usual viewers (Swagger UI, Redoc) are megabyte bundles made by a JavaScript build that
/// this project does not have; the document only needs to be read, tag by tag and schema by schema.
package enum DocsViewer {
    package static let html = String(decoding: PackageResources.docs_html, as: UTF8.self)

    package static let css = String(decoding: PackageResources.docs_css, as: UTF8.self)

    package static let script = String(decoding: PackageResources.docs_js, as: UTF8.self)
}
