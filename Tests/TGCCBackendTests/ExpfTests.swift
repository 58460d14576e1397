import Foundation
import Testing
@testable import TGCCBackend

/// The kernel prelude's `tgc_expf` (vectorizable) must equal libm's `expf`, which the
/// interpreter calls, bit for bit: on a sweep of every 4099th float32 bit pattern (about a
/// million values across all exponents, NaNs and infinities included) and on edge cases around
/// the overflow and underflow thresholds. The full 2^32 sweep agreed when it was written.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct ExpfTests {
    @Test func matchesLibmBitForBit() throws {
        let source = """
        #include "tgc_runtime.h"
        #include <math.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <string.h>
        \(KernelPrelude.source)
        static int differs(float x) {
            float a = expf(x), b = tgc_expf(x);
            return memcmp(&a, &b, sizeof a) != 0;
        }
        int main(void) {
            long bad = 0, checked = 0;
            for (uint64_t i = 0; i < (UINT64_C(1) << 32); i += 4099) {
                uint32_t u = (uint32_t)i;
                float x;
                memcpy(&x, &u, sizeof x);
                bad += differs(x);
                checked++;
            }
            const float edges[] = { 0.0f, -0.0f, 1.0f, -1.0f, 88.0f, 0x1.62e42ep6f, 0x1.62e430p6f, 89.0f, -87.0f,
                                    -0x1.9fe368p6f, -0x1.9fe36ap6f, -0x1.9d1d9ep6f, -104.0f, -150.0f, 1e-30f,
                                    INFINITY, -INFINITY, NAN, -NAN, 0x1p-149f };
            for (size_t k = 0; k < sizeof edges / sizeof edges[0]; k++) { bad += differs(edges[k]); checked++; }
            printf("%ld %ld\\n", checked, bad);
            return 0;
        }
        """
        let directory = try CrossBackend.makeDirectory("expf")
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("expf").path
        try CToolchain.buildExecutable(cSource: source, outputPath: binary)
        let run = try CrossBackend.execute(binary, [])
        #expect(run.status == 0, "\(run.stderr)")
        let counts = run.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(counts.count == 2 && counts[0] > 1_000_000, "\(run.stdout)")
        #expect(counts.last == 0, "tgc_expf differs from expf on \(counts.last ?? -1) inputs")
    }
}
