import ETLCore

// libFuzzer entry point (built only by scripts/fuzz): the CSV reader must read
// any bytes to records or a PayloadError — never trap or hang. The first byte
// picks the options, so every combination is explored.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let flags = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let delimiter: Character = [",", ";", "\t", "|"][Int(flags & 3)]
    let policy: CSVReader.ColumnCountPolicy = flags & 4 == 0 ? .error : .fillMissingWithNull
    do {
        var reader = try CSVReader(bytes: bytes, source: "fuzz", delimiter: delimiter, emptyAsNull: flags & 8 != 0,
                                   columns: flags & 16 == 0 ? nil : ["a", "b", "c"], columnCountPolicy: policy)
        while try !reader.nextBatch(max: 64).isEmpty {}
    } catch {}
    return 0
}
