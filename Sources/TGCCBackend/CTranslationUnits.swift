import Foundation

/// A generated C program split at its kernel boundaries into translation units that gcc
/// compiles at once: the kernel functions spread over several units of about equal size, each
/// after the prelude every kernel needs (includes, scalar helpers), and the rest of the program
/// (state, data, `tgc_program`, `main`) in one unit that declares them. A moved kernel loses
/// `static`; `#line` directives keep every diagnostic pointing at the line of the one file.
package struct CTranslationUnits {
    /// One unit's text and its estimated compile cost (bytes of text; the rest of the program
    /// counts a fifth, as declarations, data and its -O1 code compile about five times faster
    /// per byte than kernels do).
    package struct Unit {
        package var text: String
        package var cost: Int
    }

    /// The units: the program's own first, then the kernel units; one unit, the text as is,
    /// when it is not split.
    package private(set) var units: [Unit]

    /// Kernel text per unit below which another unit costs more (a compiler start, the headers)
    /// than it saves.
    static let minimumKernelBytes = 16_384

    /// `source`, the text of the file at `path`, split into at most `kernelUnits` kernel units
    /// and the program's unit (0: one unit). Nil chooses three units per core in all, the
    /// program's among them, each kernel unit of at least `minimumKernelBytes`: small units
    /// balance the cores, but each costs gcc about 40 ms more (its start, the headers), a fifth
    /// of what 16 KB of kernels cost. Text not laid out as `CProgramEmitter` writes a program (a
    /// library function, CUDA) stays one unit.
    package init(_ source: String, path: String, kernelUnits: Int? = nil) {
        units = [Unit(text: source, cost: source.utf8.count)]
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard let layout = Layout(lines) else { return }
        let sizes = layout.groups.map { group in lines[group.lines].reduce(0) { $0 + $1.utf8.count + 1 } }
        let wanted = kernelUnits ?? min(3 * ProcessInfo.processInfo.activeProcessorCount - 1,
                                        sizes.reduce(0, +) / Self.minimumKernelBytes)
        let count = min(wanted, layout.groups.count)
        guard count >= 1 else { return }

        // The largest group first, each into the unit with the least text so far.
        var bins = Array(repeating: [Int](), count: count)
        var binSizes = Array(repeating: 0, count: count)
        for group in layout.groups.indices.sorted(by: { sizes[$0] > sizes[$1] }) {
            let lightest = binSizes.indices.min { binSizes[$0] < binSizes[$1] }!
            bins[lightest].append(group)
            binSizes[lightest] += sizes[group]
        }

        let quotedPath = CSourceText.stringLiteral(path)
        func lineDirective(_ index: Int) -> String { "#line \(index + 1) \(quotedPath)" }
        let prelude = lines[..<layout.preludeEnd].joined(separator: "\n")
        var program = [lineDirective(0)] + lines[...layout.kernelsHeading].map(String.init)
        program += layout.groups.map { "void " + lines[$0.header].dropFirst(Self.kernelPrefix.count).dropLast(2) + ";" }
        program.append(lineDirective(layout.bodyHeading))
        program += lines[layout.bodyHeading...].map(String.init)
        let programText = program.joined(separator: "\n")
        units = [Unit(text: programText, cost: programText.utf8.count / 5)]
        for (bin, size) in zip(bins, binSizes) where !bin.isEmpty {
            var text = [lineDirective(0), prelude]
            for group in bin.sorted().map({ layout.groups[$0] }) {
                text.append(lineDirective(group.lines.lowerBound))
                for index in group.lines {
                    text.append(index == group.header ? String(lines[index].dropFirst("static ".count)) : String(lines[index]))
                }
            }
            units.append(Unit(text: text.joined(separator: "\n") + "\n", cost: size))
        }
    }

    /// How a kernel function's first line starts (`static inline void` for a row helper, which
    /// stays private to its kernel's unit).
    static let kernelPrefix = "static void "

    /// Where the sections of a generated program are, by line index.
    private struct Layout {
        /// A kernel function with the comment and row helpers before it.
        struct Group {
            var lines: Range<Int>
            /// The function's first line, `static void NAME(PARAMETERS) {`.
            var header: Int
        }

        /// The first line after the prelude: the run state's heading.
        var preludeEnd: Int
        var kernelsHeading: Int
        var bodyHeading: Int
        var groups: [Group] = []

        /// Nil when a heading is missing or a function is not closed by a `}` line before the
        /// module body.
        init?(_ lines: [Substring]) {
            guard let state = lines.firstIndex(of: Substring(CProgramEmitter.stateHeading)),
                  let kernels = lines.firstIndex(of: Substring(CProgramEmitter.kernelsHeading)),
                  let body = lines.firstIndex(of: Substring(CProgramEmitter.bodyHeading)),
                  state < kernels, kernels < body else { return nil }
            preludeEnd = state
            kernelsHeading = kernels
            bodyHeading = body
            var start = kernels + 1
            var index = start
            while index < body {
                let line = lines[index]
                let helper = line.hasPrefix("static inline void ")
                guard helper || line.hasPrefix(CTranslationUnits.kernelPrefix) else {
                    index += 1
                    continue
                }
                guard line.hasSuffix(") {"), let close = lines[index..<body].firstIndex(of: "}") else { return nil }
                let header = index
                index = close + 1
                if helper { continue }
                if index < body, lines[index].isEmpty { index += 1 }
                groups.append(Group(lines: start..<index, header: header))
                start = index
            }
        }
    }
}
