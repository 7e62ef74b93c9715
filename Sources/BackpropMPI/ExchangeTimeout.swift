// ExchangeTimeout.swift: the error of an exchange with the other processes that did not complete in time.
#if MPI
/// An exchange with the other processes (an all-reduce or a barrier) that did not complete within
/// ``MPICommunicator/exchangeTimeout``: some process stopped answering (its host or its link is lost,
/// or it hangs). The job cannot go on; every process that sees this should end itself.
public struct ExchangeTimeout: Error, CustomStringConvertible {
    /// A process of the job, and the host it runs on.
    public struct Process: Sendable, CustomStringConvertible {
        public let rank: Int
        public let host: String
        public var description: String { "process \(rank) on \(host)" }
    }

    /// The process that waited.
    public let waiting: Process
    /// What it waited in, e.g. "the all-reduce of exchange 38".
    public let exchange: String
    /// How long it waited, in seconds (the timeout).
    public let seconds: Double
    /// The other processes it heard nothing from in the last seconds of its wait, each with the
    /// seconds since it last heard from it during the wait (nil: not at all): the ones that stopped answering.
    public let silent: [(process: Process, lastHeard: Double?)]

    public var description: String {
        let who = silent.isEmpty
            ? "every other process still answered"
            : silent.map { "\($0.process) stopped answering (" + ($0.lastHeard.map { "last heard \(Int($0.rounded())) s before" } ?? "not heard from at all while waiting") + ")" }
                .joined(separator: ", ")
        return "\(waiting): \(exchange) did not complete within \(Self.format(seconds)) s (--exchange-timeout): \(who)"
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
#endif
