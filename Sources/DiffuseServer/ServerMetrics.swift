import Prometheus

/// `GET /metrics` (Prometheus text format, swift-prometheus): queue length, generations, images, seconds
/// per step, rejected (429) requests and errors. One registry per server, so tests can run several.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let queueLength: Gauge
    let generations: Counter
    let images: Counter
    let errors: Counter
    let rejected: Counter
    let stepSeconds: ValueHistogram

    init() {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "diffuse", metricName: metric, unitName: unit, helpText: help)
        }
        queueLength = registry.makeGauge(descriptor: name("queue_length", "", "Jobs waiting behind the running one"))
        generations = registry.makeCounter(descriptor: name("generations", "total", "Finished generation requests"))
        images = registry.makeCounter(descriptor: name("images", "total", "Images generated"))
        errors = registry.makeCounter(descriptor: name("errors", "total", "Requests answered 5xx"))
        rejected = registry.makeCounter(descriptor: name("rejected", "total", "Requests answered 429 (queue full)"))
        stepSeconds = registry.makeValueHistogram(descriptor: name("step", "seconds", "Seconds per denoising step"),
                                                  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10])
    }

    /// The exposition text.
    var text: [UInt8] { registry.emitToBuffer() }
}
