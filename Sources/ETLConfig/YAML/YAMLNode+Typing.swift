import ETLCore

extension YAMLNode {
    /// The node as a `Value`, using the YAML 1.2 core schema for plain scalars:
    /// `null`/`~`/empty → null, `true`/`false` → bool, `10`/`0x1F`/`0o17` → int,
    /// `1.5`/`.inf`/`.nan` → double. Quoted and block scalars are always strings,
    /// and so is anything tagged `!!str`. Mappings keep their key order.
    /// Interpolated plain scalars are typed from their substituted text.
    public func typedValue() -> Value {
        switch kind {
        case .scalar(let text, let style):
            if hasStringTag { return .string(text) }
            if let forced = typedByCoreTag(text) { return forced }
            return style == .plain ? CoreSchema.resolve(text) : .string(text)
        case .sequence(let items):
            return .array(items.map { $0.typedValue() })
        case .mapping(let pairs):
            var fields = Fields()
            fields.reserveCapacity(pairs.count)
            // Fields looks keys up linearly: a set keeps a 100k-key mapping linear.
            var seen = Set<String>()
            for pair in pairs {
                // The loader already rejected duplicates; a later one would win here.
                let key = pair.key.scalarText ?? pair.key.typedValue().text
                if seen.insert(key).inserted { fields.appendUnchecked(key, pair.value.typedValue()) }
                else { fields[key] = pair.value.typedValue() }
            }
            return .object(fields)
        }
    }

    /// `!!int "10"` asks for an int even though it is quoted.
    private func typedByCoreTag(_ text: String) -> Value? {
        let wanted: String
        switch tag {
        case "tag:yaml.org,2002:int": wanted = "int"
        case "tag:yaml.org,2002:float": wanted = "double"
        case "tag:yaml.org,2002:bool": wanted = "bool"
        case "tag:yaml.org,2002:null": wanted = "null"
        default: return nil
        }
        let value = CoreSchema.resolve(text)
        if wanted == "double", case .int(let i) = value { return .double(Double(i)) }
        return value.typeName == wanted ? value : nil
    }
}

/// The YAML 1.2 core schema's rules for plain scalars.
enum CoreSchema {
    static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    static func resolve(_ text: String) -> Value {
        if isNull(text) { return .null }
        switch text {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let int = integer(text) { return int }
        if let double = float(text) { return .double(double) }
        return .string(text)
    }

    private static func integer(_ text: String) -> Value? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        var radix = 10
        if body.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) }
        else if body.hasPrefix("0o") { radix = 8; body = body.dropFirst(2) }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        if radix == 10, !body.allSatisfy({ $0.isASCII && $0.isNumber }) { return nil }
        if radix != 10, text.first == "+" || text.first == "-" { return nil }   // core schema: hex/octal are unsigned
        if let magnitude = UInt64(body, radix: radix) {
            if negative, magnitude <= UInt64(Int64.max) + 1 { return .int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)) }
            if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
        }
        // Too large for Int64: keep the magnitude as a double rather than failing.
        return radix == 10 ? Double(text).map(Value.double) : nil
    }

    private static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // [-+]? ( \.[0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        var chars = Substring(text)
        if let sign = chars.first, sign == "+" || sign == "-" { chars = chars.dropFirst() }
        let intDigits = chars.prefix { $0.isASCII && $0.isNumber }
        chars = chars.dropFirst(intDigits.count)
        var fractionDigits = 0
        if chars.first == "." {
            chars = chars.dropFirst()
            let fraction = chars.prefix { $0.isASCII && $0.isNumber }
            fractionDigits = fraction.count
            chars = chars.dropFirst(fraction.count)
        }
        guard intDigits.count + fractionDigits > 0 else { return nil }
        if let e = chars.first, e == "e" || e == "E" {
            chars = chars.dropFirst()
            if let sign = chars.first, sign == "+" || sign == "-" { chars = chars.dropFirst() }
            let exponent = chars.prefix { $0.isASCII && $0.isNumber }
            guard !exponent.isEmpty else { return nil }
            chars = chars.dropFirst(exponent.count)
        }
        guard chars.isEmpty else { return nil }
        return Double(text)
    }
}
