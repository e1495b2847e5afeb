/// What an event loop counts besides its histograms, summed over the loops at the end of a run. One struct, so that a
/// new counter is declared once and added once.
struct LoopCounters: Sendable {
    /// Transactions slower than `-L` (or skipped for being late already).
    var lateTransactions: UInt64 = 0
    var abortedClients = 0
    /// Connections the server closed under a running client (restart, pooler kill), reconnected or not.
    var lostConnections: UInt64 = 0
    var notices: UInt64 = 0
    /// `--cancel-fraction`: CancelRequests sent; transactions they cancelled (57014); those that ended as the cancel
    /// arrived (late), or long after it left (lost); later transactions they cancelled (misdirected); and 57014s with
    /// no cancel of the connection's own pending (wrong victim).
    var cancelsSent: UInt64 = 0
    var cancelsHit: UInt64 = 0
    var cancelsLate: UInt64 = 0
    var cancelsLost: UInt64 = 0
    var cancelsMisdirected: UInt64 = 0
    var cancelsWrongVictim: UInt64 = 0
    /// Authentication round trips of every login (StartupMessage and each password or SASL message).
    var authenticationRoundTrips: UInt64 = 0
    /// Time clients waited for `ClientStarter`'s window (from the run's start to their start), summed, and how many
    /// were started: part of "initial connection time", as pgbench's sequential connects are.
    var startWaitNanos: UInt64 = 0
    var clientsStarted: UInt64 = 0
    /// Clients that moved here from another loop to be on their backend's CPU (`ConnectionSteering`).
    var connectionsMoved: UInt64 = 0

    mutating func add(_ other: LoopCounters) {
        lateTransactions += other.lateTransactions
        abortedClients += other.abortedClients
        lostConnections += other.lostConnections
        notices += other.notices
        cancelsSent += other.cancelsSent
        cancelsHit += other.cancelsHit
        cancelsLate += other.cancelsLate
        cancelsLost += other.cancelsLost
        cancelsMisdirected += other.cancelsMisdirected
        cancelsWrongVictim += other.cancelsWrongVictim
        authenticationRoundTrips += other.authenticationRoundTrips
        startWaitNanos += other.startWaitNanos
        clientsStarted += other.clientsStarted
        connectionsMoved += other.connectionsMoved
    }
}
