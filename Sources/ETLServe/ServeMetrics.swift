import Foundation
import CoreMetrics
import Metrics
import Prometheus

/// `/metrics`: swift-metrics instruments, exported in Prometheus text by swift-prometheus.
final class ServeMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let lock = NSLock()
    private var counters: [String: CoreMetrics.Counter] = [:]

    init() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    func request(pipeline: String, status: Int) {
        let key = "\(pipeline)|\(status)"
        lock.lock()
        let counter = counters[key] ?? CoreMetrics.Counter(label: "etl_webhook_requests_total", dimensions: [("pipeline", pipeline), ("status", String(status))])
        counters[key] = counter
        lock.unlock()
        counter.increment()
    }

    func deadLetter(pipeline: String) {
        CoreMetrics.Counter(label: "etl_inbox_dead_letters_total", dimensions: [("pipeline", pipeline)]).increment()
    }

    func processed(pipeline: String, events: Int, seconds: Double) {
        CoreMetrics.Counter(label: "etl_inbox_events_processed_total", dimensions: [("pipeline", pipeline)]).increment(by: events)
        CoreMetrics.Timer(label: "etl_inbox_batch_processing_seconds", dimensions: [("pipeline", pipeline)])
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    func depth(pipeline: String, pending: Int, oldestAge: Double) {
        CoreMetrics.Gauge(label: "etl_inbox_depth", dimensions: [("pipeline", pipeline)]).record(pending)
        CoreMetrics.Gauge(label: "etl_inbox_oldest_pending_seconds", dimensions: [("pipeline", pipeline)]).record(oldestAge)
    }

    func text() -> String { registry.emitToString() }
}
