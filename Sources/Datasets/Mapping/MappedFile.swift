// MappedFile.swift: a file mapped read-only into memory, and the budget of its resident pages.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A file's bytes mapped read-only into memory (`mmap` with `PROT_READ` and `MAP_PRIVATE`),
/// unmapped when the object is released.
///
/// Pages are read from the file when first touched, and stay mapped: a fault may map much more
/// than it reads (Linux maps the cached pages around it, whole large folios of up to 2 MiB in
/// recent kernels, whatever the `madvise` advice). So readers report each read with
/// `didRead(_:scattered:)`, and every few reads the mapping looks at the kernel's count of the
/// process's resident file pages (`/proc/self/statm`); once that has grown by `residentBudget`
/// since the last drop, it drops its pages (`madvise(MADV_DONTNEED)`: the page cache keeps them
/// while memory allows, and a later touch maps them back). A process walking a file many times its
/// memory keeps about `residentBudget` of it mapped: a quarter of the memory the process may use
/// (the machine's, or its memory cgroup's limit when lower), at least 32 MiB, so a data set that
/// fits comfortably stays mapped and is read at memory speed.
///
/// The file must not be truncated while it is mapped: touching a page past its new end raises
/// SIGBUS. The mapping is never written, so it may be read from any thread (hence `Sendable`).
final class MappedFile: @unchecked Sendable {
    /// The path it was opened by, for messages.
    let path: String
    /// The whole file as it was when mapped; empty (and no mapping) for a 0-byte file.
    let bytes: UnsafeRawBufferPointer
    /// How much more of the process's file pages may be resident before the mapping's are dropped:
    /// a quarter of ``usableMemory``, at least 32 MiB (tests set it lower to see the drops).
    /// Atomic, as a test may set it while other threads read.
    static let residentBudget = Atomic<Int>(max(32 << 20, usableMemory / 4))

    /// The memory this process may use: physical memory, or its memory cgroup's limit (v1
    /// `memory.limit_in_bytes`, v2 `memory.max`) when that is lower.
    static var usableMemory: Int {
        var limit = sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))
        for (file, prefix) in [("memory.limit_in_bytes", "/sys/fs/cgroup/memory"), ("memory.max", "/sys/fs/cgroup")] {
            for group in cgroupPaths() {
                if let value = firstNumber(in: prefix + group + "/" + file), value > 0 { limit = min(limit, value) }
            }
        }
        return limit
    }

    /// This process's cgroup paths, from `/proc/self/cgroup` (`ID:CONTROLLERS:PATH` lines).
    private static func cgroupPaths() -> [String] {
        guard let text = readSmall("/proc/self/cgroup") else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].isEmpty || parts[1].split(separator: ",").contains("memory") else { return nil }
            return String(parts[2])
        }
    }

    /// The leading decimal number of a small file (a cgroup limit; "max" gives nil), or nil.
    private static func firstNumber(in path: String) -> Int? {
        readSmall(path).flatMap { Int($0.prefix { $0.isNumber }) }
    }

    /// Up to 4 KiB of a file as text, or nil.
    private static func readSmall(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }
    /// Reads are weighed by what they may map: their bytes, plus this for a scattered one (the
    /// start of a fault of its own); the resident pages are checked every `checkInterval` of weight.
    static let scatteredWeight = 256 << 10, checkInterval = 2 << 20
    /// Weight of the reads since the last check.
    private let sinceCheck = Atomic<Int>(0)
    /// Weight of the reads since the last drop: the growth when the kernel's count is unavailable.
    private let sinceDrop = Atomic<Int>(0)
    /// The process's resident file-backed bytes just after the last drop.
    private let baseline = Atomic<Int>(0)

    /// Maps the file open in `file`, all `file.size` bytes.
    /// - Throws: `DatasetError` `.unreadable` naming the file if `mmap` fails.
    init(_ file: InputFile) throws {
        path = file.path
        guard file.size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, file.size, PROT_READ, MAP_PRIVATE, file.descriptor, 0), base != MAP_FAILED else {
            throw DatasetError(.unreadable, file: file.path, "cannot map the file into memory: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: file.size)
        advise(MADV_RANDOM)
        baseline.store(Self.residentFileBytes() ?? 0, ordering: .relaxed)
    }

    /// Opens and maps `path`.
    /// - Throws: `DatasetError` as `InputFile` throws it, or `.unreadable` if `mmap` fails.
    convenience init(path: String) throws {
        try self.init(try InputFile(path))
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// Notes that `count` bytes were read from the mapping, `scattered` if away from the previous
    /// read (a row gathered in shuffled order); drops the mapping's resident pages when the process's
    /// resident file pages have grown by `residentBudget` since they were last dropped. Threads
    /// reading at the same time at worst touch a dropped page again (the file's bytes, mapped back in).
    func didRead(_ count: Int, scattered: Bool) {
        let weight = count + (scattered ? Self.scatteredWeight : 0)
        let since = sinceDrop.add(weight, ordering: .relaxed).newValue
        guard sinceCheck.add(weight, ordering: .relaxed).newValue >= Self.checkInterval, let base = bytes.baseAddress else { return }
        sinceCheck.store(0, ordering: .relaxed)
        let growth = Self.residentFileBytes().map { $0 - baseline.load(ordering: .relaxed) } ?? since
        guard growth >= Self.residentBudget.load(ordering: .relaxed) else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), bytes.count, MADV_DONTNEED)
        sinceDrop.store(0, ordering: .relaxed)
        baseline.store(Self.residentFileBytes() ?? 0, ordering: .relaxed)
    }

    /// The process's resident file-backed (and shared) bytes, the third field of `/proc/self/statm`
    /// (in pages); nil where that cannot be read. Allocates nothing (it runs inside batch gathering).
    private static func residentFileBytes() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { text -> Int? in
            let n = read(fd, text.baseAddress, text.count)
            guard n > 0 else { return nil }
            var field = 0, pages = 0, digits = 0
            for c in text[..<n] {
                if c == 0x20 {
                    field += 1
                } else if field == 2, (0x30...0x39).contains(c) {
                    pages = pages &* 10 &+ Int(c - 0x30)
                    digits += 1
                }
            }
            return digits > 0 ? pages * sysconf(Int32(_SC_PAGESIZE)) : nil
        }
    }

    /// Runs `body`, a pass over the mapping in order, with the kernel told so (`MADV_SEQUENTIAL`:
    /// it reads well ahead); outside such passes the mapping is advised `MADV_RANDOM`, for rows
    /// gathered in shuffled order: a page fault then reads only its own page from the disk.
    func inOrder<R>(_ body: () throws -> R) rethrows -> R {
        advise(MADV_SEQUENTIAL)
        defer { advise(MADV_RANDOM) }
        return try body()
    }

    /// Tells the kernel the mapping is read once in order from now on (`MADV_SEQUENTIAL`), for a
    /// reader that releases what it has read with ``release(from:to:)``.
    func adviseSequential() { advise(MADV_SEQUENTIAL) }

    /// Drops the resident pages wholly inside bytes `start..<end` (`madvise(MADV_DONTNEED)`; the page
    /// cache keeps them while memory allows), for a reader in order done with them. Returns where the
    /// next call should start: `end` rounded down to a page (the page holding `end` stays).
    func release(from start: Int, to end: Int) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE))), last = min(end, bytes.count) / page * page
        guard let base = bytes.baseAddress, last > start else { return start }
        madvise(UnsafeMutableRawPointer(mutating: base + start), last - start, MADV_DONTNEED)
        return last
    }

    private func advise(_ advice: Int32) {
        guard let base = bytes.baseAddress else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), bytes.count, advice)
    }
}

/// `count` bytes of a mapped file from byte `offset`: an array's data in place.
struct MappedRegion: Sendable {
    let file: MappedFile
    let offset: Int
    let count: Int

    /// The region's bytes.
    /// - Precondition (of the initialiser's callers): `offset + count <= file.bytes.count`.
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[offset..<(offset + count)])
    }
}
