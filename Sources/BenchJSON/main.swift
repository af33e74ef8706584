import Foundation
import ETLCore

// Reads a 1M-record payload shaped like the ERP's SKU feed, in batches of 10k,
// and reports time, throughput and peak memory.
//   ETL_ONLY=etl-bench-json swift run -c release --scratch-path .build-json etl-bench-json [records]

let recordCount = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000
let batchSize = 10_000

/// Peak resident set size in MB, from the kernel's high-water mark.
func peakRSSMegabytes() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Double($0) }
        return kilobytes.map { $0 / 1024 }
    }
    return nil
}

func makePayload(records: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(records * 33 + 2)
    bytes.append(UInt8(ascii: "["))
    for i in 0..<records {
        if i > 0 { bytes.append(UInt8(ascii: ",")) }
        let digits = String(i + 1)
        let sku = String(repeating: "0", count: max(0, 7 - digits.count)) + digits
        bytes.append(contentsOf: "{\"sku\":\"SKU-\(sku)\",\"qty\":\((i * 7919) % 1000)}".utf8)
    }
    bytes.append(UInt8(ascii: "]"))
    return bytes
}

let payload = makePayload(records: recordCount)
let megabytes = Double(payload.count) / 1_048_576
print(String(format: "payload: %d records, %.1f MB, peak RSS after generating: %.0f MB",
             recordCount, megabytes, peakRSSMegabytes() ?? -1))

/// Reads every record in batches; returns seconds taken and the quantity checksum.
func parseAll(_ reader: inout JSONStreamReader) throws -> (Double, Int, Int64) {
    let clock = ContinuousClock()
    var total = 0
    var qtySum: Int64 = 0
    let elapsed = try clock.measure {
        while true {
            let batch = try reader.nextBatch(max: batchSize)
            if batch.isEmpty { break }
            total += batch.count
            for record in batch { qtySum &+= record.fields["qty"]?.intValue ?? 0 }
        }
    }
    return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, total, qtySum)
}

func report(_ label: String, _ result: (Double, Int, Int64)) {
    let (seconds, total, qtySum) = result
    guard total == recordCount else {
        print("error: read \(total) records, expected \(recordCount)")
        exit(1)
    }
    print(label + String(format: ": parsed %d records in %.3f s: %.2f M records/s, %.0f MB/s (checksum %lld)",
                 total, seconds, Double(total) / seconds / 1e6, megabytes / seconds, qtySum))
}

// In memory, as tests and small payloads are read.
var reader = JSONStreamReader(bytes: payload, source: "bench")
report("in memory", try parseAll(&reader))

// As the sources read: a mapped file, pages released per batch, the default 16 MiB record cap.
let path = NSTemporaryDirectory() + "/etl-bench-json-\(getpid()).json"
FileManager.default.createFile(atPath: path, contents: Data(payload))
var mapped = JSONStreamReader(payload: try PayloadBytes(mapping: path), source: "bench", maxRecordBytes: 16 << 20)
let mappedResult = try parseAll(&mapped)
try? FileManager.default.removeItem(atPath: path)
report("mapped   ", mappedResult)
print(String(format: "peak RSS: %.0f MB", peakRSSMegabytes() ?? -1))
