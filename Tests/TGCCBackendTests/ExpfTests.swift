import Foundation
import Testing
@testable import TGCCBackend

/// `tgc_expf` (runtime/include/tgc_math.h), the exp of both the interpreter and generated code:
/// within 1.01 ulp of the exact value on a sweep of every 4099th float32 bit pattern (about a
/// million values across all exponents), exact at the edges (0 → 1, overflow → inf, underflow
/// → 0, NaN → NaN), and within one subnormal step where the result is subnormal. Built with the
/// generated code's flags, so this is the vectorized code the kernels run.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct ExpfTests {
    @Test func isWithinOneUlpOfTheExactValue() throws {
        let source = """
        #include "tgc_runtime.h"
        #include <math.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <string.h>
        static double error_ulps(float x) {
            double exact = exp((double)x);
            float got = tgc_expf(x);
            if (isnan(x)) return isnan(got) ? 0 : 1e9;
            float rounded = (float)exact;
            if (isinf(rounded)) return isinf(got) ? 0 : 1e9;
            if (fabs(exact) < 0x1p-126) return fabs((double)got - exact) <= 0x1p-149 ? 0 : 1e9;
            double ulp = (double)nextafterf(rounded, INFINITY) - (double)rounded;
            return fabs((double)got - exact) / ulp;
        }
        int main(void) {
            long checked = 0;
            double worst = 0;
            for (uint64_t i = 0; i < (UINT64_C(1) << 32); i += 4099) {
                uint32_t u = (uint32_t)i;
                float x;
                memcpy(&x, &u, sizeof x);
                double e = error_ulps(x);
                if (e > worst) worst = e;
                checked++;
            }
            int edges = tgc_expf(0.0f) == 1.0f && tgc_expf(-0.0f) == 1.0f && isinf(tgc_expf(89.0f))
                && isinf(tgc_expf(INFINITY)) && tgc_expf(-INFINITY) == 0.0f && tgc_expf(-104.0f) == 0.0f
                && isnan(tgc_expf(NAN)) && tgc_expf(1.0f) == 2.71828175f;
            printf("%ld %.4f %d\\n", checked, worst, edges);
            return 0;
        }
        """
        let directory = try CrossBackend.makeDirectory("expf")
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("expf").path
        try CToolchain.buildExecutable(cSource: source, outputPath: binary)
        let run = try CrossBackend.execute(binary, [])
        #expect(run.status == 0, "\(run.stderr)")
        let fields = run.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(fields.count == 3, "\(run.stdout)")
        #expect((Int(fields.first ?? "") ?? 0) > 1_000_000, "\(run.stdout)")
        #expect((Double(fields.count > 1 ? fields[1] : "") ?? 99) <= 1.01, "largest error in ulps: \(run.stdout)")
        #expect(fields.last == "1", "edge cases: \(run.stdout)")
    }
}
