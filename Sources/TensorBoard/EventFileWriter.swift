// EventFileWriter.swift: writes a TensorBoard event file.
import Foundation
import ProtobufWire

/// Writes a TensorBoard event file: TFRecord records, each an `Event` protobuf.
///
/// A record is the data's length (8 bytes, little-endian), the masked CRC-32C of those 8 bytes, the
/// data, and the masked CRC-32C of the data (``CRC32C/masked(_:)``). The first event holds only
/// `file_version` `brain.Event:2`; then each ``scalar(_:_:step:wallTime:)`` is an `Event` with
/// `wall_time` (seconds since 1970), `step` and a `Summary` of one value: its `tag` and
/// `simple_value` (float32). Every record goes to the file with one `write(2)` as it is made, so
/// `tensorboard --logdir` sees a running job's progress.
public final class EventFileWriter {
    /// The event file's path: `folder/events.out.tfevents.<seconds>.<host>.<pid>`.
    public let path: String
    private let handle: FileHandle

    /// Creates `folder` (and its parents) when missing and starts a new event file in it.
    /// - Throws: the file system's error when the folder or file cannot be made.
    public init(folder: String, now: Date = Date()) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        let name = "events.out.tfevents.\(Int(now.timeIntervalSince1970)).\(host).\(ProcessInfo.processInfo.processIdentifier)"
        path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
        var event = ProtobufWriter()
        event.double(1, now.timeIntervalSince1970)   // wall_time
        event.string(3, "brain.Event:2")             // file_version
        try write(event.bytes)
    }

    deinit { try? handle.close() }

    /// Appends one scalar: `tag` (e.g. `loss/training`) at `step` is `value` (stored as float32).
    public func scalar(_ tag: String, _ value: Double, step: Int, wallTime: Date = Date()) throws {
        var event = ProtobufWriter()
        event.double(1, wallTime.timeIntervalSince1970)  // wall_time
        event.int(2, Int64(step))                        // step
        event.message(5) { summary in                    // summary
            summary.message(1) { entry in                // value
                entry.string(1, tag)                     // tag
                entry.float(2, Float(value))             // simple_value
            }
        }
        try write(event.bytes)
    }

    /// The TFRecord framing of `data`, written at once.
    private func write(_ data: [UInt8]) throws {
        var record = ProtobufWriter()
        record.appendLittleEndian(UInt64(data.count))
        let header = record.bytes
        record.appendLittleEndian(CRC32C.masked(header))
        var bytes = record.bytes
        bytes += data
        var tail = ProtobufWriter()
        tail.appendLittleEndian(CRC32C.masked(data))
        bytes += tail.bytes
        try handle.write(contentsOf: bytes)
    }
}
