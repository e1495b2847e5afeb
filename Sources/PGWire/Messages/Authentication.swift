import NIOCore

/// An Authentication ("R") message: the server's request for credentials, or its verdict.
public enum Authentication: Hashable, Sendable {
    /// AuthenticationOk: logged in.
    case ok
    /// AuthenticationKerberosV5: no longer supported by any server.
    case kerberosV5
    /// AuthenticationCleartextPassword: send the password as is.
    case cleartextPassword
    /// AuthenticationMD5Password: send `MD5Password.hash(user:password:salt:)`.
    case md5Password(salt: UInt32)
    /// AuthenticationGSS: start a GSSAPI exchange.
    case gss
    /// AuthenticationGSSContinue: GSSAPI or SSPI data.
    case gssContinue(ByteBuffer)
    /// AuthenticationSSPI: start an SSPI exchange.
    case sspi
    /// AuthenticationSASL: the SASL mechanisms the server accepts, in its order of preference.
    case sasl(mechanisms: [String])
    /// AuthenticationSASLContinue: the server's next SASL message (for SCRAM, server-first).
    case saslContinue(ByteBuffer)
    /// AuthenticationSASLFinal: the server's last SASL message (for SCRAM, server-final).
    case saslFinal(ByteBuffer)

    static func decode(payload: inout ByteBuffer) throws(PGWireError) -> Authentication {
        let id = BackendMessageID.authentication
        guard let code = payload.readInteger(as: Int32.self) else {
            throw .truncated(id, "the authentication code")
        }
        switch code {
        case 0: return .ok
        case 2: return .kerberosV5
        case 3: return .cleartextPassword
        case 5:
            guard let salt = payload.readInteger(as: UInt32.self) else {
                throw .truncated(id, "the MD5 salt")
            }
            return .md5Password(salt: salt)
        case 7: return .gss
        case 8: return .gssContinue(payload.readSlice(length: payload.readableBytes)!)
        case 9: return .sspi
        case 10:
            var mechanisms: [String] = []
            while true {
                guard let mechanism = payload.readNullTerminatedString() else {
                    throw .truncated(id, "the end of the SASL mechanism list")
                }
                if mechanism.isEmpty {
                    break
                }
                mechanisms.append(mechanism)
            }
            return .sasl(mechanisms: mechanisms)
        case 11: return .saslContinue(payload.readSlice(length: payload.readableBytes)!)
        case 12: return .saslFinal(payload.readSlice(length: payload.readableBytes)!)
        default:
            throw .invalid(id, "unknown authentication code \(code)")
        }
    }
}
