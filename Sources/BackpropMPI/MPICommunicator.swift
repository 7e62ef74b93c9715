// MPICommunicator.swift: gradient reduction over MPI: all-reduce, barrier and heartbeats with a timeout on each exchange.
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

    /// Throws the error `status` stands for, unless it is `MPI_SUCCESS`.
    static func check(_ call: String, _ status: Int32) throws(MPIError) {
        guard status != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(status, &text, &length)
        throw MPIError(call: call, code: status, message: String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}

/// `MPI_COMM_WORLD` as a ``GradientReduction``: one process of an `mpirun` job.
///
/// Errors come back as ``MPIError`` (the communicator's handler is `MPI_ERRORS_RETURN`), so a failed
/// call becomes a Swift error with a message rather than MPI's default abort. A process that dies is
/// still the launcher's to report: `mpirun` sees it exit and ends the others.
///
/// Every exchange (all-reduce, barrier) is non-blocking, polled against ``exchangeTimeout``: one that
/// has not completed in that time throws ``ExchangeTimeout``, naming the processes that went silent
/// (from ``Heartbeats``), so a lost host or link ends the job instead of hanging it.
///
/// Only the thread that called ``start()`` may use it (MPI_THREAD_FUNNELED): the trainer's worker
/// threads compute, the calling thread communicates.
public final class MPICommunicator: GradientReduction {
    public let rank: Int
    public let size: Int
    /// The host name of every process, by rank (gathered at ``start()``).
    public private(set) var hosts: [String] = []
    /// Seconds an exchange may take before it throws ``ExchangeTimeout`` (waiting for the slowest
    /// process included).
    public var exchangeTimeout = 60.0
    /// Seconds spent in ``sum(_:)``'s all-reduce, waiting for slower processes included
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
    /// Exchanges of any kind so far (numbering them in ``ExchangeTimeout``).
    public private(set) var exchanges = 0
    /// Whether the trainer overlaps the gradients' exchange with the backward pass: one non-blocking
    /// all-reduce per layer (``startSum(_:)``), started as soon as backprop has that layer's gradients,
    /// and all waited for before the optimiser step (``finishSums()``). Each value gets the same sum
    /// as in one all-reduce of the whole buffer: Open MPI's non-blocking all-reduce in place (libnbc)
    /// reduces along the same tree whatever the length (DistributedTests check it on 2 and 3
    /// processes). Every process must set the same. Default false (set by
    /// ``start(exchangeTimeout:overlapsSums:)``).
    public var overlapsSums = false
    /// Calls of ``finishSums()`` that waited for sums started by ``startSum(_:)``: steps whose
    /// exchange overlapped the backward pass.
    public private(set) var overlappedExchanges = 0
    /// Started sums not yet completed (null once complete); emptied by ``finishSums()``.
    private var pending: [MPI_Request?] = []

    private let comm: MPI_Comm
    private let heartbeats: Heartbeats
    private nonisolated(unsafe) static var started = false

    private init(comm: MPI_Comm, rank: Int, size: Int) throws(MPIError) {
        self.comm = comm
        self.rank = rank
        self.size = size
        heartbeats = try Heartbeats(world: comm, rank: rank, size: size)
    }

    /// Initialises MPI (once per process) and returns the world communicator, with every process's host
    /// name gathered. Run under `mpirun` this is one of its processes; run directly, a job of one.
    /// With `overlapsSums` (see ``overlapsSums``), Open MPI's TCP transport gets its progress thread
    /// (`btl_tcp_progress_thread`, unless the environment sets it): without it, a started all-reduce
    /// moves on only inside MPI calls, none of which runs during a layer's backward pass.
    public static func start(exchangeTimeout: Double = 60, overlapsSums: Bool = false) throws -> MPICommunicator {
        precondition(!started, "MPICommunicator.start: MPI is initialised once per process")
        started = true
        if overlapsSums { setenv("OMPI_MCA_btl_tcp_progress_thread", "1", 0) }
        var provided: Int32 = 0
        try MPIError.check("MPI_Init_thread", MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided))
        let world = cmpi_comm_world()
        try MPIError.check("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(world, cmpi_errors_return()))
        var rank: Int32 = 0, size: Int32 = 0
        try MPIError.check("MPI_Comm_rank", MPI_Comm_rank(world, &rank))
        try MPIError.check("MPI_Comm_size", MPI_Comm_size(world, &size))
        let mpi = try MPICommunicator(comm: world, rank: Int(rank), size: Int(size))
        mpi.exchangeTimeout = exchangeTimeout
        mpi.overlapsSums = overlapsSums
        try mpi.gatherHosts()
        return mpi
    }

    private static let hostNameBytes = 256

    private func gatherHosts() throws {
        var mine = [CChar](repeating: 0, count: Self.hostNameBytes)
        gethostname(&mine, Self.hostNameBytes - 1)
        var all = [CChar](repeating: 0, count: Self.hostNameBytes * size)
        hosts = [String](repeating: "?", count: size)
        try exchange("the gathering of host names") { request in
            MPI_Iallgather(mine, Int32(Self.hostNameBytes), cmpi_char(), &all, Int32(Self.hostNameBytes), cmpi_char(), comm, request)
        }
        hosts = (0..<size).map { r in
            String(decoding: all[(r * Self.hostNameBytes)..<((r + 1) * Self.hostNameBytes)].prefix { $0 != 0 }
                .map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    public func sum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        guard let base = buffer.baseAddress else { return }
        guard let count = Int32(exactly: buffer.count) else {
            throw MPIError(call: "MPI_Iallreduce", code: -1, message: "\(buffer.count) values do not fit MPI's int count")
        }
        if separatesWaiting {
            let waited = MonotonicClock.seconds()
            try barrier()
            waitingSeconds += MonotonicClock.seconds() - waited
        }
        let started = MonotonicClock.seconds()
        defer { reductionSeconds += MonotonicClock.seconds() - started }
        try exchange("the all-reduce of the gradients") { request in
            MPI_Iallreduce(cmpi_in_place(), base, count, cmpi_double(), cmpi_sum(), comm, request)
        }
        reductions += 1
        reducedValues += buffer.count
    }

    /// Posts a non-blocking all-reduce of `part` in place and lets the ones already started progress
    /// (Open MPI moves them on only inside its calls); with ``separatesWaiting``, the first part since
    /// the last ``finishSums()`` is preceded by a timed barrier (before the step's exchange starts, so
    /// it takes none of it). Counted in ``reductions``, ``reducedValues`` and ``reductionSeconds``.
    public func startSum(_ part: UnsafeMutableBufferPointer<Double>) throws {
        guard let base = part.baseAddress else { return }
        guard let count = Int32(exactly: part.count) else {
            throw MPIError(call: "MPI_Iallreduce", code: -1, message: "\(part.count) values do not fit MPI's int count")
        }
        if separatesWaiting && pending.isEmpty {
            let waited = MonotonicClock.seconds()
            try barrier()
            waitingSeconds += MonotonicClock.seconds() - waited
        }
        let started = MonotonicClock.seconds()
        defer { reductionSeconds += MonotonicClock.seconds() - started }
        exchanges += 1
        pending.append(cmpi_request_null())
        try pending.withUnsafeMutableBufferPointer { requests in
            try MPIError.check("MPI_Iallreduce", MPI_Iallreduce(cmpi_in_place(), base, count, cmpi_double(), cmpi_sum(), comm,
                                                               requests.baseAddress! + (requests.count - 1)))
            var done: Int32 = 0
            try MPIError.check("MPI_Testall", MPI_Testall(Int32(requests.count), requests.baseAddress, &done, cmpi_statuses_ignore()))
        }
        reductions += 1
        reducedValues += part.count
    }

    /// Waits for every sum started by ``startSum(_:)`` (at most ``exchangeTimeout`` from the start of
    /// this wait, servicing the heartbeats meanwhile, as every exchange does).
    public func finishSums() throws {
        guard !pending.isEmpty else { return }
        let started = MonotonicClock.seconds()
        defer { reductionSeconds += MonotonicClock.seconds() - started }
        let parts = pending.count
        try pending.withUnsafeMutableBufferPointer { requests in
            try wait("the all-reduce of the gradients (\(parts) parts, overlapped with backprop)", requests)
        }
        pending.removeAll(keepingCapacity: true)
        overlappedExchanges += 1
    }

    public func allEqual(_ value: UInt64) throws -> Bool {
        var low = value, high = value
        try exchange("the comparison of the weights' checksums") { request in
            MPI_Iallreduce(cmpi_in_place(), &low, 1, cmpi_uint64(), cmpi_min(), comm, request)
        }
        try exchange("the comparison of the weights' checksums") { request in
            MPI_Iallreduce(cmpi_in_place(), &high, 1, cmpi_uint64(), cmpi_max(), comm, request)
        }
        return low == high
    }

    /// Zeroes the all-reduce time and counts.
    public func resetStatistics() {
        reductionSeconds = 0
        waitingSeconds = 0
        reductions = 0
        reducedValues = 0
        overlappedExchanges = 0
    }

    /// Waits until every process gets here (at most ``exchangeTimeout``).
    public func barrier() throws {
        try exchange("a barrier") { request in MPI_Ibarrier(comm, request) }
    }

    /// Starts a non-blocking exchange (`begin` posts it into the request it is given) and waits for it
    /// (``wait(_:_:)``).
    private func exchange(_ what: String, _ begin: (UnsafeMutablePointer<MPI_Request?>) -> Int32) throws {
        exchanges += 1
        var request: MPI_Request? = cmpi_request_null()
        try MPIError.check(what, begin(&request))
        try withUnsafeMutablePointer(to: &request) { try wait(what, UnsafeMutableBufferPointer(start: $0, count: 1)) }
    }

    /// Polls `requests` until all complete, servicing the heartbeats; throws ``ExchangeTimeout`` after
    /// ``exchangeTimeout`` seconds. Polls busily for the first 10 ms (an exchange's usual time), then
    /// sleeps between polls.
    private func wait(_ what: String, _ requests: UnsafeMutableBufferPointer<MPI_Request?>) throws {
        let began = MonotonicClock.seconds()
        while true {
            var done: Int32 = 0
            try MPIError.check("MPI_Testall", MPI_Testall(Int32(requests.count), requests.baseAddress, &done, cmpi_statuses_ignore()))
            if done != 0 { return }
            let now = MonotonicClock.seconds(), waited = now - began
            try heartbeats.service(exchange: exchanges, waited: waited, now: now)
            if waited > exchangeTimeout { throw timeout(what, now: now, waited: waited) }
            if waited > 0.01 { usleep(waited > 1 ? 1000 : 50) }
        }
    }

    /// The processes not heard from in the last three heartbeat intervals (or the whole wait, if shorter)
    /// of a `waited`-second wait.
    private func timeout(_ what: String, now: Double, waited: Double) -> ExchangeTimeout {
        let recent = min(3 * Heartbeats.interval, exchangeTimeout)
        let silent = (0..<size).filter { $0 != rank }.compactMap { p -> (process: ExchangeTimeout.Process, lastHeard: Double?)? in
            let ago = heartbeats.lastHeard[p].map { now - $0 }
            guard ago.map({ $0 > recent }) ?? true else { return nil }
            return (ExchangeTimeout.Process(rank: p, host: hosts[p]), ago.flatMap { $0 < waited ? $0 : nil })
        }
        return ExchangeTimeout(waiting: .init(rank: rank, host: hosts[rank]), exchange: "\(what) (exchange \(exchanges))",
                               seconds: exchangeTimeout, silent: silent)
    }

    /// Ends every process of the job with `code` (after this one reported why): the others may be
    /// waiting in an all-reduce this process will never join.
    public func abort(code: Int32) -> Never {
        MPI_Abort(comm, code)
        exit(code)  // MPI_Abort does not return; this is for the compiler.
    }

    /// Ends this process with `code` without waiting on anyone, and first ends the Open MPI launcher
    /// that started it on this host (`mpirun` or its daemon `orted`, the parent process): a launcher
    /// cut off from the others would otherwise wait for them for as long as TCP retries (many minutes),
    /// holding the job open. `orted` ends on SIGTERM; `mpirun` starts an orderly abort that waits for
    /// every host, and takes a second SIGTERM within 5 s as "terminate now". This process ignores
    /// SIGTERM meanwhile (the launcher sends it one, and SIGKILL a second later). Any other parent
    /// (a direct launch) is left alone.
    public func abandon(code: Int32) -> Never {
        fflush(nil)
        let parent = getppid()
        let name = (try? String(contentsOfFile: "/proc/\(parent)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if let name, Self.launchers.contains(name) {
            signal(SIGTERM, SIG_IGN)
            for _ in 0..<3 where getppid() == parent {  // Still its child: the launcher is still there.
                kill(parent, SIGTERM)
                usleep(200_000)
            }
        }
        _exit(code)
    }

    /// The process names of Open MPI's launcher and its per-host daemon.
    private static let launchers: Set<String> = ["mpirun", "mpiexec", "orterun", "orted", "prterun", "prted"]

    /// Waits for every process (a barrier, under the timeout), then shuts MPI down; call once, on every
    /// process, after the last communication.
    public func finish() throws {
        try barrier()
        heartbeats.stop()
        MPI_Finalize()
    }
}
#endif
