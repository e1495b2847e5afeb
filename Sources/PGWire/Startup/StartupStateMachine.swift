import NIOCore

/// The login conversation, from StartupMessage to the first ReadyForQuery, without any I/O.
///
/// The owner (a channel handler) feeds it events, `start()` and then every decoded message, and
/// performs the `Action` each returns: write a message, wait for more, hand over a ready session,
/// fail, or reconnect at protocol 3.0. Tests drive it with messages and assert the actions.
public struct StartupStateMachine {
    /// How the server authenticated us.
    public enum AuthenticationMethod: Hashable, Sendable {
        /// AuthenticationOk without any request (trust, peer, ident on loopback...).
        case trust
        case cleartextPassword
        case md5
        case scramSHA256
    }

    /// What the session knows once it is ready for queries.
    public struct Result: Hashable, Sendable {
        /// The version in use: the one asked for, or the lower one the server offered.
        public var protocolVersion: ProtocolVersion
        /// Every ParameterStatus received during startup.
        public var parameters: [String: String]
        /// The cancel key; nil if the server sent none (some poolers).
        public var backendKey: BackendKeyData?
        /// The `_pq_.` options the server reported it did not recognise.
        public var unrecognisedOptions: [String]
        public var authenticationMethod: AuthenticationMethod
        /// True when this login happened at 3.0 after a refusal of 3.2 (`.auto`).
        public var fellBackToProtocol30: Bool

        /// The server_version parameter, e.g. "15.18 (Debian 15.18-0+deb12u1)".
        public var serverVersion: String? { self.parameters["server_version"] }
    }

    /// A message the owner must encode (with `encode(_:into:)`) and send.
    public enum OutgoingMessage: Hashable, Sendable {
        case startup(ProtocolVersion)
        /// A PasswordMessage: cleartext or MD5-hashed.
        case password(String)
        case saslInitialResponse(mechanism: String, bytes: [UInt8])
        case saslResponse([UInt8])
    }

    /// What the owner must do next.
    public enum Action: Hashable, Sendable {
        /// Encode and send this message, then keep reading.
        case send(OutgoingMessage)
        /// Nothing to do; keep reading.
        case wait
        /// Login done: the session is ready for queries.
        case ready(Result)
        /// Login failed; close the connection.
        case fail(PGWireError)
        /// The server or pooler refused protocol 3.2 (its error attached); close this connection,
        /// open a new one and call `restartAtProtocol30()`.
        case retryWithProtocol30(ErrorFields)
    }

    private enum State {
        case initial
        /// StartupMessage sent; waiting for an authentication request or AuthenticationOk.
        case authenticating
        /// SASLInitialResponse sent; waiting for server-first (continue) or server-final.
        case scram(SCRAMSHA256Client)
        /// AuthenticationOk received; collecting ParameterStatus and BackendKeyData.
        case authenticated
        case ready
        case failed
    }

    public let configuration: StartupConfiguration
    private var state: State = .initial
    private var requestedVersion: ProtocolVersion
    private var version: ProtocolVersion
    private var negotiated = false
    private var fellBack = false
    private var authenticationMethod: AuthenticationMethod = .trust
    private var parameters: [String: String] = [:]
    private var backendKey: BackendKeyData?
    private var unrecognisedOptions: [String] = []

    public init(configuration: StartupConfiguration) {
        self.configuration = configuration
        self.requestedVersion = configuration.protocolVersion.initialVersion
        self.version = self.requestedVersion
    }

    /// The connection is open: send the StartupMessage.
    public mutating func start() -> Action {
        guard case .initial = self.state else {
            return self.fail(.unexpectedMessage, "Startup", "start() called twice")
        }
        self.state = .authenticating
        return .send(.startup(self.requestedVersion))
    }

    /// After `.retryWithProtocol30`, on a new connection: start again asking for 3.0.
    ///
    /// The `_pq_.` options are left out this time, because the poolers that refuse 3.2 refuse them
    /// too ("unsupported startup parameter"); they are reported as unrecognised instead.
    public mutating func restartAtProtocol30() -> Action {
        self = StartupStateMachine(configuration: self.configuration)
        self.requestedVersion = .v3_0
        self.version = .v3_0
        self.fellBack = true
        self.unrecognisedOptions = self.configuration.parameters.map(\.0).filter(Self.isProtocolOption)
        return self.start()
    }

    /// Protocol options (`_pq_.name`) are addressed to the protocol layer, not to the session.
    static func isProtocolOption(_ name: String) -> Bool {
        name.hasPrefix("_pq_.")
    }

    /// The connection closed before the session was ready (after `.ready` this is not our business).
    public mutating func connectionClosed() -> Action {
        switch self.state {
        case .ready, .failed:
            return .wait
        default:
            return self.fail(.unexpectedMessage, "Startup", "the server closed the connection during startup")
        }
    }

    /// A message arrived from the server.
    public mutating func messageReceived(_ message: BackendMessage) -> Action {
        switch message {
        case .authentication(let request):
            return self.authenticationReceived(request)
        case .negotiateProtocolVersion(let negotiation):
            return self.negotiationReceived(negotiation)
        case .parameterStatus(let status):
            self.parameters[status.name] = status.value
            return .wait
        case .backendKeyData(let key):
            return self.backendKeyReceived(key)
        case .noticeResponse:
            return .wait
        case .errorResponse(let fields):
            return self.errorReceived(fields)
        case .readyForQuery:
            guard case .authenticated = self.state else {
                return self.fail(.unexpectedMessage, "ReadyForQuery", "received before AuthenticationOk")
            }
            self.state = .ready
            return .ready(
                Result(
                    protocolVersion: self.version,
                    parameters: self.parameters,
                    backendKey: self.backendKey,
                    unrecognisedOptions: self.unrecognisedOptions,
                    authenticationMethod: self.authenticationMethod,
                    fellBackToProtocol30: self.fellBack
                )
            )
        default:
            return self.fail(.unexpectedMessage, "Startup", "unexpected \(message.name) during startup")
        }
    }

    /// Writes `message` into `encoder` (the startup parameters come from the configuration).
    public func encode(_ message: OutgoingMessage, into encoder: inout FrontendMessageEncoder) {
        switch message {
        case .startup(let version):
            encoder.startupMessage(
                user: self.configuration.user,
                database: self.configuration.database,
                parameters: self.fellBack
                    ? self.configuration.parameters.filter { !Self.isProtocolOption($0.0) }
                    : self.configuration.parameters,
                version: version
            )
        case .password(let password):
            encoder.password(password)
        case .saslInitialResponse(let mechanism, let bytes):
            encoder.saslInitialResponse(mechanism: mechanism, initialResponse: bytes)
        case .saslResponse(let bytes):
            encoder.saslResponse(bytes)
        }
    }

    // MARK: Events

    private mutating func authenticationReceived(_ request: Authentication) -> Action {
        let name = "Authentication"
        switch (self.state, request) {
        case (.authenticating, .ok):
            self.state = .authenticated
            return .wait
        case (.scram(let client), .ok):
            guard client.isVerified else {
                return self.fail(.authenticationFailed, name, "AuthenticationOk before the server proved its SCRAM key")
            }
            self.state = .authenticated
            return .wait
        case (.authenticating, .cleartextPassword):
            guard let password = self.configuration.password else {
                return self.fail(.missingPassword, name, "the server asks for a cleartext password and none is set")
            }
            self.authenticationMethod = .cleartextPassword
            return .send(.password(password))
        case (.authenticating, .md5Password(let salt)):
            guard let password = self.configuration.password else {
                return self.fail(.missingPassword, name, "the server asks for an MD5 password and none is set")
            }
            self.authenticationMethod = .md5
            return .send(.password(MD5Password.hash(user: self.configuration.user, password: password, salt: salt)))
        case (.authenticating, .sasl(let mechanisms)):
            guard mechanisms.contains(SCRAMSHA256Client.mechanism) else {
                return self.fail(
                    .unsupportedAuthentication,
                    name,
                    "the server offers SASL \(mechanisms.joined(separator: ", ")), not SCRAM-SHA-256"
                )
            }
            guard let password = self.configuration.password else {
                return self.fail(.missingPassword, name, "the server asks for SCRAM-SHA-256 and no password is set")
            }
            // PostgreSQL takes the user from the StartupMessage and ignores this one, as libpq sends.
            var client = SCRAMSHA256Client(
                username: "",
                password: password,
                saltedPasswordCache: self.configuration.saltedPasswordCache
            )
            let clientFirst = client.clientFirstMessage()
            self.authenticationMethod = .scramSHA256
            self.state = .scram(client)
            return .send(.saslInitialResponse(mechanism: SCRAMSHA256Client.mechanism, bytes: clientFirst))
        case (.scram(var client), .saslContinue(let serverFirst)):
            do {
                let clientFinal = try client.receiveServerFirst(serverFirst)
                self.state = .scram(client)
                return .send(.saslResponse(clientFinal))
            } catch {
                return self.fail(error)
            }
        case (.scram(var client), .saslFinal(let serverFinal)):
            do {
                try client.verifyServerFinal(serverFinal)
                self.state = .scram(client)
                return .wait
            } catch {
                return self.fail(error)
            }
        case (.authenticating, .kerberosV5), (.authenticating, .gss), (.authenticating, .sspi),
            (.authenticating, .gssContinue):
            return self.fail(.unsupportedAuthentication, name, "the server asks for \(request.methodName)")
        default:
            return self.fail(.unexpectedMessage, name, "\(request.methodName) is out of order")
        }
    }

    private mutating func negotiationReceived(_ negotiation: NegotiateProtocolVersion) -> Action {
        let name = "NegotiateProtocolVersion"
        guard case .authenticating = self.state else {
            return self.fail(.protocolNegotiation, name, "received after authentication began")
        }
        guard !self.negotiated else {
            return self.fail(.protocolNegotiation, name, "received twice")
        }
        let offered = negotiation.newestVersion
        guard offered.major == self.requestedVersion.major, offered.minor <= self.requestedVersion.minor else {
            return self.fail(
                .protocolNegotiation,
                name,
                "offers \(offered), not a version at or below the requested \(self.requestedVersion)"
            )
        }
        self.negotiated = true
        self.version = offered
        self.unrecognisedOptions = negotiation.unrecognisedOptions
        return .wait
    }

    private mutating func backendKeyReceived(_ key: BackendKeyData) -> Action {
        guard case .authenticated = self.state else {
            return self.fail(.unexpectedMessage, "BackendKeyData", "received before AuthenticationOk")
        }
        // 3.0 fixes the key at 4 bytes; a longer one means the server speaks a version we did not agree on.
        if self.version.minor < 2 && key.secretKey.readableBytes != 4 {
            return self.fail(
                .invalidValue,
                "BackendKeyData",
                "\(key.secretKey.readableBytes)-byte secret key at protocol \(self.version)"
            )
        }
        self.backendKey = key
        return .wait
    }

    private mutating func errorReceived(_ fields: ErrorFields) -> Action {
        // A pooler that does not know 3.2 rejects the StartupMessage itself ("bad packet header",
        // "unsupported startup parameter": 08P01); very old servers say 0A000. Only before any
        // negotiation or authentication can the refusal be about the version.
        if self.configuration.protocolVersion == .auto, !self.fellBack, self.requestedVersion == .v3_2,
            !self.negotiated, case .authenticating = self.state, self.authenticationMethod == .trust,
            let sqlState = fields.sqlState, sqlState == "08P01" || sqlState == "0A000"
        {
            self.state = .failed
            return .retryWithProtocol30(fields)
        }
        self.state = .failed
        return .fail(
            PGWireError(
                .serverError,
                messageName: "Startup",
                detail: "the server refused the login",
                serverError: fields
            )
        )
    }

    private mutating func fail(_ kind: PGWireError.Kind, _ messageName: String, _ detail: String) -> Action {
        self.fail(PGWireError(kind, messageName: messageName, detail: detail))
    }

    private mutating func fail(_ error: PGWireError) -> Action {
        self.state = .failed
        return .fail(error)
    }
}

extension Authentication {
    /// The method's name for error messages.
    var methodName: String {
        switch self {
        case .ok: "AuthenticationOk"
        case .kerberosV5: "Kerberos V5 authentication"
        case .cleartextPassword: "cleartext password authentication"
        case .md5Password: "MD5 password authentication"
        case .gss: "GSSAPI authentication"
        case .gssContinue: "GSSAPI/SSPI continuation"
        case .sspi: "SSPI authentication"
        case .sasl: "SASL authentication"
        case .saslContinue: "SASL continuation"
        case .saslFinal: "SASL final message"
        }
    }
}
