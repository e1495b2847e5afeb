import NIOCore

/// ParameterDescription ("t"): the parameter types of a prepared statement.
public struct ParameterDescription: Hashable, Sendable {
    /// The type OID of each parameter.
    public var dataTypes: [Int32]

    public init(dataTypes: [Int32]) {
        self.dataTypes = dataTypes
    }

    static func decode(payload: inout ByteBuffer) throws(PGWireError) -> ParameterDescription {
        let id = BackendMessageID.parameterDescription
        guard let count = payload.readInteger(as: UInt16.self) else {
            throw .truncated(id, "the parameter count")
        }
        // Check the count against the bytes present before reserving anything for it.
        guard Int(count) * 4 == payload.readableBytes else {
            throw .invalid(id, "\(count) parameters but \(payload.readableBytes) bytes of type OIDs")
        }
        var dataTypes: [Int32] = []
        dataTypes.reserveCapacity(Int(count))
        for _ in 0..<count {
            dataTypes.append(payload.readInteger(as: Int32.self)!)
        }
        return ParameterDescription(dataTypes: dataTypes)
    }
}
