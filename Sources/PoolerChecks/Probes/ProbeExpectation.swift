import Engine
import NIOCore
import PGWire
import Stats

/// Checks a reply against the exact sequence of messages the protocol prescribes, in order. NoticeResponse,
/// ParameterStatus and NotificationResponse may come anywhere (the server sends them when it likes); anything else
/// out of place is a desync, counted under its message name, after which the rest of the reply is read up to
/// ReadyForQuery and dropped.
struct ProbeExpectation {
    /// One expected step: a message type, possibly repeated.
    struct Step {
        var id: BackendMessageID
        var count: Int

        static func one(_ id: BackendMessageID) -> Step { Step(id: id, count: 1) }
        static func repeated(_ id: BackendMessageID, _ count: Int) -> Step { Step(id: id, count: count) }
    }

    let label: String
    let steps: [Step]

    /// What reading the reply showed.
    struct Reading {
        /// True when every expected message came, in order, and nothing else.
        var inOrder = true
        /// Every ErrorResponse's fields.
        var errors: [ErrorFields] = []
        var messages = 0
        /// CopyData bytes, for COPY TO STDOUT.
        var copyBytes = 0
        /// Whether the reply ended (ReadyForQuery) rather than timing out or closing.
        var ended = false
    }

    /// Reads the reply, checks it, and counts what was wrong into `part`. Stops after ReadyForQuery when the
    /// expectation ends with one, else after the last expected message.
    func read(_ reader: inout ProbeReader, timeout: TimeAmount, into part: inout ProbeSummary) async -> Reading {
        var reading = Reading()
        var stepIndex = 0
        var seenInStep = 0
        let expectsReady = steps.last?.id == .readyForQuery
        let total = steps.reduce(0) { $0 + $1.count }
        while reading.messages <= total + 1000 {
            let event = await reader.next(timeout: timeout)
            let message: BackendMessage
            switch event {
            case .message(let received):
                message = received
            case .timedOut:
                part.failure("timeout")
                part.note("\(label): no reply within the timeout after \(reading.messages) messages")
                reading.inOrder = false
                return reading
            case .closed:
                part.failure("closed")
                part.note("\(label): connection closed after \(reading.messages) messages")
                reading.inOrder = false
                return reading
            case .undecodable(let text):
                part.failure("undecodable")
                part.note("\(label): \(text)")
                reading.inOrder = false
                return reading
            }
            switch message {
            case .noticeResponse, .parameterStatus, .notificationResponse:
                continue
            case .errorResponse(let fields):
                reading.errors.append(fields)
            case .copyData(let bytes):
                reading.copyBytes += bytes.readableBytes
            default:
                break
            }
            reading.messages += 1
            if reading.inOrder {
                if stepIndex < steps.count, message.id == steps[stepIndex].id {
                    seenInStep += 1
                    if seenInStep == steps[stepIndex].count {
                        stepIndex += 1
                        seenInStep = 0
                    }
                } else {
                    reading.inOrder = false
                    part.desync(message.name)
                    let due = stepIndex < steps.count ? steps[stepIndex].id.name : "nothing"
                    part.note("\(label): \(message.name) where \(due) was due")
                }
            }
            if case .readyForQuery = message {
                reading.ended = true
                if stepIndex < steps.count && reading.inOrder {
                    reading.inOrder = false
                    part.violation("reply_incomplete")
                }
                return reading
            }
            if !expectsReady && reading.inOrder && stepIndex == steps.count {
                reading.ended = true
                return reading
            }
        }
        part.failure("too_many_messages")
        reading.inOrder = false
        return reading
    }
}
