// EventFileTests.swift: event files read by TensorBoard's own EventAccumulator; the checksum and wire format against their specifications.
import Foundation
import ProtobufWire
import TensorBoard
import Testing
import TestSupport

/// Event files are read by TensorBoard's own `EventAccumulator`, including while still being written;
/// the checksum and the wire format agree with their specifications' examples.
@Suite struct EventFileTests {
    static let readScalars = """
        import json, sys
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
        ea = EventAccumulator(sys.argv[2], size_guidance={"scalars": 0})
        ea.Reload()
        print(json.dumps({tag: [[e.step, e.value, e.wall_time] for e in ea.Scalars(tag)] for tag in ea.Tags()["scalars"]}))
        """

    @Test func checksumsAndWireFormatMatchTheirSpecifications() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)  // The CRC-32C check value (RFC 3720 B.4).
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)  // RFC 3720 B.4: 32 bytes of zeros.
        var w = ProtobufWriter()
        w.int(1, 150)           // The protobuf encoding guide's first example: 08 96 01.
        w.string(2, "testing")  // 12 07 74 65 73 74 69 6e 67.
        w.int(3, -1)            // Negative int64: ten bytes.
        #expect(w.bytes == [0x08, 0x96, 0x01, 0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67,
                            0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])
    }

    @Test func tensorBoardReadsTheScalarsAsTheyAreWritten() throws {
        try Python.require(["tensorboard"], install: "pip install tensorboard")
        let folder = TestData.temporaryDirectory().appendingPathComponent("runs/one").path
        let writer = try EventFileWriter(folder: folder, now: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(writer.path.contains("/runs/one/events.out.tfevents.1700000000."))
        let values: [Double] = [2.5, 0.1, 1e-3]
        for (step, v) in values.enumerated() {
            try writer.scalar("loss/training", v, step: step + 1, wallTime: Date(timeIntervalSince1970: 1_700_000_000.25 + Double(step)))
        }
        // Still open: what a live `tensorboard --logdir` sees.
        let live = try #require(try Python.json(Self.readScalars, input: [], arguments: [folder]) as? [String: [[Double]]])
        #expect(live["loss/training"]?.map { $0[0] } == [1, 2, 3])
        // Foundation's JSON parsing may miss the last bit of a double; the float32 values are exact.
        #expect(live["loss/training"]?.map { Float($0[1]) } == values.map { Float($0) })
        #expect(live["loss/training"]?.map { $0[2] } == [1_700_000_000.25, 1_700_000_001.25, 1_700_000_002.25])

        try writer.scalar("accuracy/validation", 0.875, step: 3)
        let later = try #require(try Python.json(Self.readScalars, input: [], arguments: [folder]) as? [String: [[Double]]])
        #expect(Set(later.keys) == ["loss/training", "accuracy/validation"])
        #expect(later["accuracy/validation"]?.first?[1] == 0.875)
    }

    /// A flipped byte is caught by the reader's CRC check: the framing's checksums are real.
    @Test func aCorruptedRecordIsRejectedByTensorBoard() throws {
        try Python.require(["tensorboard"], install: "pip install tensorboard")
        let folder = TestData.temporaryDirectory().path
        let writer = try EventFileWriter(folder: folder)
        try writer.scalar("x", 1, step: 1)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: writer.path)))
        bytes[bytes.count - 6] ^= 0x01  // Inside the last record's data.
        try Data(bytes).write(to: URL(fileURLWithPath: writer.path))
        let out = try Python.run("""
            import sys
            from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New
            r = PyRecordReader_New(sys.argv[1])
            n = 0
            try:
                while True:
                    r.GetNext(); n += 1
            except Exception as e:
                print(n, type(e).__name__)
            """, [writer.path])
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "1 DataLossError")
    }
}
