import NIOCore

/// Where the direct driver's connections go, worked out once per run: the address (a host name resolved once, not
/// per connection) and whether to ask for TLS first (sslmode=prefer or allow against a server that said no).
struct DirectEndpoint: Sendable {
    let address: SocketAddress
    /// Send SSLRequest and accept only "N": the run chose this driver because the server does not offer TLS.
    let sendsSSLRequest: Bool

    /// Throws a one-line `EngineError` when the host name does not resolve.
    init(settings: ConnectionSettings) throws(EngineError) {
        switch settings.endpoint {
        case .tcp(let host, let port):
            do {
                if let literal = try? SocketAddress(ipAddress: host, port: port) {
                    address = literal
                } else {
                    address = try SocketAddress.makeAddressResolvingHost(host, port: port)
                }
            } catch {
                throw EngineError(.connection, "cannot connect to \(settings.endpointDescription): "
                    + "cannot resolve host \"\(host)\" (\(error))")
            }
            sendsSSLRequest = settings.sslMode.requestsTLS
        case .unixSocket(let path):
            do {
                address = try SocketAddress(unixDomainSocketPath: path)
            } catch {
                throw EngineError(.connection, "cannot connect to \(settings.endpointDescription): \(error)")
            }
            sendsSSLRequest = false
        }
    }
}
