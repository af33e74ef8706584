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
        // The parse runs one batch ahead on a thread of its own, so it overlaps the transforms
        // and sinks working on the batch before (docs/performance.md, change 18). Everything
        // that touches the run (rejects, metrics, progress, cancellation) stays on this
        // thread, in the order one thread gave.
        try BackgroundProducer.run(capacity: 1, name: "etl-payload-reader", produce: { yield in
            let next = try batches(payload, source: source, batchSize: batchSize, firstPosition: firstPosition)
            while let chunk = try next(), yield(chunk) {}
        }, consume: { (chunk: Chunk) in
            try context.checkCancelled()
            for rejection in chunk.rejected { context.reject(rejection) }
            read += chunk.elements
            context.metrics.add("records_read", chunk.elements)
            context.publish(Progress.bytesDone, .int(Int64(chunk.byteOffset)))
            if !chunk.records.isEmpty { try emit(Batch(chunk.records)) }
        })
        return read
    }

    /// One batch as a reader hands it over: its records, the elements it rejected on the
    /// way (records over the size cap, JSON elements that are not objects), how many
    /// elements it read in all and how far into the payload.
    private struct Chunk {
        var records: [Record]
        var rejected: [Rejection]
        var elements: Int
        var byteOffset: Int
    }

    /// The format's reader as a function giving the next batch, nil at the end. Runs on
    /// the reader's thread; positions are numbered on from `firstPosition`.
    private func batches(_ payload: PayloadBytes, source: String, batchSize: Int,
                         firstPosition: Int) throws -> () throws -> Chunk? {
        switch kind {
        case .csv:
            var reader: CSVReader
            do { reader = try CSVReader(payload: payload, source: source, delimiter: csvDelimiter, maxRecordBytes: maxRecordBytes) }
            catch let e as CSVError { throw e.etlError }
            var ended = false
            return {
                guard !ended else { return nil }
                var rejected: [Rejection] = []
                var records: [Record]
                do { records = try reader.nextBatch(max: batchSize) { rejected.append(oversized($0, firstPosition)) } }
                catch let e as CSVError { throw e.etlError }
                // Oversized rows do not fill a batch: one without records is the last.
                ended = records.isEmpty
                if records.isEmpty && rejected.isEmpty { return nil }
                if firstPosition != 0 { for i in records.indices { records[i].position += firstPosition } }
                return Chunk(records: records, rejected: rejected, elements: records.count + rejected.count, byteOffset: reader.byteOffset)
            }
        case .json, .ndjson:
            var reader = JSONStreamReader(payload: payload, source: source,
                                          mode: kind == .ndjson ? .ndjson : (recordPath.isEmpty ? .array : .recordPath(recordPath)),
                                          decimalNumbers: decimalNumbers, maxRecordBytes: maxRecordBytes)
            return {
                let batch: JSONRecordBatch
                do { batch = try reader.nextRecords(max: batchSize, firstPosition: firstPosition) } catch let e as JSONError {
                    throw ETLError("\(source): invalid payload: \(e.message)",
                                   hint: e.hint ?? "the payload is not valid JSON of the expected shape; nothing was written")
                }
                guard batch.elementCount > 0 else { return nil }
                let rejected = batch.others.map { element in
                    element.oversized.map { oversized($0, firstPosition) }
                        ?? Rejection(record: Record(Fields([("value", element.value)]), position: firstPosition + element.position),
                                     stage: "source", reasons: ["expected an object, found \(element.value.typeName)"])
                }
                return Chunk(records: batch.records, rejected: rejected, elements: batch.elementCount, byteOffset: reader.byteOffset)
            }
        }
    }

    /// A record over the cap, never built: rejected with the start of its bytes and its size.
    private func oversized(_ big: OversizedRecord, _ firstPosition: Int) -> Rejection {
        let reason = "too large: " + big.size(over: maxRecordBytes, option: "max_record_size") + "; it starts with \(big.excerpt)"
        return Rejection(record: Record(Fields([("excerpt", .string(big.excerpt)), ("size_bytes", .int(Int64(big.byteCount)))]),
                                        position: firstPosition + big.position),
                         stage: "source", reasons: [reason])
    }
}
