import ETLCore

/// Turns a downloaded or read payload into batches of records. Shared by the
/// `file` and `http` sources so both parse the same way, streaming: records are
/// built one batch at a time, never the whole payload at once.
struct PayloadFormat {
    static let format = OptionKey<String>("format", .oneOf(["json", "ndjson", "csv"]), default: "json",
        doc: "json: an array of objects (or one under `record_path`); ndjson: one object per line; csv: header row then rows.")
    static let recordPath = OptionKey<String?>("record_path", doc: "For json: dotted path of the array inside a top-level object.", example: "data.items")
    static let decimalNumbers = OptionKey<Bool>("decimal_numbers", default: false, doc: "Keep numbers with a fraction as exact decimals (money) instead of doubles.")
    static let csvDelimiter = OptionKey<String>("csv_delimiter", default: ",", doc: "Field separator for csv.")
    static let maxRecordSize = OptionKey<Int>("max_record_size", .size, default: 16 << 20,
        doc: "Largest record (JSON element, NDJSON line, CSV row) read; a larger one is rejected, quoting its start, and the run goes on.",
        example: "64MiB")
    static let options: [any OptionDeclaration] = [format, recordPath, decimalNumbers, csvDelimiter, maxRecordSize]

    enum Kind: String { case json, ndjson, csv }
    var kind: Kind
    var recordPath: [String]
    var decimalNumbers: Bool
    var csvDelimiter: Character
    var maxRecordBytes: Int

    init(options: Options) {
        kind = Kind(rawValue: options[Self.format]) ?? .json
        recordPath = (options[Self.recordPath] ?? "").split(separator: ".").map(String.init)
        decimalNumbers = options[Self.decimalNumbers]
        csvDelimiter = options[Self.csvDelimiter].first ?? ","
        maxRecordBytes = max(1, options[Self.maxRecordSize])
    }

    /// Parses `payload` and hands on batches; elements that are not objects, and records
    /// over `max_record_size`, are rejected by position. A malformed or truncated payload
    /// throws: the run fails, nothing is written. A mapped payload's pages are released
    /// as batches complete, so memory stays flat however large it is.
    /// Returns how many elements the payload held; `firstPosition` numbers them on from
    /// earlier pages, so positions in rejects stay unique across a paginated read.
    @discardableResult
    func decode(_ payload: PayloadBytes, source: String, batchSize: Int, context: RunContext, firstPosition: Int = 0,
                sizeIsTotal: Bool = true, emit: (Batch) throws -> Void) throws -> Int {
        var read = 0
        // Progress: bytes parsed of this payload — the run's whole input unless it is one page of many.
        context.publish(Progress.bytesTotal, sizeIsTotal ? .int(Int64(payload.count)) : .null)
        switch kind {
        case .csv:
            // Read one batch ahead on a thread of its own, as JSON below.
            let delimiter = csvDelimiter, maxRecordBytes = maxRecordBytes
            try BackgroundProducer.run(capacity: 1, name: "etl-csv-reader", produce: { yield in
                var reader: CSVReader
                do { reader = try CSVReader(payload: payload, source: source, delimiter: delimiter, maxRecordBytes: maxRecordBytes) }
                catch let e as CSVError { throw e.etlError }
                while true {
                    var oversized: [OversizedRecord] = []
                    let records: [Record]
                    do { records = try reader.nextBatch(max: batchSize) { oversized.append($0) } }
                    catch let e as CSVError { throw e.etlError }
                    // Oversized rows do not fill a batch: an empty one is the end.
                    guard !(records.isEmpty && oversized.isEmpty), yield((records, oversized, reader.byteOffset)) else { return }
                    if records.isEmpty { return }
                }
            }, consume: { (batch: (records: [Record], oversized: [OversizedRecord], byteOffset: Int)) in
                try context.checkCancelled()
                for big in batch.oversized { rejectOversized(big, firstPosition: firstPosition, context: context) }
                read += batch.oversized.count
                context.metrics.add("records_read", batch.oversized.count)
                guard !batch.records.isEmpty else { return }
                var records = batch.records
                if firstPosition != 0 { for i in records.indices { records[i].position += firstPosition } }
                read += records.count
                context.metrics.add("records_read", records.count)
                context.publish(Progress.bytesDone, .int(Int64(batch.byteOffset)))
                try emit(Batch(records))
            })
        case .json, .ndjson:
            // The parse runs one batch ahead on a thread of its own, so it overlaps the
            // transforms and sinks working on the batch before (docs/performance.md, change 18).
            // Everything that touches the run (rejects, metrics, progress, cancellation) stays
            // on this thread, in the same order as before.
            let mode: JSONStreamReader.Mode = kind == .ndjson ? .ndjson : (recordPath.isEmpty ? .array : .recordPath(recordPath))
            let decimalNumbers = decimalNumbers, maxRecordBytes = maxRecordBytes
            try BackgroundProducer.run(capacity: 1, name: "etl-json-reader", produce: { yield in
                var reader = JSONStreamReader(payload: payload, source: source, mode: mode,
                                              decimalNumbers: decimalNumbers, maxRecordBytes: maxRecordBytes)
                while true {
                    let chunk: JSONRecordBatch
                    do { chunk = try reader.nextRecords(max: batchSize, firstPosition: firstPosition) } catch let e as JSONError {
                        throw ETLError("\(source): invalid payload: \(e.message)",
                                       hint: e.hint ?? "the payload is not valid JSON of the expected shape; nothing was written")
                    }
                    guard chunk.elementCount > 0, yield((chunk, reader.byteOffset)) else { return }
                }
            }, consume: { (chunk: JSONRecordBatch, byteOffset: Int) in
                try context.checkCancelled()
                for element in chunk.others {
                    if let big = element.oversized {
                        rejectOversized(big, firstPosition: firstPosition, context: context)
                    } else {
                        context.reject(Rejection(record: Record(Fields([("value", element.value)]), position: firstPosition + element.position),
                                                 stage: "source", reasons: ["expected an object, found \(element.value.typeName)"]))
                    }
                }
                read += chunk.elementCount
                context.metrics.add("records_read", chunk.elementCount)
                context.publish(Progress.bytesDone, .int(Int64(byteOffset)))
                if !chunk.records.isEmpty { try emit(Batch(chunk.records)) }
            })
        }
        return read
    }

    /// A record over the cap, never built: rejected with the start of its bytes and its size.
    private func rejectOversized(_ big: OversizedRecord, firstPosition: Int, context: RunContext) {
        let reason = "too large: " + big.size(over: maxRecordBytes, option: "max_record_size") + "; it starts with \(big.excerpt)"
        context.reject(Rejection(record: Record(Fields([("excerpt", .string(big.excerpt)), ("size_bytes", .int(Int64(big.byteCount)))]),
                                                position: firstPosition + big.position),
                                 stage: "source", reasons: [reason]))
    }
}
