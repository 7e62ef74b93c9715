// Heartbeats.swift: one-integer heartbeats between processes while they wait in an exchange.
#if MPI
import Backprop
import CMPI
import Foundation

/// One-integer messages every process sends every other while it waits in an exchange (each
/// ``interval`` seconds once it has waited that long), and the time each other process was last heard
/// from: when an exchange times out, the processes not heard from lately are the ones that stopped answering.
///
/// Runs on a duplicate of the communicator, so these messages never meet the exchanges' own. Only the
/// thread that owns the ``MPICommunicator`` calls it.
final class Heartbeats {
    /// Seconds between a waiting process's heartbeats.
    static let interval = 1.0

    private let comm: MPI_Comm
    private let rank: Int, size: Int
    /// One receive posted from each other process (and a null request at `rank`), with its buffer.
    private let receives: UnsafeMutablePointer<MPI_Request?>
    private let received: UnsafeMutablePointer<Int64>
    /// The last send to each other process (null once complete), with its buffer.
    private let sends: UnsafeMutablePointer<MPI_Request?>
    private let sent: UnsafeMutablePointer<Int64>
    /// `MonotonicClock.seconds()` when each process was last heard from (nil: never).
    private(set) var lastHeard: [Double?]
    private var lastSent = -Double.infinity
    private static let tag: Int32 = 1

    /// Duplicates `world` and posts a receive from every other process.
    init(world: MPI_Comm, rank: Int, size: Int) throws(MPIError) {
        var dup: MPI_Comm? = nil
        try MPIError.check("MPI_Comm_dup", MPI_Comm_dup(world, &dup))
        comm = dup!
        self.rank = rank
        self.size = size
        receives = .allocate(capacity: size)
        sends = .allocate(capacity: size)
        received = .allocate(capacity: size)
        sent = .allocate(capacity: size)
        receives.initialize(repeating: cmpi_request_null(), count: size)
        sends.initialize(repeating: cmpi_request_null(), count: size)
        received.initialize(repeating: 0, count: size)
        sent.initialize(repeating: 0, count: size)
        lastHeard = [Double?](repeating: nil, count: size)
        for p in 0..<size where p != rank { try post(p) }
    }

    private func post(_ p: Int) throws(MPIError) {
        try MPIError.check("MPI_Irecv", MPI_Irecv(received + p, 1, cmpi_int64(), Int32(p), Self.tag, comm, receives + p))
    }

    /// Takes in what has arrived, and when this process has been waiting `waited` seconds (at least
    /// one ``interval``), sends each other process `exchange`, the number of the exchange it waits in.
    func service(exchange: Int, waited: Double, now: Double) throws(MPIError) {
        for p in 0..<size where p != rank {
            var done: Int32 = 0
            try MPIError.check("MPI_Test", MPI_Test(receives + p, &done, cmpi_status_ignore()))
            if done != 0 {
                lastHeard[p] = now
                try post(p)
            }
        }
        guard waited >= Self.interval && now - lastSent >= Self.interval else { return }
        lastSent = now
        for p in 0..<size where p != rank {
            var done: Int32 = 0
            try MPIError.check("MPI_Test", MPI_Test(sends + p, &done, cmpi_status_ignore()))
            // A send still in flight (a peer that reads nothing) is not joined by another.
            guard done != 0 else { continue }
            sent[p] = Int64(exchange)
            try MPIError.check("MPI_Isend", MPI_Isend(sent + p, 1, cmpi_int64(), Int32(p), Self.tag, comm, sends + p))
        }
    }

    /// Cancels the posted receives and lets the sends finish on their own; call once every process is
    /// known to be here (after the last barrier), before `MPI_Finalize`.
    func stop() {
        for p in 0..<size where p != rank {
            if receives[p] != cmpi_request_null() {
                MPI_Cancel(receives + p)
                MPI_Wait(receives + p, cmpi_status_ignore())
            }
            if sends[p] != cmpi_request_null() { MPI_Request_free(sends + p) }
        }
    }
}
#endif
