#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// libpq's password file (`~/.pgpass` or `PGPASSFILE`): lines `hostname:port:database:username:password`, where a
/// field of just `*` matches anything, `\:` and `\\` stand for `:` and `\`, and lines starting with `#` are comments.
/// The first matching line wins.
public struct PgPass: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// The four match fields, escapes removed; nil for a `*` wildcard.
        public var host: String?
        public var port: String?
        public var database: String?
        public var user: String?
        public var password: String
    }

    /// What reading the file gave: libpq ignores a file that is not a plain file or that others can read.
    public enum FileStatus: Sendable, Equatable {
        case missing
        case notPlainFile
        /// Group or world has some access (the mode's low six bits are not zero).
        case accessibleByOthers(mode: UInt32)
        case contents(String)
    }

    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses the file's text; lines with fewer than five fields are skipped, as libpq does. The password ends at the
    /// next unescaped colon, as in libpq.
    public init(parsing text: String) {
        var entries: [Entry] = []
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            if line.isEmpty || line.first == "#" { continue }
            let fields = PgPass.splitFields(line)
            guard fields.count >= 5 else { continue }
            func match(_ field: (text: String, wildcard: Bool)) -> String? { field.wildcard ? nil : field.text }
            entries.append(
                Entry(
                    host: match(fields[0]),
                    port: match(fields[1]),
                    database: match(fields[2]),
                    user: match(fields[3]),
                    password: fields[4].text
                )
            )
        }
        self.entries = entries
    }

    /// The password of the first line matching all four values. Pass "localhost" as the host for a connection over
    /// the default socket directory (libpq's rule).
    public func password(host: String, port: Int, database: String, user: String) -> String? {
        let portText = String(port)
        for entry in entries {
            if let expected = entry.host, expected != host { continue }
            if let expected = entry.port, expected != portText { continue }
            if let expected = entry.database, expected != database { continue }
            if let expected = entry.user, expected != user { continue }
            return entry.password
        }
        return nil
    }

    /// The fields split at unescaped colons, escapes removed. A field is a wildcard only when it is exactly an
    /// unescaped `*`.
    package static func splitFields(_ line: Substring) -> [(text: String, wildcard: Bool)] {
        var fields: [(text: String, wildcard: Bool)] = []
        var current = ""
        var escapedAnything = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            if character == "\\" {
                if let next = iterator.next() { current.append(next) }
                escapedAnything = true
            } else if character == ":" {
                fields.append((current, current == "*" && !escapedAnything))
                current = ""
                escapedAnything = false
            } else {
                current.append(character)
            }
        }
        fields.append((current, false))
        return fields
    }

    /// Reads the file at `path` with libpq's checks: a plain file, no group or world access.
    public static func read(path: String) -> FileStatus {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .notPlainFile }
        let othersMask = UInt32(S_IRWXG | S_IRWXO)
        let mode = UInt32(info.st_mode)
        if mode & othersMask != 0 { return .accessibleByOthers(mode: mode & 0o777) }
        guard let text = readWholeFile(path) else { return .missing }
        return .contents(text)
    }

    private static func readWholeFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        // A password file is small; stop at 1 MiB rather than read an unbounded stream.
        while bytes.count < 1 << 20 {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
