/// Area under the ROC curve (Mann-Whitney U with tied scores counted half), or nil when one
/// class is absent.
public func auROC(scores: [Float], labels: [Bool]) -> Double? {
    let pos = labels.filter { $0 }.count, neg = labels.count - pos
    guard pos > 0, neg > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rankSum = 0.0
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
        let rank = Double(i + j) / 2 + 1
        for k in i...j where labels[order[k]] { rankSum += rank }
        i = j + 1
    }
    return (rankSum - Double(pos) * Double(pos + 1) / 2) / (Double(pos) * Double(neg))
}

/// Area under the precision-recall curve as average precision (scikit-learn's definition:
/// sum over thresholds of (R_n - R_{n-1}) P_n), or nil without positives.
public func auPRC(scores: [Float], labels: [Bool]) -> Double? {
    let pos = labels.filter { $0 }.count
    guard pos > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var tp = 0, fp = 0
    var ap = 0.0, lastRecall = 0.0
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
        for k in i...j { if labels[order[k]] { tp += 1 } else { fp += 1 } }
        let recall = Double(tp) / Double(pos), precision = Double(tp) / Double(tp + fp)
        ap += (recall - lastRecall) * precision
        lastRecall = recall
        i = j + 1
    }
    return ap
}
