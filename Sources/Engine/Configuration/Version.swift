/// The one place the version lives: `pgswarm version`, `-V` and summary.json read it from here.
public enum PgswarmVersion {
    public static let string = "0.1.0"
}
