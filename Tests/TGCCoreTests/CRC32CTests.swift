import CTGCRuntime
import Testing

/// The runtime's CRC32C (Castagnoli), which frames TensorBoard's TFRecords, against published
/// check values (RFC 3720 appendix B.4, and the "123456789" check value of the CRC catalogue),
/// and TFRecord's mask.
struct CRC32CTests {
    func crc(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { tgc_crc32c($0.baseAddress, $0.count) } }

    @Test func knownVectors() {
        #expect(crc(Array("123456789".utf8)) == 0xE306_9283)
        #expect(crc([]) == 0)
        #expect(crc([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(crc([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(crc((0..<32).map(UInt8.init)) == 0x46DD_794E)
        #expect(crc((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    @Test func maskedAsTFRecordMasksIt() {
        let bytes = Array("123456789".utf8)
        let plain = crc(bytes)
        let masked = bytes.withUnsafeBytes { tgc_masked_crc32c($0.baseAddress, $0.count) }
        #expect(masked == ((plain >> 15) | (plain << 17)) &+ 0xA282_EAD8)
        // The length field of an empty TFRecord (8 zero bytes), as TensorBoard's reader masks it.
        #expect([UInt8](repeating: 0, count: 8).withUnsafeBytes { tgc_masked_crc32c($0.baseAddress, $0.count) } == 0x0798_0329)
    }
}
