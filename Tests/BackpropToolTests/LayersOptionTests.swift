// LayersOptionTests.swift: `train --layers SPEC`: a convolutional network trained, saved and inspected with the shapes worked out by hand, and every bad spec an error naming the word and the shapes.
import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct LayersOptionTests {
    /// 1×28×28 → conv 4 3×3 same: 4×28×28, 4·9 + 4 = 40 parameters → maxpool 2: 4×14×14 → conv 8 3×3
    /// stride 2 pad 1 no bias: (14 + 2 − 3)/2 + 1 = 7, 8×7×7, 8·4·9 = 288 → avgpool 2: (7 − 2)/2 + 1 = 3,
    /// 8×3×3 → flatten 72 → dense 10: 72·10 + 10 = 730. 1,058 parameters.
    @Test func aConvolutionalNetworkTrainsSavesAndShowsItsShapes() throws {
        let model = TestData.temporaryDirectory().appendingPathComponent("cnn.json").path
        let train = try Tool.run(["train", "--layers", "conv 4 3x3 same, relu, maxpool 2, conv 8 3x3 stride 2 pad 1 nobias, tanh, avgpool 2, flatten, dense 10, softmax",
                                  "--limit", "600", "--epochs", "1", "--save", model])
        #expect(train.status == 0, "\(train.standardOutput)\(train.standardError)")
        // Each layer's kind and output shape (worked by hand: same padding keeps 28×28, a 2-window halves it, stride 2 with pad 1 takes 14 to 7).
        #expect(train.standardOutput.contains("training conv2d 4×28×28, maxpool2d 4×14×14, conv2d 8×7×7, avgpool2d 8×3×3, flatten 72, dense 10 (from --layers, 1058 parameters)"),
                "\(train.standardOutput)")
        #expect(train.standardOutput.contains("test accuracy"))
        #expect(train.standardOutput.contains("batch 256, no dropout,"), "--layers without dropout words drops nothing")
        let inspect = try Tool.run(["inspect", model])
        #expect(inspect.status == 0, "\(inspect.standardError)")
        let rows = inspect.standardOutput.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let expected = [["0", "conv2d", "4×28×28", "40", "4×9", "relu"], ["1", "maxpool2d", "4×14×14", "0"], ["2", "conv2d", "8×7×7", "288", "8×36", "tanh", "no"],
                        ["3", "avgpool2d", "8×3×3", "0"], ["4", "flatten", "72", "0"], ["5", "dense", "10", "730", "72×10", "softmax", "yes"]]
        for row in expected {
            #expect(rows.contains { Array($0.prefix(row.count)) == row }, "\(row) in \(inspect.standardOutput)")
        }
        let predict = try Tool.run(["predict", model, "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "--limit", "5"])
        #expect(predict.status == 0 && predict.standardOutput.split(separator: "\n").count == 6, "\(predict.standardError)")
    }

    /// `dropout P` words place dropout on the output of the layer before them, and the run says where
    /// (1-based layers: conv, maxpool, flatten, dense); `--dropout P` with words-free `--layers` drops
    /// every layer's output but the last.
    @Test func dropoutWordsPlaceDropoutAndTheRunSaysWhere() throws {
        let words = try Tool.run(["train", "--layers", "conv 4 3x3 same, relu, maxpool 2, dropout 0.25, flatten, dense 16, relu, dropout 0.5, dense 10, softmax",
                                  "--limit", "300", "--epochs", "1"])
        #expect(words.status == 0, "\(words.standardError)")
        #expect(words.standardOutput.contains("dropout 0.25 after layer 2, 0.5 after layer 4,"), "\(words.standardOutput)")
        let option = try Tool.run(["train", "--layers", "conv 4 3x3 same, relu, flatten, dense 10, softmax", "--dropout", "0.3", "--limit", "300", "--epochs", "1"])
        #expect(option.status == 0, "\(option.standardError)")
        #expect(option.standardOutput.contains("batch 256, dropout 0.3,"), "\(option.standardOutput)")
    }

    /// Each bad spec or option is refused before training, naming the word (place and text) and the shapes.
    @Test(arguments: [
        (["--layers", "conv 4 3x3, lstm 5, flatten, dense 10, softmax"], "word 2 (\"lstm 5\"): not a layer word"),
        (["--layers", "conv 4 30x30, flatten, dense 10, softmax"], "word 1 (\"conv 4 30x30\"): kernel 30×30 is larger than its input 1×28×28 padded by 0"),
        (["--layers", "conv 4 3x3, dense 10, softmax"], "word 2 (\"dense 10\"): a dense layer after a 4×26×26 output needs a flatten first"),
        (["--layers", "conv 4 3x3, maxpool 2, relu, flatten, dense 10, softmax"], "word 3 (\"relu\"): an activation follows a conv or dense layer, not word 2 (\"maxpool 2\")"),
        (["--layers", "conv 4 3x4, flatten, dense 10, softmax"], "word 1 (\"conv 4 3x4\"): kernel '3x4' is not KxK"),
        (["--layers", "conv 4 4x4 same, flatten, dense 10, softmax"], "word 1 (\"conv 4 4x4 same\"): same padding needs an odd kernel and stride 1"),
        (["--layers", "maxpool 30, flatten, dense 10, softmax"], "word 1 (\"maxpool 30\"): window 30×30 is larger than its input 1×28×28"),
        (["--layers", "conv 4 3x3, flatten, dense 7, softmax"], "the last layer writes 7 values; the data has 10 classes"),
        (["--layers", "conv 4 3x3, flatten, dense 10, softmax, dropout 0.3"], "word 5 (\"dropout 0.3\"): dropout on the output layer would drop the network's outputs"),
        (["--layers", "dropout 0.3, conv 4 3x3, flatten, dense 10, softmax"], "word 1 (\"dropout 0.3\"): dropout follows a layer (it drops that layer's outputs), not the input"),
        (["--layers", "conv 4 3x3, flatten, dropout 1, dense 10, softmax"], "word 3 (\"dropout 1\"): expected dropout P, a rate P with 0 < P < 1"),
        (["--layers", "conv 4 3x3, flatten, dropout, dense 10, softmax"], "word 3 (\"dropout\"): expected dropout P"),
        (["--layers", "conv 4 3x3, relu, dropout 0.2, dropout 0.2, flatten, dense 10, softmax"],
         "word 4 (\"dropout 0.2\"): a layer's output takes one dropout, and word 3 (\"dropout 0.2\") is one already"),
        (["--layers", "conv 4 3x3, dropout 0.2, relu, flatten, dense 10, softmax"], "word 3 (\"relu\"): an activation follows a conv or dense layer, not word 2 (\"dropout 0.2\")"),
        (["--layers", "conv 4 3x3, flatten, dropout 0.2, dense 10, softmax", "--dropout", "0.1"], "--dropout 0.1: --layers places dropout with its dropout P words"),
        (["--layers", "flatten, dense 10, softmax", "--input-shape", "1x20x20"], "train-labels-idx1-ubyte.gz holds samples of 1x28x28"),
        (["--layers", "dense 10, softmax", "--hidden", "32"], "--hidden cannot be used with --layers"),
        (["--input-shape", "1x28x28"], "--input-shape needs --layers"),
    ])
    func badSpecsAreNamed(arguments: [String], message: String) throws {
        let run = try Tool.run(["train", "--limit", "200", "--epochs", "1"] + arguments)
        #expect(run.status != 0)
        #expect(run.standardError.contains(message), "\(run.standardError)")
        #expect(!run.standardOutput.contains("epoch 1/1"), "no training ran")
    }
}
