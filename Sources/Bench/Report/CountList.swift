import ArgumentParser
import Foundation

/// A comma-separated list of counts, as `--writers 1,16,256` takes: the grid a scenario sweeps.
enum CountList {
    static func parse(_ text: String) -> [Int] {
        text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Checks that `text` is a non-empty list of counts within `range`.
    static func validate(_ text: String, option: String, range: ClosedRange<Int>) throws {
        let counts = parse(text)
        guard !counts.isEmpty, counts.count == text.split(separator: ",").count, counts.allSatisfy(range.contains)
        else {
            throw ValidationError(
                "\(option) takes counts from \(range.lowerBound) to \(range.upperBound), comma-separated, e.g. 1,16,256"
            )
        }
    }
}
