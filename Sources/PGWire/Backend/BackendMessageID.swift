/// The type bytes of backend (server to client) messages, and their names for error messages.
public enum BackendMessageID: UInt8, Hashable, Sendable, CaseIterable {
    case authentication = 0x52  // R
    case backendKeyData = 0x4B  // K
    case bindComplete = 0x32  // 2
    case closeComplete = 0x33  // 3
    case commandComplete = 0x43  // C
    case copyBothResponse = 0x57  // W
    case copyData = 0x64  // d
    case copyDone = 0x63  // c
    case copyInResponse = 0x47  // G
    case copyOutResponse = 0x48  // H
    case dataRow = 0x44  // D
    case emptyQueryResponse = 0x49  // I
    case errorResponse = 0x45  // E
    case functionCallResponse = 0x56  // V
    case negotiateProtocolVersion = 0x76  // v
    case noData = 0x6E  // n
    case noticeResponse = 0x4E  // N
    case notificationResponse = 0x41  // A
    case parameterDescription = 0x74  // t
    case parameterStatus = 0x53  // S
    case parseComplete = 0x31  // 1
    case portalSuspended = 0x73  // s
    case readyForQuery = 0x5A  // Z
    case rowDescription = 0x54  // T

    /// The name the protocol documentation uses, for error messages.
    public var name: String {
        switch self {
        case .authentication: "Authentication"
        case .backendKeyData: "BackendKeyData"
        case .bindComplete: "BindComplete"
        case .closeComplete: "CloseComplete"
        case .commandComplete: "CommandComplete"
        case .copyBothResponse: "CopyBothResponse"
        case .copyData: "CopyData"
        case .copyDone: "CopyDone"
        case .copyInResponse: "CopyInResponse"
        case .copyOutResponse: "CopyOutResponse"
        case .dataRow: "DataRow"
        case .emptyQueryResponse: "EmptyQueryResponse"
        case .errorResponse: "ErrorResponse"
        case .functionCallResponse: "FunctionCallResponse"
        case .negotiateProtocolVersion: "NegotiateProtocolVersion"
        case .noData: "NoData"
        case .noticeResponse: "NoticeResponse"
        case .notificationResponse: "NotificationResponse"
        case .parameterDescription: "ParameterDescription"
        case .parameterStatus: "ParameterStatus"
        case .parseComplete: "ParseComplete"
        case .portalSuspended: "PortalSuspended"
        case .readyForQuery: "ReadyForQuery"
        case .rowDescription: "RowDescription"
        }
    }

    /// The smallest and largest message length (the length field's value, which counts itself) the
    /// protocol allows for this message, checked before waiting for the payload so that a bogus
    /// length never makes us buffer for it. Nil bounds are checked against the decoder's maximum.
    var lengthBounds: (minimum: Int, maximum: Int?) {
        switch self {
        case .bindComplete, .closeComplete, .copyDone, .emptyQueryResponse, .noData, .parseComplete,
            .portalSuspended:
            (4, 4)
        case .readyForQuery: (5, 5)
        // Process ID plus a 4 to 256 byte key.
        case .backendKeyData: (4 + 4 + 4, 4 + 4 + 256)
        case .authentication: (4 + 4, nil)
        // At least one empty field list terminator.
        case .errorResponse, .noticeResponse: (4 + 1, nil)
        case .copyInResponse, .copyOutResponse, .copyBothResponse: (4 + 1 + 2, nil)
        case .dataRow, .rowDescription, .parameterDescription: (4 + 2, nil)
        case .negotiateProtocolVersion: (4 + 4 + 4, nil)
        case .notificationResponse: (4 + 4 + 1 + 1, nil)
        case .parameterStatus: (4 + 1 + 1, nil)
        case .commandComplete: (4 + 1, nil)
        case .functionCallResponse: (4 + 4, nil)
        case .copyData: (4, nil)
        }
    }
}

extension PGWireError {
    /// A payload that ended before `field`.
    static func truncated(_ id: BackendMessageID, _ field: String) -> PGWireError {
        PGWireError(.truncated, messageName: id.name, detail: "payload ends before \(field)")
    }

    /// A field whose value the protocol does not allow.
    static func invalid(_ id: BackendMessageID, _ detail: String) -> PGWireError {
        PGWireError(.invalidValue, messageName: id.name, detail: detail)
    }
}
