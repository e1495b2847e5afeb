import NIOCore
import PGWire
import Workload

/// The bytes of each SQL command that do not change between executions, encoded once per run and shared by all
/// clients: per transaction only the parameter values are written (see `DESIGN.md`, "the hot path").
///
/// Every fixed piece lives in one byte store addressed by offset, and the per-command tables hold only integers: a
/// write copies bytes without touching a reference count (retain/release of ByteBuffers and arrays showed up as
/// several percent of the client's CPU when each piece was its own ByteBuffer).
final class StatementEncoder: Sendable {
    /// A span of `store`.
    struct Piece: Sendable {
        var offset = 0
        var count = 0
    }

    /// What is fixed for one SQL command.
    struct Encoded: Sendable {
        /// Parse for this command: unnamed (extended mode, sent each time) or named (prepared mode, once per
        /// connection). Empty in simple mode.
        var parse = Piece()
        /// Bind's body up to and including the parameter count: portal, statement, format codes.
        var bindPrefix = Piece()
        /// The whole Query message when the command has no variables (simple mode).
        var constantQuery: Piece?
        /// This command's parameters in `parameterSlots`.
        var firstParameter = 0
        var parameterCount = 0
        var mode = QueryMode.simple
        /// Whether its results feed \gset / \aset.
        var keepsResult = false
    }

    private let store: ByteBuffer
    let commands: [Encoded]
    /// The variable slot of each parameter of every command, commands one after another.
    private let parameterSlots: [Int]
    /// Execute (unnamed portal, no row limit) followed by Sync.
    private let executeSync: Piece
    /// Execute alone, for commands inside a pipeline.
    private let execute: Piece
    /// Sync alone, for \syncpipeline and \endpipeline.
    private let syncMessage: Piece
    /// Describe of the unnamed portal, after every Bind: libpq sends one with each extended or prepared query
    /// (PQsendQueryParams, PQsendQueryPrepared), so pgbench's server builds a RowDescription per statement, and so
    /// must ours for the same -M to be the same load. (\gset and \aset read the column names from it.)
    private let describePortal: Piece

    init(plan: Plan, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        var encoder = FrontendMessageEncoder(buffer: allocator.buffer(capacity: 1024))
        /// Ends the piece encoded since the last call.
        var pieceStart = 0
        func endPiece(_ encoder: FrontendMessageEncoder) -> Piece {
            let end = encoder.buffer.writerIndex
            defer { pieceStart = end }
            return Piece(offset: pieceStart, count: end - pieceStart)
        }
        var slots: [Int] = []
        var commands: [Encoded] = []
        for command in plan.sqlCommands {
            var encoded = Encoded(firstParameter: slots.count, parameterCount: command.parameterSlots.count,
                                  mode: command.mode, keepsResult: command.resultHandling != .none)
            slots += command.parameterSlots
            switch command.mode {
            case .simple:
                if command.parameterSlots.isEmpty {
                    encoder.query(command.textParts[0])
                    encoded.constantQuery = endPiece(encoder)
                }
            case .extended:
                encoder.parse(statementName: "", query: command.sql)
                encoded.parse = endPiece(encoder)
            case .prepared:
                encoder.parse(statementName: command.statementName, query: command.sql)
                encoded.parse = endPiece(encoder)
            }
            encoder.buffer.writeNullTerminatedString("")  // unnamed portal
            encoder.buffer.writeNullTerminatedString(command.mode == .prepared ? command.statementName : "")
            encoder.buffer.writeInteger(Int16(0))  // parameter format codes: none, so all text
            encoder.buffer.writeInteger(Int16(command.parameterSlots.count))
            encoded.bindPrefix = endPiece(encoder)
            commands.append(encoded)
        }
        encoder.execute(portalName: "", maxRows: 0)
        execute = endPiece(encoder)
        encoder.sync()
        syncMessage = endPiece(encoder)
        encoder.describe(.portal, name: "")
        describePortal = endPiece(encoder)
        encoder.execute(portalName: "", maxRows: 0)
        encoder.sync()
        executeSync = endPiece(encoder)
        self.store = encoder.flushBuffer()
        self.commands = commands
        self.parameterSlots = slots
    }

    @inline(__always)
    private func write(_ piece: Piece, into out: inout ByteBuffer) {
        store.withUnsafeReadableBytes { bytes in
            _ = out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[piece.offset..<(piece.offset + piece.count)]))
        }
    }

    /// Writes a Sync (\syncpipeline, \endpipeline).
    func writeSync(into out: inout ByteBuffer) {
        write(syncMessage, into: &out)
    }

    /// Writes one execution of the SQL command `index` into `out`: Query (simple) or [Parse] Bind Describe Execute
    /// [Sync].
    /// `includeParse` is true in extended mode always, in prepared mode on a connection's first use. `command` (the
    /// same command) is only read in simple mode with variables, whose text is rebuilt each time.
    func write(
        command index: Int,
        _ command: SQLCommand,
        runner: borrowing ScriptRunner,
        includeParse: Bool,
        withSync: Bool,
        into out: inout ByteBuffer
    ) {
        let encoded = commands[index]
        if encoded.mode == .simple {
            if let constant = encoded.constantQuery {
                write(constant, into: &out)
            } else {
                writeSimpleQuery(command, runner: runner, into: &out)
            }
            return
        }
        if includeParse {
            write(encoded.parse, into: &out)
        }
        let lengthIndex = out.beginPGMessage(id: UInt8(ascii: "B"))
        write(encoded.bindPrefix, into: &out)
        for position in encoded.firstParameter..<(encoded.firstParameter + encoded.parameterCount) {
            if let value = runner.parameter(parameterSlots[position]), value != .null {
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
        write(describePortal, into: &out)
        write(withSync ? executeSync : execute, into: &out)
    }

    /// Simple mode with variables: the text with each value substituted, as pgbench does.
    private func writeSimpleQuery(_ command: SQLCommand, runner: borrowing ScriptRunner, into out: inout ByteBuffer) {
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
    }
}
