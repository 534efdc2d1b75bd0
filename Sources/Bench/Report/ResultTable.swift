import Foundation

/// One row of a scenario's results: its parameters and measured figures, printed as a JSON line, a
/// Markdown table row and a bar of the SVG chart.
struct BenchResult: Codable, Sendable {
    let scenario: String
    let parameters: [String: String]
    /// Operations per second of the scenario's main operation (commands, reads, ...).
    let opsPerSecond: Double
    let p50Micros: UInt64
    let p99Micros: UInt64
    let p999Micros: UInt64
    /// Figures beside the main one, e.g. reads per second while writes run.
    let extra: [String: Double]
    let environment: BenchEnvironment

    func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// Renders results for people: a Markdown table and an SVG bar chart.
enum ResultTable {
    static func markdown(_ results: [BenchResult], columns: [String], extraColumns: [String]) -> String {
        let header = columns + ["ops/s", "p50 µs", "p99 µs", "p99.9 µs"] + extraColumns
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in " ---: |" }.joined()]
        for result in results {
            let cells =
                columns.map { result.parameters[$0] ?? "" }
                + [format(result.opsPerSecond), "\(result.p50Micros)", "\(result.p99Micros)", "\(result.p999Micros)"]
                + extraColumns.map { format(result.extra[$0] ?? 0) }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.2f", value)
    }

    /// A grouped horizontal bar chart: for each label, one bar per series.
    static func svg(title: String, labels: [String], series: [(name: String, values: [Double])]) -> String {
        let colors = ["#2563eb", "#16a34a", "#d97706", "#dc2626"]
        let barHeight = 18
        let groupHeight = barHeight * series.count + 12
        let left = 150
        let width = 720
        let height = 60 + groupHeight * labels.count + 20 * series.count
        let maximum = max(1, series.flatMap(\.values).max() ?? 1)
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        svg += "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">\(escape(title))</text>\n"
        for (row, label) in labels.enumerated() {
            let top = 40 + row * groupHeight
            svg += "<text x=\"10\" y=\"\(top + barHeight)\">\(escape(label))</text>\n"
            for (index, item) in series.enumerated() {
                let value = index < item.values.count ? item.values[row] : 0
                let length = Int(Double(width - left - 110) * value / maximum)
                let y = top + index * barHeight
                svg +=
                    "<rect x=\"\(left)\" y=\"\(y)\" width=\"\(max(1, length))\" height=\"\(barHeight - 3)\" fill=\"\(colors[index % colors.count])\"/>\n"
                svg += "<text x=\"\(left + length + 6)\" y=\"\(y + barHeight - 6)\">\(format(value))</text>\n"
            }
        }
        for (index, item) in series.enumerated() {
            let y = height - 20 * (series.count - index) + 4
            svg +=
                "<rect x=\"10\" y=\"\(y - 10)\" width=\"12\" height=\"12\" fill=\"\(colors[index % colors.count])\"/>"
            svg += "<text x=\"28\" y=\"\(y)\">\(escape(item.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
