import ETLConfig

public extension PipelineSpec {
    /// The database holding this pipeline's ledger, lock and saved state — the one
    /// `etl run` opens its control connection on (nil: the pipeline keeps no bookkeeping).
    var controlDatabase: String? { ledger?.database ?? lock?.database ?? setup?.database }
}
