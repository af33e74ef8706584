import ETLCore

extension Interpolator {
    /// The variable an "is not set" diagnostic is about, so `run` can decide
    /// whether it stops the run or only disables a notifier.
    public static func unsetVariable(in diagnostic: Diagnostic) -> String? {
        let prefix = "environment variable "
        guard let start = diagnostic.message.range(of: prefix),
              let end = diagnostic.message.range(of: " is not set", range: start.upperBound..<diagnostic.message.endIndex)
        else { return nil }
        return String(diagnostic.message[start.upperBound..<end.lowerBound])
    }
}
