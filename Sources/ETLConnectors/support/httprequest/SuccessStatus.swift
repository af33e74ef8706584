import Foundation
import ETLCore

/// Which response statuses count as delivered: `201`, `2xx`, `200-204`.
struct SuccessStatus {
    let ranges: [ClosedRange<Int>]

    init(_ options: Options) throws {
        let written = options[HTTPRequestOptions.successStatus]
        var ranges: [ClosedRange<Int>] = []
        for item in written {
            guard let range = Self.range(item) else {
                throw options.error(HTTPRequestOptions.successStatus, "success_status '\(item)' is not a status",
                                    hint: "write codes (201), classes (2xx) or ranges (200-204) between 100 and 599")
            }
            ranges.append(range)
        }
        guard !ranges.isEmpty else {
            throw options.error(HTTPRequestOptions.successStatus, "success_status is empty", hint: "leave it out for 2xx")
        }
        self.ranges = ranges
    }

    static func range(_ text: String) -> ClosedRange<Int>? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.count == 3, t.hasSuffix("xx"), let d = Int(t.prefix(1)), (1...5).contains(d) { return (d * 100)...(d * 100 + 99) }
        let bounds = t.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        if bounds.count == 1, let code = bounds[0], (100...599).contains(code) { return code...code }
        if bounds.count == 2, let low = bounds[0], let high = bounds[1], 100 <= low, low <= high, high <= 599 { return low...high }
        return nil
    }

    func contains(_ status: Int) -> Bool { ranges.contains { $0.contains(status) } }
}
