import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange as the hub client needs it: synchronous, redirects handled by the caller (so it
/// can choose, as huggingface_hub does, to follow only relative redirects for HEAD), and a 2xx body
/// either collected (small JSON) or streamed to a sink (weights: GBs, never held in memory).
/// Runs on URLSession (FoundationNetworking's is libcurl on Linux).
struct HubHTTP: Sendable {
    /// The answer: status, headers (lowercased names), a collected body (non-2xx bodies always, up
    /// to 64 KiB; 2xx bodies when no sink was given), and the transport error if the exchange broke
    /// off (a dropped connection: `status` is then whatever arrived before, or 0).
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data
        var transportError: String?
        /// The URLError code of `transportError`, when it is one.
        var transportCode: Int?
        /// The transport failed before reaching the server (no route, DNS, refused, timed out).
        var isUnreachable: Bool {
            guard let transportCode, status == 0 else { return false }
            return [URLError.cannotConnectToHost, .cannotFindHost, .notConnectedToInternet, .timedOut,
                    .dnsLookupFailed, .networkConnectionLost].map(\.rawValue).contains(transportCode)
        }

        func header(_ name: String) -> String? { headers[name.lowercased()] }
        var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status) }
        static func isSuccess(_ status: Int) -> Bool { (200..<300).contains(status) }
    }

    /// Seconds without any data before a request fails (huggingface_hub's HF_HUB_DOWNLOAD_TIMEOUT: 10).
    var timeout: TimeInterval = 10

    /// Sends `method url` with `headers`, without following redirects. For a 2xx answer `prepare` is
    /// called once with it before any body byte, then `sink` with each chunk; without a sink the body
    /// is collected.
    func send(_ method: String, _ url: URL, headers: [String: String],
              prepare: ((Response) throws -> Void)? = nil,
              sink: ((Data) throws -> Void)? = nil) -> Response {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let delegate = Exchange(prepare: prepare, sink: sink)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        session.dataTask(with: request).resume()
        delegate.done.wait()
        session.finishTasksAndInvalidate()
        return delegate.result()
    }

    /// Sends and follows redirects (at most 10). With `sameOriginOnly`, a redirect to another origin
    /// (a CDN, a signed storage URL) is returned as is, its `Location` for the caller: huggingface_hub's
    /// `_httpx2_follow_hub_redirects_with_backoff` for file metadata (utils/_http.py). `Authorization`
    /// is sent only to the first URL's origin. Returns the final response and its URL.
    func follow(_ method: String, _ url: URL, headers: [String: String], sameOriginOnly: Bool = false,
                prepare: ((Response) throws -> Void)? = nil,
                sink: ((Data) throws -> Void)? = nil) -> (response: Response, url: URL) {
        var current = url
        var headers = headers
        for _ in 0..<10 {
            let response = send(method, current, headers: headers, prepare: prepare, sink: sink)
            guard response.transportError == nil, response.isRedirect, let location = response.header("Location"),
                  let next = URL(string: location, relativeTo: current)?.absoluteURL
            else { return (response, current) }
            let sameOrigin = Self.origin(next) == Self.origin(current)
            if sameOriginOnly && !sameOrigin { return (response, current) }
            if Self.origin(next) != Self.origin(url) { headers["Authorization"] = nil }
            current = next
        }
        var tooMany = Response(status: 0, headers: [:], body: Data())
        tooMany.transportError = "more than 10 redirects"
        return (tooMany, current)
    }

    /// (scheme, host, port) with the scheme's default port.
    static func origin(_ url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(url.port ?? (scheme == "https" ? 443 : 80))"
    }
}

/// The URLSession delegate of one exchange: refuses automatic redirects, streams or collects the body,
/// signals `done` when the task ends. Its state is touched only from the session's serial queue
/// until `done` is signalled, then read by the waiting thread.
private final class Exchange: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let prepare: ((HubHTTP.Response) throws -> Void)?
    let sink: ((Data) throws -> Void)?
    let done = DispatchSemaphore(value: 0)
    private var response = HubHTTP.Response(status: 0, headers: [:], body: Data())
    private var streaming = false

    init(prepare: ((HubHTTP.Response) throws -> Void)?, sink: ((Data) throws -> Void)?) {
        self.prepare = prepare
        self.sink = sink
    }

    func result() -> HubHTTP.Response { response }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse {
            self.response.status = http.statusCode
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String { self.response.headers[name.lowercased()] = value }
            }
        }
        streaming = sink != nil && HubHTTP.Response.isSuccess(self.response.status)
        if streaming, let prepare {
            do { try prepare(self.response) } catch {
                self.response.transportError = "\(error)"
                completionHandler(.cancel)
                return
            }
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        if streaming, let sink {
            do { try sink(data) } catch {
                response.transportError = "\(error)"
                dataTask.cancel()
            }
        } else if response.body.count > (HubHTTP.Response.isSuccess(response.status) ? 64 << 20 : 64 << 10) {
            if response.transportError == nil { response.transportError = "answer body too large" }
            dataTask.cancel()
        } else {
            response.body.append(data)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error, response.transportError == nil {
            response.transportError = error.localizedDescription
            response.transportCode = (error as? URLError)?.code.rawValue
        }
        done.signal()
    }
}
