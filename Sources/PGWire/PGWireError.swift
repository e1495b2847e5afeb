/// Everything that can go wrong while speaking the protocol: bytes that do not parse, a message the
/// current state does not allow, a failed login.
///
/// The error always names the message it is about (`"DataRow"`, `"SASL exchange"`), so a bad byte
/// from a server or pooler can be reported in one plain line.
public struct PGWireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, for code that reacts differently to different failures.
    public enum Kind: Hashable, Sendable {
        /// A message length below 4 (the length counts itself) or below the message's fixed size.
        case lengthTooShort
        /// A message length above the configured maximum or the message's fixed size.
        case lengthTooLong
        /// A message type byte the protocol does not define for the backend.
        case unknownMessageType
        /// The payload ended before a field it must contain.
        case truncated
        /// The payload continued after its last field.
        case trailingBytes
        /// A field held a value the protocol does not allow (status byte, format code, count...).
        case invalidValue
        /// A well-formed message that is not allowed at this point of the conversation.
        case unexpectedMessage
        /// The server asked for an authentication method this client does not implement.
        case unsupportedAuthentication
        /// The server asked for a password and none was configured.
        case missingPassword
        /// The SCRAM exchange failed: bad nonce, bad server signature, server-side error.
        case authenticationFailed
        /// NegotiateProtocolVersion broke the rules (sent twice, offered a higher version...).
        case protocolNegotiation
        /// The server answered with an ErrorResponse; see `serverError`.
        case serverError
    }

    public var kind: Kind
    /// The message (or exchange) the error is about, e.g. `"DataRow"`.
    public var messageName: String
    /// What was wrong, in words.
    public var detail: String
    /// The server's ErrorResponse fields when `kind == .serverError`.
    public var serverError: ErrorFields?

    public init(_ kind: Kind, messageName: String, detail: String, serverError: ErrorFields? = nil) {
        self.kind = kind
        self.messageName = messageName
        self.detail = detail
        self.serverError = serverError
    }

    public var description: String {
        if let serverError = self.serverError {
            return "\(self.messageName): \(self.detail): \(serverError)"
        }
        return "\(self.messageName): \(self.detail)"
    }
}
