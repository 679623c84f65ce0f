/// OverdueCore — the pure heart of Overdue.
///
/// Domain types (money, invoices, debtors, contacts, policies), the escalation planner, the
/// compliance gate, payment matching and CSV row validation. Every "what, when, whether" decision
/// is a pure function of state, facts and an injected time, and returns its reasons.
///
/// This module must never do I/O, read the clock or the environment, or import anything but
/// Foundation.
public enum Overdue {
    /// The version string printed by the CLI.
    public static let version = "0.1.0"
}
