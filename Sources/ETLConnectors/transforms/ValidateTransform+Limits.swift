import ETLCore

extension ValidateTransform {
    /// Beyond ±2^53 a double no longer holds every integer, so a bound there
    /// cannot be compared exactly with a 64-bit field value.
    static let largestExactBound = 9_007_199_254_740_992.0

    /// Refuses rule bounds that cannot work, pointing at the option that is wrong:
    /// this runs at `validate` (every connector is built there), not mid-run.
    static func checkLimits(of field: String, _ rule: Options, in options: Options) throws {
        for name in ["min", "max"] {
            guard let d = rule.double(name) else { continue }
            if !d.isFinite || abs(d) > largestExactBound {
                throw options.error("rules.\(field).\(name)",
                                    "rule for '\(field)': \(name) \(d) is out of range (at most ±9007199254740992)",
                                    hint: "numbers beyond ±2^53 cannot be compared exactly; use a smaller bound")
            }
        }
        if let lo = rule.double("min"), let hi = rule.double("max"), lo > hi {
            throw options.error("rules.\(field).max", "rule for '\(field)': max \(hi) is below min \(lo)",
                                hint: "no value could pass; swap them")
        }
        for name in ["min_length", "max_length"] {
            if let n = rule.int(name), n < 0 {
                throw options.error("rules.\(field).\(name)", "rule for '\(field)': \(name) must be 0 or more, found \(n)",
                                    hint: "lengths count characters")
            }
        }
        if let lo = rule.int("min_length"), let hi = rule.int("max_length"), lo > hi {
            throw options.error("rules.\(field).max_length", "rule for '\(field)': max_length \(hi) is below min_length \(lo)",
                                hint: "no value could pass; swap them")
        }
    }
}
