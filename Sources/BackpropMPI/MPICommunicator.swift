#if MPI
import Backprop
import CMPI
import Foundation

/// An MPI call that returned an error code, with MPI's own description of it.
public struct MPIError: Error, CustomStringConvertible {
    /// The MPI function, e.g. "MPI_Allreduce".
    public let call: String
    public let code: Int32
    public let message: String

    public var description: String { "\(call) failed: \(message) (MPI error \(code))" }
}

/// `MPI_COMM_WORLD` as a ``GradientReduction``: one process of an `mpirun` job.
///
/// Errors come back as ``MPIError`` (the communicator's handler is `MPI_ERRORS_RETURN`), so a failed
/// call becomes a Swift error with a message rather than MPI's default abort. A process that dies is
/// still the launcher's to report: `mpirun` sees it exit and ends the others.
///
/// Only the thread that called ``start()`` may use it (MPI_THREAD_FUNNELED): the trainer's worker
/// threads compute, the calling thread communicates.
public final class MPICommunicator: GradientReduction {
    public let rank: Int
    public let size: Int
    /// Seconds spent inside `MPI_Allreduce` by ``sum(_:)``, waiting for slower processes included
    /// (unless ``separatesWaiting``).
    public private(set) var reductionSeconds = 0.0
    /// With ``separatesWaiting``, seconds spent in the barrier before each all-reduce: waiting for the
    /// slowest process of the step, which is load imbalance (or a shared core), not communication.
    public private(set) var waitingSeconds = 0.0
    /// Times a barrier before each all-reduce, so ``reductionSeconds`` is the exchange itself and
    /// ``waitingSeconds`` the wait for the others (a measuring aid: it costs one more synchronisation a step).
    public var separatesWaiting = false
    /// Calls of ``sum(_:)`` so far.
    public private(set) var reductions = 0
    /// Doubles summed so far.
    public private(set) var reducedValues = 0

    private let comm: MPI_Comm
    private nonisolated(unsafe) static var started = false

    private init(comm: MPI_Comm, rank: Int, size: Int) {
        self.comm = comm
        self.rank = rank
        self.size = size
    }

    /// Initialises MPI (once per process) and returns the world communicator. Run under `mpirun`
    /// this is one of its processes; run directly, a job of one.
    public static func start() throws(MPIError) -> MPICommunicator {
        precondition(!started, "MPICommunicator.start: MPI is initialised once per process")
        started = true
        var provided: Int32 = 0
        try check("MPI_Init_thread", MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided))
        let world = cmpi_comm_world()
        try check("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(world, cmpi_errors_return()))
        var rank: Int32 = 0, size: Int32 = 0
        try check("MPI_Comm_rank", MPI_Comm_rank(world, &rank))
        try check("MPI_Comm_size", MPI_Comm_size(world, &size))
        return MPICommunicator(comm: world, rank: Int(rank), size: Int(size))
    }

    public func sum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        guard let base = buffer.baseAddress else { return }
        guard let count = Int32(exactly: buffer.count) else {
            throw MPIError(call: "MPI_Allreduce", code: -1, message: "\(buffer.count) values do not fit MPI's int count")
        }
        if separatesWaiting {
            let waited = MonotonicClock.seconds()
            try Self.check("MPI_Barrier", MPI_Barrier(comm))
            waitingSeconds += MonotonicClock.seconds() - waited
        }
        let started = MonotonicClock.seconds()
        let status = MPI_Allreduce(cmpi_in_place(), base, count, cmpi_double(), cmpi_sum(), comm)
        reductionSeconds += MonotonicClock.seconds() - started
        reductions += 1
        reducedValues += buffer.count
        try Self.check("MPI_Allreduce", status)
    }

    public func allEqual(_ value: UInt64) throws -> Bool {
        var low = value, high = value
        try Self.check("MPI_Allreduce", MPI_Allreduce(cmpi_in_place(), &low, 1, cmpi_uint64(), cmpi_min(), comm))
        try Self.check("MPI_Allreduce", MPI_Allreduce(cmpi_in_place(), &high, 1, cmpi_uint64(), cmpi_max(), comm))
        return low == high
    }

    /// Zeroes the all-reduce time and counts.
    public func resetStatistics() {
        reductionSeconds = 0
        waitingSeconds = 0
        reductions = 0
        reducedValues = 0
    }

    /// Waits until every process gets here.
    public func barrier() throws(MPIError) {
        try Self.check("MPI_Barrier", MPI_Barrier(comm))
    }

    /// Ends every process of the job with `code` (after this one reported why): the others may be
    /// waiting in an all-reduce this process will never join.
    public func abort(code: Int32) -> Never {
        MPI_Abort(comm, code)
        exit(code)  // MPI_Abort does not return; this is for the compiler.
    }

    /// Shuts MPI down; call once, on every process, after the last communication.
    public func finish() {
        MPI_Finalize()
    }

    private static func check(_ call: String, _ status: Int32) throws(MPIError) {
        guard status != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(status, &text, &length)
        throw MPIError(call: call, code: status, message: String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
#endif
