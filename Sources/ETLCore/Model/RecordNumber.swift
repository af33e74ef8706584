/// How messages name a record: counted from 1 in the order the source delivered
/// them (record 1 is the first record; in a CSV file with a header, on line 2).
/// `Record.position` itself stays 0-based.
public enum RecordNumber {
    /// `record 500 (the 500th from the source)` for position 499.
    public static func describe(_ position: Int) -> String {
        let n = position + 1
        return "record \(n) (the \(ordinal(n)) from the source)"
    }

    public static func ordinal(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }
}
