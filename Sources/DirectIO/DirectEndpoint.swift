import NIOCore
import Connection

/// Where the direct driver's connections go, worked out once per run: the address (a host name resolved once, not
/// per connection) and whether to ask for TLS first (sslmode=prefer or allow against a server that said no).
package struct DirectEndpoint: Sendable {
    package let address: SocketAddress
    /// Send SSLRequest and accept only "N": the run chose this driver because the server does not offer TLS.
    package let sendsSSLRequest: Bool

    /// Throws a one-line `PgswarmError` when the host name does not resolve.
    package init(settings: ConnectionSettings) throws(PgswarmError) {
        switch settings.endpoint {
        case .tcp(let host, let port):
            do {
                if let literal = try? SocketAddress(ipAddress: host, port: port) {
                    address = literal
                } else {
                    address = try SocketAddress.makeAddressResolvingHost(host, port: port)
                }
            } catch {
                throw PgswarmError(.connection, "cannot connect to \(settings.endpointDescription): "
                    + "cannot resolve host \"\(host)\" (\(error))")
            }
            sendsSSLRequest = settings.sslMode.requestsTLS
        case .unixSocket(let path):
            do {
                address = try SocketAddress(unixDomainSocketPath: path)
            } catch {
                throw PgswarmError(.connection, "cannot connect to \(settings.endpointDescription): \(error)")
            }
            sendsSSLRequest = false
        }
    }
}
