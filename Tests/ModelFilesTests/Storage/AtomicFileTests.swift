// AtomicFileTests.swift: files are replaced whole, failures leave the old file and no temporary file, and every error names the path and the reason.
import Backprop
import ModelFiles
import Foundation
import Glibc
import Testing
import TestSupport

/// Files are replaced whole, failures leave the old file and no temporary file, and every error
/// names the path and the reason. The failures are real ones this machine can produce.
@Suite struct AtomicFileTests {
    static let isRoot = getuid() == 0

    func names(in dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    func bytes(_ count: Int, _ seed: UInt8) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) ^ seed })
    }

    @Test func writesANewFile() throws {
        let dir = TestData.temporaryDirectory()
        let path = dir.appendingPathComponent("new.bin").path
        let data = bytes(1000, 7)
        try AtomicFile.write(data, to: path)
        #expect(FileManager.default.contents(atPath: path) == data)
        #expect(names(in: dir) == ["new.bin"])
    }

    @Test func writesAnEmptyFile() throws {
        let dir = TestData.temporaryDirectory()
        let path = dir.appendingPathComponent("empty").path
        try AtomicFile.write(Data(), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data())
    }

    @Test func overwritingReplacesTheWholeFileAndKeepsItsMode() throws {
        let dir = TestData.temporaryDirectory()
        let path = dir.appendingPathComponent("model.json").path
        try AtomicFile.write(bytes(5000, 1), to: path)
        #expect(chmod(path, 0o640) == 0)
        let shorter = bytes(10, 2)
        try AtomicFile.write(shorter, to: path)
        #expect(FileManager.default.contents(atPath: path) == shorter)  // No tail of the longer old file.
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640)
        #expect(names(in: dir) == ["model.json"])
    }

    /// A reader racing a writer only ever sees one whole version or the other.
    @Test func readersSeeTheOldOrTheNewFileNeverAMixture() async throws {
        let dir = TestData.temporaryDirectory()
        let path = dir.appendingPathComponent("raced.bin").path
        let a = bytes(200_000, 0xA5), b = bytes(3_000, 0x5A)
        try AtomicFile.write(a, to: path)
        let writer = Task.detached {
            for i in 0..<100 { try AtomicFile.write(i % 2 == 0 ? b : a, to: path) }
        }
        let reader = Task.detached { () -> Int in
            var bad = 0
            for _ in 0..<400 {
                let seen = FileManager.default.contents(atPath: path)
                if seen != a && seen != b { bad += 1 }
            }
            return bad
        }
        try await writer.value
        #expect(await reader.value == 0)
        #expect(names(in: dir) == ["raced.bin"])
    }

    @Test func aParentThatIsAFileIsNotADirectory() throws {
        let dir = TestData.temporaryDirectory()
        let file = dir.appendingPathComponent("plain.txt").path
        try AtomicFile.write(Data("x".utf8), to: file)
        let path = file + "/model.json"
        let error = try #require(throws: FileWriteError.self) { try AtomicFile.write(Data("{}".utf8), to: path) }
        #expect(error.reason == .notADirectory && error.code == ENOTDIR)
        #expect(error.path == path)
        #expect(error.description.contains(path) && error.description.contains("not a folder"))
        #expect(names(in: dir) == ["plain.txt"])
    }

    @Test func aMissingFolderIsNamed() throws {
        let dir = TestData.temporaryDirectory()
        let path = dir.appendingPathComponent("no/such/folder/model.json").path
        let error = try #require(throws: FileWriteError.self) { try AtomicFile.write(Data("{}".utf8), to: path) }
        #expect(error.reason == .directoryMissing)
        #expect(error.description.contains(path) && error.description.contains("does not exist"))
        #expect(names(in: dir).isEmpty)
    }

    /// The temporary file is written in full here and only the rename fails: it must be removed.
    @Test func aFolderAtThePathFailsTheRenameAndLeavesNothing() throws {
        let dir = TestData.temporaryDirectory()
        let target = dir.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data("inside".utf8).write(to: target.appendingPathComponent("keep.txt"))
        let error = try #require(throws: FileWriteError.self) { try AtomicFile.write(bytes(4096, 3), to: target.path) }
        #expect(error.reason == .targetIsADirectory)
        #expect(error.step.contains("renaming"))
        #expect(names(in: dir) == ["taken"])
        #expect(names(in: target) == ["keep.txt"])
    }

    /// sysfs refuses new files even to root (EACCES; EROFS where /sys is mounted read-only).
    @Test func sysfsRefusesNewFiles() throws {
        let path = "/sys/backprop-atomic-file-test.json"
        let error = try #require(throws: FileWriteError.self) { try AtomicFile.write(Data("{}".utf8), to: path) }
        #expect(error.reason == .permissionDenied || error.reason == .readOnlyFileSystem, "\(error)")
        #expect(error.description.hasPrefix("cannot write \(path): "))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// Mode 0o500 stops an ordinary user; root bypasses permission bits, so there the write succeeds.
    @Test func aFolderWithoutWritePermission() throws {
        let dir = TestData.temporaryDirectory()
        let locked = dir.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false)
        let path = locked.appendingPathComponent("model.json").path
        #expect(chmod(locked.path, 0o500) == 0)
        defer { _ = chmod(locked.path, 0o700) }
        if Self.isRoot {
            try AtomicFile.write(Data("{}".utf8), to: path)
            #expect(FileManager.default.contents(atPath: path) == Data("{}".utf8))
        } else {
            let error = try #require(throws: FileWriteError.self) { try AtomicFile.write(Data("{}".utf8), to: path) }
            #expect(error.reason == .permissionDenied)
            #expect(names(in: locked).isEmpty)
        }
    }

    @Test(.enabled(if: isRoot, "mounting a read-only bind needs root"))
    func aReadOnlyFilesystemLeavesTheOldFile() throws {
        let dir = TestData.temporaryDirectory()
        let path = dir.appendingPathComponent("model.json").path
        let old = bytes(300, 9)
        try AtomicFile.write(old, to: path)
        try #require(mount(dir.path, dir.path, nil, UInt(MS_BIND), nil) == 0, "bind mount: \(String(cString: strerror(errno)))")
        defer { _ = umount2(dir.path, Int32(MNT_DETACH)) }
        try #require(mount("none", dir.path, nil, UInt(MS_REMOUNT | MS_BIND | MS_RDONLY), nil) == 0,
                     "read-only remount: \(String(cString: strerror(errno)))")
        let error = try #require(throws: FileWriteError.self) { try AtomicFile.write(bytes(10, 1), to: path) }
        #expect(error.reason == .readOnlyFileSystem && error.code == EROFS)
        #expect(error.description.contains("read-only"))
        #expect(FileManager.default.contents(atPath: path) == old)
        #expect(names(in: dir) == ["model.json"])
    }

    /// A 64 KiB tmpfs cannot take a 1 MiB file: the write fails part-way with ENOSPC.
    @Test(.enabled(if: isRoot, "mounting a small tmpfs needs root"))
    func aFullDiskLeavesTheOldFileAndNoTemporaryFile() throws {
        let dir = TestData.temporaryDirectory()
        try #require(mount("tmpfs", dir.path, "tmpfs", 0, "size=64k") == 0, "tmpfs mount: \(String(cString: strerror(errno)))")
        defer { _ = umount2(dir.path, Int32(MNT_DETACH)) }
        let path = dir.appendingPathComponent("model.safetensors").path
        let old = bytes(1000, 4)
        try AtomicFile.write(old, to: path)
        let error = try #require(throws: FileWriteError.self) { try AtomicFile.write(bytes(1 << 20, 5), to: path) }
        #expect(error.reason == .diskFull && error.code == ENOSPC)
        #expect(error.description.contains(path) && error.description.contains("disk is full"))
        #expect(FileManager.default.contents(atPath: path) == old)
        #expect(names(in: dir) == ["model.safetensors"])
    }

    @Test func reasonsComeFromErrno() {
        #expect(FileWriteError.Reason(errno: ENOENT) == .directoryMissing)
        #expect(FileWriteError.Reason(errno: ENOTDIR) == .notADirectory)
        #expect(FileWriteError.Reason(errno: EACCES) == .permissionDenied)
        #expect(FileWriteError.Reason(errno: EPERM) == .permissionDenied)
        #expect(FileWriteError.Reason(errno: EROFS) == .readOnlyFileSystem)
        #expect(FileWriteError.Reason(errno: ENOSPC) == .diskFull)
        #expect(FileWriteError.Reason(errno: EDQUOT) == .diskFull)
        #expect(FileWriteError.Reason(errno: EISDIR) == .targetIsADirectory)
        #expect(FileWriteError.Reason(errno: EFBIG) == .fileTooLarge)
        #expect(FileWriteError.Reason(errno: EIO) == .inputOutput)
        #expect(FileWriteError.Reason(errno: EMFILE) == .other)
    }
}
