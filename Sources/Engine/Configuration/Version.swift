/// pgswarm's version, printed by `pgswarm version` and recorded in every summary.json.
public enum PgswarmVersion {
    public static let string = "0.1.0"
}
