import CCurl
import Foundation

/// The state libcurl's callbacks work on during one `curl_easy_perform`.
///
/// It lives on the transfer's thread only; callbacks reach it through the `userdata`
/// pointer. Anything that goes wrong inside a callback is stored in `failure` and the
/// callback tells libcurl to abort, because a C callback cannot throw.
final class CurlCallContext {
    let request: CurlRequest
    let cancellation: CancellationFlag
    let handle: UnsafeMutableRawPointer

    var headers: [String: String] = [:]
    var body = Data()
    var failure: (any Error)?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    private var bodySent: Int64 = 0
    private var sinkWritten: Int64 = 0
    private var sentHasher: StreamHasher?
    private(set) var continuing: StreamHasher?
    private var sinkHasher: StreamHasher?
    private var progress: ProgressThrottle?
    /// Decided at the first body byte: 2xx bodies go to the file sink, others to memory.
    private var bodyToFile: Bool?

    init(request: CurlRequest, cancellation: CancellationFlag, handle: UnsafeMutableRawPointer) {
        self.request = request
        self.cancellation = cancellation
        self.handle = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        if request.hashesBody { sentHasher = StreamHasher(sha256: !request.hashesBodyMD5Only) }
        continuing = request.continuing
        if request.hashesSink { sinkHasher = StreamHasher() }
        if let report = request.progress { progress = ProgressThrottle(report) }
    }

    deinit { errorBuffer.deallocate() }

    var sent: ObjectDigest? { sentHasher?.finalize() }
    var received: ObjectDigest? { sinkHasher?.finalize() }

    /// Fills libcurl's upload buffer (fixed size, owned by libcurl) from the body.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let remaining = request.body.length - bodySent
        let wanted = Int(min(Int64(capacity), remaining))
        guard wanted > 0 else { return 0 }
        let out = UnsafeMutableRawBufferPointer(start: buffer, count: wanted)
        do {
            let n: Int
            switch request.body {
            case .empty:
                n = 0
            case .data(let data):
                let start = data.startIndex + Int(bodySent)
                n = data.copyBytes(to: out, from: start..<(start + wanted))
            case .file(let file, let offset, _):
                n = try file.read(into: out, at: offset + bodySent)
                // The length was promised in Content-Length; a shorter file changed under us.
                guard n > 0 else {
                    throw TransferError(code: .fatal, target: request.target,
                                        message: "source changed: \(file.path) ended early")
                }
            }
            request.pacer?.pace(bytes: n)
            guard !cancellation.isCancelled else { throw CancellationError() }
            sentHasher?.update(UnsafeRawBufferPointer(rebasing: out[0..<n]))
            continuing?.update(UnsafeRawBufferPointer(rebasing: out[0..<n]))
            bodySent += Int64(n)
            progress?.update(bodySent)
            return n
        } catch {
            failure = error
            return Int(CURL_READFUNC_ABORT)
        }
    }

    /// Takes a chunk of the response body.
    func write(_ chunk: UnsafeRawBufferPointer) -> Int {
        if bodyToFile == nil {
            var status = 0
            _ = vmib_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            // file:// transfers have no status line (libcurl reports 0); their body is the file.
            let fileURL = status == 0 && request.url.lowercased().hasPrefix("file:")
            if case .file = request.sink { bodyToFile = (200..<300).contains(status) || fileURL } else { bodyToFile = false }
        }
        do {
            if bodyToFile == true, case .file(let file) = request.sink {
                request.pacer?.pace(bytes: chunk.count)
                guard !cancellation.isCancelled else { throw CancellationError() }
                try file.append(chunk)
                sinkHasher?.update(chunk)
                sinkWritten += Int64(chunk.count)
                progress?.update(sinkWritten)
            } else {
                guard body.count + chunk.count <= request.maxMemoryBody else {
                    throw TransferError(code: .fatal, target: request.target,
                                        message: "response body larger than \(request.maxMemoryBody) bytes")
                }
                body.append(contentsOf: chunk)
            }
            return chunk.count
        } catch {
            failure = error
            return 0
        }
    }

    /// Takes one header line; a new status line (after `100 Continue`) starts over.
    func header(_ line: UnsafeRawBufferPointer) {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("HTTP/") {
            headers = [:]
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].lowercased()
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if let existing = headers[name] {
            headers[name] = existing + ", " + value
        } else {
            headers[name] = value
        }
    }

    /// libcurl calls this about once a second even when nothing moves: the place to notice
    /// a cancelled task while waiting for a slow answer.
    func shouldAbort() -> Bool {
        cancellation.isCancelled
    }
}

extension CurlCallContext {
    /// CURLOPT_OPENSOCKETFUNCTION: opens the socket unless the request's address policy
    /// refuses the address (then the transfer fails with the policy's reason).
    func openSocket(_ purpose: curlsocktype, _ address: curl_sockaddr) -> curl_socket_t {
        var a = address
        let ip = withUnsafePointer(to: &a.addr) { AddressPolicy.text(of: UnsafeRawPointer($0), family: a.family) }
        if let ip, let why = request.addresses.refusal(of: ip) {
            failure = TransferError(code: .fatal, target: request.target, message: "refused to connect to \(ip): \(why)")
            return CURL_SOCKET_BAD
        }
        return socket(a.family, a.socktype, a.protocol)
    }
}
