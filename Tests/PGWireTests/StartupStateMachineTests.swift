import NIOCore
import Testing

@testable import PGWire

@Suite struct StartupStateMachineTests {
    static let serverVersion = BackendMessage.parameterStatus(ParameterStatus(name: "server_version", value: "18.1"))
    static let key4 = BackendKeyData(processID: 42, secretKey: ByteBuffer(bytes: [1, 2, 3, 4]))

    private func machine(
        password: String? = nil,
        protocolVersion: ProtocolVersionRequest = .v3_0
    ) -> StartupStateMachine {
        StartupStateMachine(
            configuration: StartupConfiguration(
                user: "bench",
                database: "db",
                password: password,
                parameters: [("application_name", "pgswarm")],
                protocolVersion: protocolVersion
            )
        )
    }

    /// Feeds the usual tail of a login and returns the final action.
    private func finishLogin(
        _ machine: inout StartupStateMachine,
        key: BackendKeyData = Self.key4
    ) -> StartupStateMachine.Action {
        #expect(machine.messageReceived(.authentication(.ok)) == .wait)
        #expect(machine.messageReceived(Self.serverVersion) == .wait)
        #expect(machine.messageReceived(.backendKeyData(key)) == .wait)
        return machine.messageReceived(.readyForQuery(.idle))
    }

    @Test func trustLogin() {
        var machine = self.machine()
        #expect(machine.start() == .send(.startup(.v3_0)))
        guard case .ready(let result) = self.finishLogin(&machine) else {
            Issue.record("not ready")
            return
        }
        #expect(result.protocolVersion == .v3_0)
        #expect(result.authenticationMethod == .trust)
        #expect(result.serverVersion == "18.1")
        #expect(result.backendKey == Self.key4)
        #expect(result.unrecognisedOptions.isEmpty)
        #expect(!result.fellBackToProtocol30)
    }

    @Test func startupMessageIsEncodedFromTheConfiguration() {
        let machine = self.machine(protocolVersion: .v3_2)
        var encoder = FrontendMessageEncoder(buffer: ByteBuffer())
        machine.encode(.startup(.v3_2), into: &encoder)
        let expected = encode {
            $0.startupMessage(
                user: "bench",
                database: "db",
                parameters: [("application_name", "pgswarm")],
                version: .v3_2
            )
        }
        #expect(encoder.flushBuffer() == expected)
    }

    @Test func cleartextLogin() {
        var machine = self.machine(password: "pw")
        _ = machine.start()
        #expect(machine.messageReceived(.authentication(.cleartextPassword)) == .send(.password("pw")))
        guard case .ready(let result) = self.finishLogin(&machine) else {
            Issue.record("not ready")
            return
        }
        #expect(result.authenticationMethod == .cleartextPassword)
    }

    @Test func md5Login() {
        var machine = self.machine(password: "pw")
        _ = machine.start()
        let expectedHash = MD5Password.hash(user: "bench", password: "pw", salt: 7)
        #expect(machine.messageReceived(.authentication(.md5Password(salt: 7))) == .send(.password(expectedHash)))
        guard case .ready(let result) = self.finishLogin(&machine) else {
            Issue.record("not ready")
            return
        }
        #expect(result.authenticationMethod == .md5)
    }

    @Test func scramLoginRunsTheWholeExchange() throws {
        var machine = self.machine(password: "pencil")
        _ = machine.start()
        let first = machine.messageReceived(
            .authentication(.sasl(mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]))
        )
        guard case .send(.saslInitialResponse(let mechanism, let clientFirst)) = first else {
            Issue.record("expected SASLInitialResponse, got \(first)")
            return
        }
        #expect(mechanism == "SCRAM-SHA-256")
        let clientFirstText = String(decoding: clientFirst, as: UTF8.self)
        #expect(clientFirstText.hasPrefix("n,,n=,r="))
        let clientNonce = String(clientFirstText.dropFirst("n,,n=,r=".count))

        // Play the server with a second client-side computation: the same maths gives the server's
        // expected signature, so the machine must accept it and reject anything else.
        let serverFirst = "r=\(clientNonce)SERVER,s=QUJDREVGR0g=,i=4096"
        let second = machine.messageReceived(.authentication(.saslContinue(ByteBuffer(string: serverFirst))))
        guard case .send(.saslResponse(let clientFinal)) = second else {
            Issue.record("expected SASLResponse, got \(second)")
            return
        }
        var mirror = SCRAMSHA256Client(username: "", password: "pencil", clientNonce: clientNonce)
        _ = mirror.clientFirstMessage()
        #expect(try mirror.receiveServerFirst(ByteBuffer(string: serverFirst)) == clientFinal)
        let serverSignature = try Self.serverSignature(
            password: "pencil",
            clientNonce: clientNonce,
            serverFirst: serverFirst
        )

        // AuthenticationOk before SASLFinal would skip the server's proof.
        var impatient = machine
        guard case .fail(let error) = impatient.messageReceived(.authentication(.ok)) else {
            Issue.record("AuthenticationOk without SASLFinal must fail")
            return
        }
        #expect(error.kind == .authenticationFailed)

        #expect(
            machine.messageReceived(.authentication(.saslFinal(ByteBuffer(string: "v=\(serverSignature)")))) == .wait
        )
        guard case .ready(let result) = self.finishLogin(&machine) else {
            Issue.record("not ready")
            return
        }
        #expect(result.authenticationMethod == .scramSHA256)
    }

    /// The server signature for a login, computed with the test-visible building blocks.
    private static func serverSignature(password: String, clientNonce: String, serverFirst: String) throws -> String {
        let salted = PBKDF2.hi(
            password: Array(password.utf8),
            salt: Base64.decode(Array("QUJDREVGR0g=".utf8))!,
            iterations: 4096
        )
        let nonce = serverFirst.split(separator: ",")[0].dropFirst(2)
        let authMessage = "n=,r=\(clientNonce),\(serverFirst),c=biws,r=\(nonce)"
        let signature = SCRAMSHA256Client.serverSignature(saltedPassword: salted, authMessage: Array(authMessage.utf8))
        return String(decoding: Base64.encode(signature), as: UTF8.self)
    }

    @Test func missingPasswordFails() {
        for request in [Authentication.cleartextPassword, .md5Password(salt: 1), .sasl(mechanisms: ["SCRAM-SHA-256"])] {
            var machine = self.machine()
            _ = machine.start()
            guard case .fail(let error) = machine.messageReceived(.authentication(request)) else {
                Issue.record("expected failure for \(request)")
                continue
            }
            #expect(error.kind == .missingPassword)
        }
    }

    @Test func unsupportedMethodsFail() {
        let requests: [Authentication] = [.kerberosV5, .gss, .sspi, .sasl(mechanisms: ["SCRAM-SHA-256-PLUS"])]
        for request in requests {
            var machine = self.machine(password: "pw")
            _ = machine.start()
            guard case .fail(let error) = machine.messageReceived(.authentication(request)) else {
                Issue.record("expected failure for \(request)")
                continue
            }
            #expect(error.kind == .unsupportedAuthentication)
        }
    }

    @Test func negotiationDownToProtocol30RecordsUnrecognisedOptions() {
        var machine = self.machine(protocolVersion: .v3_2)
        #expect(machine.start() == .send(.startup(.v3_2)))
        let negotiation = NegotiateProtocolVersion(newestMinor: 0, unrecognisedOptions: ["_pq_.test"])
        #expect(machine.messageReceived(.negotiateProtocolVersion(negotiation)) == .wait)
        guard case .ready(let result) = self.finishLogin(&machine) else {
            Issue.record("not ready")
            return
        }
        #expect(result.protocolVersion == .v3_0)
        #expect(result.unrecognisedOptions == ["_pq_.test"])
    }

    @Test func protocol32KeepsLongCancelKeys() {
        var machine = self.machine(protocolVersion: .v3_2)
        _ = machine.start()
        let longKey = BackendKeyData(processID: 1, secretKey: ByteBuffer(repeating: 7, count: 32))
        guard case .ready(let result) = self.finishLogin(&machine, key: longKey) else {
            Issue.record("not ready")
            return
        }
        #expect(result.protocolVersion == .v3_2)
        #expect(result.backendKey == longKey)
    }

    @Test func longCancelKeyAtProtocol30IsAnError() {
        var machine = self.machine()
        _ = machine.start()
        _ = machine.messageReceived(.authentication(.ok))
        let longKey = BackendKeyData(processID: 1, secretKey: ByteBuffer(repeating: 7, count: 32))
        guard case .fail(let error) = machine.messageReceived(.backendKeyData(longKey)) else {
            Issue.record("expected failure")
            return
        }
        #expect(error.messageName == "BackendKeyData")
    }

    @Test func negotiationRulesAreEnforced() {
        // A higher minor than asked.
        var higher = self.machine(protocolVersion: .v3_0)
        _ = higher.start()
        let offerHigher = NegotiateProtocolVersion(newestMinor: 2, unrecognisedOptions: [])
        guard case .fail(let error) = higher.messageReceived(.negotiateProtocolVersion(offerHigher)) else {
            Issue.record("expected failure")
            return
        }
        #expect(error.kind == .protocolNegotiation)

        // Another major version, in the whole-version form servers really send.
        var otherMajor = self.machine(protocolVersion: .v3_2)
        _ = otherMajor.start()
        let offerMajor4 = NegotiateProtocolVersion(
            newestVersion: ProtocolVersion(major: 4, minor: 0),
            unrecognisedOptions: []
        )
        guard case .fail(let majorError) = otherMajor.messageReceived(.negotiateProtocolVersion(offerMajor4)) else {
            Issue.record("expected failure")
            return
        }
        #expect(majorError.kind == .protocolNegotiation)

        // Twice.
        var twice = self.machine(protocolVersion: .v3_2)
        _ = twice.start()
        let offer = NegotiateProtocolVersion(newestMinor: 0, unrecognisedOptions: [])
        #expect(twice.messageReceived(.negotiateProtocolVersion(offer)) == .wait)
        guard case .fail(let secondError) = twice.messageReceived(.negotiateProtocolVersion(offer)) else {
            Issue.record("expected failure")
            return
        }
        #expect(secondError.kind == .protocolNegotiation)

        // After authentication.
        var late = self.machine(protocolVersion: .v3_2)
        _ = late.start()
        _ = late.messageReceived(.authentication(.ok))
        guard case .fail(let lateError) = late.messageReceived(.negotiateProtocolVersion(offer)) else {
            Issue.record("expected failure")
            return
        }
        #expect(lateError.kind == .protocolNegotiation)
    }

    @Test func poolerRefusingProtocol32IsRetriedAt30InAutoMode() {
        let refusal = ErrorFields([(.severity, "FATAL"), (.sqlState, "08P01"), (.message, "bad packet header")])
        var machine = self.machine(protocolVersion: .auto)
        #expect(machine.start() == .send(.startup(.v3_2)))
        #expect(machine.messageReceived(.errorResponse(refusal)) == .retryWithProtocol30(refusal))
        #expect(machine.restartAtProtocol30() == .send(.startup(.v3_0)))
        guard case .ready(let result) = self.finishLogin(&machine) else {
            Issue.record("not ready")
            return
        }
        #expect(result.protocolVersion == .v3_0)
        #expect(result.fellBackToProtocol30)
    }

    @Test func refusalAt30OrOutsideAutoModeFails() {
        let refusal = ErrorFields([(.severity, "FATAL"), (.sqlState, "08P01"), (.message, "bad packet header")])
        for request in [ProtocolVersionRequest.v3_2, .v3_0] {
            var machine = self.machine(protocolVersion: request)
            _ = machine.start()
            guard case .fail(let error) = machine.messageReceived(.errorResponse(refusal)) else {
                Issue.record("expected failure for \(request)")
                continue
            }
            #expect(error.kind == .serverError)
            #expect(error.serverError?.sqlState == "08P01")
        }
        // After the fallback, a second refusal is final.
        var machine = self.machine(protocolVersion: .auto)
        _ = machine.start()
        _ = machine.messageReceived(.errorResponse(refusal))
        _ = machine.restartAtProtocol30()
        guard case .fail = machine.messageReceived(.errorResponse(refusal)) else {
            Issue.record("expected failure after fallback")
            return
        }
    }

    @Test func wrongPasswordErrorFails() {
        var machine = self.machine(password: "bad", protocolVersion: .auto)
        _ = machine.start()
        _ = machine.messageReceived(.authentication(.cleartextPassword))
        let error = ErrorFields([
            (.severity, "FATAL"), (.sqlState, "28P01"), (.message, "password authentication failed"),
        ])
        guard case .fail(let failure) = machine.messageReceived(.errorResponse(error)) else {
            Issue.record("expected failure")
            return
        }
        #expect(failure.serverError?.sqlState == "28P01")
    }

    @Test func outOfOrderMessagesFail() {
        var early = self.machine()
        _ = early.start()
        guard case .fail(let error) = early.messageReceived(.readyForQuery(.idle)) else {
            Issue.record("ReadyForQuery before AuthenticationOk must fail")
            return
        }
        #expect(error.kind == .unexpectedMessage)

        var stray = self.machine()
        _ = stray.start()
        guard case .fail = stray.messageReceived(.dataRow(DataRow(columns: []))) else {
            Issue.record("a DataRow during startup must fail")
            return
        }

        var closed = self.machine()
        _ = closed.start()
        guard case .fail = closed.connectionClosed() else {
            Issue.record("closing during startup must fail")
            return
        }
    }

    @Test func noticesAreIgnored() {
        var machine = self.machine()
        _ = machine.start()
        #expect(machine.messageReceived(.noticeResponse(ErrorFields([(.message, "hi")]))) == .wait)
    }

    @Test func fallbackTo30LeavesOutProtocolOptionsAndReportsThem() {
        var machine = StartupStateMachine(
            configuration: StartupConfiguration(
                user: "bench",
                parameters: [("application_name", "pgswarm"), ("_pq_.test", "on")],
                protocolVersion: .auto
            )
        )
        var encoder = FrontendMessageEncoder(buffer: ByteBuffer())
        guard case .send(let first) = machine.start() else {
            Issue.record("expected a StartupMessage")
            return
        }
        machine.encode(first, into: &encoder)
        let asked32 = encode {
            $0.startupMessage(
                user: "bench",
                database: nil,
                parameters: [("application_name", "pgswarm"), ("_pq_.test", "on")],
                version: .v3_2
            )
        }
        #expect(encoder.flushBuffer() == asked32)

        let refusal = ErrorFields([(.sqlState, "08P01"), (.message, "unsupported startup parameter")])
        #expect(machine.messageReceived(.errorResponse(refusal)) == .retryWithProtocol30(refusal))
        guard case .send(let second) = machine.restartAtProtocol30() else {
            Issue.record("expected a StartupMessage")
            return
        }
        machine.encode(second, into: &encoder)
        let asked30 = encode {
            $0.startupMessage(user: "bench", database: nil, parameters: [("application_name", "pgswarm")])
        }
        #expect(encoder.flushBuffer() == asked30)
        guard case .ready(let result) = self.finishLogin(&machine) else {
            Issue.record("not ready")
            return
        }
        #expect(result.unrecognisedOptions == ["_pq_.test"])
        #expect(result.fellBackToProtocol30)
    }
}
