import Foundation

/// Axis ranges rounded out to "nice" numbers (1, 2 or 5 times a power of ten) with ticks at
/// their multiples: Heckbert's "Nice numbers for graph labels" (Graphics Gems, 1990).
struct AxisTicks {
    var low: Double
    var high: Double
    var spacing: Double

    init(from minimum: Double, to maximum: Double, count: Int = 5, integers: Bool = false) {
        var (minimum, maximum) = (minimum, maximum)
        if minimum == maximum {
            let pad = minimum == 0 ? 1 : abs(minimum) * 0.1
            (minimum, maximum) = (minimum - pad, maximum + pad)
        }
        var spacing = Self.nice((maximum - minimum) / Double(max(count - 1, 1)), round: true)
        if integers { spacing = max(spacing, 1).rounded() }
        self.spacing = spacing
        low = (minimum / spacing).rounded(.down) * spacing
        high = (maximum / spacing).rounded(.up) * spacing
    }

    /// The tick positions from low to high.
    var values: [Double] {
        let steps = Int(((high - low) / spacing).rounded())
        return (0...steps).map { low + Double($0) * spacing }
    }

    /// A tick's label, with as many decimals as the spacing needs.
    func label(_ value: Double) -> String {
        let decimals = max(0, Int((-log10(spacing)).rounded(.up)))
        if abs(value) >= 1e6 || (abs(value) < 1e-4 && value != 0) { return String(format: "%g", value) }
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    /// 1, 2, 5 or 10 times a power of ten near `x`: rounded to the nearest, or the one above.
    static func nice(_ x: Double, round: Bool) -> Double {
        let exponent = log10(x).rounded(.down)
        let fraction = x / pow(10, exponent)
        let niceFraction: Double = round
            ? (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10)
            : (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10)
        return niceFraction * pow(10, exponent)
    }
}
