import Hummingbird

/// Probes, open to anyone (no resource data): liveness, readiness, Prometheus metrics.
enum HealthRoutes {
    static func add(to router: Router<ARMRequestContext>, api: API, ready: ReadyFlag) {
        router.get("/healthz") { _, _ in try ARMResponse.json(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            // Ready once the store answered and the controller has made its first scan.
            guard ready.isSet, (try? api.service.versions.withPendingWork()) != nil else {
                return try ARMResponse.json(["status": "starting"], status: .serviceUnavailable)
            }
            return try ARMResponse.json(["status": "ready"])
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: api.metrics.render(service: api.service))))
        }
    }
}
