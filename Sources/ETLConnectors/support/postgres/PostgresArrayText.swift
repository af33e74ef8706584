import ETLCore

/// An array column's text output (`{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}`,
/// `[0:1]={7,8}`) → `.array`, each element decoded as its element type.
/// Returns nil for anything it does not recognise, so the caller keeps the text.
enum PostgresArrayText {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, element: UInt32, json: inout JSONDocumentParser) -> Value? {
        var i = 0
        // Non-default lower bounds are printed as a `[lo:hi]=` prefix; the elements are what matters.
        if bytes.first == UInt8(ascii: "[") {
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            i = equals + 1
        }
        var scratch: [UInt8] = []
        guard let value = parseArray(bytes, &i, element: element, scratch: &scratch, json: &json), i == bytes.count else { return nil }
        return value
    }

    private static func parseArray(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, element: UInt32,
                                   scratch: inout [UInt8], json: inout JSONDocumentParser) -> Value? {
        guard i < b.count, b[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        var items: [Value] = []
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .array(items) }
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "{"):
                guard let inner = parseArray(b, &i, element: element, scratch: &scratch, json: &json) else { return nil }
                items.append(inner)
            case UInt8(ascii: "\""):
                i += 1
                scratch.removeAll(keepingCapacity: true)
                var closed = false
                while i < b.count {
                    let c = b[i]
                    if c == UInt8(ascii: "\\") {
                        guard i + 1 < b.count else { return nil }
                        scratch.append(b[i + 1]); i += 2
                    } else if c == UInt8(ascii: "\"") {
                        i += 1; closed = true; break
                    } else {
                        scratch.append(c); i += 1
                    }
                }
                guard closed else { return nil }
                items.append(scratch.withUnsafeBufferPointer { PostgresValueDecoder.decode($0, type: element, json: &json) })
            default:
                let start = i
                while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}") { i += 1 }
                let raw = UnsafeBufferPointer(rebasing: b[start..<i])
                if raw.count == 4, raw.elementsEqual("NULL".utf8) { items.append(.null) }
                else { items.append(PostgresValueDecoder.decode(raw, type: element, json: &json)) }
            }
            guard i < b.count else { return nil }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return .array(items) }
            return nil
        }
        return nil
    }
}
