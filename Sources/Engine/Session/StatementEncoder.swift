import NIOCore
import PGWire
import Workload

/// The bytes of each SQL command that do not change between executions, encoded once per run and shared by all
/// clients: per transaction only the parameter values are written (see `DESIGN.md`, "the hot path").
final class StatementEncoder: Sendable {
    /// What is fixed for one SQL command.
    struct Encoded: Sendable {
        /// Parse for this command: unnamed (extended mode, sent each time) or named (prepared mode, once per
        /// connection). Empty in simple mode.
        var parse: ByteBuffer
        /// Bind's body up to and including the parameter count: portal, statement, format codes.
        var bindPrefix: ByteBuffer
        /// The whole Query message when the command has no variables (simple mode).
        var constantQuery: ByteBuffer?
        var parameterCount: Int
    }

    let commands: [Encoded]
    /// Execute (unnamed portal, no row limit) followed by Sync.
    let executeSync: ByteBuffer
    /// Execute alone, for commands inside a pipeline.
    let execute: ByteBuffer
    /// Sync alone, for \syncpipeline and \endpipeline.
    let sync: ByteBuffer
    /// Describe of the unnamed portal: sent only for commands whose results feed \gset / \aset, which need the
    /// column names (the load itself never asks for a RowDescription, saving the server the work).
    let describePortal: ByteBuffer

    init(plan: Plan, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        var encoder = FrontendMessageEncoder(buffer: allocator.buffer(capacity: 256))
        commands = plan.sqlCommands.map { command in
            var parse = allocator.buffer(capacity: 0)
            var constantQuery: ByteBuffer?
            switch command.mode {
            case .simple:
                if command.parameterSlots.isEmpty {
                    encoder.query(command.textParts[0])
                    constantQuery = encoder.flushBuffer()
                }
            case .extended:
                encoder.parse(statementName: "", query: command.sql)
                parse = encoder.flushBuffer()
            case .prepared:
                encoder.parse(statementName: command.statementName, query: command.sql)
                parse = encoder.flushBuffer()
            }
            var prefix = allocator.buffer(capacity: 32)
            prefix.writeNullTerminatedString("")  // unnamed portal
            prefix.writeNullTerminatedString(command.mode == .prepared ? command.statementName : "")
            prefix.writeInteger(Int16(0))  // parameter format codes: none, so all text
            prefix.writeInteger(Int16(command.parameterSlots.count))
            return Encoded(parse: parse, bindPrefix: prefix, constantQuery: constantQuery,
                           parameterCount: command.parameterSlots.count)
        }
        encoder.execute(portalName: "", maxRows: 0)
        execute = encoder.flushBuffer()
        encoder.sync()
        sync = encoder.flushBuffer()
        encoder.describe(.portal, name: "")
        describePortal = encoder.flushBuffer()
        encoder.execute(portalName: "", maxRows: 0)
        encoder.sync()
        executeSync = encoder.flushBuffer()
    }

    /// Writes one execution of `command` into `out`: Query (simple) or [Parse] Bind Execute [Sync].
    /// `includeParse` is true in extended mode always, in prepared mode on a connection's first use.
    func write(
        _ command: SQLCommand,
        runner: borrowing ScriptRunner,
        includeParse: Bool,
        withSync: Bool,
        into out: inout ByteBuffer
    ) {
        let encoded = commands[command.index]
        if command.mode == .simple {
            if let constant = encoded.constantQuery {
                out.writeImmutableBuffer(constant)
                return
            }
            let lengthIndex = out.beginPGMessage(id: UInt8(ascii: "Q"))
            out.writeString(command.textParts[0])
            for (position, slot) in command.parameterSlots.enumerated() {
                if let value = runner.parameter(slot) {
                    value.withUTF8Text { bytes in _ = out.writeBytes(bytes) }
                } else {
                    // pgbench leaves an undefined variable's reference in the text.
                    out.writeInteger(UInt8(ascii: ":"))
                    out.writeString(command.parameterNames[position])
                }
                out.writeString(command.textParts[position + 1])
            }
            out.writeInteger(UInt8(0))
            out.endPGMessage(lengthIndex: lengthIndex)
            return
        }
        if includeParse {
            out.writeImmutableBuffer(encoded.parse)
        }
        let lengthIndex = out.beginPGMessage(id: UInt8(ascii: "B"))
        out.writeImmutableBuffer(encoded.bindPrefix)
        for slot in command.parameterSlots {
            if let value = runner.parameter(slot), value != .null {
                value.withUTF8Text { bytes in
                    out.writeInteger(Int32(bytes.count))
                    out.writeBytes(bytes)
                }
            } else {
                out.writeInteger(Int32(-1))
            }
        }
        out.writeInteger(Int16(0))  // result format codes: none, so all text
        out.endPGMessage(lengthIndex: lengthIndex)
        if command.resultHandling != .none {
            out.writeImmutableBuffer(describePortal)
        }
        out.writeImmutableBuffer(withSync ? executeSync : execute)
    }
}
