import NIOCore

/// Facts about the machine that defaults depend on.
public enum Machine {
    /// Logical cores, the default number of event-loop threads.
    public static var coreCount: Int { System.coreCount }
}
