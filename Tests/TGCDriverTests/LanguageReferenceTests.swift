import Foundation
import Testing
import TGCCore

/// docs/LANGUAGE.md names every op's spellings: a new op kind fails here until it is documented.
@Suite struct LanguageReferenceTests {
    @Test func everySpellingIsDocumented() throws {
        let reference = try String(contentsOf: TestPaths.root.appendingPathComponent("docs/LANGUAGE.md"), encoding: .utf8)
        for kind in OpKind.allCases {
            for spelling in kind.definition.spellings {
                let name: String
                switch spelling {
                case .function(let function): name = function
                case .method(let method): name = "." + method
                case .infix(let symbol), .prefix(let symbol): name = symbol
                case .phrase: continue
                }
                #expect(reference.contains(name), "docs/LANGUAGE.md does not mention \(name) (\(kind.name))")
            }
        }
    }
}
