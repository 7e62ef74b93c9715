// TrainingTerminal.swift: `train`'s progress lines on the terminal.
import Backprop
import Foundation

/// Prints training progress: a live bar on a terminal, one plain line per epoch otherwise.
struct TrainingTerminal {
    let epochs: Int
    let live: Bool
    private var lastDraw = 0.0

    /// `live` draws the bar; by default when standard output is a terminal.
    init(epochs: Int, live: Bool = isatty(STDOUT_FILENO) != 0) {
        self.epochs = epochs
        self.live = live
    }

    mutating func report(_ event: TrainingEvent) {
        switch event {
        case .batch(let epoch, let batch, let batches, let loss, let rate, let elapsed):
            guard live else { return }
            let now = Date().timeIntervalSince1970
            guard batch == batches || now - lastDraw > 0.1 else { return }
            lastDraw = now
            let width = 24
            let filled = width * batch / batches
            let left = elapsed / Double(batch) * Double(batches - batch)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            print(String(format: "\r\u{1B}[Kepoch %d/%d %@ %d/%d  loss %.4f  %@ samples/s  %@ left",
                         epoch, epochs, bar, batch, batches, loss, Self.count(rate), Self.clock(left)),
                  terminator: "")
            fflush(nil)  // Every stream: the bar has no newline to flush it.
        case .epoch(let m):
            if live { print("\r\u{1B}[K", terminator: "") }
            print(Self.line(m, epochs: epochs))
            fflush(nil)  // A log file or pipe gets each epoch as it ends, even if the run is killed.
        case .checkpoint(let path, let epoch):
            print("checkpoint after epoch \(epoch): \(path)")
            fflush(nil)
        }
    }

    /// One epoch as a plain line.
    static func line(_ m: EpochMetrics, epochs: Int) -> String {
        var parts = [String(format: "epoch %d/%d", m.epoch, epochs), String(format: "loss %.4f", m.trainingLoss)]
        if let v = m.validationLoss { parts.append(String(format: "val_loss %.4f", v)) }
        if let a = m.validationAccuracy { parts.append(String(format: "val_acc %.2f%%", 100 * a)) }
        parts.append(String(format: "lr %.3g", m.learningRate))
        parts.append("\(count(m.samplesPerSecond)) samples/s")
        parts.append(String(format: "%.1f s", m.seconds))
        if let norms = m.gradientNorms {
            parts.append("|∂L/∂W| " + norms.map { String(format: "%.2e", $0) }.joined(separator: " "))
        }
        return parts.joined(separator: "  ")
    }

    static func count(_ x: Double) -> String {
        x >= 1e6 ? String(format: "%.2fM", x / 1e6) : x >= 1e4 ? String(format: "%.1fk", x / 1e3) : String(format: "%.0f", x)
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
