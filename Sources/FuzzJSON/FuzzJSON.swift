import ETLCore

// libFuzzer entry point (built only by scripts/fuzz): the JSON reader must read
// any bytes, in every mode, to records or a PayloadError — never trap or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let modes: [JSONStreamReader.Mode] = [.array, .ndjson, .recordPath(["data", "items"])]
    for (i, mode) in modes.enumerated() {
        var reader = JSONStreamReader(bytes: bytes, source: "fuzz", mode: mode, decimalNumbers: i == 1)
        do { while try !reader.nextBatch(max: 64).isEmpty {} } catch {}
    }
    if let v = try? JSONStreamReader.parse(bytes, source: "fuzz") { _ = JSONWriter.string(v) }
    _ = try? JSONStreamReader.members(of: bytes, named: ["next", "cursor"], source: "fuzz")
    return 0
}
