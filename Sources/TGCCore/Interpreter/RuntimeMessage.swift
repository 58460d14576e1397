import TGCBase

extension ToolError {
    /// The NUL-terminated message a C runtime function wrote into `buffer`.
    init(runtimeMessage buffer: [CChar]) {
        self.init(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
