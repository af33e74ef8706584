/// Names of the run metrics a progress display reads; sources and the runner publish them.
public enum Progress {
    /// Size of the input when known (a file's size, a downloaded body's Content-Length).
    public static let bytesTotal = "input_bytes_total"
    /// Bytes of that input parsed so far.
    public static let bytesDone = "input_bytes_done"
    /// Records when the source knows how many there will be (a cheap count).
    public static let recordsTotal = "input_records_total"
    /// A download in progress: bytes received and announced (Content-Length).
    public static let downloadDone = "download_bytes_done"
    public static let downloadTotal = "download_bytes_total"
    /// The planner's estimate of the rows a query returns: a total that may be off.
    public static let recordsEstimate = "input_records_estimate"
    /// Records handed to the sinks so far (written once the run commits).
    public static let recordsToSinks = "records_to_sinks"
}
