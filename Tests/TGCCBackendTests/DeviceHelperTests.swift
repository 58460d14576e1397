import Foundation
import Testing
@testable import TGCCBackend

/// The scalar helpers that kernels call (the kernel prelude and runtime/include/tgc_math.h) are
/// `TGC_HD`, so a CUDA renderer can call them in device code: each one calls only functions
/// that exist on host and device, and only `tgc_op_imod` (which reports a modulo by zero with
/// `tgc_fatal_at`) is host only. Read as text, no compiler needed.
struct DeviceHelperTests {
    /// Functions available in CUDA device code that the helpers may call, and C keywords that
    /// precede a parenthesis.
    static let deviceCallable: Set<String> = [
        "isfinite", "isnan", "fmaf", "powf", "fmodf", "memcpy",
        "erff", "log1pf", "expm1f", "truncf", "sqrtf",   // CUDA's math API has them too (chapter 2 math, pow)
        "exp", "pow", "fmod", "erf", "log1p", "expm1", "trunc", "sqrt",   // and the double ones (float64)
        "if", "while", "for", "return", "sizeof",
    ]
    static let hostOnly: Set<String> = ["tgc_op_imod", "tgc_op_checked_index", "tgc_op_checked_dimension_index"]

    /// Each `static inline` function in `source`: its name, whether it is `TGC_HD`, its body.
    static func helpers(in source: String) -> [(name: String, isDevice: Bool, body: String)] {
        var found: [(String, Bool, String)] = []
        var rest = Substring(source)
        while let start = rest.range(of: "static inline ") {
            let header = rest[start.upperBound...].prefix { $0 != "(" }
            let name = String(header.split(separator: " ").last ?? "")
            guard let open = rest[start.upperBound...].firstIndex(of: "{") else { break }
            var depth = 0
            var end = open
            for index in rest[open...].indices {
                if rest[index] == "{" { depth += 1 }
                if rest[index] == "}" { depth -= 1 }
                if depth == 0 { end = index; break }
            }
            found.append((name, header.contains("TGC_HD "), String(rest[open...end])))
            rest = rest[rest.index(after: end)...]
        }
        return found
    }

    /// The identifiers called in `body` (`name(`), comments left out.
    static func calls(in body: String) -> Set<String> {
        let body = body.replacingOccurrences(of: "(?s)/\\*.*?\\*/", with: " ", options: .regularExpression)
        let regex = try! NSRegularExpression(pattern: "([A-Za-z_][A-Za-z0-9_]*)\\s*\\(")
        let range = NSRange(body.startIndex..., in: body)
        return Set(regex.matches(in: body, range: range).map { String(body[Range($0.range(at: 1), in: body)!]) })
    }

    @Test func kernelHelpersCallOnlyDeviceFunctions() throws {
        let math = try String(contentsOf: try RuntimeLibrary.locate().appendingPathComponent("include/tgc_math.h"), encoding: .utf8)
        let helpers = Self.helpers(in: KernelPrelude.source) + Self.helpers(in: math)
        #expect(helpers.count >= 12, "found \(helpers.map(\.name))")
        let device = Set(helpers.filter(\.isDevice).map(\.name))
        for helper in helpers {
            #expect(helper.isDevice != Self.hostOnly.contains(helper.name), "\(helper.name): TGC_HD unless host only")
            guard helper.isDevice else { continue }
            let disallowed = Self.calls(in: helper.body).subtracting(Self.deviceCallable).subtracting(device)
            #expect(disallowed.isEmpty, "\(helper.name) calls \(disallowed.sorted()), which may be host only")
        }
    }

    @Test func everyIntrinsicIsSpelledByADeviceHelperOrCMath() {
        // The spellings that are neither C99 math nor a TGC_HD helper would need a device twin.
        let helpers = Set(Self.helpers(in: KernelPrelude.source).filter(\.isDevice).map(\.name))
        let spelled: [String] = [CFamilyRenderer.spelling(.maximum(.float32)), CFamilyRenderer.spelling(.minimum(.float64)),
                                 CFamilyRenderer.spelling(.maximum(.int64)), CFamilyRenderer.spelling(.toInt64),
                                 CFamilyRenderer.spelling(.integerPower)]
        for name in spelled { #expect(helpers.contains(name), "\(name) is not a TGC_HD prelude helper") }
    }
}
