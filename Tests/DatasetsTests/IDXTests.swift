// IDXTests.swift: the IDX reader on raw and gzip files, good and bad.
import Foundation
import Testing

import Datasets

/// Three 2×2 "images" with pixel values 0...11 and their labels.
private let pixels: [UInt8] = Array(0..<12)
private let imageFile = idx(dimensions: [3, 2, 2], data: pixels)
private let labelFile = idx(dimensions: [3], data: [2, 0, 1])

@Suite("IDX reader")
struct IDXTests {
    @Test func rawRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("images.idx", imageFile)
        let (shape, bytes) = try IDX.read(path)
        #expect(shape == [3, 2, 2])
        #expect(bytes == pixels)
        #expect(try IDX.shape(of: path) == [3, 2, 2])
    }

    @Test func gzipRoundTrip() throws {
        let dir = try TemporaryDirectory()
        // The name has no .gz suffix: gzip must be recognised by its magic number.
        let path = try dir.writeGzip("images.idx", imageFile)
        #expect(try dir.contents(path).prefix(2) == [0x1f, 0x8b])
        let (shape, bytes) = try IDX.read(path)
        #expect(shape == [3, 2, 2])
        #expect(bytes == pixels)
    }

    @Test func concatenatedGzipMembersAreOneStream() throws {
        let dir = try TemporaryDirectory()
        // Header and first 5 data bytes in one member, the remaining 7 in another, like `cat a.gz b.gz`.
        let first = try dir.contents(try dir.writeGzip("a.gz", Array(imageFile.prefix(21))))
        let second = try dir.contents(try dir.writeGzip("b.gz", Array(imageFile.dropFirst(21))))
        let path = try dir.write("both.gz", first + second)
        #expect(try IDX.read(path).bytes == pixels)
    }

    @Test func largerGzipFileSpanningManyInputChunks() throws {
        // 600 000 bytes of pseudo-random data compress poorly, so the compressed file is larger
        // than the reader's input chunk and inflate is called across many refills.
        var state: UInt32 = 12345
        let data = (0..<600_000).map { _ -> UInt8 in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
        let dir = try TemporaryDirectory()
        let path = try dir.writeGzip("big.gz", idx(dimensions: [600, 1000], data: data))
        #expect(try dir.contents(path).count > 300_000)
        let (shape, bytes) = try IDX.read(path)
        #expect(shape == [600, 1000])
        #expect(bytes == data)
    }

    @Test func loadDatasetKeepsBytes() throws {
        let dir = try TemporaryDirectory()
        let images = try dir.writeGzip("images.gz", imageFile)
        let labels = try dir.write("labels", labelFile)
        let data = try IDX.loadDataset(images: images, labels: labels)
        #expect(data.count == 3)
        #expect(data.featureCount == 4)
        #expect(data.classCount == 3)  // largest label 2, plus 1
        #expect(data.labels == [2, 0, 1])
        #expect(data.features == .bytes(pixels))
        #expect(data.source.contains(images) && data.source.contains(labels))

        let wider = try IDX.loadDataset(images: images, labels: labels, classCount: 10)
        #expect(wider.classCount == 10)
    }

    @Test func wrongMagicNumber() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("bad", [0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 7])
        let error = try datasetError { try IDX.read(path) }
        #expect(error.kind == .badMagic)
        #expect(error.position == .byte(0))
        #expect(error.description.hasPrefix(path + ": byte 0: "))
        #expect(error.message.contains("0x12340801"))
    }

    @Test func unsupportedElementType() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("floats", idx(type: 0x0D, dimensions: [1], data: [0, 0, 0x80, 0x3F]))
        let error = try datasetError { try IDX.read(path) }
        #expect(error.kind == .unsupportedType)
        #expect(error.position == .byte(2))
        #expect(error.message.contains("0x0D"))
        #expect(error.description.hasPrefix(path))
    }

    @Test func truncatedRawData() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("short", Array(imageFile.prefix(16 + 5)))
        let error = try datasetError { try IDX.read(path) }
        #expect(error.kind == .truncated)
        #expect(error.position == .byte(16))  // the data starts after 4 + 3·4 header bytes
        #expect(error.message.contains("12 bytes of data but the file holds only 5"))
        #expect(error.description.hasPrefix(path))
    }

    @Test func truncatedGzipContent() throws {
        // A complete, valid gzip stream whose content is shorter than its IDX header declares.
        let dir = try TemporaryDirectory()
        let path = try dir.writeGzip("short.gz", Array(imageFile.prefix(16 + 5)))
        let error = try datasetError { try IDX.read(path) }
        #expect(error.kind == .truncated)
        #expect(error.position == .byte(16 + 5))
        #expect(error.message.contains("declares 3×2×2 = 12 bytes of data but holds only 5"))
        #expect(error.description.hasPrefix(path))
    }

    @Test func cutOffGzipFile() throws {
        // A gzip file cut short, as by an interrupted download: the deflate stream itself ends early.
        let dir = try TemporaryDirectory()
        var state: UInt32 = 7
        let data = (0..<10_000).map { _ -> UInt8 in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
        let whole = try dir.contents(try dir.writeGzip("whole.gz", idx(dimensions: [10_000], data: data)))
        let path = try dir.write("cut.gz", Array(whole.prefix(whole.count / 2)))
        let error = try datasetError { try IDX.read(path) }
        #expect(error.kind == .truncated)
        #expect(error.message.contains("declares 10000 = 10000 bytes of data but holds only"))
        #expect(error.message.contains("cut off"))
        #expect(error.description.hasPrefix(path))

        // Cut inside the 8-byte trailer only: all data is there but the checksum is missing.
        let trailerless = try dir.write("trailer.gz", Array(whole.dropLast(4)))
        let trailerError = try datasetError { try IDX.read(trailerless) }
        #expect(trailerError.kind == .truncated)
        #expect(trailerError.message.contains("cut off"))
    }

    @Test func corruptGzipChecksum() throws {
        let dir = try TemporaryDirectory()
        var bytes = try dir.contents(try dir.writeGzip("good.gz", imageFile))
        bytes[bytes.count - 8] ^= 0xFF  // first byte of the CRC-32 in the gzip trailer
        let path = try dir.write("bad.gz", bytes)
        let error = try datasetError { try IDX.read(path) }
        #expect(error.kind == .corruptCompression)
        #expect(error.message.contains("incorrect data check"))  // zlib's own message
        #expect(error.description.hasPrefix(path))
    }

    @Test func trailingData() throws {
        let dir = try TemporaryDirectory()
        let raw = try dir.write("long", imageFile + [99, 98])
        let rawError = try datasetError { try IDX.read(raw) }
        #expect(rawError.kind == .trailingData)
        #expect(rawError.position == .byte(28))
        #expect(rawError.message.contains("2 bytes more"))

        let gz = try dir.writeGzip("long.gz", imageFile + [99, 98, 97])
        let gzError = try datasetError { try IDX.read(gz) }
        #expect(gzError.kind == .trailingData)
        #expect(gzError.position == .byte(28))
        #expect(gzError.message.contains("3 bytes more"))

        // Bytes after the gzip stream that are not another gzip member.
        let garbage = try dir.write("garbage.gz", try dir.contents(try dir.writeGzip("ok.gz", imageFile)) + [1, 2, 3, 4])
        #expect(try datasetError { try IDX.read(garbage) }.kind == .trailingData)
    }

    @Test func headerDeclaresMoreThanTheFileHolds() throws {
        let dir = try TemporaryDirectory()
        // 60000×28×28 declared, a few bytes present.
        let path = try dir.write("lies", idx(dimensions: [60_000, 28, 28], data: [1, 2, 3]))
        let error = try datasetError { try IDX.read(path) }
        #expect(error.kind == .truncated)
        #expect(error.position == .byte(16))
        #expect(error.message.contains("47040000 bytes of data but the file holds only 3"))
    }

    @Test func absurdSizes() throws {
        let dir = try TemporaryDirectory()
        // 2^31 × 2^31 = 2^62 bytes: far over the limit. Reaching the error (instead of trying to
        // allocate) is the point.
        let huge = try dir.write("huge", idx(dimensions: [1 << 31, 1 << 31], data: []))
        let hugeError = try datasetError { try IDX.read(huge) }
        #expect(hugeError.kind == .sizeTooLarge)
        #expect(hugeError.position == .byte(4))
        #expect(hugeError.message.contains("2147483648×2147483648"))
        #expect(hugeError.description.hasPrefix(huge))

        // (2^32 − 1)^3 overflows 64 bits: a wrapped product must not pass as a small size.
        let overflowing = try dir.write("overflow", idx(dimensions: [.max, .max, .max], data: []))
        let overflowError = try datasetError { try IDX.read(overflowing) }
        #expect(overflowError.kind == .sizeTooLarge)
        #expect(overflowError.message.contains("overflows"))

        // Just over 8 GiB in a gzip file of a few dozen bytes.
        let overCap = try dir.writeGzip("cap.gz", idx(dimensions: [2, 1 << 16, 1 << 16 + 1], data: []))
        let capError = try datasetError { try IDX.read(overCap) }
        #expect(capError.kind == .sizeTooLarge)
        #expect(capError.message.contains("8589934592"))

        // 100 MB cannot come out of a gzip file of a few dozen bytes (deflate's limit is ~1032:1).
        let bomb = try dir.writeGzip("bomb.gz", idx(dimensions: [100, 1000, 1000], data: []))
        let bombError = try datasetError { try IDX.read(bomb) }
        #expect(bombError.kind == .sizeTooLarge)
        #expect(bombError.message.contains("100000000 bytes"))
        #expect(bombError.description.hasPrefix(bomb))
    }

    @Test func truncatedHeaders() throws {
        let dir = try TemporaryDirectory()
        let twoBytes = try dir.write("two", [0, 0])
        let magicError = try datasetError { try IDX.read(twoBytes) }
        #expect(magicError.kind == .truncated)
        #expect(magicError.position == .byte(2))

        // Rank 3 but only one dimension present.
        let oneDimension = try dir.write("dims", [0, 0, 8, 3, 0, 0, 0, 5])
        let dimensionError = try datasetError { try IDX.read(oneDimension) }
        #expect(dimensionError.kind == .truncated)
        #expect(dimensionError.position == .byte(8))
        #expect(dimensionError.message.contains("3 dimensions need 12 bytes"))

        let rankZero = try dir.write("rank0", [0, 0, 8, 0])
        #expect(try datasetError { try IDX.read(rankZero) }.kind == .badHeader)
    }

    @Test func labelAndImageCountMismatch() throws {
        let dir = try TemporaryDirectory()
        let images = try dir.write("images", imageFile)
        let labels = try dir.write("labels", idx(dimensions: [4], data: [0, 1, 2, 3]))
        let error = try datasetError { try IDX.loadDataset(images: images, labels: labels) }
        #expect(error.kind == .countMismatch)
        #expect(error.file == images)
        #expect(error.position == .byte(4))
        #expect(error.message.contains("3 images"))
        #expect(error.message.contains(labels) && error.message.contains("4 labels"))
    }

    @Test func wrongRanksAndLabelsOutOfRange() throws {
        let dir = try TemporaryDirectory()
        let images = try dir.write("images", imageFile)
        let labels = try dir.write("labels", labelFile)
        // Swapped arguments: a 3-D labels file.
        let swapped = try datasetError { try IDX.loadDataset(images: labels, labels: images) }
        #expect(swapped.kind == .badHeader)
        #expect(swapped.file == images)

        let error = try datasetError { try IDX.loadDataset(images: images, labels: labels, classCount: 2) }
        #expect(error.kind == .badLabel)
        #expect(error.file == labels)
        #expect(error.position == .byte(8))  // label 2 is the first byte after the 8-byte header
    }

    @Test func missingAndEmptyFiles() throws {
        let dir = try TemporaryDirectory()
        let missing = dir.path + "/nothing-here.gz"
        let notFound = try datasetError { try IDX.read(missing) }
        #expect(notFound.kind == .fileNotFound)
        #expect(notFound.description.hasPrefix(missing))

        let empty = try dir.write("empty", [])
        let emptyError = try datasetError { try IDX.read(empty) }
        #expect(emptyError.kind == .emptyFile)
        #expect(emptyError.description.hasPrefix(empty))

        let emptyGzip = try dir.writeGzip("empty.gz", [])
        #expect(try datasetError { try IDX.read(emptyGzip) }.kind == .emptyFile)

        let directory = try datasetError { try IDX.read(dir.path) }
        #expect(directory.kind == .unreadable)
    }
}
