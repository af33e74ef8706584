import Foundation
import ETLCore
import ETLConfig
import ETLRunner

// libFuzzer entry point (built only by scripts/fuzz): any bytes as a pipeline
// file go through what `etl validate` does — YAML loading, interpolation,
// option checking, expression compiling, building every connector — and end
// in diagnostics, never a trap, a stack overflow or a hang.
private let registry = Registry.make()
private let path = NSTemporaryDirectory() + "/etl-fuzz-pipeline-\(getpid()).yaml"
private let environment = ["HOME": "/tmp", "TABLE": "items", "EMPTY": ""]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipeline(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    guard FileManager.default.createFile(atPath: path, contents: bytes) else { return 0 }
    let result = PipelineLoader(registry: registry, environment: environment).load(path: path)
    for d in result.diagnostics { _ = d.description }
    if let spec = result.spec { _ = PipelineValidation.buildCheck(spec, registry: registry) }
    return 0
}
