/// libpq's connection URIs: `postgresql://[user[:password]@][host][:port][/dbname][?keyword=value&...]`
/// (or `postgres://`), percent-encoded, the host possibly an `[IPv6]` address or a percent-encoded socket directory.
public enum ConnectionURI {
    package static let prefixes = ["postgresql://", "postgres://"]

    public static func hasURIPrefix(_ text: String) -> Bool {
        prefixes.contains { text.hasPrefix($0) }
    }

    /// The keywords the URI sets, by libpq keyword (`host`, `port`, `user`, `password`, `dbname`, ...).
    public static func parse(_ uri: String) throws(PgswarmError) -> [String: String] {
        guard let prefix = prefixes.first(where: { uri.hasPrefix($0) }) else {
            throw PgswarmError(.usage, "invalid URI: \"\(uri)\" does not start with postgresql://")
        }
        var rest = Substring(uri.dropFirst(prefix.count))
        var result: [String: String] = [:]

        // user[:password]@ — only when an "@" comes before the path.
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                try set("user", userInfo[..<colon], in: &result, uri: uri)
                try set("password", userInfo[userInfo.index(after: colon)...], in: &result, uri: uri)
            } else {
                try set("user", userInfo, in: &result, uri: uri)
            }
            rest = rest[rest.index(after: at)...]
        }

        // host[:port]
        let hostEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var hostPort = rest[..<hostEnd]
        rest = rest[hostEnd...]
        if hostPort.contains(",") {
            throw PgswarmError(.usage, "multiple hosts are not supported: \"\(hostPort)\" in \"\(uri)\"")
        }
        if hostPort.first == "[" {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw PgswarmError(.usage, "end of IPv6 host address not found in URI: \"\(uri)\"")
            }
            let address = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            guard !address.isEmpty else {
                throw PgswarmError(.usage, "IPv6 host address may not be empty in URI: \"\(uri)\"")
            }
            result["host"] = try percentDecoded(address, uri: uri)
            hostPort = hostPort[hostPort.index(after: close)...]
            if !hostPort.isEmpty && hostPort.first != ":" {
                throw PgswarmError(
                    .usage,
                    "unexpected character \"\(hostPort.first!)\" after IPv6 address in \"\(uri)\""
                )
            }
        } else {
            let colon = hostPort.firstIndex(of: ":") ?? hostPort.endIndex
            try set("host", hostPort[..<colon], in: &result, uri: uri)
            hostPort = hostPort[colon...]
        }
        if hostPort.first == ":" { try set("port", hostPort.dropFirst(), in: &result, uri: uri) }

        // /dbname
        if rest.first == "/" {
            rest = rest.dropFirst()
            let dbEnd = rest.firstIndex(of: "?") ?? rest.endIndex
            try set("dbname", rest[..<dbEnd], in: &result, uri: uri)
            rest = rest[dbEnd...]
        }

        // ?keyword=value&...
        if rest.first == "?" {
            for pair in rest.dropFirst().split(separator: "&", omittingEmptySubsequences: true) {
                guard let equals = pair.firstIndex(of: "=") else {
                    throw PgswarmError(.usage, "missing key/value separator \"=\" in URI query parameter: \"\(pair)\"")
                }
                let keyword = try percentDecoded(pair[..<equals], uri: uri)
                guard ConnectionKeywords.isKnown(keyword) else {
                    throw PgswarmError(.usage, "invalid URI query parameter: \"\(keyword)\"")
                }
                result[keyword] = try percentDecoded(pair[pair.index(after: equals)...], uri: uri)
            }
        }
        return result
    }

    /// Sets a keyword from a URI part; empty parts set nothing (libpq's defaults apply).
    private static func set(
        _ keyword: String,
        _ encoded: Substring,
        in result: inout [String: String],
        uri: String
    ) throws(PgswarmError) {
        guard !encoded.isEmpty else { return }
        result[keyword] = try percentDecoded(encoded, uri: uri)
    }

    /// `%2F` → `/`; libpq's messages for a malformed token and for `%00`.
    package static func percentDecoded(_ encoded: Substring, uri: String) throws(PgswarmError) -> String {
        guard encoded.contains("%") else { return String(encoded) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.utf8.count)
        var iterator = encoded.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw PgswarmError(.usage, "invalid percent-encoded token: \"\(encoded)\"")
            }
            let decoded = high << 4 | low
            guard decoded != 0 else {
                throw PgswarmError(.usage, "forbidden value %00 in percent-encoded value: \"\(encoded)\"")
            }
            bytes.append(decoded)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
