import Foundation
import NIOSSL

/// A connect attempt that asked for TLS failed; carries what is needed to say why in one line.
package struct TLSConnectError: Error {
    package let underlying: any Error
    package let plan: TLSPlan

    /// The one-line reason when TLS itself failed, e.g. "SSL error: certificate verify failed (sslmode=verify-ca,
    /// root certificate "/x/root.crt")"; nil when the failure came before TLS (refused, timed out).
    package var tlsMessage: String? {
        let reason: String
        switch underlying {
        case let negotiation as TLSNegotiationError:
            reason = negotiation.description
        case let extra as NIOSSLExtraError where extra == .failedToValidateHostname:
            reason = "server certificate does not match host name \"\(plan.host)\""
        case let extra as NIOSSLExtraError:
            reason = "SSL error: \(extra)"
        case let ssl as NIOSSLError:
            switch ssl {
            case .handshakeFailed(let boring):
                reason = "SSL error: " + Self.reasons(boring)
            case .uncleanShutdown:
                reason = "the server closed the connection during the TLS handshake"
            default:
                reason = "SSL error: \(ssl)"
            }
        case let boring as BoringSSLError:
            reason = "SSL error: " + Self.reasons(boring)
        default:
            return nil
        }
        return reason + " (\(plan.summary))"
    }

    /// BoringSSL's reason codes ("CERTIFICATE_VERIFY_FAILED") as words, without the file and line noise.
    package static func reasons(_ error: BoringSSLError) -> String {
        let stack: [BoringSSLInternalError]
        switch error {
        case .sslError(let errors), .unknownError(let errors), .invalidSNIName(let errors),
            .failedToSetALPN(let errors):
            stack = errors
        default:
            return "\(error)"
        }
        let words = stack.map { entry -> String in
            // "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at f.cc:123"
            let text = entry.description
            guard let start = text.range(of: "error:") else {
                // Synthetic errors read "Error:  EOF during handshake".
                let message = text.hasPrefix("Error:") ? text.dropFirst("Error:".count) : Substring(text)
                return message.trimmingCharacters(in: .whitespaces)
            }
            let fields = text[start.lowerBound...].split(separator: ":", maxSplits: 4)
            guard fields.count == 5 else { return text }
            let code = fields[4].split(separator: " ").first.map(String.init) ?? String(fields[4])
            return code.lowercased().replacingOccurrences(of: "_", with: " ")
        }
        return words.isEmpty ? "\(error)" : words.joined(separator: "; ")
    }
}
