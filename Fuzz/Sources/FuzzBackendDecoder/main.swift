import NIOCore
import PGWire

// libFuzzer calls this once per input. Built with `swift build --sanitize=fuzzer --sanitize=address`,
// SwiftPM leaves `main` to libFuzzer (with `-Xswiftc -sanitize=...` it would keep this file's empty
// top-level code as `main`, and the fuzzer would never run). Every input is "bytes a server sent":
// decoding may throw, but must never crash, hang or allocate without bound.

/// A small maximum so that lengths near it are reachable by mutation; the default is 64 MiB.
let maximumMessageLength = 1 << 16

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBackendDecoder(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = ByteBuffer(bytes: UnsafeRawBufferPointer(start: start, count: count))

    // 1. The whole input at once, through the same processor the engine embeds.
    decodeAll([input])

    // 2. The same bytes in chunks whose sizes come from the input itself, to exercise partial
    //    frames and re-entry; bounded by the input length.
    if let first = input.getInteger(at: 0, as: UInt8.self) {
        let chunkSize = Int(first % 17) + 1
        var chunks: [ByteBuffer] = []
        var remaining = input
        while remaining.readableBytes > 0 {
            chunks.append(remaining.readSlice(length: min(chunkSize, remaining.readableBytes))!)
        }
        decodeAll(chunks)
    }

    // 3. The one-byte encryption answers.
    var encryption = input
    _ = try? EncryptionResponse.decode(buffer: &encryption, request: .ssl)
    encryption = input
    _ = try? EncryptionResponse.decode(buffer: &encryption, request: .gssenc)
    return 0
}

/// Decodes `chunks` as one stream, touching every decoded field and feeding each message to a
/// startup state machine, until the input ends or the decoder rejects it.
func decodeAll(_ chunks: [ByteBuffer]) {
    let processor = NIOSingleStepByteToMessageProcessor(
        BackendMessageDecoder(maximumMessageLength: maximumMessageLength)
    )
    var machine = StartupStateMachine(
        configuration: StartupConfiguration(user: "fuzz", password: "pw", protocolVersion: .auto)
    )
    _ = machine.start()
    do {
        for chunk in chunks {
            try processor.process(buffer: chunk) { message in
                touch(message)
                if case .retryWithProtocol30 = machine.messageReceived(message) {
                    _ = machine.restartAtProtocol30()
                }
            }
        }
        try processor.finishProcessing(seenEOF: true) { touch($0) }
    } catch {
        _ = String(describing: error)
    }
    _ = machine.connectionClosed()
}

/// Reads everything a consumer could read from a message, so lazily decoded parts are fuzzed too.
func touch(_ message: BackendMessage) {
    switch message {
    case .dataRow(let row):
        var total = 0
        for column in row {
            total &+= column?.readableBytes ?? -1
        }
        if row.columnCount > 0 {
            total &+= row.column(row.columnCount - 1)?.readableBytes ?? 0
        }
        blackHole(total)
    case .rowDescription(let description):
        blackHole(description.fields.count)
    case .errorResponse(let fields), .noticeResponse(let fields):
        blackHole(fields.allFields.count)
        blackHole(fields.sqlState)
        blackHole(fields.description)
    case .commandComplete(let complete):
        blackHole(complete.rowsAffected)
        blackHole(complete.tagString)
    default:
        blackHole(message.name)
    }
}

@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
