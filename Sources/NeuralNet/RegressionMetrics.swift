import Foundation

/// Pearson's correlation of two equally long series, or nil when either is constant or they
/// hold fewer than 2 values.
public func pearson(_ x: [Double], _ y: [Double]) -> Double? {
    let n = min(x.count, y.count)
    guard n >= 2 else { return nil }
    var mx = 0.0, my = 0.0
    for i in 0..<n { mx += x[i]; my += y[i] }
    mx /= Double(n)
    my /= Double(n)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in 0..<n {
        let dx = x[i] - mx, dy = y[i] - my
        sxy += dx * dy
        sxx += dx * dx
        syy += dy * dy
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
}

/// Ranks from 1, ties given their mean rank (scipy.stats.rankdata's "average").
public func averageRanks(_ x: [Double]) -> [Double] {
    let order = x.indices.sorted { x[$0] < x[$1] }
    var ranks = [Double](repeating: 0, count: x.count)
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
        let rank = Double(i + j) / 2 + 1
        for k in i...j { ranks[order[k]] = rank }
        i = j + 1
    }
    return ranks
}

/// Spearman's rank correlation (Pearson's of the average ranks), or nil as for `pearson`.
public func spearman(_ x: [Double], _ y: [Double]) -> Double? {
    pearson(averageRanks(x), averageRanks(y))
}

/// The Jensen-Shannon distance of two distributions given as non-negative weights (each
/// normalised to sum 1): the square root of the JS divergence in nats, as
/// scipy.spatial.distance.jensenshannon. Nil when either sums to 0.
public func jensenShannonDistance(_ p: [Double], _ q: [Double]) -> Double? {
    let sp = p.reduce(0, +), sq = q.reduce(0, +)
    guard sp > 0, sq > 0, p.count == q.count else { return nil }
    var d = 0.0
    for i in p.indices {
        let a = p[i] / sp, b = q[i] / sq, m = (a + b) / 2
        if a > 0 { d += a * Foundation.log(a / m) }
        if b > 0 { d += b * Foundation.log(b / m) }
    }
    return max(d / 2, 0).squareRoot()
}

/// The median of the values (nil when there are none).
public func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Regression metrics of one task on held-out windows.
public struct RegressionMetrics: Sendable, Equatable {
    /// Pearson and Spearman of predicted and observed log counts, and their mean squared error.
    public var pearson: Double?
    public var spearman: Double?
    public var mse: Double
    /// Profile models: the median over windows (with any signal) of the Jensen-Shannon
    /// distance between the predicted and observed profile, and of their Pearson correlation.
    public var medianJSD: Double?
    public var medianProfilePearson: Double?

    /// Metrics of predicted against observed log counts (and, for profiles, each window's
    /// Jensen-Shannon distance and Pearson correlation of its predicted probabilities and
    /// observed counts, `profileMetrics`, nil for windows without signal).
    public init(predicted: [Double], observed: [Double], profiles: [(jsd: Double?, pearson: Double?)] = []) {
        pearson = NeuralNet.pearson(predicted, observed)
        spearman = NeuralNet.spearman(predicted, observed)
        var s = 0.0
        for i in predicted.indices { s += (predicted[i] - observed[i]) * (predicted[i] - observed[i]) }
        mse = predicted.isEmpty ? .nan : s / Double(predicted.count)
        if profiles.isEmpty {
            medianJSD = nil
            medianProfilePearson = nil
        } else {
            medianJSD = median(profiles.compactMap(\.jsd))
            medianProfilePearson = median(profiles.compactMap(\.pearson))
        }
    }
}
