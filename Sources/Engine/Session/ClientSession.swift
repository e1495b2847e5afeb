import Foundation
import NIOCore
import PGWire
import Stats
import Workload
import Connection

/// One client's life as a state machine without I/O: it is told what happened (connected, a message arrived, a
/// timer fired) and answers what to do. Its outbound bytes accumulate in `outbound`; the `.flush` action tells the
/// channel handler to write them, once per step.
///
/// Transactions run the client's script: meta-commands are evaluated by the `ScriptRunner`, each SQL command is
/// encoded from pre-encoded pieces and sent with its Sync (or, inside `\startpipeline`, held until the pipeline
/// ends, so that the whole pipeline leaves in one write).
struct ClientSession {
    enum Action {
        case none
        /// Write and flush `outbound`.
        case flush
        /// Open a connection (first, or again for `-C`).
        case connect
        /// Wake this session (`timerFired`) at this monotonic time.
        case wake(atNanos: UInt64)
        /// Send what is in `outbound` (Terminate), close, and connect again at once.
        case closeAndReconnect
        /// Close the connection; the session will be woken (`timerFired`) after the delay to connect again.
        case closeAndReconnectLater(delayNanos: UInt64)
        /// The client is done; `abort` says why when it stopped on an error.
        case finish(abort: String?)
        /// Connected and ready: wait for every other client (`RunContext.arriveAtStart`), then `startReleased`.
        case awaitStart
    }

    private enum State {
        case idle
        case connecting
        case starting(StartupStateMachine)
        case waitingForSchedule
        case running
        case sleeping
        case rollingBack
        /// Waiting out the backoff before connecting again after a lost connection.
        case reconnecting
        /// Not among the active clients of the current phase (a ramp); woken when it is.
        case inactive
        /// Running the spec's per-connection setup SQL after logging in.
        case settingUp
        /// Connected, waiting for the other clients before the first transaction (`StartBarrier`).
        case waitingForStart
        case finished
    }

    /// What an in-flight request is waiting for: a SQL command's results, or the ReadyForQuery of a Sync.
    /// Commands are named by their index in the plan: the entries stay free of references, so queuing and
    /// dequeuing them costs no reference counting.
    private enum InFlight {
        case command(index: Int, sentAt: UInt64)
        case sync
    }

    private enum PreparedState: UInt8 { case no, sent, yes }

    let clientID: Int
    private let run: RunContext
    private var loop: LoopContext
    private var runner: ScriptRunner
    private var state: State = .idle
    var outbound: ByteBuffer

    private var transactionsDone = 0
    private var connected = false
    private var retryStartupAt30 = false
    private var connectStartedAt: UInt64 = 0
    /// When the protocol started on the current connection attempt (after TCP and TLS), and when the server said
    /// AuthenticationOk: the boundaries of the connect phases.
    private var startupStartedAt: UInt64 = 0
    private var authenticatedAt: UInt64?
    private var prepared: [PreparedState]

    // The current transaction.
    private var scriptIndex = 0
    private var scheduledAt: UInt64 = 0
    private var startedAt: UInt64 = 0
    private var inPipeline = false
    private var inFlight: [InFlight] = []
    private var pendingSyncs = 0
    private var failure: ErrorFields?
    private var lastTransactionStatus: TransactionStatus = .idle
    private var rowCount = 0
    private var queryNumber = 0
    private var columnNames: [String] = []
    private var lastRow: [String?] = []
    private var rateState: UInt64
    /// The key the server gave at login, for CancelRequests.
    private var backendKey: BackendKeyData?
    /// Counts transactions, so that a cancel scheduled for one never hits the next.
    private var transactionSerial: UInt64 = 0
    /// A cancel the client should schedule (picked up after the transaction's first write).
    private var cancelWanted: (serial: UInt64, dueAt: UInt64)?
    /// When a CancelRequest went out for the current transaction.
    private var cancelSentAt: UInt64?
    /// When this connection last sent a CancelRequest. A 57014 shortly after one is ours even when it hits a later
    /// transaction (misdirected): a cancel that arrives late does that, and so does PostgreSQL itself, which signals
    /// the backend twice per CancelRequest (the process and its group), so that one cancel sometimes ends the query
    /// it was meant for and the next one. A 57014 with no cancel of ours in that window came from someone else's
    /// cancel (a wrong victim, e.g. a pooler forwarding a cancel to the wrong server connection).
    private var lastCancelSentAt: UInt64?
    static let ownCancelWindowNanos: UInt64 = 1_000_000_000
    /// A cancel that left this long before its transaction ended, without cancelling it, had every chance: lost (a
    /// pooler that dropped or misrouted it), rather than late (it met a query already finishing). PostgreSQL acts on
    /// a cancel in a few milliseconds here, through PgBouncer too (p50 2-5 ms, 17 ms at most seen under load).
    static let lostCancelNanos: UInt64 = 20_000_000
    /// Fairness: when this client last finished a transaction (or started), the longest it went without finishing
    /// one, and how many it finished.
    private var lastProgressAt: UInt64 = 0
    private var longestStallNanos: UInt64 = 0
    private var completedTransactions = 0
    /// Transactions completed on the current connection (for a script's "reconnect every N").
    private var transactionsOnConnection = 0
    /// Whether an open-loop schedule is running: it starts at the first transaction of a rate phase.
    private var scheduleRunning = false
    /// Tries of the current transaction so far (for --max-tries).
    private var tries = 1
    /// Whether this client ever logged in: a first connection that fails aborts the client (as pgbench), a later
    /// one is retried with backoff.
    private var everConnected = false
    /// Whether this client has been counted in at the start barrier (once, ready or finished).
    private var arrivedAtStart = false
    private var reconnectBackoffNanos: UInt64 = Self.initialBackoffNanos
    /// When the current run of failed reconnects began: a server (or pooler) gone for good must not keep a `-t` run
    /// retrying forever.
    private var reconnectingSince: UInt64?
    static let initialBackoffNanos: UInt64 = 50_000_000
    static let maximumBackoffNanos: UInt64 = 2_000_000_000

    init(clientID: Int, run: RunContext, loop: LoopContext, allocator: ByteBufferAllocator) {
        self.clientID = clientID
        self.run = run
        self.loop = loop
        self.runner = ScriptRunner(plan: run.plan, clientID: clientID, randomSeed: run.plan.clientSeed(clientID))
        for (name, value) in run.variableOverrides {
            runner.setValue(value, of: name)
        }
        // Grows on demand; most transactions' messages fit in a few hundred bytes.
        self.outbound = allocator.buffer(capacity: 256)
        self.prepared = [PreparedState](repeating: .no, count: run.plan.sqlCommandCount)
        self.rateState = run.plan.clientSeed(clientID) | 1
        inFlight.reserveCapacity(16)
    }

    // MARK: Events

    /// The run begins for this client.
    mutating func start(now: UInt64) -> Action {
        scheduledAt = now
        lastProgressAt = now
        if let timeline = run.timeline, !timeline.isActive(client: clientID, at: run.seconds(now)) {
            return waitForActivation(now: now)
        }
        return beginConnect(now: now)
    }

    /// Outside the phases' active clients: let the connection go (a ramp down, as a real client would) and sleep
    /// until this client is active again, or finish if it never is.
    private mutating func waitForActivation(now: UInt64) -> Action {
        guard let timeline = run.timeline,
              let next = timeline.nextActivation(of: clientID, after: run.seconds(now))
        else { return finish(now: now) }
        let at = max(run.startNanos + UInt64(next * 1e9) + 1_000, now)
        scheduleRunning = false
        state = .inactive
        if connected {
            appendToOutbound { $0.terminate() }
            return .closeAndReconnectLater(delayNanos: at - now)
        }
        return .wake(atNanos: at)
    }

    /// The TCP (or Unix socket) connection is up: start the protocol.
    mutating func channelActive(now: UInt64) -> Action {
        if case .finished = state { return .finish(abort: nil) }
        var machine = StartupStateMachine(configuration: run.startup)
        startupStartedAt = now
        authenticatedAt = nil
        loop.recorder.record(series: SeriesLayout.transport, nanoseconds: now &- connectStartedAt)
        let action = retryStartupAt30 ? machine.restartAtProtocol30() : machine.start()
        state = .starting(machine)
        return startupAction(action, now: now)
    }

    mutating func connectFailed(_ error: any Error, now: UInt64) -> Action {
        loop.recorder.connectionFailures &+= 1
        if everConnected && run.configuration.reconnect {
            if let abandoned = giveUpReconnecting(now: now, cause: "\(error)") { return abandoned }
            return scheduleReconnect(now: now)
        }
        return abort("connection to \(run.configuration.connection.endpointDescription) failed: \(error)")
    }

    /// The connection went away under a client that had been running: count it, fail the transaction it was in,
    /// and connect again after a bounded backoff (or stop, with --reconnect=never).
    private mutating func connectionLost(now: UInt64, inTransaction: Bool) -> Action {
        let sqlState = failure?.sqlState ?? "08006"
        loop.counters.lostConnections &+= 1
        countError(sqlState, failure, otherwise: "the server closed the connection", failingTransaction: inTransaction)
        if inTransaction {
            transactionsDone += 1
            if scheduleRunning { scheduledAt += nextInterval() }
        }
        failure = nil
        inFlight.removeAll(keepingCapacity: true)
        pendingSyncs = 0
        outbound.clear()
        guard run.configuration.reconnect else {
            // --reconnect=never: a lost connection ends the whole run (the others finish their transactions).
            run.requestStop()
            return abort("client \(clientID): the server closed the connection (\(sqlState)); --reconnect=never")
        }
        if run.isOver(now: now) || limitReached { return finish(now: now) }
        return scheduleReconnect(now: now)
    }

    private mutating func nextBackoff() -> UInt64 {
        let delay = reconnectBackoffNanos
        reconnectBackoffNanos = min(reconnectBackoffNanos * 2, Self.maximumBackoffNanos)
        return delay
    }

    /// After `reconnectGiveUpSeconds` of failed reconnects the client stops, saying why (the others may still run).
    private mutating func giveUpReconnecting(now: UInt64, cause: String) -> Action? {
        let since = reconnectingSince ?? now
        reconnectingSince = since
        let limit = run.configuration.reconnectGiveUpSeconds
        guard Double(now &- since) >= limit * 1e9 else { return nil }
        return abort("client \(clientID): could not reconnect to \(run.configuration.connection.endpointDescription) "
                     + "for \(Int(limit)) s, giving up: \(cause)")
    }

    private mutating func scheduleReconnect(now: UInt64) -> Action {
        if run.isOver(now: now) || limitReached { return finish(now: now) }
        state = .reconnecting
        return .wake(atNanos: now + nextBackoff())
    }

    /// The connection closed under us.
    mutating func channelInactive(now: UInt64) -> Action {
        let wasConnected = connected
        connected = false
        if wasConnected { loop.openConnections -= 1 }
        switch state {
        case .finished:
            return .none
        case .inactive:
            return .none
        case .idle, .waitingForSchedule, .reconnecting, .connecting, .waitingForStart:
            // Closed on purpose between transactions (-C), or the server went away between transactions: the next
            // transaction connects again.
            if wasConnected && !run.configuration.connectPerTransaction { loop.counters.lostConnections &+= 1 }
            return .none
        case .starting(var machine):
            if retryStartupAt30 { return .connect }
            if everConnected && run.configuration.reconnect {
                loop.recorder.connectionFailures &+= 1
                return scheduleReconnect(now: now)
            }
            return startupAction(machine.connectionClosed(), now: now)
        case .running, .rollingBack, .sleeping:
            return connectionLost(now: now, inTransaction: true)
        case .settingUp:
            return connectionLost(now: now, inTransaction: false)
        }
    }

    /// The process ID the server gave in BackendKeyData: the backend's own, or a pooler's made-up one.
    var backendProcessID: Int32? { backendKey?.processID }

    /// On the loop it leaves: the client moves to another loop with its connection open (`ConnectionSteering`).
    mutating func leaveLoop() {
        loop.openConnections -= 1
    }

    /// On the loop it joins: from now on this loop counts and records the client.
    mutating func joinLoop(_ context: LoopContext) {
        loop = context
        loop.openConnections += 1
        loop.counters.connectionsMoved &+= 1
    }

    mutating func stopRequested(now: UInt64) -> Action {
        switch state {
        case .idle, .waitingForSchedule, .connecting, .reconnecting, .inactive, .waitingForStart:
            return finish(now: now)
        case .sleeping:
            // A \sleep inside a transaction: let the transaction finish, so that what it did is counted (the
            // grace period bounds the wait).
            return .none
        default:
            return .none
        }
    }

    /// Every client is connected: the measured run begins (its stalls count from here, as its transactions do).
    mutating func startReleased(now: UInt64) -> Action {
        guard case .waitingForStart = state else { return .none }
        state = .idle
        lastProgressAt = now
        return beginTransaction(now: now)
    }

    /// The client is finishing: true when it never reached the start barrier, so that the caller counts it in
    /// there and the others do not wait for it.
    mutating func arriveFinished() -> Bool {
        guard !arrivedAtStart else { return false }
        arrivedAtStart = true
        return true
    }

    mutating func timerFired(now: UInt64) -> Action {
        switch state {
        case .waitingForSchedule:
            return connected ? beginTransaction(now: now) : beginConnect(now: now)
        case .reconnecting, .inactive:
            return beginConnect(now: now)
        case .sleeping:
            state = .running
            return advance(now: now)
        default:
            return .none
        }
    }

    mutating func received(_ message: BackendMessage, now: UInt64) -> Action {
        switch state {
        case .starting(var machine):
            var action: StartupStateMachine.Action
            if case .authentication(let request) = message {
                switch request {
                case .ok:
                    authenticatedAt = now
                    loop.recorder.record(series: SeriesLayout.authentication, nanoseconds: now &- startupStartedAt)
                    action = machine.messageReceived(message)
                case .saslContinue:
                    // The client's proof: PBKDF2 over the password, the one costly step of a login on our side.
                    // Timed on its own (the session reads the clock only here), since it is CPU, not waiting.
                    let started = NIODeadline.now().uptimeNanoseconds
                    action = machine.messageReceived(message)
                    loop.recorder.record(series: SeriesLayout.scram,
                                         nanoseconds: NIODeadline.now().uptimeNanoseconds &- started)
                default:
                    action = machine.messageReceived(message)
                }
            } else {
                action = machine.messageReceived(message)
            }
            state = .starting(machine)
            return startupAction(action, now: now)
        case .running:
            return resultReceived(message, now: now)
        case .rollingBack:
            if case .readyForQuery = message {
                return transactionFailed(now: now)
            }
            return .none
        case .settingUp:
            switch message {
            case .errorResponse(let fields):
                failure = fields
            case .readyForQuery:
                if let fields = failure {
                    failure = nil
                    countError(fields.sqlState ?? "XX000", fields)
                    return abort("client \(clientID): connection setup SQL failed: \(fields.sqlState ?? "") "
                                 + (fields.message ?? ""))
                }
                return beginTransaction(now: now)
            default:
                break
            }
            return .none
        default:
            if case .errorResponse(let fields) = message {
                // e.g. the server shutting down while we sleep: FATAL 57P01.
                countError(fields.sqlState ?? "XX000", fields)
            }
            return .none
        }
    }

    mutating func decodingFailed(_ error: any Error) -> Action {
        countError("08P01", nil, otherwise: "protocol error from the server")
        return abort("protocol error from the server: \(error)")
    }

    // MARK: Connecting

    private mutating func beginConnect(now: UInt64) -> Action {
        if run.isOver(now: now) || limitReached { return finish(now: now) }
        state = .connecting
        connectStartedAt = now
        return .connect
    }

    private mutating func startupAction(_ action: StartupStateMachine.Action, now: UInt64) -> Action {
        guard case .starting(let machine) = state else { return .none }
        switch action {
        case .send(let message):
            appendToOutbound { machine.encode(message, into: &$0) }
            loop.counters.authenticationRoundTrips &+= 1
            return .flush
        case .wait:
            return .none
        case .ready(let result):
            backendKey = result.backendKey
            lastCancelSentAt = nil
            connected = true
            everConnected = true
            reconnectBackoffNanos = Self.initialBackoffNanos
            reconnectingSince = nil
            loop.openConnections += 1
            loop.recorder.connections &+= 1
            loop.recorder.record(series: SeriesLayout.connect, nanoseconds: now &- connectStartedAt)
            if let authenticatedAt {
                loop.recorder.record(series: SeriesLayout.ready, nanoseconds: now &- authenticatedAt)
            }
            prepared.withUnsafeMutableBufferPointer { $0.update(repeating: .no) }
            transactionsOnConnection = 0
            if let setup = run.connectionSetupQuery {
                state = .settingUp
                failure = nil
                appendToOutbound { $0.query(setup) }
                return .flush
            }
            return beginTransaction(now: now)
        case .fail(let error):
            loop.recorder.connectionFailures &+= 1
            if let fields = error.serverError, let sqlState = fields.sqlState {
                countError(sqlState, fields)
            }
            // A server that is restarting refuses logins for a while (57P03); a client that ran before waits.
            if everConnected && run.configuration.reconnect {
                if let abandoned = giveUpReconnecting(now: now, cause: error.description) { return abandoned }
                state = .reconnecting
                return .closeAndReconnectLater(delayNanos: nextBackoff())
            }
            return abort(Connector.describe(startupError: error, settings: run.configuration.connection).message)
        case .retryWithProtocol30:
            retryStartupAt30 = true
            state = .connecting
            return .closeAndReconnect
        }
    }

    // MARK: Transactions

    private var limitReached: Bool {
        // A spec's phases decide the length of the run; -t applies to plain runs only.
        if run.timeline == nil, case .transactionsPerClient(let count) = run.configuration.limit {
            return transactionsDone >= count
        }
        return false
    }

    private mutating func beginTransaction(now: UInt64) -> Action {
        if run.isOver(now: now) || limitReached { return finish(now: now) }
        if !arrivedAtStart && run.startBarrier != nil {
            arrivedAtStart = true
            state = .waitingForStart
            return .awaitStart
        }
        if let timeline = run.timeline, !timeline.isActive(client: clientID, at: run.seconds(now)) {
            return waitForActivation(now: now)
        }
        if run.isOpenLoop(at: now) {
            if !scheduleRunning {
                // The schedule starts with this client's first transaction of a rate phase, after connecting.
                scheduleRunning = true
                scheduledAt = now
                scheduledAt = now + nextInterval()
            }
            if now < scheduledAt {
                state = .waitingForSchedule
                return .wake(atNanos: scheduledAt)
            }
            // -L with a rate: a transaction already later than the limit at its start is skipped, as pgbench does.
            if let limit = run.latencyLimitNanos {
                while now > scheduledAt + limit {
                    loop.recorder.skippedTransactions &+= 1
                    transactionsDone += 1
                    scheduledAt += nextInterval()
                    if limitReached { return finish(now: now) }
                }
                if now < scheduledAt {
                    state = .waitingForSchedule
                    return .wake(atNanos: scheduledAt)
                }
            }
        } else {
            scheduleRunning = false
            scheduledAt = now
        }
        if !connected {
            return beginConnect(now: now)
        }
        startedAt = now
        tries = 1
        transactionSerial &+= 1
        cancelSentAt = nil
        let fraction = run.configuration.cancelFraction
        if fraction > 0, backendKey != nil, nextUniform() < fraction {
            // A spread of delays fires cancels at every phase: before the query reaches the server, while it runs,
            // after it ended.
            let delay = run.configuration.cancelDelayMicroseconds
                + nextUniform() * run.configuration.cancelDelaySpreadMicroseconds
            cancelWanted = (transactionSerial, now + UInt64(delay * 1000))
        }
        scriptIndex = runner.beginTransaction()
        failure = nil
        inPipeline = false
        pendingSyncs = 0
        inFlight.removeAll(keepingCapacity: true)
        state = .running
        return advance(now: now)
    }

    /// Runs the script until it needs the network or a timer.
    private mutating func advance(now: UInt64) -> Action {
        while true {
            let step: ScriptStep
            do {
                step = try runner.next()
            } catch {
                return abort("client \(clientID) script \(scriptIndex) aborted: \(error)")
            }
            switch step {
            case .sql(let command):
                let index = command.index
                let includeParse: Bool
                switch run.statements.commands[index].mode {
                case .simple: includeParse = false
                case .extended: includeParse = true
                case .prepared:
                    includeParse = prepared[index] == .no
                    if includeParse { prepared[index] = .sent }
                }
                run.statements.write(
                    command: index, command, runner: runner, includeParse: includeParse,
                    withSync: !inPipeline, into: &outbound
                )
                inFlight.append(.command(index: index, sentAt: now))
                if !inPipeline {
                    inFlight.append(.sync)
                    pendingSyncs += 1
                    rowCount = 0
                    queryNumber = 0
                    return .flush
                }
            case .sleep(let nanoseconds):
                if pendingSyncs > 0 {
                    return .none
                }
                state = .sleeping
                return .wake(atNanos: now + nanoseconds)
            case .startPipeline:
                inPipeline = true
            case .syncPipeline:
                run.statements.writeSync(into: &outbound)
                inFlight.append(.sync)
                pendingSyncs += 1
            case .endPipeline:
                run.statements.writeSync(into: &outbound)
                inFlight.append(.sync)
                pendingSyncs += 1
                inPipeline = false
                rowCount = 0
                queryNumber = 0
                return .flush
            case .endOfScript:
                return transactionSucceeded(now: now)
            }
        }
    }

    private mutating func resultReceived(_ message: BackendMessage, now: UInt64) -> Action {
        switch message {
        case .dataRow(let row):
            rowCount += 1
            if case .command(let index, _) = inFlight.first, run.statements.commands[index].keepsResult {
                lastRow = row.map { $0.map { String(buffer: $0) } }
            }
        case .bindComplete, .noData, .parameterDescription, .closeComplete, .parameterStatus,
             .notificationResponse, .portalSuspended:
            break
        case .parseComplete:
            if case .command(let index, _) = inFlight.first, prepared[index] == .sent {
                prepared[index] = .yes
            }
        case .rowDescription(let description):
            if case .command(let index, _) = inFlight.first, run.statements.commands[index].keepsResult {
                columnNames = description.map(\.name)
            }
            rowCount = 0
        case .noticeResponse:
            loop.counters.notices &+= 1
        case .commandComplete, .emptyQueryResponse:
            if case .command(let index, _) = inFlight.first, run.statements.commands[index].mode == .simple {
                // One Query may hold several statements (\;); the command ends at ReadyForQuery.
                return storeResultIfWanted(isLast: false)
            }
            return commandCompleted(now: now)
        case .errorResponse(let fields):
            if failure == nil { failure = fields }
            // The server skips everything up to the next Sync: those commands will not answer.
            while case .command(let index, _) = inFlight.first {
                inFlight.removeFirst()
                if prepared[index] == .sent { prepared[index] = .no }
                loop.commands[index].failures &+= 1
            }
        case .readyForQuery(let status):
            lastTransactionStatus = status
            if case .command(let index, _) = inFlight.first, run.statements.commands[index].mode == .simple {
                let action = storeResultIfWanted(isLast: true)
                if case .finish = action { return action }
                _ = commandCompleted(now: now)
            }
            if case .sync = inFlight.first { inFlight.removeFirst() }
            pendingSyncs -= 1
            guard pendingSyncs == 0 else { return .none }
            if failure != nil {
                return failTransaction(now: now)
            }
            return advance(now: now)
        case .copyInResponse:
            // A COPY FROM STDIN in a script has no data to send: end it as pgbench would, with an error.
            appendToOutbound { $0.copyFail(message: "pgswarm scripts cannot send COPY data") }
            return .flush
        case .copyOutResponse, .copyData, .copyDone, .copyBothResponse, .functionCallResponse:
            break
        default:
            countError("08P01", nil, otherwise: "unexpected \(message.name) from the server")
            return abort("unexpected \(message.name) from the server while running a transaction")
        }
        return .none
    }

    /// A command's results are complete: per-command timing and \gset / \aset.
    private mutating func commandCompleted(now: UInt64) -> Action {
        guard case .command(let index, let sentAt) = inFlight.first else { return .none }
        inFlight.removeFirst()
        loop.commands[index].count &+= 1
        loop.commands[index].totalNanos &+= now &- sentAt
        if run.statements.commands[index].mode != .simple {
            return storeResultIfWanted(index, isLast: true)
        }
        return .none
    }

    private mutating func storeResultIfWanted(isLast: Bool) -> Action {
        guard case .command(let index, _) = inFlight.first else { return .none }
        if !isLast { queryNumber += 1 }
        return storeResultIfWanted(index, isLast: isLast)
    }

    private mutating func storeResultIfWanted(_ index: Int, isLast: Bool) -> Action {
        guard run.statements.commands[index].keepsResult, failure == nil else { return .none }
        let command = run.plan.sqlCommands[index]
        do {
            try runner.storeResult(
                of: command, queryNumber: queryNumber, isLastQuery: isLast, rowCount: rowCount,
                columnNames: columnNames, lastRow: lastRow
            )
        } catch {
            return abort("client \(clientID) script \(scriptIndex) aborted in command \(command.index): \(error)")
        }
        return .none
    }

    // MARK: Cancels

    /// The cancel to schedule for the transaction just sent, if this one was picked (`--cancel-fraction`).
    mutating func takeCancelRequest() -> (serial: UInt64, dueAt: UInt64, key: BackendKeyData)? {
        guard let wanted = cancelWanted, let backendKey else { return nil }
        cancelWanted = nil
        return (wanted.serial, wanted.dueAt, backendKey)
    }

    /// The cancel's time has come: true (and counted) if the transaction it was meant for is still running.
    mutating func cancelDue(serial: UInt64, now: UInt64) -> Bool {
        guard serial == transactionSerial, cancelSentAt == nil else { return false }
        switch state {
        case .running, .sleeping:
            cancelSentAt = now
            lastCancelSentAt = now
            loop.counters.cancelsSent &+= 1
            return true
        default:
            return false
        }
    }

    private mutating func noteProgress(now: UInt64) {
        longestStallNanos = max(longestStallNanos, now &- lastProgressAt)
        lastProgressAt = now
    }

    /// This client's share of the run, for the fairness figures.
    var fairness: ClientFairness {
        ClientFairness(transactions: completedTransactions, longestStallNanos: longestStallNanos)
    }

    /// Counts an error by SQLSTATE (as a failed transaction of the current script, or as an error outside one) and
    /// by severity, SQLSTATE and message; errors are rare enough on a healthy run that building the key here costs
    /// nothing that matters.
    private func countError(_ sqlState: String, _ fields: ErrorFields?, otherwise message: String = "",
                            failingTransaction: Bool = false)
    {
        if failingTransaction {
            loop.recorder.recordFailure(series: SeriesLayout.script(scriptIndex), sqlState: sqlState)
        } else {
            loop.recorder.recordError(sqlState: sqlState)
        }
        loop.noteError(ErrorDetail(severity: fields?.severity ?? "ERROR", sqlState: sqlState,
                                   message: fields?.message ?? message))
    }

    /// The transaction ended without being cancelled though a cancel went out for it: late or lost.
    private mutating func countCancelWithoutEffect(now: UInt64) {
        guard let sentAt = cancelSentAt else { return }
        if now &- sentAt >= Self.lostCancelNanos {
            loop.counters.cancelsLost &+= 1
        } else {
            loop.counters.cancelsLate &+= 1
        }
    }

    private mutating func transactionSucceeded(now: UInt64) -> Action {
        completedTransactions += 1
        countCancelWithoutEffect(now: now)
        let latency = now &- scheduledAt
        let recorder = loop.recorder
        recorder.transactions &+= 1
        recorder.record(series: SeriesLayout.latency, nanoseconds: latency)
        recorder.record(series: SeriesLayout.script(scriptIndex), nanoseconds: latency)
        for tag in run.series.tagSeries[scriptIndex] {
            recorder.record(series: tag, nanoseconds: latency)
        }
        if scheduleRunning {
            recorder.record(series: SeriesLayout.service, nanoseconds: now &- startedAt)
            recorder.record(series: SeriesLayout.lag, nanoseconds: startedAt &- scheduledAt)
        }
        if let limit = run.latencyLimitNanos, latency > limit {
            loop.counters.lateTransactions &+= 1
        }
        return nextTransaction(now: now)
    }

    /// After an error: roll back an open transaction block first, as pgbench does, then count the failure.
    private mutating func failTransaction(now: UInt64) -> Action {
        if lastTransactionStatus != .idle {
            state = .rollingBack
            appendToOutbound { $0.query("ROLLBACK") }
            return .flush
        }
        return transactionFailed(now: now)
    }

    private mutating func transactionFailed(now: UInt64) -> Action {
        let sqlState = failure?.sqlState ?? "XX000"
        // A query we cancelled ourselves (--cancel-fraction): counted with its time to cancellation, not an abort.
        // A cancel is for a backend, not a query: one that arrives after its transaction ended cancels whatever this
        // connection runs next, counted as misdirected.
        let cancelledByUs = sqlState == "57014" && run.configuration.cancelFraction > 0
        if let sentAt = cancelSentAt, cancelledByUs {
            loop.counters.cancelsHit &+= 1
            loop.recorder.record(series: SeriesLayout.cancel, nanoseconds: now &- sentAt)
        } else if cancelledByUs, let last = lastCancelSentAt, now &- last < Self.ownCancelWindowNanos {
            loop.counters.cancelsMisdirected &+= 1
        } else if cancelledByUs {
            // No cancel of ours was pending on this connection: another client's cancel reached our query (a
            // pooler that forwarded a cancel to the wrong server connection).
            loop.counters.cancelsWrongVictim &+= 1
        } else {
            countCancelWithoutEffect(now: now)
        }
        // pgbench counts serialization failures and deadlocks as failed transactions and goes on; any other
        // error aborts the client unless the user asked to continue.
        let retryable = sqlState == "40001" || sqlState == "40P01"
        // --max-tries: run the same transaction again (same random draws) while tries remain and time allows;
        // 0 means no limit but the run's duration, as in pgbench.
        let maxTries = run.configuration.maxTries
        if retryable && (maxTries == 0 || tries < maxTries) && !run.isOver(now: now) {
            tries += 1
            loop.recorder.retries &+= 1
            failure = nil
            pendingSyncs = 0
            inFlight.removeAll(keepingCapacity: true)
            runner.restartTransaction()
            state = .running
            return advance(now: now)
        }
        countError(sqlState, failure, failingTransaction: true)
        if !retryable && !cancelledByUs && !run.configuration.continueOnError {
            let message = failure?.message ?? "unknown error"
            return abort("client \(clientID) script \(scriptIndex) aborted: ERROR \(sqlState): \(message)")
        }
        return nextTransaction(now: now)
    }

    private mutating func nextTransaction(now: UInt64) -> Action {
        transactionsDone += 1
        noteProgress(now: now)
        if scheduleRunning {
            scheduledAt += nextInterval()
        }
        transactionsOnConnection += 1
        var reconnectNow = run.configuration.connectPerTransaction
        switch run.scriptConnection[scriptIndex] {
        case .persistent: break
        case .reconnectEach: reconnectNow = true
        case .reconnectEvery(let count): reconnectNow = reconnectNow || transactionsOnConnection >= count
        }
        if reconnectNow {
            if run.isOver(now: now) || limitReached { return finish(now: now) }
            appendToOutbound { $0.terminate() }
            // The client closes this channel and opens the next at once; it never reports the close back to us.
            connected = false
            loop.openConnections -= 1
            state = .connecting
            connectStartedAt = now
            return .closeAndReconnect
        }
        return beginTransaction(now: now)
    }

    /// Encodes messages after what `outbound` already holds. The buffer moves into the encoder and back, so its
    /// storage stays uniquely referenced and is never copied.
    private mutating func appendToOutbound(_ body: (inout FrontendMessageEncoder) -> Void) {
        var encoder = FrontendMessageEncoder(buffer: outbound)
        outbound = ByteBuffer()
        body(&encoder)
        outbound = encoder.buffer
    }

    // MARK: Ending

    private mutating func finish(now: UInt64) -> Action {
        state = .finished
        // The time since its last transaction counts towards its longest stall (a client stuck behind a pooler
        // until the end of the run is the one to see).
        noteProgress(now: now)
        if connected {
            appendToOutbound { $0.terminate() }
        }
        return .finish(abort: nil)
    }

    private mutating func abort(_ message: String) -> Action {
        if case .finished = state { return .none }
        state = .finished
        loop.counters.abortedClients += 1
        if loop.abortMessages.count < 20 { loop.abortMessages.append(message) }
        return .finish(abort: message)
    }

    /// A uniform draw in (0, 1) from this client's own stream (xorshift64*: cheap, and independent of the script's
    /// random draws, so a schedule or a cancel never shifts them).
    private mutating func nextUniform() -> Double {
        rateState ^= rateState >> 12
        rateState ^= rateState << 25
        rateState ^= rateState >> 27
        let bits = (rateState &* 0x2545_F491_4F6C_DD1D) >> 11
        return (Double(bits) + 0.5) / Double(1 << 53)
    }

    /// The next scheduled start, in the run's monotonic clock, from the pacer and this client's own random stream
    /// (independent of the script's).
    private mutating func nextInterval() -> UInt64 {
        guard let pacer = run.pacer else { return 0 }
        let uniform = nextUniform()
        let previous = scheduledAt &- run.startNanos
        guard let next = pacer.next(after: previous, uniform: uniform) else { return UInt64.max / 2 }
        return next &- previous
    }
}
