import TGCCore

/// Makes fuzz input number `index` of a run: a corpus program (or a freshly generated one)
/// under one to four token-level or structural mutations. Inputs depend only on the seed and
/// the index, so any input of a run can be rebuilt from those two numbers.
public struct Mutator: Sendable {
    /// One fuzz input and the names of the mutations that made it.
    public struct Input: Sendable {
        public var text: String
        public var mutations: [String]
        /// The `.npy` files a generated program loads, to be written next to the input so that
        /// mutants which survive reach the optimizing passes instead of failing at `load`.
        public var dataFiles: [(name: String, tensor: Tensor)] = []
    }

    public let corpus: [String]
    public let seed: UInt64
    private let words: [String]

    public init(corpus: [String], seed: UInt64) {
        precondition(!corpus.isEmpty, "the fuzz corpus is empty")
        self.corpus = corpus
        self.seed = seed
        var words = Set<String>()
        for text in corpus {
            for chunk in SourceChunks(text).chunks where chunk.kind == .word { words.insert(chunk.text) }
        }
        self.words = words.sorted()
    }

    public func input(_ index: Int) -> Input {
        var rng = SplitMix64(seed: seed, index: index)
        var text: String
        var mutations: [String] = []
        var dataFiles: [(name: String, tensor: Tensor)] = []
        if rng.chance(0.2) {
            let unit = ProgramGenerator(seed: rng.next()).unit(named: "g")
            text = unit.source
            dataFiles = unit.dataFiles
            mutations.append("generated")
        } else {
            text = rng.pick(corpus)
        }
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            if rng.chance(0.6) {
                var chunks = SourceChunks(text)
                mutations.append(TokenMutations.apply(to: &chunks, corpusWords: words, using: &rng))
                text = chunks.text
            } else {
                mutations.append(StructuralMutations.apply(to: &text, donor: rng.pick(corpus), using: &rng))
            }
        }
        return Input(text: text, mutations: mutations, dataFiles: dataFiles)
    }
}
