import ETLCore

extension FileSource: FieldDescribing {
    /// A CSV file's header row; JSON records may carry any field, so nil for those.
    public func recordFields(connect: Bool) throws -> [String]? {
        guard format.kind == .csv else { return nil }
        let payload = try PayloadBytes(mapping: path)
        return try CSVReader(payload: payload, source: path, delimiter: format.csvDelimiter, maxRecordBytes: format.maxRecordBytes).columns
    }
}
