import Foundation
import VMIBTestSupport
@testable import VMIBTransfer

/// A loopback HTTP server (a small Python `http.server` script) that answers every request
/// by what its path contains, for checking how errors are classified:
///
/// - `throttle-503`: 503 with `Retry-After: 2`
/// - `throttle-429-date`: 429 with `Retry-After` as an HTTP-date 60 s from now
/// - `error-500`: 500
/// - `hang`: no answer for 30 s (a stalled server)
/// - `record`: a minimal S3 (PUT, multipart, HEAD, ListObjectsV2, DELETE) that logs each
///   request's claimed and actual payload SHA-256 (`recordedRequests()`); with
///   `complete-error` too, CompleteMultipartUpload answers 200 with an `<Error>` body, and
///   with `complete-wrong-etag` an ETag that is not the parts'
/// - anything else: 200
///
/// Non-HEAD error answers carry an S3 `<Error>` document with code `Stub`.
final class StubHTTPServer: @unchecked Sendable {
    static let isAvailable: Bool = ExecutableLookup.find("python3") != nil

    let port: Int
    private let process: Process
    private let script: URL
    private let log: URL

    /// One request the `record` mode saw.
    struct RecordedRequest: Decodable {
        var method: String
        var path: String
        /// The `x-amz-content-sha256` header, if sent.
        var claimed: String?
        /// SHA-256 of the body that arrived.
        var actual: String
        /// Whether the SigV4 `Authorization` header lists `x-amz-content-sha256` as signed.
        var signed: Bool
    }

    func recordedRequests() throws -> [RecordedRequest] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map {
            try JSONDecoder().decode(RecordedRequest.self, from: Data($0.utf8))
        }
    }

    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private init(port: Int, process: Process, script: URL, log: URL) {
        self.port = port
        self.process = process
        self.script = script
        self.log = log
    }

    static func start() async throws -> StubHTTPServer {
        let name = "vmib-stub-\(UUID().uuidString)"
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).py")
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).log")
        try Self.source.write(to: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ExecutableLookup.find("python3") ?? "/usr/bin/python3")
        process.arguments = [script.path, log.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The script prints its port once it is listening; the read blocks, so not on the pool.
        let reader = output.fileHandleForReading
        let line = try await BlockingThread.run(name: "stub-port") { _ in
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = reader.availableData
                guard !chunk.isEmpty else { break }
                line.append(chunk)
            }
            return line
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            await ChildProcess.stop(process)
            throw TestSupportError("stub server did not report its port")
        }
        return StubHTTPServer(port: port, process: process, script: script, log: log)
    }

    func stop() async {
        await ChildProcess.stop(process)
        try? FileManager.default.removeItem(at: script)
        try? FileManager.default.removeItem(at: log)
    }

    private static let source = #"""
    import email.utils, hashlib, http.server, json, re, signal, sys, time

    # Children of a Swift process inherit the signal mask of the (dispatch) thread that
    # spawned them, which blocks SIGTERM: unblock it so Process.terminate() works.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    LOG = sys.argv[1]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if "hang" in self.path:
                time.sleep(30)
                return
            if "record" in self.path:
                return self.record(body)
            status, headers = 200, {}
            if "throttle-503" in self.path:
                status, headers = 503, {"Retry-After": "2"}
            elif "throttle-429-date" in self.path:
                status = 429
                headers = {"Retry-After": email.utils.formatdate(time.time() + 60, usegmt=True)}
            elif "error-500" in self.path:
                status = 500
            out = b""
            if status != 200:
                out = b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>Stub</Code><Message>stub answer</Message></Error>'
            self.reply(status, headers, out)

        def record(self, body):
            with open(LOG, "a") as f:
                f.write(json.dumps({
                    "method": self.command, "path": self.path,
                    "claimed": self.headers.get("x-amz-content-sha256"),
                    "actual": hashlib.sha256(body).hexdigest(),
                    "signed": "x-amz-content-sha256" in self.headers.get("Authorization", ""),
                }) + "\n")
            headers, out = {}, b""
            if self.command == "POST" and "uploads=" in self.path:
                out = b"<InitiateMultipartUploadResult><UploadId>stub-upload</UploadId></InitiateMultipartUploadResult>"
            elif self.command == "POST" and "complete-error" in self.path:
                # S3's way of failing a completion after it began: 200, and an <Error> body.
                out = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>'
                       b'<Message>We encountered an internal error. Please try again.</Message></Error>')
            elif self.command == "POST":
                etags = re.findall(rb"<ETag>\"?([0-9a-f]{32})\"?</ETag>", body)
                md5 = hashlib.md5(b"".join(bytes.fromhex(e.decode()) for e in etags)).hexdigest()
                if "complete-wrong-etag" in self.path:
                    md5 = "0" * 32
                out = ("<CompleteMultipartUploadResult><ETag>&quot;%s-%d&quot;</ETag></CompleteMultipartUploadResult>"
                       % (md5, len(etags))).encode()
            elif self.command == "PUT":
                headers["ETag"] = '"%s"' % hashlib.md5(body).hexdigest()
            elif self.command == "GET":
                out = b"<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"
            self.reply(200, headers, out)

        def reply(self, status, headers, out):
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(out)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#
}
