import NIOCore

/// Encodes frontend (client to server) messages into one reusable buffer.
///
/// Call one method per message, then `flushBuffer()` once per batch to take the bytes for a write.
/// Nothing here builds intermediate arrays or strings: every field is written straight into `buffer`.
public struct FrontendMessageEncoder {
    /// Message type bytes of the frontend messages that have one.
    @usableFromInline
    enum ID {
        @usableFromInline static let bind = UInt8(ascii: "B")
        @usableFromInline static let close = UInt8(ascii: "C")
        @usableFromInline static let copyData = UInt8(ascii: "d")
        @usableFromInline static let copyDone = UInt8(ascii: "c")
        @usableFromInline static let copyFail = UInt8(ascii: "f")
        @usableFromInline static let describe = UInt8(ascii: "D")
        @usableFromInline static let execute = UInt8(ascii: "E")
        @usableFromInline static let flush = UInt8(ascii: "H")
        @usableFromInline static let functionCall = UInt8(ascii: "F")
        @usableFromInline static let parse = UInt8(ascii: "P")
        /// PasswordMessage, SASLInitialResponse and SASLResponse all share "p".
        @usableFromInline static let password = UInt8(ascii: "p")
        @usableFromInline static let query = UInt8(ascii: "Q")
        @usableFromInline static let sync = UInt8(ascii: "S")
        @usableFromInline static let terminate = UInt8(ascii: "X")
    }

    /// The request codes that take the place of a protocol version in untyped startup-phase packets.
    @usableFromInline
    enum RequestCode {
        @usableFromInline static let cancel: Int32 = 80_877_102
        @usableFromInline static let ssl: Int32 = 80_877_103
        @usableFromInline static let gssenc: Int32 = 80_877_104
    }

    /// The bytes encoded since the last `flushBuffer()` (after whatever the buffer held at `init`).
    public var buffer: ByteBuffer

    /// Encodes after the bytes `buffer` already holds, so a caller can wrap its pending outbound
    /// buffer, append messages and take it back with `buffer` or `flushBuffer()`.
    public init(buffer: ByteBuffer) {
        self.buffer = buffer
    }

    /// Returns the encoded bytes and resets the buffer for the next batch.
    ///
    /// The returned buffer shares storage with ours until the caller drops it; the next `clear()`
    /// then reuses the capacity when it can.
    @inlinable
    public mutating func flushBuffer() -> ByteBuffer {
        let bytes = self.buffer
        self.buffer.clear()
        return bytes
    }

    // MARK: Startup-phase packets (no type byte)

    /// StartupMessage: protocol version and `name=value` pairs. `parameters` may include
    /// `_pq_.`-prefixed protocol options; `database` nil means "same as user".
    @inlinable
    public mutating func startupMessage(
        user: String,
        database: String?,
        parameters: [(String, String)],
        version: ProtocolVersion = .v3_0
    ) {
        let lengthIndex = self.buffer.writerIndex
        self.buffer.writeMultipleIntegers(Int32(0), version.wireValue)
        self.buffer.writeNullTerminatedString("user")
        self.buffer.writeNullTerminatedString(user)
        if let database {
            self.buffer.writeNullTerminatedString("database")
            self.buffer.writeNullTerminatedString(database)
        }
        for (name, value) in parameters {
            self.buffer.writeNullTerminatedString(name)
            self.buffer.writeNullTerminatedString(value)
        }
        self.buffer.writeInteger(UInt8(0))
        self.buffer.setInteger(Int32(truncatingIfNeeded: self.buffer.writerIndex - lengthIndex), at: lengthIndex)
    }

    /// SSLRequest: asks whether the server will speak TLS; answered by one byte.
    @inlinable
    public mutating func sslRequest() {
        self.buffer.writeMultipleIntegers(Int32(8), RequestCode.ssl)
    }

    /// GSSENCRequest: asks whether the server will speak GSSAPI encryption; answered by one byte.
    @inlinable
    public mutating func gssencRequest() {
        self.buffer.writeMultipleIntegers(Int32(8), RequestCode.gssenc)
    }

    /// CancelRequest, sent on a fresh connection. The key is written at its own length: 4 bytes in
    /// protocol 3.0, 4 to 256 bytes in 3.2 (whatever BackendKeyData carried).
    @inlinable
    public mutating func cancelRequest(processID: Int32, secretKey: ByteBuffer) {
        self.buffer.writeMultipleIntegers(
            Int32(truncatingIfNeeded: 12 + secretKey.readableBytes),
            RequestCode.cancel,
            processID
        )
        self.buffer.writeImmutableBuffer(secretKey)
    }

    // MARK: Authentication

    /// PasswordMessage: a cleartext password or an MD5 hash (`"md5..."`), NUL terminated.
    @inlinable
    public mutating func password(_ password: String) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.password)
        self.buffer.writeNullTerminatedString(password)
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    /// SASLInitialResponse: the chosen mechanism and the client-first message.
    @inlinable
    public mutating func saslInitialResponse(mechanism: String, initialResponse: [UInt8]) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.password)
        self.buffer.writeNullTerminatedString(mechanism)
        self.buffer.writeInteger(Int32(truncatingIfNeeded: initialResponse.count))
        self.buffer.writeBytes(initialResponse)
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    /// SASLResponse: the next message of the SASL exchange (raw bytes, not NUL terminated).
    @inlinable
    public mutating func saslResponse(_ bytes: [UInt8]) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.password)
        self.buffer.writeBytes(bytes)
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    // MARK: Simple and extended query

    /// Query: one or more SQL statements for the simple query protocol.
    @inlinable
    public mutating func query(_ sql: String) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.query)
        self.buffer.writeNullTerminatedString(sql)
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    /// Parse: prepares `query` as `statementName` ("" is the unnamed statement). A type OID of 0
    /// leaves the parameter's type to the server.
    @inlinable
    public mutating func parse(statementName: String, query: String, parameterTypes: [Int32] = []) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.parse)
        self.buffer.writeNullTerminatedString(statementName)
        self.buffer.writeNullTerminatedString(query)
        self.buffer.writeInteger(Int16(truncatingIfNeeded: parameterTypes.count))
        for oid in parameterTypes {
            self.buffer.writeInteger(oid)
        }
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    /// Bind: creates `portalName` from `statementName` with these parameters.
    ///
    /// Parameter format codes are written in the shortest form the protocol allows: none when all
    /// are text, one when all share a format, otherwise one per parameter. `resultFormats` follows
    /// the protocol's rule: empty means all text, one entry applies to every column.
    @inlinable
    public mutating func bind(
        portalName: String,
        statementName: String,
        parameters: [BindParameter],
        resultFormats: [FormatCode] = []
    ) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.bind)
        self.buffer.writeNullTerminatedString(portalName)
        self.buffer.writeNullTerminatedString(statementName)
        self.writeFormatCodes(of: parameters)
        self.buffer.writeInteger(Int16(truncatingIfNeeded: parameters.count))
        for parameter in parameters {
            self.buffer.writeBindParameterValue(parameter)
        }
        self.buffer.writeInteger(Int16(truncatingIfNeeded: resultFormats.count))
        for format in resultFormats {
            self.buffer.writeInteger(format.rawValue)
        }
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    /// Describe: asks for a statement's ParameterDescription and RowDescription, or a portal's
    /// RowDescription.
    @inlinable
    public mutating func describe(_ target: DescribeTarget, name: String) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.describe)
        self.buffer.writeInteger(target.rawValue)
        self.buffer.writeNullTerminatedString(name)
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    /// Execute: runs a portal, returning at most `maxRows` rows (0 = no limit; a limited portal
    /// ends with PortalSuspended).
    @inlinable
    public mutating func execute(portalName: String, maxRows: Int32 = 0) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.execute)
        self.buffer.writeNullTerminatedString(portalName)
        self.buffer.writeInteger(maxRows)
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    /// Close: drops a prepared statement or a portal.
    @inlinable
    public mutating func close(_ target: DescribeTarget, name: String) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.close)
        self.buffer.writeInteger(target.rawValue)
        self.buffer.writeNullTerminatedString(name)
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    /// Sync: ends an extended-query batch; the server answers ReadyForQuery.
    @inlinable
    public mutating func sync() {
        self.buffer.writeMultipleIntegers(ID.sync, Int32(4))
    }

    /// Flush: asks the server to send what it has buffered, without ending the batch.
    @inlinable
    public mutating func flush() {
        self.buffer.writeMultipleIntegers(ID.flush, Int32(4))
    }

    /// Terminate: a polite goodbye before closing the connection.
    @inlinable
    public mutating func terminate() {
        self.buffer.writeMultipleIntegers(ID.terminate, Int32(4))
    }

    // MARK: COPY

    /// CopyData: a chunk of COPY FROM STDIN data.
    @inlinable
    public mutating func copyData(_ bytes: ByteBuffer) {
        self.buffer.writeMultipleIntegers(ID.copyData, Int32(truncatingIfNeeded: 4 + bytes.readableBytes))
        self.buffer.writeImmutableBuffer(bytes)
    }

    /// CopyDone: the end of COPY FROM STDIN data.
    @inlinable
    public mutating func copyDone() {
        self.buffer.writeMultipleIntegers(ID.copyDone, Int32(4))
    }

    /// CopyFail: aborts COPY FROM STDIN with this message.
    @inlinable
    public mutating func copyFail(message: String) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.copyFail)
        self.buffer.writeNullTerminatedString(message)
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    // MARK: Function call

    /// FunctionCall: the legacy fast-path call of a function by OID.
    @inlinable
    public mutating func functionCall(functionOID: Int32, arguments: [BindParameter], resultFormat: FormatCode) {
        let lengthIndex = self.buffer.beginPGMessage(id: ID.functionCall)
        self.buffer.writeInteger(functionOID)
        self.writeFormatCodes(of: arguments)
        self.buffer.writeInteger(Int16(truncatingIfNeeded: arguments.count))
        for argument in arguments {
            self.buffer.writeBindParameterValue(argument)
        }
        self.buffer.writeInteger(resultFormat.rawValue)
        self.buffer.endPGMessage(lengthIndex: lengthIndex)
    }

    /// Writes the parameter format-code list in its shortest form (see `bind`).
    @inlinable
    mutating func writeFormatCodes(of parameters: [BindParameter]) {
        guard let first = parameters.first?.formatCode else {
            self.buffer.writeInteger(Int16(0))
            return
        }
        if parameters.allSatisfy({ $0.formatCode == first }) {
            if first == .text {
                self.buffer.writeInteger(Int16(0))
            } else {
                self.buffer.writeMultipleIntegers(Int16(1), first.rawValue)
            }
            return
        }
        self.buffer.writeInteger(Int16(truncatingIfNeeded: parameters.count))
        for parameter in parameters {
            self.buffer.writeInteger(parameter.formatCode.rawValue)
        }
    }
}
