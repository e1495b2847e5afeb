import NIOCore

/// A decoded backend (server to client) message.
///
/// Payloads that can be large (rows, tags, error bodies, COPY data) are slices of the receive
/// buffer: decoding copies nothing.
public enum BackendMessage: Hashable, Sendable {
    case authentication(Authentication)
    case backendKeyData(BackendKeyData)
    case bindComplete
    case closeComplete
    case commandComplete(CommandComplete)
    case copyBothResponse(CopyResponse)
    case copyData(ByteBuffer)
    case copyDone
    case copyInResponse(CopyResponse)
    case copyOutResponse(CopyResponse)
    case dataRow(DataRow)
    case emptyQueryResponse
    case errorResponse(ErrorFields)
    /// The function's result; nil for NULL.
    case functionCallResponse(ByteBuffer?)
    case negotiateProtocolVersion(NegotiateProtocolVersion)
    case noData
    case noticeResponse(ErrorFields)
    case notificationResponse(NotificationResponse)
    case parameterDescription(ParameterDescription)
    case parameterStatus(ParameterStatus)
    case parseComplete
    case portalSuspended
    case readyForQuery(TransactionStatus)
    case rowDescription(RowDescription)

    /// Decodes one message from its framed payload (the bytes after the type byte and length).
    ///
    /// The payload must be consumed exactly: leftover bytes are an error, because they mean the
    /// server and this client disagree about the message's layout.
    public static func decode(id: UInt8, payload: inout ByteBuffer) throws(PGWireError) -> BackendMessage {
        guard let messageID = BackendMessageID(rawValue: id) else {
            throw PGWireError.unknownMessageType(id)
        }
        let message = try Self.decode(id: messageID, payload: &payload)
        guard payload.readableBytes == 0 else {
            throw PGWireError(
                .trailingBytes,
                messageName: messageID.name,
                detail: "\(payload.readableBytes) bytes left after the last field"
            )
        }
        return message
    }

    static func decode(id: BackendMessageID, payload: inout ByteBuffer) throws(PGWireError) -> BackendMessage {
        switch id {
        case .authentication: return .authentication(try Authentication.decode(payload: &payload))
        case .backendKeyData: return .backendKeyData(try BackendKeyData.decode(payload: &payload))
        case .bindComplete: return .bindComplete
        case .closeComplete: return .closeComplete
        case .commandComplete: return .commandComplete(try CommandComplete.decode(payload: &payload))
        case .copyBothResponse: return .copyBothResponse(try CopyResponse.decode(id: id, payload: &payload))
        case .copyData: return .copyData(payload.readSlice(length: payload.readableBytes)!)
        case .copyDone: return .copyDone
        case .copyInResponse: return .copyInResponse(try CopyResponse.decode(id: id, payload: &payload))
        case .copyOutResponse: return .copyOutResponse(try CopyResponse.decode(id: id, payload: &payload))
        case .dataRow: return .dataRow(try DataRow.decode(payload: &payload))
        case .emptyQueryResponse: return .emptyQueryResponse
        case .errorResponse: return .errorResponse(try ErrorFields.decode(id: id, payload: &payload))
        case .functionCallResponse: return .functionCallResponse(try Self.decodeFunctionResult(&payload))
        case .negotiateProtocolVersion:
            return .negotiateProtocolVersion(try NegotiateProtocolVersion.decode(payload: &payload))
        case .noData: return .noData
        case .noticeResponse: return .noticeResponse(try ErrorFields.decode(id: id, payload: &payload))
        case .notificationResponse: return .notificationResponse(try NotificationResponse.decode(payload: &payload))
        case .parameterDescription: return .parameterDescription(try ParameterDescription.decode(payload: &payload))
        case .parameterStatus: return .parameterStatus(try ParameterStatus.decode(payload: &payload))
        case .parseComplete: return .parseComplete
        case .portalSuspended: return .portalSuspended
        case .readyForQuery: return .readyForQuery(try TransactionStatus.decode(payload: &payload))
        case .rowDescription: return .rowDescription(try RowDescription.decode(payload: &payload))
        }
    }

    /// FunctionCallResponse: an Int32 length (-1 for NULL) and that many bytes.
    private static func decodeFunctionResult(_ payload: inout ByteBuffer) throws(PGWireError) -> ByteBuffer? {
        let id = BackendMessageID.functionCallResponse
        guard let length = payload.readInteger(as: Int32.self) else {
            throw .truncated(id, "the result length")
        }
        if length == -1 {
            return nil
        }
        guard length >= 0 else {
            throw .invalid(id, "result length \(length)")
        }
        guard let value = payload.readSlice(length: Int(length)) else {
            throw .truncated(id, "the \(length) bytes of the result")
        }
        return value
    }
}

extension PGWireError {
    static func unknownMessageType(_ id: UInt8) -> PGWireError {
        let printable = (0x21...0x7E).contains(id) ? "\"\(Character(Unicode.Scalar(id)))\" " : ""
        return PGWireError(
            .unknownMessageType,
            messageName: "message type \(printable)(0x\(String(id, radix: 16)))",
            detail: "not a backend message type"
        )
    }
}

extension BackendMessage {
    /// The message's type byte.
    public var id: BackendMessageID {
        switch self {
        case .authentication: .authentication
        case .backendKeyData: .backendKeyData
        case .bindComplete: .bindComplete
        case .closeComplete: .closeComplete
        case .commandComplete: .commandComplete
        case .copyBothResponse: .copyBothResponse
        case .copyData: .copyData
        case .copyDone: .copyDone
        case .copyInResponse: .copyInResponse
        case .copyOutResponse: .copyOutResponse
        case .dataRow: .dataRow
        case .emptyQueryResponse: .emptyQueryResponse
        case .errorResponse: .errorResponse
        case .functionCallResponse: .functionCallResponse
        case .negotiateProtocolVersion: .negotiateProtocolVersion
        case .noData: .noData
        case .noticeResponse: .noticeResponse
        case .notificationResponse: .notificationResponse
        case .parameterDescription: .parameterDescription
        case .parameterStatus: .parameterStatus
        case .parseComplete: .parseComplete
        case .portalSuspended: .portalSuspended
        case .readyForQuery: .readyForQuery
        case .rowDescription: .rowDescription
        }
    }

    /// The message's protocol name, for error messages.
    public var name: String { id.name }
}
