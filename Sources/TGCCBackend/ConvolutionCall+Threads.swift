import TGCCore
import TGCLowering

/// Whether a runtime convolution or pooling call is too small to share among threads: it then
/// runs on the calling thread alone (`tgc_threads_limit(1)`). Under the default (spinning)
/// OpenMP wait policy a region costs about a microsecond when calls come back to back: a
/// convolution of one 14 × 14 image with 32 → 64 channels (3.6M multiply-adds, Winograd's blocks
/// of tiles shared out) took the deployed classifier's call from 124 to 98 µs on two threads (an
/// AVX-512 machine), and on an AVX2 one a convolution of one 28 × 28 image with 1 → 32 channels
/// (226K) and the two max poolings after the convolutions (25K and 12.5K input elements) on two
/// threads took it from 101 to 92-94 µs. Under `OMP_WAIT_POLICY=passive`, where each region
/// wakes a sleeping thread, the same change cost 0.12-0.16 → 0.19 ms: these thresholds are for
/// the default policy. The results are the same either way.
extension ConvolutionCall {
    /// A convolution (or its gradients) of fewer multiply-adds runs on one thread.
    static let serialMultiplyAdds = 1 << 17
    /// A pooling of fewer input elements runs on one thread.
    static let serialElements = 1 << 13

    /// The call's work: multiply-adds of a convolution, input elements of a pooling.
    var work: Int {
        let f = shape.fields   // n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups, oh, ow
        if kind == .maxPool2dIndices || kind == .maxPool2d { return f[0] * f[1] * f[2] * f[3] }
        return f[0] * f[4] * f[14] * f[15] * (f[1] / max(1, f[13])) * f[5] * f[6]
    }

    var runsSerially: Bool {
        work < (kind == .maxPool2dIndices || kind == .maxPool2d ? Self.serialElements : Self.serialMultiplyAdds)
    }
}
