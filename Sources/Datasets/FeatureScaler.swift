// FeatureScaler.swift: a per-feature affine map `x' = (x − offset[j]) · scale[j]`.
/// A per-feature affine map `x' = (x − offset[j]) · scale[j]`.
///
/// Fitted on the training set only and then applied unchanged to validation and test data, so no
/// statistic of held-out data leaks into training. It is saved with a model (hence `Codable` and
/// plain arrays) so that inputs at prediction time are scaled exactly as during training.
public struct FeatureScaler: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// Leave values as stored (bytes as 0...255).
        case none
        /// Map into [0, 1]: bytes are divided by 255; doubles use each feature's training min and max.
        case unitRange
        /// Subtract each feature's training mean and divide by its population standard deviation.
        case standardize
    }

    /// How the statistics were chosen.
    public let method: Method
    /// Subtracted from feature `j` first; `featureCount` values.
    public let offset: [Double]
    /// Multiplies feature `j` after the offset; `featureCount` values, finite and non-zero.
    public let scale: [Double]

    /// Number of features the scaler applies to.
    public var featureCount: Int { offset.count }

    /// A scaler with explicit parameters (for example restored from elsewhere).
    /// - Precondition: `offset` and `scale` have the same length, all values are finite, no scale is 0.
    public init(method: Method, offset: [Double], scale: [Double]) {
        precondition(Self.problem(offset: offset, scale: scale) == nil, Self.problem(offset: offset, scale: scale) ?? "")
        self.method = method
        self.offset = offset
        self.scale = scale
    }

    private enum CodingKeys: String, CodingKey { case method, offset, scale }

    /// Decodes and validates: a model file with mismatched or non-finite parameters is rejected
    /// with `DecodingError.dataCorrupted` rather than silently producing NaN inputs.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let method = try container.decode(Method.self, forKey: .method)
        let offset = try container.decode([Double].self, forKey: .offset)
        let scale = try container.decode([Double].self, forKey: .scale)
        if let problem = Self.problem(offset: offset, scale: scale) {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "feature scaler: \(problem)"))
        }
        self.init(method: method, offset: offset, scale: scale)
    }

    private static func problem(offset: [Double], scale: [Double]) -> String? {
        if offset.count != scale.count { return "\(offset.count) offsets but \(scale.count) scales" }
        if let j = offset.firstIndex(where: { !$0.isFinite }) { return "offset \(j) is \(offset[j])" }
        if let j = scale.firstIndex(where: { !$0.isFinite || $0 == 0 }) { return "scale \(j) is \(scale[j])" }
        return nil
    }

    /// The map that changes nothing: offsets 0, scales 1.
    public static func identity(featureCount: Int) -> FeatureScaler {
        FeatureScaler(
            method: .none, offset: [Double](repeating: 0, count: featureCount),
            scale: [Double](repeating: 1, count: featureCount))
    }

    /// Fits a scaler on `training` — the training set only; apply the result to every other split.
    ///
    /// - `.none`: the identity.
    /// - `.unitRange`: bytes → offset 0, scale 1/255 for every feature (the range of the type, so
    ///   all splits map the same way); numbers → offset = min, scale = 1/(max − min) per feature,
    ///   or scale 1 for a constant feature (which then maps to 0).
    /// - `.standardize`: offset = mean, scale = 1/σ with σ the population standard deviation
    ///   (dividing by n), or scale 1 where σ = 0.
    ///
    /// An empty training set gives offsets 0 and scales 1 for every method. The features are read
    /// row by row (once for the unit range, twice to standardize), never copied whole, so a
    /// mapped file is streamed.
    public static func fit(_ method: Method, on training: Dataset) -> FeatureScaler {
        let f = training.featureCount
        let n = training.count
        var offset = [Double](repeating: 0, count: f)
        var scale = [Double](repeating: 1, count: f)
        guard n > 0 else { return FeatureScaler(method: method, offset: offset, scale: scale) }
        switch method {
        case .none:
            break
        case .unitRange where training.features.holdsBytes:
            scale = [Double](repeating: 1.0 / 255.0, count: f)
        case .unitRange:
            var low = [Double](repeating: .infinity, count: f)
            var high = [Double](repeating: -.infinity, count: f)
            low.withUnsafeMutableBufferPointer { low in
                high.withUnsafeMutableBufferPointer { high in
                    training.features.forEachRow(featureCount: f) { _, row in
                        for j in 0..<f {
                            low[j] = min(low[j], row[j])
                            high[j] = max(high[j], row[j])
                        }
                    }
                }
            }
            for j in 0..<f {
                offset[j] = low[j]
                let range = high[j] - low[j]
                // A range that overflows to infinity (values near ±Double.greatestFiniteMagnitude)
                // would give scale 0 and erase the feature; treat it like a constant instead.
                scale[j] = range > 0 && range.isFinite ? 1 / range : 1
            }
        case .standardize:
            (offset, scale) = meanAndInverseDeviation(training.features, rows: n, features: f)
        }
        return FeatureScaler(method: method, offset: offset, scale: scale)
    }

    /// Per-feature mean and 1/σ (population σ; 1 where σ is 0) of `rows × features` values.
    /// Two passes over the rows (mean, then squared deviations) rather than Σx² − (Σx)²/n, which
    /// cancels catastrophically when the mean is large relative to the spread.
    private static func meanAndInverseDeviation(
        _ values: FeatureStorage, rows n: Int, features f: Int
    ) -> (mean: [Double], inverse: [Double]) {
        var mean = [Double](repeating: 0, count: f)
        mean.withUnsafeMutableBufferPointer { mean in
            values.forEachRow(featureCount: f) { _, row in
                for j in 0..<f { mean[j] += row[j] }
            }
            for j in 0..<f { mean[j] /= Double(n) }
        }
        var squares = [Double](repeating: 0, count: f)
        mean.withUnsafeBufferPointer { mean in
            squares.withUnsafeMutableBufferPointer { squares in
                values.forEachRow(featureCount: f) { _, row in
                    for j in 0..<f {
                        let d = row[j] - mean[j]
                        squares[j] += d * d
                    }
                }
            }
        }
        let inverse = squares.map { sum -> Double in
            let sigma = (sum / Double(n)).squareRoot()
            let inverse = 1 / sigma
            // σ = 0 (a constant feature) or so small that 1/σ overflows: leave the feature unscaled.
            return sigma > 0 && inverse.isFinite ? inverse : 1
        }
        return (mean, inverse)
    }

    /// Applies the map to one value of feature `j`.
    @inlinable
    public func apply(_ x: Double, feature j: Int) -> Double {
        (x - offset[j]) * scale[j]
    }

    /// Applies the map to row-major rows of `featureCount` values each.
    /// - Precondition: `values.count` is a multiple of `featureCount`.
    public func transform(_ values: [Double]) -> [Double] {
        precondition(featureCount > 0 && values.count % featureCount == 0, "\(values.count) values are not whole rows of \(featureCount)")
        var result = values
        for k in result.indices { result[k] = apply(result[k], feature: k % featureCount) }
        return result
    }

    /// The inverse map `x = x' / scale[j] + offset[j]`, for reading scaled values back in data units.
    /// - Precondition: `values.count` is a multiple of `featureCount`.
    public func inverseTransform(_ values: [Double]) -> [Double] {
        precondition(featureCount > 0 && values.count % featureCount == 0, "\(values.count) values are not whole rows of \(featureCount)")
        var result = values
        for k in result.indices { result[k] = result[k] / scale[k % featureCount] + offset[k % featureCount] }
        return result
    }
}
