/// libpq's connection-string keywords: the ones pgswarm uses, and the ones it accepts and ignores (so that a
/// connection string written for psql or pgbench still works). Any other keyword is an error, as in libpq.
package enum ConnectionKeywords {
    package static let used: Set<String> = [
        "host", "port", "dbname", "user", "password", "passfile", "application_name", "fallback_application_name",
        "sslmode", "sslrootcert", "sslsni", "max_protocol_version",
    ]

    package static let ignored: Set<String> = [
        "hostaddr", "connect_timeout", "client_encoding", "options", "keepalives", "keepalives_idle",
        "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication", "gssencmode", "sslcert",
        "sslkey", "sslpassword", "sslcrl", "sslcrldir", "sslcompression",
        "ssl_min_protocol_version", "ssl_max_protocol_version", "sslnegotiation", "sslcertmode", "requirepeer",
        "krbsrvname", "gsslib", "gssdelegation", "service", "target_session_attrs", "load_balance_hosts",
        "channel_binding", "require_auth", "min_protocol_version",
    ]

    package static func isKnown(_ keyword: String) -> Bool { used.contains(keyword) || ignored.contains(keyword) }
}
