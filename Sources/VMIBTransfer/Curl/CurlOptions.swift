import CCurl
import Foundation

/// Sets a handle's options for one request. Every option goes through the typed shim
/// wrappers because `curl_easy_setopt` is variadic.
struct CurlOptions {
    let handle: UnsafeMutableRawPointer
    let target: String

    func apply(_ request: CurlRequest, context: CurlCallContext, headers: UnsafeMutablePointer<curl_slist>?) throws {
        let userdata = Unmanaged.passUnretained(context).toOpaque()

        try set(CURLOPT_URL, request.url)
        // Signals are process-wide; libcurl must not use them (alarm-based DNS timeouts)
        // in a multi-threaded program.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_CONNECTTIMEOUT_MS, Int(request.timeouts.connect * 1000))
        try set(CURLOPT_LOW_SPEED_LIMIT, request.timeouts.lowSpeedBytesPerSecond)
        try set(CURLOPT_LOW_SPEED_TIME, request.timeouts.lowSpeedWindow)
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try check(vmib_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, context.errorBuffer), CURLOPT_ERRORBUFFER)
        try check(vmib_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers), CURLOPT_HTTPHEADER)

        if let signing = request.signing {
            try set(CURLOPT_AWS_SIGV4, signing.provider)
            // Separate options rather than USERPWD "key:secret": a ':' in a key stays intact.
            try set(CURLOPT_USERNAME, signing.accessKey)
            try set(CURLOPT_PASSWORD, signing.secretKey)
        }

        switch request.method {
        case .get:
            break
        case .head:
            try set(CURLOPT_NOBODY, 1)
        case .put:
            try set(CURLOPT_UPLOAD, 1)
            try check(vmib_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body.length)), CURLOPT_INFILESIZE_LARGE)
        case .post:
            try set(CURLOPT_POST, 1)
            try check(vmib_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.length)), CURLOPT_POSTFIELDSIZE_LARGE)
        case .delete:
            try set(CURLOPT_CUSTOMREQUEST, "DELETE")
        case .patch:
            try set(CURLOPT_POST, 1)
            try check(vmib_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.length)), CURLOPT_POSTFIELDSIZE_LARGE)
            try set(CURLOPT_CUSTOMREQUEST, "PATCH")
        }
        if request.insecure {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        }

        try check(vmib_curl_setopt_read(handle) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return Int(CURL_READFUNC_ABORT) }
            let context = Unmanaged<CurlCallContext>.fromOpaque(userdata).takeUnretainedValue()
            return context.read(into: buffer, capacity: size * count)
        }, CURLOPT_READFUNCTION)
        try check(vmib_curl_setopt_ptr(handle, CURLOPT_READDATA, userdata), CURLOPT_READDATA)

        try check(vmib_curl_setopt_write(handle) { buffer, size, count, userdata in
            guard let userdata else { return 0 }
            let context = Unmanaged<CurlCallContext>.fromOpaque(userdata).takeUnretainedValue()
            return context.write(UnsafeRawBufferPointer(start: buffer, count: size * count))
        }, CURLOPT_WRITEFUNCTION)
        try check(vmib_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, userdata), CURLOPT_WRITEDATA)

        try check(vmib_curl_setopt_header(handle) { buffer, size, count, userdata in
            guard let userdata else { return 0 }
            let context = Unmanaged<CurlCallContext>.fromOpaque(userdata).takeUnretainedValue()
            context.header(UnsafeRawBufferPointer(start: buffer, count: size * count))
            return size * count
        }, CURLOPT_HEADERFUNCTION)
        try check(vmib_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, userdata), CURLOPT_HEADERDATA)

        if request.addresses != .any {
            try check(vmib_curl_setopt_opensocket(handle) { userdata, purpose, address in
                guard let userdata, let address else { return CURL_SOCKET_BAD }
                let context = Unmanaged<CurlCallContext>.fromOpaque(userdata).takeUnretainedValue()
                return context.openSocket(purpose, address.pointee)
            }, CURLOPT_OPENSOCKETFUNCTION)
            try check(vmib_curl_setopt_ptr(handle, CURLOPT_OPENSOCKETDATA, userdata), CURLOPT_OPENSOCKETDATA)
        }

        try set(CURLOPT_NOPROGRESS, 0)
        try check(vmib_curl_setopt_xferinfo(handle) { userdata, _, _, _, _ in
            guard let userdata else { return 0 }
            let context = Unmanaged<CurlCallContext>.fromOpaque(userdata).takeUnretainedValue()
            return context.shouldAbort() ? 1 : 0
        }, CURLOPT_XFERINFOFUNCTION)
        try check(vmib_curl_setopt_ptr(handle, CURLOPT_XFERINFODATA, userdata), CURLOPT_XFERINFODATA)
    }

    private func set(_ option: CURLoption, _ value: Int) throws {
        try check(vmib_curl_setopt_long(handle, option, value), option)
    }

    private func set(_ option: CURLoption, _ value: String) throws {
        // libcurl copies string options (since 7.17), so the temporary C string may go.
        try check(vmib_curl_setopt_str(handle, option, value), option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code == CURLE_OK else {
            throw TransferError(code: .fatal, target: target,
                                message: "curl option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}
